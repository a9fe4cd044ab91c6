//! A merge that never holds the whole frame. Tiles are placed a band of tile rows at a time, top
//! first, into a [`Canvas`] that holds only the rows not yet written; each block of the EXR is
//! compressed as soon as every tile covering its rows is in, and its rows are released. Peak
//! memory is a band of rows (plus what the caller keeps in flight), whatever the frame's height.
//!
//! The blocks are byte for byte those a whole-frame merge writes. The caller puts them in the
//! file's order: a multi-part file holds each part's blocks together, so the later parts' blocks
//! wait somewhere while the first part's are written (on disk, for the command line; see
//! [`EncodedBlock::write_record`]). Single-threaded like the rest of the library:
//! [`StreamMerge::encode_block_with`] takes `&self`, so a caller with threads compresses a band's
//! blocks in parallel.

use std::fmt;
use std::io::{Seek, Write};
use std::ops::Range;

use exr::meta::header::Header;

use crate::decode::DecodedTile;
use crate::export::{write_blocks, Deflate, EncodedBlock, ExportError, ExrOptions, FilePlan};
use crate::layout::{Grid, TileId};
use crate::passes::{PassInfo, Samples};
use crate::stitch::{Canvas, CanvasOptions, Placement, TileError, TileProblem};

pub mod written;

/// One row of tiles, as a streamed merge takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    /// The band's tiles, left to right.
    pub tiles: Vec<TileId>,
    /// The image rows (from the top) their cores cover.
    pub rows: Range<u32>,
}

/// The grid's tile rows, top first: the order in which they complete the file's blocks.
pub fn bands(grid: &Grid) -> Vec<Band> {
    let mut bands: Vec<Band> = Vec::new();
    let mut tiles = grid.tiles();
    tiles.sort_by_key(|tile| (grid.core(*tile).y, tile.x0));
    for tile in tiles {
        let core = grid.core(tile);
        match bands.last_mut() {
            Some(band) if band.rows.start == core.y => band.tiles.push(tile),
            _ => bands.push(Band { tiles: vec![tile], rows: core.y..core.bottom() }),
        }
    }
    bands
}

/// What a streamed merge holds at its peak, in bytes, for a limit to be checked before starting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryPlan {
    /// The largest band of rows the canvas holds (a tile row, the rows of a block not yet
    /// written above it, and the overscan above it when seams are checked).
    pub band: u64,
    /// One decoded tile with its overscan.
    pub tile: u64,
    /// One block of rows, gathered and compressed.
    pub block: u64,
    /// Tiles decoded ahead of placement and blocks compressed ahead of writing, as the caller
    /// said it keeps them.
    pub tiles_in_flight: usize,
    /// See `tiles_in_flight`.
    pub blocks_in_flight: usize,
}

impl MemoryPlan {
    /// The whole peak.
    pub fn total(&self) -> u64 {
        self.band
            .saturating_add(self.tile.saturating_mul(self.tiles_in_flight as u64))
            .saturating_add(self.block.saturating_mul(self.blocks_in_flight as u64))
    }
}

impl fmt::Display for MemoryPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |bytes: u64| bytes as f64 / 1_048_576.0;
        write!(
            f,
            "{:.0} MB: a band of rows {:.0} MB, {} decoded tiles of {:.1} MB, {} blocks of {:.1} MB",
            mb(self.total()),
            mb(self.band),
            self.tiles_in_flight,
            mb(self.tile),
            self.blocks_in_flight,
            mb(self.block)
        )
    }
}

/// Writes the file's headers and then its blocks, in the file's order, while a
/// [`StreamMerge`] is still producing them.
pub struct FileWriter {
    headers: Vec<Header>,
    blocks: usize,
}

impl FileWriter {
    /// Writes the file to `out` from its blocks in file order (each part's together, parts in
    /// order, rows top first). The first failed block stops the writing and is returned.
    pub fn write_to<W: Write + Seek>(
        self,
        out: W,
        blocks: impl IntoIterator<Item = Result<EncodedBlock, ExportError>>,
    ) -> Result<(), ExportError> {
        write_blocks(self.headers, self.blocks, out, blocks)
    }
}

/// A merge in progress: the band of rows being filled and the file's plan.
pub struct StreamMerge {
    canvas: Canvas,
    plan: FilePlan,
    passes: Vec<PassInfo>,
    bands: Vec<Band>,
    /// The tile whose header attributes the file carries.
    first: TileId,
    /// The band whose tiles are being placed.
    current: Option<usize>,
    /// Rows above this one have had their blocks handed out.
    written: u32,
    /// Scan lines per block.
    lines: u32,
}

impl StreamMerge {
    /// A merge of `grid`'s tiles into a file written with `exr`. `first` is the lowest tile in
    /// grid order that decodes, `decoded` its content: the file takes its passes and header
    /// attributes from it, as a whole-frame merge does from the lowest tile placed.
    pub fn new(
        grid: Grid,
        options: CanvasOptions,
        first: TileId,
        decoded: &DecodedTile,
        exr: &ExrOptions,
    ) -> Result<StreamMerge, ExportError> {
        let passes: Vec<PassInfo> = decoded.passes.iter().map(|p| p.info.clone()).collect();
        let infos: Vec<&PassInfo> = passes.iter().collect();
        let plan = FilePlan::new(grid.image, &infos, Some(&decoded.metadata), exr)?;
        let lines = plan.headers.first().map_or(1, |h| h.compression.scan_lines_per_block()).max(1) as u32;
        Ok(StreamMerge {
            canvas: Canvas::with_rows(grid, options, 0..0),
            plan,
            passes,
            bands: bands(&grid),
            first,
            current: None,
            written: 0,
            lines,
        })
    }

