//! Tile geometry of Flamenco's "Single Image Render" job type, as Blender really renders it.
//! The job's settings are read in [`crate::job`]; a folder's files are matched in
//! [`crate::folder`].
//!
//! Tile names count Y from the bottom of the image (Blender's border coordinates); everything this
//! module hands out is converted to image rows counted from the top, the way EXR stores them.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

mod resolution;

pub use resolution::{MismatchCause, Resolution, SizeMismatch};

/// The overscan the job type renders around every tile, in pixels.
pub const DEFAULT_OVERSCAN: u32 = 16;

/// Blender refuses resolutions above this, so anything larger is a broken setting, not an image.
pub const MAX_RESOLUTION: u32 = 65_536;

/// More tiles than this is a broken setting (1 px tiles over a large image), not a job.
pub const MAX_TILES: u64 = 1 << 20;

/// A tile as the job type names it: `<x0>-<y0>-<x1>-<y1>.exr`, Y counted from the bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TileId {
    /// Left edge (inclusive).
    pub x0: u32,
    /// Bottom edge (inclusive), counted from the bottom of the image.
    pub y0: u32,
    /// Right edge (exclusive).
    pub x1: u32,
    /// Top edge (exclusive), counted from the bottom of the image.
    pub y1: u32,
}

impl TileId {
    /// Parses a tile file name such as `64-128-128-192.exr` (the extension is case-insensitive).
    pub fn from_file_name(name: &str) -> Option<TileId> {
        let stem = strip_suffix_ignore_case(name, ".exr")?;
        let mut parts = stem.split('-');
        let mut next = || -> Option<u32> {
            let part = parts.next()?;
            // `u32::from_str` accepts a leading '+', which no tile name has.
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let id = TileId { x0: next()?, y0: next()?, x1: next()?, y1: next()? };
        if parts.next().is_some() {
            return None;
        }
        Some(id)
    }

    /// The file name the job type gives this tile.
    pub fn file_name(&self) -> String {
        format!("{self}.exr")
    }

    /// Width of the tile without overscan.
    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }

    /// Height of the tile without overscan.
    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}-{}", self.x0, self.y0, self.x1, self.y1)
    }
}

fn strip_suffix_ignore_case<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let split = name.len().checked_sub(suffix.len())?;
    let (stem, tail) = (name.get(..split)?, name.get(split..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(stem)
}

/// A width and a height in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Size {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Size {
    /// Number of pixels.
    pub fn area(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// A rectangle of image pixels, rows counted from the top (EXR order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Rect {
    /// Left column.
    pub x: u32,
    /// Top row, counted from the top.
    pub y: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Rect {
    /// Builds a rectangle from its edges; an inverted range gives an empty rectangle.
    pub fn from_edges(x0: u32, y0: u32, x1: u32, y1: u32) -> Rect {
        Rect { x: x0, y: y0, width: x1.saturating_sub(x0), height: y1.saturating_sub(y0) }
    }

    /// One past the right column.
    pub fn right(&self) -> u32 {
        self.x.saturating_add(self.width)
    }

    /// One past the bottom row.
    pub fn bottom(&self) -> u32 {
        self.y.saturating_add(self.height)
    }

    /// Whether the rectangle holds no pixel.
    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }

    /// Number of pixels.
    pub fn area(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// The size of the rectangle.
    pub fn size(&self) -> Size {
        Size { width: self.width, height: self.height }
    }

    /// The pixels both rectangles hold (empty when they do not meet).
    pub fn intersect(&self, other: &Rect) -> Rect {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = self.right().min(other.right());
        let y1 = self.bottom().min(other.bottom());
        Rect::from_edges(x0, y0, x1, y1)
    }

    /// Whether `other` lies entirely inside this rectangle.
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.right() <= self.right()
            && other.bottom() <= self.bottom()
    }

    /// This rectangle moved so that `origin` becomes (0, 0); `origin` must be above and left of it.
    pub fn relative_to(&self, origin_x: u32, origin_y: u32) -> Rect {
        Rect {
            x: self.x.saturating_sub(origin_x),
            y: self.y.saturating_sub(origin_y),
            width: self.width,
            height: self.height,
        }
    }
}

impl fmt::Display for Rect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{} at ({}, {})", self.width, self.height, self.x, self.y)
    }
}

