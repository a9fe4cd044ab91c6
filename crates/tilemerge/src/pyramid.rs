//! Tiles at reduced sizes, for looking at a frame too large to hold whole. A tile's pass is kept
//! as a chain of halvings (its pyramid) from a base level whose whole image is small enough to
//! hold; the full-size pixels of a tile are decoded again from its file when a view zooms in.
//!
//! Level `n` shows the image at `1 / 2^n` of its size: its pixel `(x, y)` is the mean of the
//! image pixels `2^n x .. 2^n (x + 1)` by `2^n y .. 2^n (y + 1)`. A tile's reduced pixels are
//! means over the tile's own pixels only, so where a tile's edge falls inside a level pixel
//! (a grid not aligned to `2^n`) that pixel shows one of the tiles rather than their mean; the
//! full-size level is always exact.

use half::f16;

use crate::decode::DecodedTile;
use crate::layout::{Grid, Rect, Resolution, Size, TileId};
use crate::passes::{PassInfo, SampleType, Samples};
use crate::stitch::TileError;
use crate::view::PassPlane;

/// The largest level kept: past it a 16K tile would be under a pixel.
pub const TOP_LEVEL: u8 = 14;

/// The image's size at `level` (rounded up: a partial block is a pixel).
pub fn level_size(image: Size, level: u8) -> Size {
    Size { width: shrink_end(image.width, level), height: shrink_end(image.height, level) }
}

/// The first level whose whole image has no side longer than `max_side`.
pub fn base_level(image: Size, max_side: u32) -> u8 {
    let max_side = max_side.max(1);
    (0..TOP_LEVEL)
        .find(|&level| {
            let size = level_size(image, level);
            size.width <= max_side && size.height <= max_side
        })
        .unwrap_or(TOP_LEVEL)
}

/// `rect` (image pixels) at `level`: every level pixel it touches.
pub fn rect_at_level(rect: Rect, level: u8) -> Rect {
    Rect::from_edges(
        shrink_start(rect.x, level),
        shrink_start(rect.y, level),
        shrink_end(rect.right(), level),
        shrink_end(rect.bottom(), level),
    )
}

fn shrink_start(v: u32, level: u8) -> u32 {
    v.checked_shr(u32::from(level)).unwrap_or(0)
}

fn shrink_end(v: u32, level: u8) -> u32 {
    let scale = 1u64 << level.min(31);
    u64::from(v).div_ceil(scale) as u32
}

/// One pass of one tile's placed pixels at one level.
#[derive(Debug, Clone, PartialEq)]
pub struct TileImage {
    /// The level: 0 is full size.
    pub level: u8,
    /// Where it is, in pixels of its level.
    pub rect: Rect,
    /// The pass and its channels.
    pub info: PassInfo,
    /// One buffer per channel, `rect.width * rect.height` samples, rows from the top.
    pub channels: Vec<Samples>,
}

