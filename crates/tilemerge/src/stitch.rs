//! The canvas: full-resolution buffers per pass that tiles are placed into one at a time, in any
//! order. A tile's decoded data is dropped as soon as it is placed; only overscan strips that a
//! not-yet-placed neighbour still needs for the seam check are kept.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::decode::{decode, read_info, DecodeError, DecodeOptions, DecodedTile, ExrLayout, Metadata};
use crate::layout::{Grid, Rect, Resolution, Size, TileId};
use crate::passes::{BlockAt, PassInfo, Samples};
use crate::seams::{SeamReport, SeamTracker, Source};

mod outcome;
mod rows;

pub use outcome::{Coverage, PassImage, Placement, TileCoverage, TileError, TileProblem, TileState};

/// The canvas refuses to allocate more than this by default: natively a 16K frame of four RGBA
/// float passes, and on 32-bit targets (wasm32) half of what they can address.
pub const DEFAULT_MAX_CANVAS_BYTES: u64 = if cfg!(target_pointer_width = "32") { 1 << 31 } else { 16 << 30 };

/// Canvas settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanvasOptions {
    /// Which passes to decode and keep, and the decoder's size limit.
    pub decode: DecodeOptions,
    /// Whether to compare neighbouring tiles' overscan (costs a copy of the overlaps).
    pub seams: bool,
    /// Refuse to allocate buffers above this many bytes.
    pub max_canvas_bytes: u64,
}

impl Default for CanvasOptions {
    fn default() -> Self {
        CanvasOptions {
            decode: DecodeOptions::default(),
            seams: true,
            max_canvas_bytes: DEFAULT_MAX_CANVAS_BYTES,
        }
    }
}

impl CanvasOptions {
    /// The default options for the `passes` chosen, comparing overscan when `seams`.
    pub fn only(passes: crate::passes::PassSelection, seams: bool) -> CanvasOptions {
        CanvasOptions {
            decode: DecodeOptions { passes, ..DecodeOptions::default() },
            seams,
            ..CanvasOptions::default()
        }
    }
}

/// Decodes a tile for `grid`, refusing it from its header alone when its size is not one Blender
/// renders for that tile: a damaged or hostile header is never decoded. Meant for workers that
/// decode while another thread (or the page) owns the [`Canvas`].
pub fn decode_for_grid(
    grid: &Grid,
    tile: TileId,
    bytes: &[u8],
    options: &DecodeOptions,
) -> Result<DecodedTile, TileError> {
    if !grid.contains(tile) {
        return Err(TileError::NotInGrid { image: grid.image, tile: grid.tile });
    }
    let info = read_info(bytes).map_err(TileError::Decode)?;
    if let Resolution::Unplaceable(mismatch) = grid.resolve(tile, info.size) {
        return Err(TileError::Size(mismatch));
    }
    decode(bytes, options).map_err(TileError::Decode)
}

/// Full-resolution buffers per pass and the state of every tile.
pub struct Canvas {
    grid: Grid,
    options: CanvasOptions,
    tiles: Vec<TileId>,
    index: HashMap<TileId, usize>,
    states: Vec<TileState>,
    passes: Vec<PassInfo>,
    buffers: Vec<Vec<Samples>>,
    /// The image rows (from the top) the buffers hold: all of them, unless a streamed merge
    /// holds a band ([`Canvas::with_rows`]).
    rows: Range<u32>,
    layout: Option<ExrLayout>,
    metadata: Metadata,
    metadata_from: Option<usize>,
    seams: SeamTracker,
}

impl Canvas {
    /// An empty canvas for `grid`; buffers are allocated when the first tile is placed, since
    /// only then are the passes known.
    pub fn new(grid: Grid, options: CanvasOptions) -> Canvas {
        let tiles = grid.tiles();
        let index = tiles.iter().enumerate().map(|(i, t)| (*t, i)).collect();
        Canvas {
            grid,
            options,
            states: vec![TileState::Missing; tiles.len()],
            tiles,
            index,
            passes: Vec::new(),
            buffers: Vec::new(),
            rows: 0..grid.image.height,
            layout: None,
            metadata: Metadata::default(),
            metadata_from: None,
            seams: SeamTracker::new(),
        }
    }