/// What can be wrong with a job's settings or a grid.
#[derive(Debug, Clone, PartialEq, Error, Serialize)]
pub enum LayoutError {
    /// The text is not JSON.
    #[error("the job is not valid JSON: {0}")]
    Json(String),
    /// A setting the layout needs is absent.
    #[error("the job settings have no `{0}`")]
    MissingSetting(String),
    /// A setting is not a usable whole number.
    #[error("the job setting `{key}` is {value}, not a positive whole number")]
    BadSetting {
        /// The setting's key.
        key: String,
        /// The value as JSON.
        value: String,
    },
    /// The render scale leaves no pixels.
    #[error("resolution_scale is {0} %, which leaves an image without pixels")]
    UnsupportedScale(u32),
    /// Zero or absurd dimensions.
    #[error("{what} is {value}, which must be between 1 and {max}")]
    OutOfRange {
        /// Which dimension.
        what: &'static str,
        /// Its value.
        value: u32,
        /// The largest allowed value.
        max: u32,
    },
    /// The grid would have an absurd number of tiles.
    #[error("{columns} x {rows} tiles is more than the {max} a job can have")]
    TooManyTiles {
        /// Tile columns.
        columns: u32,
        /// Tile rows.
        rows: u32,
        /// The limit.
        max: u64,
    },
    /// No tile file names to infer a grid from.
    #[error("no tile files named <x0>-<y0>-<x1>-<y1>.exr to infer the tile grid from")]
    NothingToInfer,
}

/// The tile grid of one image: resolution, tile size and overscan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grid {
    /// Image size.
    pub image: Size,
    /// Tile size without overscan (the last column and row may be narrower).
    pub tile: Size,
    /// Overscan on every side, clamped at the image edges.
    pub overscan: u32,
}