    /// The bands, in the order they are merged.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    /// The canvas holding the current band (and every tile's state so far).
    pub fn canvas(&self) -> &Canvas {
        &self.canvas
    }

    /// The number of blocks in the file.
    pub fn block_count(&self) -> usize {
        self.plan.jobs.len()
    }

    /// The part block `i` belongs to.
    pub fn block_part(&self, i: usize) -> Option<usize> {
        self.plan.jobs.get(i).map(|job| job.header)
    }

    /// The number of parts.
    pub fn part_count(&self) -> usize {
        self.plan.headers.len()
    }

    /// What writes the file: made before the bands are merged, used while they are.
    pub fn file_writer(&self) -> FileWriter {
        FileWriter { headers: self.plan.headers.clone(), blocks: self.plan.jobs.len() }
    }

    /// The rows band `band` needs held: its own, those of a block it completes that started
    /// above it, and, when seams are checked, the overscan above it (its tiles are compared with
    /// the placed tiles there).
    fn rows_for(&self, band: &Band) -> Range<u32> {
        let overscan = if self.canvas.options().seams { self.canvas.grid().overscan } else { 0 };
        self.written.min(band.rows.start.saturating_sub(overscan))..band.rows.end
    }

    /// The peak memory of this merge, for a caller that keeps `tiles_in_flight` decoded tiles
    /// and `blocks_in_flight` compressed blocks at a time.
    pub fn memory_plan(&self, tiles_in_flight: usize, blocks_in_flight: usize) -> MemoryPlan {
        let per_pixel: u64 =
            self.passes.iter().flat_map(|p| &p.channels).map(|c| c.sample_type.bytes() as u64).sum();
        let grid = self.canvas.grid();
        let overscan = if self.canvas.options().seams { grid.overscan } else { 0 };
        // Worst case: a tile row, a block's rows less one above it, or the overscan if more.
        let above = overscan.max(self.lines - 1);
        let rows = self.bands.iter().map(|b| b.rows.end - b.rows.start).max().unwrap_or(0) + above;
        let tile_side = |side: u32| u64::from(side + 2 * grid.overscan);
        MemoryPlan {
            band: self.canvas.band_bytes(rows.min(grid.image.height), per_pixel),
            tile: tile_side(grid.tile.width) * tile_side(grid.tile.height) * per_pixel,
            block: u64::from(grid.image.width) * u64::from(self.lines) * per_pixel * 2,
            tiles_in_flight,
            blocks_in_flight,
        }
    }

    /// Moves the canvas down to band `band`'s rows, releasing those already written.
    pub fn start_band(&mut self, band: usize) -> Result<&Band, TileError> {
        let Some(found) = self.bands.get(band) else {
            let height = self.canvas.grid().image.height;
            return Err(TileError::OutsideBand { rows: (height, height), held: (height, height) });
        };
        let rows = self.rows_for(found);
        self.canvas.hold_rows(rows)?;
        self.current = Some(band);
        Ok(found)
    }

    /// Places a tile of the current band, decoded elsewhere.
    pub fn place(&mut self, tile: TileId, decoded: DecodedTile) -> Result<Placement, TileProblem> {
        self.canvas.place(tile, decoded)
    }

    /// Records that a tile could not be read or decoded.
    pub fn fail(&mut self, tile: TileId, error: TileError) -> TileProblem {
        self.canvas.fail(tile, error)
    }

    /// Once the current band's tiles are placed (or failed): the blocks its rows complete, in
    /// file order within each part. Their rows stay held until the next band starts.
    pub fn finish_band(&mut self) -> Vec<usize> {
        let Some(band) = self.current.take().and_then(|b| self.bands.get(b).map(|band| (b, band))) else {
            return Vec::new();
        };
        let (index, band) = band;
        let complete = if index + 1 == self.bands.len() {
            self.canvas.grid().image.height
        } else {
            band.rows.end - band.rows.end % self.lines
        };
        let (from, to) = (self.written as usize, complete as usize);
        let ready = (0..self.plan.jobs.len())
            .filter(|i| self.plan.jobs.get(*i).is_some_and(|job| job.y >= from && job.y + job.height <= to))
            .collect();
        self.written = self.written.max(complete);
        ready
    }

    /// Gathers and compresses block `i` from the rows held, ZIP blocks with `deflate`.
    pub fn encode_block_with(
        &self,
        i: usize,
        deflate: &mut dyn Deflate,
    ) -> Result<EncodedBlock, ExportError> {
        let header = self.plan.jobs.get(i).map_or(0, |job| job.header);
        let held: Vec<(&PassInfo, &[Samples])> =
            self.passes.iter().filter_map(|p| self.canvas.pass_samples(&p.full_name())).collect();
        let sources = self.plan.sources(header, &held);
        self.plan.encode_block(i, &sources, self.canvas.held_rows().start as usize, deflate)
    }

    /// Ends the merge: checks that the file's passes and header attributes are those a
    /// whole-frame merge of the same tiles would write, and gives back the canvas (every tile's
    /// state; the rows of the last band).
    pub fn finish(self) -> Result<Canvas, ExportError> {
        if !self.canvas.passes().is_empty() && self.canvas.passes() != self.passes.as_slice() {
            return Err(ExportError::Exr("the tiles' passes differ from the first tile's".into()));
        }
        let source = self.canvas.metadata_source();
        if source.is_some_and(|tile| tile != self.first) {
            return Err(ExportError::Exr(format!(
                "the header attributes were written from tile {}, but the lowest tile placed is {}",
                self.first,
                source.map(|t| t.to_string()).unwrap_or_default()
            )));
        }
        Ok(self.canvas)
    }

    /// The canvas, unchecked: every tile's state when a merge stops early.
    pub fn into_canvas(self) -> Canvas {
        self.canvas
    }
}