    /// The grid.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The options.
    pub fn options(&self) -> &CanvasOptions {
        &self.options
    }

    /// Image size.
    pub fn size(&self) -> Size {
        self.grid.image
    }

    /// The passes held (empty until a tile is placed).
    pub fn passes(&self) -> &[PassInfo] {
        &self.passes
    }

    /// The layout of the tiles placed (the first one's).
    pub fn source_layout(&self) -> Option<ExrLayout> {
        self.layout
    }

    /// Header attributes of the lowest placed tile in grid order.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The tile whose header attributes [`Canvas::metadata`] holds (and an export writes): a
    /// metadata panel shows the merge's attributes from that tile's file.
    pub fn metadata_source(&self) -> Option<TileId> {
        self.metadata_from.and_then(|i| self.tiles.get(i).copied())
    }

    /// Decodes a tile file and places it. The size is checked from the header first, so a file
    /// of the wrong size is never decoded.
    pub fn add(&mut self, tile: TileId, bytes: &[u8]) -> Result<Placement, TileProblem> {
        let index = self.placeable(tile)?;
        let decoded = decode_for_grid(&self.grid, tile, bytes, &self.options.decode)
            .map_err(|e| self.fail_at(index, e))?;
        let resolution = self.resolve(index, decoded.size)?;
        self.place_resolved(index, resolution, decoded)
    }

    /// Places a tile decoded elsewhere (for example in a worker).
    pub fn place(&mut self, tile: TileId, decoded: DecodedTile) -> Result<Placement, TileProblem> {
        let index = self.placeable(tile)?;
        let resolution = self.resolve(index, decoded.size)?;
        self.place_resolved(index, resolution, decoded)
    }

    /// Records that a tile could not be obtained or decoded elsewhere; returns the problem.
    pub fn fail(&mut self, tile: TileId, error: TileError) -> TileProblem {
        match self.index.get(&tile) {
            Some(&index) if !matches!(self.states.get(index), Some(TileState::Placed(_))) => {
                self.fail_at(index, error)
            }
            _ => TileProblem { tile, error },
        }
    }

    fn placeable(&self, tile: TileId) -> Result<usize, TileProblem> {
        let Some(&index) = self.index.get(&tile) else {
            return Err(TileProblem {
                tile,
                error: TileError::NotInGrid { image: self.grid.image, tile: self.grid.tile },
            });
        };
        if matches!(self.states.get(index), Some(TileState::Placed(_))) {
            return Err(TileProblem { tile, error: TileError::AlreadyPlaced });
        }
        Ok(index)
    }

    fn fail_at(&mut self, index: usize, error: TileError) -> TileProblem {
        if let Some(state) = self.states.get_mut(index) {
            *state = TileState::Failed(error.clone());
        }
        self.seams.drop_strips_for(index);
        TileProblem {
            tile: self.tiles.get(index).copied().unwrap_or(TileId { x0: 0, y0: 0, x1: 0, y1: 0 }),
            error,
        }
    }

    fn resolve(&mut self, index: usize, size: Size) -> Result<Resolution, TileProblem> {
        let tile = self.tiles.get(index).copied();
        let resolution = match tile {
            Some(tile) => self.grid.resolve(tile, size),
            None => return Err(self.fail_at(index, TileError::Read("unknown tile".into()))),
        };
        match resolution {
            Resolution::Unplaceable(mismatch) => Err(self.fail_at(index, TileError::Size(mismatch))),
            ok => Ok(ok),
        }
    }