impl TileImage {
    /// The full-size pixels `tile`'s decoded file adds to the image in `pass` (its core, without
    /// the overscan), checked against `grid` as a merge checks it.
    pub fn placed(
        grid: &Grid,
        tile: TileId,
        decoded: &DecodedTile,
        pass: &str,
    ) -> Result<TileImage, TileError> {
        let (rendered, placed) = match grid.resolve(tile, decoded.size) {
            Resolution::Exact { rendered, placed } | Resolution::Explained { rendered, placed, .. } => {
                (rendered, placed)
            }
            Resolution::Unplaceable(mismatch) => return Err(TileError::Size(mismatch)),
        };
        let source =
            decoded.pass(pass).ok_or_else(|| TileError::Read(format!("the tile has no pass {pass:?}")))?;
        let stride = decoded.size.width as usize;
        let (dx, dy) = ((placed.x - rendered.x) as usize, (placed.y - rendered.y) as usize);
        let (w, h) = (placed.width as usize, placed.height as usize);
        let crop = |samples: &Samples| -> Option<Samples> {
            let rows = (0..h).map(|row| (dy + row) * stride + dx);
            Some(match samples {
                Samples::F16(v) => {
                    Samples::F16(rows.map(|s| v.get(s..s + w)).collect::<Option<Vec<_>>>()?.concat())
                }
                Samples::F32(v) => {
                    Samples::F32(rows.map(|s| v.get(s..s + w)).collect::<Option<Vec<_>>>()?.concat())
                }
                Samples::U32(v) => {
                    Samples::U32(rows.map(|s| v.get(s..s + w)).collect::<Option<Vec<_>>>()?.concat())
                }
            })
        };
        let channels = source
            .channels
            .iter()
            .map(crop)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| TileError::Read("the tile's buffers do not match its size".into()))?;
        Ok(TileImage { level: 0, rect: placed, info: source.info.clone(), channels })
    }

    /// The next level: each pixel the mean of the (up to four) pixels it covers here.
    pub fn halve(&self) -> TileImage {
        let rect = rect_at_level(self.rect, 1);
        let (w, h) = (rect.width as usize, rect.height as usize);
        let src_w = self.rect.width as usize;
        // The source rows and columns of output row/column `i`, clipped to this tile.
        let span = |i: usize, start: u32, end: u32, out_start: u32| {
            let lo = ((out_start as usize + i) * 2).max(start as usize) - start as usize;
            let hi = ((out_start as usize + i) * 2 + 2).min(end as usize) - start as usize;
            lo..hi
        };
        let channels = self
            .channels
            .iter()
            .map(|samples| {
                let mut out = Vec::with_capacity(w * h);
                for y in 0..h {
                    let rows = span(y, self.rect.y, self.rect.bottom(), rect.y);
                    for x in 0..w {
                        let cols = span(x, self.rect.x, self.rect.right(), rect.x);
                        let (mut sum, mut n) = (0.0f64, 0u32);
                        for sy in rows.clone() {
                            for sx in cols.clone() {
                                sum += f64::from(samples.get_f32(sy * src_w + sx).unwrap_or(0.0));
                                n += 1;
                            }
                        }
                        out.push(if n == 0 { 0.0 } else { (sum / f64::from(n)) as f32 });
                    }
                }
                from_f32(samples.sample_type(), out)
            })
            .collect();
        TileImage { level: self.level.saturating_add(1), rect, info: self.info.clone(), channels }
    }

    /// This image halved until it is at `level` (itself when it is there already).
    pub fn at_level(&self, level: u8) -> std::borrow::Cow<'_, TileImage> {
        let mut image = std::borrow::Cow::Borrowed(self);
        while image.level < level {
            image = std::borrow::Cow::Owned(image.halve());
        }
        image
    }

    /// Its buffers, to be drawn or measured.
    pub fn plane(&self) -> PassPlane<'_> {
        PassPlane { size: self.rect.size(), info: &self.info, buffers: &self.channels }
    }

    /// Every channel at pixel `(x, y)` of its level, as (component, value); `None` outside.
    pub fn values_at(&self, x: u32, y: u32) -> Option<Vec<(String, f32)>> {
        if x < self.rect.x || y < self.rect.y || x >= self.rect.right() || y >= self.rect.bottom() {
            return None;
        }
        let i = (y - self.rect.y) as usize * self.rect.width as usize + (x - self.rect.x) as usize;
        self.info
            .channels
            .iter()
            .zip(&self.channels)
            .map(|(c, s)| Some((c.component.clone(), s.get_f32(i)?)))
            .collect()
    }

    /// Bytes its samples hold.
    pub fn bytes(&self) -> u64 {
        self.channels.iter().map(|s| s.len() as u64 * s.sample_type().bytes() as u64).sum()
    }
}

/// A tile's levels from `base` up to a single pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct TilePyramid {
    levels: Vec<TileImage>,
}

impl TilePyramid {
    /// The levels of `full` (a full-size [`TileImage`]) from `base` up.
    pub fn of(full: &TileImage, base: u8) -> TilePyramid {
        let mut levels = vec![full.at_level(base).into_owned()];
        while let Some(last) = levels.last().filter(|l| l.rect.width > 1 || l.rect.height > 1) {
            if last.level >= TOP_LEVEL {
                break;
            }
            let next = last.halve();
            levels.push(next);
        }
        TilePyramid { levels }
    }

    /// The level kept nearest to `level` from below (the sharpest not finer than asked): the
    /// base when asked for a finer one.
    pub fn level(&self, level: u8) -> Option<&TileImage> {
        self.levels.iter().rev().find(|l| l.level <= level).or(self.levels.first())
    }

