//! What placing tiles gives: each tile's placement or problem, and the canvas's coverage.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decode::DecodeError;
use crate::layout::{Rect, Size, SizeMismatch, TileId};

/// Why a tile could not be placed.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
pub enum TileError {
    /// The file could not be decoded.
    #[error("{0}")]
    Decode(DecodeError),
    /// The file's size is not what Blender renders and nothing explains it.
    #[error("{0}")]
    Size(SizeMismatch),
    /// The tile is not on the canvas' grid.
    #[error("it is not a tile of the {image} image with {tile} tiles")]
    NotInGrid {
        /// Image size.
        image: Size,
        /// Tile size.
        tile: Size,
    },
    /// The tile was placed before.
    #[error("it is already placed")]
    AlreadyPlaced,
    /// The tile's passes or channels differ from the tiles placed before it.
    #[error("its passes differ from the tiles placed before: {0}")]
    Passes(String),
    /// The canvas would be too large to allocate.
    #[error("the merged image would take {bytes} bytes, more than the limit of {limit}")]
    CanvasTooLarge {
        /// Bytes needed.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// The tile's rows are not among those the canvas holds: a streamed merge holds one band
    /// of rows at a time, top first, and has written the rows above it.
    #[error("its rows {} to {} lie outside rows {} to {}, which the merge holds now", .rows.0, .rows.1, .held.0, .held.1)]
    OutsideBand {
        /// The rows asked for, first and one past the last (from the top).
        rows: (u32, u32),
        /// The rows held.
        held: (u32, u32),
    },
    /// The file could not be read (reported by whoever fetched it).
    #[error("it could not be read: {0}")]
    Read(String),
}

/// A tile that could not be placed, and why.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[error("tile {tile}: {error}")]
pub struct TileProblem {
    /// The tile.
    pub tile: TileId,
    /// What was wrong.
    pub error: TileError,
}

/// Where a placed tile went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// The tile.
    pub tile: TileId,
    /// The tile's own pixels in the image (rows from the top).
    pub core: Rect,
    /// Where the file's pixels lie in the image.
    pub rendered: Rect,
    /// The part of the core that was placed: all of it unless the file was cut short.
    pub placed: Rect,
    /// Set when the file's size differed from Blender's geometry but a known cause explained it.
    pub mismatch: Option<SizeMismatch>,
}

impl Placement {
    /// Whether the whole core was placed.
    pub fn is_complete(&self) -> bool {
        self.placed == self.core
    }
}

/// The state of one tile on the canvas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TileState {
    /// Not placed yet (or never delivered).
    Missing,
    /// Placed, perhaps partly (see [`Placement::is_complete`]).
    Placed(Placement),
    /// Could not be placed.
    Failed(TileError),
}

/// One tile and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TileCoverage {
    /// The tile.
    pub tile: TileId,
    /// Its core in the image.
    pub core: Rect,
    /// Its state.
    pub state: TileState,
}

/// What the canvas holds so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Every tile of the grid, in grid order.
    pub tiles: Vec<TileCoverage>,
    /// Tiles placed whole.
    pub complete: usize,
    /// Tiles placed in part (a file cut short).
    pub partial: usize,
    /// Tiles not placed yet.
    pub missing: usize,
    /// Tiles that could not be placed.
    pub failed: usize,
    /// Image pixels covered by placed tiles.
    pub covered_pixels: u64,
    /// Image pixels.
    pub total_pixels: u64,
}

impl Coverage {
    /// Whether every pixel of the image is covered.
    pub fn is_complete(&self) -> bool {
        self.covered_pixels == self.total_pixels
    }
}

/// A pass of the canvas converted to f32 for display, channels interleaved per pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct PassImage {
    /// Image width.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// Component names in the order they are interleaved.
    pub components: Vec<String>,
    /// `width * height * components.len()` samples, rows from the top.
    pub data: Vec<f32>,
}