    fn place_resolved(
        &mut self,
        index: usize,
        resolution: Resolution,
        decoded: DecodedTile,
    ) -> Result<Placement, TileProblem> {
        let Some(&tile) = self.tiles.get(index) else {
            return Err(self.fail_at(index, TileError::Read("unknown tile".into())));
        };
        let core = self.grid.core(tile);
        let (rendered, placed, mismatch) = match resolution {
            Resolution::Exact { rendered, placed } => (rendered, placed, None),
            Resolution::Explained { rendered, placed, mismatch } => (rendered, placed, Some(mismatch)),
            Resolution::Unplaceable(m) => return Err(self.fail_at(index, TileError::Size(m))),
        };
        if self.passes.is_empty() {
            self.adopt_passes(&decoded).map_err(|e| self.fail_at(index, e))?;
        }
        let order = self.match_passes(&decoded).map_err(|e| self.fail_at(index, e))?;
        if placed.y < self.rows.start || placed.bottom() > self.rows.end {
            let (rows, held) = ((placed.y, placed.bottom()), (self.rows.start, self.rows.end));
            return Err(self.fail_at(index, TileError::OutsideBand { rows, held }));
        }
        let src_stride = decoded.size.width as usize;
        let width = self.grid.image.width as usize;
        let source_at = BlockAt {
            stride: src_stride,
            x: placed.x.saturating_sub(rendered.x) as usize,
            y: placed.y.saturating_sub(rendered.y) as usize,
            width: placed.width as usize,
            height: placed.height as usize,
        };
        let target_at = BlockAt {
            stride: width,
            x: placed.x as usize,
            y: (placed.y - self.rows.start) as usize,
            width: placed.width as usize,
            height: placed.height as usize,
        };
        let mut copied = true;
        for (buffers, &src_pass) in self.buffers.iter_mut().zip(&order) {
            let Some(src) = decoded.passes.get(src_pass) else {
                copied = false;
                continue;
            };
            for (dst, samples) in buffers.iter_mut().zip(&src.channels) {
                copied &= dst.copy_block(target_at, samples, source_at);
            }
        }
        if !copied {
            // Cannot happen after the checks above; reported rather than trusted.
            return Err(self.fail_at(
                index,
                TileError::Decode(DecodeError::Invalid("the tile's buffers do not match its size".into())),
            ));
        }

        if self.options.seams {
            self.check_seams(index, &rendered, &placed, &decoded, &order);
        }
        if self.metadata_from.is_none_or(|from| index < from) {
            self.metadata = decoded.metadata;
            self.metadata_from = Some(index);
        }
        self.layout.get_or_insert(decoded.layout);
        let placement = Placement { tile, core, rendered, placed, mismatch };
        if let Some(state) = self.states.get_mut(index) {
            *state = TileState::Placed(placement);
        }
        Ok(placement)
    }

    fn adopt_passes(&mut self, decoded: &DecodedTile) -> Result<(), TileError> {
        let pixels = u64::from(self.grid.image.width) * u64::from(self.rows.end - self.rows.start);
        let per_pixel: u64 =
            decoded.passes.iter().flat_map(|p| &p.info.channels).map(|c| c.sample_type.bytes() as u64).sum();
        let bytes = pixels.saturating_mul(per_pixel);
        if bytes > self.options.max_canvas_bytes {
            return Err(TileError::CanvasTooLarge { bytes, limit: self.options.max_canvas_bytes });
        }
        let len = pixels as usize;
        self.passes = decoded.passes.iter().map(|p| p.info.clone()).collect();
        self.buffers = self
            .passes
            .iter()
            .map(|p| p.channels.iter().map(|c| Samples::zeroed(c.sample_type, len)).collect())
            .collect();
        Ok(())
    }

