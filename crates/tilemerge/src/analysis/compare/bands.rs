//! Rows cut into bands and segments by the tiles they cross, so that a comparison can add each
//! run of pixels to its tile's sums without looking the tile up per pixel.

use std::ops::Range;

use crate::layout::{Rect, TileId};

/// A run of pixels of one row that lie in the same tile (or in none).
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    pub(super) x0: u32,
    pub(super) x1: u32,
    pub(super) tile: Option<usize>,
}

/// Rows whose pixels fall into the same tiles, split into segments covering the whole width.
pub(super) struct Band {
    pub(super) rows: Range<u32>,
    pub(super) segments: Vec<Segment>,
}

/// Cuts `rows` of a `width`-wide image into bands of rows meeting the same tiles; where tiles
/// overlap, a pixel belongs to the first one listed.
pub(super) fn bands(width: u32, rows: Range<u32>, tiles: &[(TileId, Rect)]) -> Vec<Band> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut edges: Vec<u32> = vec![rows.start, rows.end];
    for (_, r) in tiles {
        edges.extend([r.y, r.bottom()].into_iter().filter(|y| rows.contains(y)));
    }
    edges.sort_unstable();
    edges.dedup();
    edges
        .windows(2)
        .filter_map(|w| match *w {
            [y0, y1] => Some(y0..y1),
            _ => None,
        })
        .map(|band| {
            let mut meeting: Vec<(usize, u32, u32)> = tiles
                .iter()
                .enumerate()
                .filter(|(_, (_, r))| r.y <= band.start && r.bottom() >= band.end)
                .map(|(i, (_, r))| (i, r.x.min(width), r.right().min(width)))
                .collect();
            meeting.sort_by_key(|&(i, x0, _)| (x0, i));
            let mut segments = Vec::new();
            let mut cursor = 0;
            for (i, x0, x1) in meeting {
                if x0 > cursor {
                    segments.push(Segment { x0: cursor, x1: x0, tile: None });
                }
                if x1 > cursor.max(x0) {
                    segments.push(Segment { x0: cursor.max(x0), x1, tile: Some(i) });
                    cursor = x1;
                }
            }
            if cursor < width {
                segments.push(Segment { x0: cursor, x1: width, tile: None });
            }
            Band { rows: band, segments }
        })
        .collect()
}