impl Grid {
    /// A grid, checking that every dimension is usable.
    pub fn new(image: Size, tile: Size, overscan: u32) -> Result<Grid, LayoutError> {
        let check = |what: &'static str, value: u32| {
            if (1..=MAX_RESOLUTION).contains(&value) {
                Ok(())
            } else {
                Err(LayoutError::OutOfRange { what, value, max: MAX_RESOLUTION })
            }
        };
        check("the image width", image.width)?;
        check("the image height", image.height)?;
        check("the tile width", tile.width)?;
        check("the tile height", tile.height)?;
        if overscan > MAX_RESOLUTION {
            return Err(LayoutError::OutOfRange {
                what: "the overscan",
                value: overscan,
                max: MAX_RESOLUTION,
            });
        }
        let grid = Grid { image, tile, overscan };
        if u64::from(grid.columns()) * u64::from(grid.rows()) > MAX_TILES {
            return Err(LayoutError::TooManyTiles {
                columns: grid.columns(),
                rows: grid.rows(),
                max: MAX_TILES,
            });
        }
        Ok(grid)
    }

    /// Infers the grid from tile names alone: the image ends at the largest edges and the tile
    /// size is the largest tile (only the last column and row are narrower).
    pub fn infer(tiles: &[TileId], overscan: u32) -> Result<Grid, LayoutError> {
        let valid = || tiles.iter().filter(|t| t.x1 > t.x0 && t.y1 > t.y0);
        let max = |f: fn(&TileId) -> u32| valid().map(f).max();
        let (Some(width), Some(height), Some(tile_w), Some(tile_h)) =
            (max(|t| t.x1), max(|t| t.y1), max(TileId::width), max(TileId::height))
        else {
            return Err(LayoutError::NothingToInfer);
        };
        Grid::new(Size { width, height }, Size { width: tile_w, height: tile_h }, overscan)
    }

    /// Number of tile columns.
    pub fn columns(&self) -> u32 {
        self.image.width.div_ceil(self.tile.width)
    }

    /// Number of tile rows.
    pub fn rows(&self) -> u32 {
        self.image.height.div_ceil(self.tile.height)
    }

    /// Every tile of the grid, row by row from the bottom of the image, left to right.
    pub fn tiles(&self) -> Vec<TileId> {
        let mut tiles = Vec::with_capacity((self.columns() * self.rows()) as usize);
        for row in 0..self.rows() {
            for column in 0..self.columns() {
                let x0 = column * self.tile.width;
                let y0 = row * self.tile.height;
                tiles.push(TileId {
                    x0,
                    y0,
                    x1: (x0 + self.tile.width).min(self.image.width),
                    y1: (y0 + self.tile.height).min(self.image.height),
                });
            }
        }
        tiles
    }

    /// Whether the tile is one of this grid's tiles.
    pub fn contains(&self, id: TileId) -> bool {
        id.x0 % self.tile.width == 0
            && id.y0 % self.tile.height == 0
            && id.x0 < self.image.width
            && id.y0 < self.image.height
            && id.x1 == id.x0.saturating_add(self.tile.width).min(self.image.width)
            && id.y1 == id.y0.saturating_add(self.tile.height).min(self.image.height)
    }

    /// The tile's own pixels in the image, rows from the top.
    pub fn core(&self, id: TileId) -> Rect {
        let h = self.image.height;
        Rect::from_edges(
            id.x0.min(self.image.width),
            h.saturating_sub(id.y1),
            id.x1.min(self.image.width),
            h.saturating_sub(id.y0),
        )
    }

    /// The rectangle Blender renders for the tile (overscan included), rows from the top, or
    /// `None` when Blender would refuse to render it.
    pub fn rendered(&self, id: TileId) -> Option<Rect> {
        self.rendered_with_top_clamp(id, self.image.height)
    }

    /// What the published job type really renders: it clamps the top overscan with
    /// `resolution_x`, which cuts tiles short near the top of portrait images. `None` when
    /// Blender refuses the inverted border ("Image too small") and writes no file.
    pub fn rendered_by_published_job_type(&self, id: TileId) -> Option<Rect> {
        self.rendered_with_top_clamp(id, self.image.width)
    }

    /// [`Grid::rendered_by_published_job_type`] when it differs from [`Grid::rendered`].
    pub fn rendered_with_portrait_clamp(&self, id: TileId) -> Option<Rect> {
        let buggy = self.rendered_by_published_job_type(id)?;
        (Some(buggy) != self.rendered(id)).then_some(buggy)
    }

    /// The tile rendered with integer edges, without Blender's float32 rounding: what a naive
    /// implementation of the job type's formula expects. `None` when it equals [`Grid::rendered`].
    pub fn rendered_naively(&self, id: TileId) -> Option<Rect> {
        let (w, h, o) = (self.image.width, self.image.height, self.overscan);
        let naive = Rect::from_edges(
            id.x0.saturating_sub(o),
            h.saturating_sub((id.y1.saturating_add(o)).min(h)),
            id.x1.saturating_add(o).min(w),
            h.saturating_sub(id.y0.saturating_sub(o)),
        );
        (!naive.is_empty() && Some(naive) != self.rendered(id)).then_some(naive)
    }

    fn rendered_with_top_clamp(&self, id: TileId, top_clamp: u32) -> Option<Rect> {
        let (w, h, o) = (self.image.width, self.image.height, self.overscan);
        let left = blender_border_edge(id.x0.saturating_sub(o), w);
        let right = blender_border_edge(id.x1.saturating_add(o).min(w), w);
        let bottom = blender_border_edge(id.y0.saturating_sub(o), h);
        let top = blender_border_edge(id.y1.saturating_add(o).min(top_clamp), h);
        // Blender stops with "Image too small" rather than render an empty border.
        if right <= left || top <= bottom {
            return None;
        }
        Some(Rect::from_edges(left, h - top, right, h - bottom))
    }

    /// Full geometry of one tile.
    pub fn geometry(&self, id: TileId) -> TileGeometry {
        let core = self.core(id);
        let rendered = self.rendered(id);
        TileGeometry { id, core, rendered, crop: rendered.map(|r| core.intersect(&r).relative_to(r.x, r.y)) }
    }

    /// Decides where a file of `actual` size goes: Blender's own geometry when the size matches
    /// it, otherwise a known cause of a different size when exactly one explains it.
    pub fn resolve(&self, id: TileId, actual: Size) -> Resolution {
        let core = self.core(id);
        let expected = self.rendered(id);
        if let Some(rendered) = expected.filter(|r| r.size() == actual) {
            // Without overscan, Blender's rounding can cut a row off the core itself.
            return Resolution::Exact { rendered, placed: core.intersect(&rendered) };
        }
        let candidates: Vec<(MismatchCause, Rect)> = [
            (MismatchCause::PortraitClamp, self.rendered_with_portrait_clamp(id)),
            (MismatchCause::NaiveRounding, self.rendered_naively(id)),
        ]
        .into_iter()
        .filter_map(|(cause, rect)| rect.filter(|r| r.size() == actual).map(|r| (cause, r)))
        .collect();
        let mismatch = |cause| SizeMismatch { expected: expected.map(|r| r.size()), actual, cause };
        match candidates.as_slice() {
            [(cause, rendered)] => {
                let placed = core.intersect(rendered);
                if placed.is_empty() {
                    Resolution::Unplaceable(mismatch(Some(*cause)))
                } else {
                    Resolution::Explained { rendered: *rendered, placed, mismatch: mismatch(Some(*cause)) }
                }
            }
            _ => Resolution::Unplaceable(mismatch(None)),
        }
    }
}