    /// For each canvas pass, the index of the same pass in `decoded`, after checking that its
    /// channels have the same names and types.
    fn match_passes(&self, decoded: &DecodedTile) -> Result<Vec<usize>, TileError> {
        let mut order = Vec::with_capacity(self.passes.len());
        for pass in &self.passes {
            let name = pass.full_name();
            let Some(found) = decoded.passes.iter().position(|p| p.info.full_name() == name) else {
                return Err(TileError::Passes(format!("it has no pass {:?}", pass.display_name())));
            };
            let theirs = decoded.passes.get(found).map(|p| &p.info.channels);
            if theirs != Some(&pass.channels) {
                let describe = |channels: &[crate::passes::ChannelInfo]| {
                    channels
                        .iter()
                        .map(|c| format!("{} ({})", c.name, c.sample_type))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                return Err(TileError::Passes(format!(
                    "pass {:?} has channels [{}], the others have [{}]",
                    pass.display_name(),
                    describe(theirs.map(Vec::as_slice).unwrap_or(&[])),
                    describe(&pass.channels)
                )));
            }
            let channel_count_ok =
                decoded.passes.get(found).is_some_and(|p| p.channels.len() == pass.channels.len());
            if !channel_count_ok {
                return Err(TileError::Passes(format!(
                    "pass {:?} lacks samples for some channels",
                    pass.display_name()
                )));
            }
            order.push(found);
        }
        Ok(order)
    }

    fn check_seams(
        &mut self,
        index: usize,
        rendered: &Rect,
        placed: &Rect,
        decoded: &DecodedTile,
        order: &[usize],
    ) {
        let tile_source = Source {
            passes: order
                .iter()
                .filter_map(|i| decoded.passes.get(*i))
                .map(|p| p.channels.as_slice())
                .collect(),
            stride: decoded.size.width,
            origin_x: rendered.x,
            origin_y: rendered.y,
        };
        let canvas_source = Source {
            passes: self.buffers.iter().map(Vec::as_slice).collect(),
            stride: self.grid.image.width,
            origin_x: 0,
            origin_y: self.rows.start,
        };
        for other in self.neighbours(rendered) {
            if other == index {
                continue;
            }
            let Some(&other_tile) = self.tiles.get(other) else {
                continue;
            };
            let overlap = rendered.intersect(&self.grid.core(other_tile));
            if overlap.is_empty() {
                continue;
            }
            match self.states.get(other) {
                Some(TileState::Placed(p)) => {
                    let region = overlap.intersect(&p.placed);
                    if !region.is_empty() {
                        self.seams.compare(index, other, &region, &tile_source, &canvas_source);
                    }
                }
                Some(TileState::Failed(_)) => {}
                _ => self.seams.keep_strip(index, other, overlap, &tile_source),
            }
        }
        self.seams.owner_placed(index, placed, &canvas_source);
    }

    /// Indices of the tiles whose cores meet `rect`.
    fn neighbours(&self, rect: &Rect) -> Vec<usize> {
        let (tw, th) = (self.grid.tile.width, self.grid.tile.height);
        let (columns, rows) = (self.grid.columns(), self.grid.rows());
        let h = self.grid.image.height;
        if rect.is_empty() {
            return Vec::new();
        }
        let first_column = rect.x / tw;
        let last_column = ((rect.right() - 1) / tw).min(columns.saturating_sub(1));
        // Tile rows count from the bottom of the image.
        let first_row = h.saturating_sub(rect.bottom()) / th;
        let last_row = (h.saturating_sub(rect.y + 1) / th).min(rows.saturating_sub(1));
        let mut found = Vec::new();
        for row in first_row..=last_row {
            for column in first_column..=last_column {
                found.push((row * columns + column) as usize);
            }
        }
        found
    }

    /// The state of one tile (`None` when it is not on the grid).
    pub fn tile_state(&self, tile: TileId) -> Option<&TileState> {
        self.index.get(&tile).and_then(|i| self.states.get(*i))
    }

    /// Every tile's state and the totals.
    pub fn coverage(&self) -> Coverage {
        let mut coverage = Coverage {
            tiles: Vec::with_capacity(self.tiles.len()),
            complete: 0,
            partial: 0,
            missing: 0,
            failed: 0,
            covered_pixels: 0,
            total_pixels: self.grid.image.area(),
        };
        for (tile, state) in self.tiles.iter().zip(&self.states) {
            match state {
                TileState::Missing => coverage.missing += 1,
                TileState::Failed(_) => coverage.failed += 1,
                TileState::Placed(p) => {
                    if p.is_complete() {
                        coverage.complete += 1;
                    } else {
                        coverage.partial += 1;
                    }
                    coverage.covered_pixels += p.placed.area();
                }
            }
            coverage.tiles.push(TileCoverage {
                tile: *tile,
                core: self.grid.core(*tile),
                state: state.clone(),
            });
        }
        coverage
    }

    /// Every tile that failed, and every tile placed only in part, as problems.
    pub fn problems(&self) -> Vec<TileProblem> {
        self.tiles
            .iter()
            .zip(&self.states)
            .filter_map(|(tile, state)| match state {
                TileState::Failed(error) => Some(TileProblem { tile: *tile, error: error.clone() }),
                TileState::Placed(Placement { mismatch: Some(m), .. }) => {
                    Some(TileProblem { tile: *tile, error: TileError::Size(*m) })
                }
                _ => None,
            })
            .collect()
    }

    fn pass_index(&self, pass: &str) -> Option<usize> {
        self.passes
            .iter()
            .position(|p| p.full_name() == pass)
            .or_else(|| self.passes.iter().position(|p| p.pass == pass || p.display_name() == pass))
    }

    /// A pass's channel buffers in their own sample types, in the order of its `channels`
    /// (looked up by full name, or by bare pass name).
    pub fn pass_samples(&self, pass: &str) -> Option<(&PassInfo, &[Samples])> {
        let i = self.pass_index(pass)?;
        Some((self.passes.get(i)?, self.buffers.get(i)?.as_slice()))
    }

    /// One channel by its full name, in its own sample type.
    pub fn channel(&self, name: &str) -> Option<&Samples> {
        self.passes
            .iter()
            .zip(&self.buffers)
            .flat_map(|(p, b)| p.channels.iter().zip(b))
            .find(|(c, _)| c.name == name)
            .map(|(_, s)| s)
    }

    /// All passes with their buffers, for export.
    pub(crate) fn all_samples(&self) -> impl Iterator<Item = (&PassInfo, &[Samples])> {
        self.passes.iter().zip(self.buffers.iter().map(Vec::as_slice))
    }

    /// A pass as interleaved f32, for display (uncovered pixels are 0): the rows held.
    pub fn pass_f32(&self, pass: &str) -> Option<PassImage> {
        let (info, buffers) = self.pass_samples(pass)?;
        let pixels = buffers.first().map_or(0, Samples::len);
        let n = buffers.len();
        let mut data = vec![0f32; pixels * n];
        for (c, samples) in buffers.iter().enumerate() {
            for (i, value) in samples.to_f32_vec().into_iter().enumerate() {
                if let Some(slot) = data.get_mut(i * n + c) {
                    *slot = value;
                }
            }
        }
        Some(PassImage {
            width: self.grid.image.width,
            height: self.rows.end - self.rows.start,
            components: info.channels.iter().map(|c| c.component.clone()).collect(),
            data,
        })
    }

    /// The seam statistics so far.
    pub fn seam_report(&self) -> SeamReport {
        self.seams.report(&self.tiles, &self.passes)
    }

    /// The full-size seam map of a pass: per pixel the largest absolute difference between
    /// overlapping tiles over its channels, 0 where nothing overlaps.
    pub fn seam_map(&self, pass: &str) -> Option<Vec<f32>> {
        let i = self.pass_index(pass)?;
        Some(self.seams.map(i, self.grid.image.width, self.grid.image.height))
    }
}
