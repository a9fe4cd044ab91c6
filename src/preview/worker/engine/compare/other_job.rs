//! B as another job's merge, in a worker: that job's tiles kept as they came (compressed) with
//! its own grid (tile size and overscan may differ from A's, the image size may not), and the
//! pieces where A's tiles and B's placed tiles meet, which are all a comparison measures: a
//! tile B lacks is left out of the figures, not compared with black.

use tilemerge::{check_blocks, read_info, Grid, Rect, Resolution, TileError, TileId};

use super::super::Session;
use crate::preview::worker::protocol::Other;

/// Another job's tiles, as the page sent them.
pub struct JobFiles {
    /// The job's id.
    pub job: String,
    pub grid: Grid,
    pub files: Vec<(TileId, Vec<u8>)>,
}

impl Session {
    /// Keeps a tile of job `job`'s merge laid out by `grid`, after checking from its header that
    /// it is one of that grid's tiles, of the size Blender renders for it, and from its blocks
    /// that none is cut short. A tile of another job or grid replaces the tiles kept before.
    pub fn take_job_tile(
        &mut self,
        job: &str,
        grid: Grid,
        tile: TileId,
        bytes: Vec<u8>,
    ) -> Result<(), String> {
        let (theirs, ours) = (grid.image, self.grid.image);
        if theirs != ours {
            return Err(format!(
                "the other job's image is {theirs} pixels but this merge is {ours}: they cannot be compared"
            ));
        }
        if !grid.contains(tile) {
            return Err(TileError::NotInGrid { image: grid.image, tile: grid.tile }.to_string());
        }
        let info = read_info(&bytes).map_err(|e| TileError::Decode(e).to_string())?;
        if let Resolution::Unplaceable(mismatch) = grid.resolve(tile, info.size) {
            return Err(TileError::Size(mismatch).to_string());
        }
        check_blocks(&bytes).map_err(|e| TileError::Decode(e).to_string())?;
        let compare = &mut self.compare;
        // B decoded from this job's tiles is out of date once another one comes.
        if matches!(compare.other, Some((Other::Job { .. }, _))) {
            compare.other = None;
        }
        let held = match compare.job.take() {
            Some(held) if held.job == job && held.grid == grid => held,
            _ => JobFiles { job: job.to_string(), grid, files: Vec::new() },
        };
        let held = compare.job.insert(held);
        held.files.retain(|(t, _)| *t != tile);
        held.files.push((tile, bytes));
        Ok(())
    }
}

/// Where A's tiles and B's placed tiles meet: for each of A's tiles in `grid` (in grid order),
/// its rectangle (the part placed, for the tiles in `placed_a`; else its core) within each of
/// B's placed rectangles, and whether A's tile is placed here. Every worker holds all of B and
/// lists the same pieces in the same order, so the page merges their shares piece by piece.
pub fn pieces(
    grid: &Grid,
    placed_a: &[(TileId, Rect)],
    placed_b: &[(TileId, Rect)],
) -> (Vec<(TileId, Rect)>, Vec<bool>) {
    let mut pieces = Vec::new();
    let mut mine = Vec::new();
    for tile in grid.tiles() {
        let core = grid.core(tile);
        let placed = placed_a.iter().find(|(t, _)| *t == tile).map(|&(_, r)| r);
        // Which pieces there are depends on the cores alone, the same in every worker.
        for (_, b) in placed_b.iter().filter(|(_, b)| !core.intersect(b).is_empty()) {
            pieces.push((tile, placed.unwrap_or(core).intersect(b)));
            mine.push(placed.is_some());
        }
    }
    (pieces, mine)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tilemerge::Size;

    #[test]
    fn pieces_cover_what_a_and_b_both_hold_in_a_order() {
        let size = |width, height| Size { width, height };
        let a = Grid::new(size(100, 50), size(50, 50), 0).expect("a grid");
        let rect = |x, y, width, height| Rect { x, y, width, height };
        let left = TileId { x0: 0, y0: 0, x1: 50, y1: 50 };
        // B in 40 px columns, its middle tile missing.
        let b = [(left, rect(0, 0, 40, 50)), (left, rect(80, 0, 20, 50))];
        let (pieces, mine) = pieces(&a, &[(left, rect(0, 0, 50, 50))], &b);
        let right = TileId { x0: 50, y0: 0, x1: 100, y1: 50 };
        assert_eq!(pieces, [(left, rect(0, 0, 40, 50)), (right, rect(80, 0, 20, 50))]);
        assert_eq!(mine, [true, false]);
    }
}