    /// Bytes all levels hold.
    pub fn bytes(&self) -> u64 {
        self.levels.iter().map(TileImage::bytes).sum()
    }
}

/// `values` as samples of type `t` (a reduced level keeps its pass's type, and its size).
fn from_f32(t: SampleType, values: Vec<f32>) -> Samples {
    match t {
        SampleType::F16 => Samples::F16(values.into_iter().map(f16::from_f32).collect()),
        SampleType::F32 => Samples::F32(values),
        SampleType::U32 => Samples::U32(values.into_iter().map(|v| v.round().max(0.0) as u32).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, DecodeOptions};
    use crate::layout::Grid;
    use crate::synth::Frame;
    use crate::view::{pixel_values, render_packed_rgba8, render_plane_packed_rgba8, Channel, Mapping};
    use crate::{Canvas, CanvasOptions};

    #[test]
    fn levels_round_up_and_the_base_fits_the_side() {
        let image = Size { width: 16384, height: 9000 };
        assert_eq!(level_size(image, 0), image);
        assert_eq!(level_size(image, 3), Size { width: 2048, height: 1125 });
        assert_eq!(base_level(image, 2048), 3);
        assert_eq!(base_level(Size { width: 300, height: 200 }, 2048), 0);
        assert_eq!(rect_at_level(Rect { x: 3, y: 5, width: 6, height: 2 }, 1), Rect::from_edges(1, 2, 5, 4));
    }

    #[test]
    fn a_tile_at_full_size_reads_as_the_merge_does_and_its_levels_are_means() {
        let size = Size { width: 96, height: 70 };
        let grid = Grid::new(size, Size { width: 40, height: 30 }, 4).expect("a grid");
        let frame = Frame::blender_like(size, 5);
        let mut canvas = Canvas::new(grid, CanvasOptions::default());
        let mut images = Vec::new();
        for (tile, bytes) in frame.tile_files(&grid, &crate::ExrOptions::DEFAULT).expect("tiles") {
            canvas.add(tile, &bytes).expect("placed");
            let decoded = decode(&bytes, &DecodeOptions::default()).expect("decoded");
            images.push(TileImage::placed(&grid, tile, &decoded, "ViewLayer.Combined").expect("placed"));
        }
        for image in &images {
            let r = image.rect;
            for (x, y) in [(r.x, r.y), (r.right() - 1, r.bottom() - 1), (r.x + 7, r.y + 3)] {
                assert_eq!(image.values_at(x, y), pixel_values(&canvas, "ViewLayer.Combined", x, y));
            }
            // The full-size drawing of a tile is the merge's drawing of its pixels.
            let mapping = Mapping::Srgb { exposure: 0.5 };
            let region = Rect { x: r.x + 1, y: r.y + 2, width: 9, height: 5 };
            let local = Rect { x: 1, y: 2, width: 9, height: 5 };
            let whole = render_packed_rgba8(&canvas, "ViewLayer.Combined", Channel::Rgb, mapping, &[region]);
            let alone = render_plane_packed_rgba8(&image.plane(), Channel::Rgb, mapping, &[local]);
            assert_eq!(whole.expect("drawn").1, alone.expect("drawn").1);
        }
        let tile = &images[0];
        let half = tile.halve();
        assert_eq!(half.level, 1);
        assert_eq!(half.rect, rect_at_level(tile.rect, 1));
        let mean: f32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
            .iter()
            .map(|&(x, y)| tile.values_at(tile.rect.x + x, tile.rect.y + y).expect("in")[0].1)
            .sum::<f32>()
            / 4.0;
        let got = half.values_at(half.rect.x, half.rect.y).expect("in")[0].1;
        assert!((got - mean).abs() <= mean.abs() * 1e-3 + 1e-3, "{got} vs {mean}");
        let pyramid = TilePyramid::of(tile, 2);
        assert_eq!(pyramid.level(0).map(|l| l.level), Some(2), "finer than the base is the base");
        assert_eq!(pyramid.level(3).map(|l| l.level), Some(3));
        assert_eq!(pyramid.level(40).map(|l| l.rect.size()), Some(Size { width: 1, height: 1 }));
    }
}