/// Blender stores each border edge as the float32 fraction `v / size` and turns it back into a
/// pixel with a float32 multiply and truncation, so an edge can land one pixel below `v`.
pub fn blender_border_edge(v: u32, size: u32) -> u32 {
    if size == 0 {
        return 0;
    }
    // The job type computes the fraction in double precision.
    blender_border_pixel(f64::from(v) / f64::from(size), size)
}

/// The pixel edge Blender renders for a border fraction: its RNA keeps the fraction as float32,
/// clamped to [0, 1], and multiplies and truncates in float32.
pub fn blender_border_pixel(fraction: f64, size: u32) -> u32 {
    let fraction = if fraction.is_nan() { 0.0 } else { (fraction as f32).clamp(0.0, 1.0) };
    (fraction * size as f32) as u32
}

/// The rectangle Blender renders for a render border `[min_x, max_x, min_y, max_y]` (fractions of
/// the image, Y from the bottom), cropped to the border: rows from the top. `None` where Blender
/// stops with "Image too small".
pub fn blender_border_rect(border: [f64; 4], image: Size) -> Option<Rect> {
    let [min_x, max_x, min_y, max_y] = border;
    let (left, right) = (blender_border_pixel(min_x, image.width), blender_border_pixel(max_x, image.width));
    let (bottom, top) =
        (blender_border_pixel(min_y, image.height), blender_border_pixel(max_y, image.height));
    if right <= left || top <= bottom {
        return None;
    }
    Some(Rect::from_edges(left, image.height - top, right, image.height - bottom))
}

/// Where one tile sits in the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileGeometry {
    /// The tile.
    pub id: TileId,
    /// Its own pixels, rows from the top.
    pub core: Rect,
    /// What Blender renders for it (overscan included), rows from the top; `None` when Blender
    /// cannot render it.
    pub rendered: Option<Rect>,
    /// The part of the tile's file that holds its core, in file pixels.
    pub crop: Option<Rect>,
}

#[cfg(test)]
mod tests;
