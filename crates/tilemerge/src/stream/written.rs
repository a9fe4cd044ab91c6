//! A streamed merge written to a file on one thread, for a caller that reads each tile when asked
//! (a browser's worker): bands top first, each band's blocks compressed as the band completes
//! them; the first part's written at once, the others' kept in a [`Spool`] and copied in after.
//! The file is byte for byte the whole-frame merge's of the same tiles.

use std::collections::{HashSet, VecDeque};
use std::io::{Read, Seek, Write};

use super::StreamMerge;
use crate::export::{EncodedBlock, ExportError, ExrOptions, Miniz};
use crate::layout::{Grid, TileId};
use crate::passes::PassSelection;
use crate::seams::SeamReport;
use crate::stitch::{decode_for_grid, CanvasOptions, TileError, TileProblem};

/// Where the blocks of the parts after the first wait until the first part is written.
pub trait Spool {
    /// Keeps `record` (see [`EncodedBlock::write_record`]), a block of part `part` (1 or more).
    fn keep(&mut self, part: usize, record: &[u8]) -> Result<(), String>;
    /// Reads back everything kept for `part`, in the order it was kept (a part at a time, never
    /// needed again).
    fn reader(&mut self, part: usize) -> Result<Box<dyn Read>, String>;
}

/// A spool in memory, for tests and small files.
#[derive(Debug, Default)]
pub struct MemorySpool(Vec<Vec<u8>>);

impl Spool for MemorySpool {
    fn keep(&mut self, part: usize, record: &[u8]) -> Result<(), String> {
        if self.0.len() < part {
            self.0.resize_with(part, Vec::new);
        }
        self.0.get_mut(part - 1).ok_or("part 0 is never kept")?.extend_from_slice(record);
        Ok(())
    }

    fn reader(&mut self, part: usize) -> Result<Box<dyn Read>, String> {
        let kept =
            part.checked_sub(1).and_then(|i| self.0.get_mut(i)).map(std::mem::take).unwrap_or_default();
        Ok(Box::new(std::io::Cursor::new(kept)))
    }
}

/// Merges `tiles` (any order; each read with `read` when its band is merged) into an EXR written
/// to `out` with `exr`, keeping later parts' blocks in `spool`. `progress` hears the number of
/// tiles placed so far. A tile that cannot be read or placed stops it, naming the tile.
pub fn write_streamed<W: Write + Seek>(
    grid: Grid,
    tiles: &[TileId],
    read: &mut dyn FnMut(TileId) -> Result<Vec<u8>, String>,
    exr: &ExrOptions,
    out: W,
    spool: &mut dyn Spool,
    progress: &mut dyn FnMut(usize),
) -> Result<(), ExportError> {
    let wanted: HashSet<TileId> = tiles.iter().copied().collect();
    let options = CanvasOptions::default();
    // The file takes its passes and attributes from the lowest tile in grid order.
    let first = grid.tiles().into_iter().find(|t| wanted.contains(t)).ok_or(ExportError::Empty)?;
    let failed = |tile: TileId, error: TileError| ExportError::Tile(TileProblem { tile, error });
    let bytes = read(first).map_err(|e| failed(first, TileError::Read(e)))?;
    let decoded = decode_for_grid(&grid, first, &bytes, &options.decode).map_err(|e| failed(first, e))?;
    drop(bytes);
    let merge = StreamMerge::new(grid, options, first, &decoded, exr)?;
    drop(decoded);
    let writer = merge.file_writer();
    let parts = merge.part_count();
    let mut blocks = Blocks {
        merge,
        wanted,
        read,
        spool,
        progress,
        placed: 0,
        next_band: 0,
        ready: VecDeque::new(),
        parts,
        replaying: None,
    };
    writer.write_to(out, std::iter::from_fn(|| blocks.next_block().transpose()))?;
    blocks.merge.finish().map(drop)
}

/// The seam check of `pass` over `tiles` (each read with `read` when its band comes), a band of
/// tile rows at a time: the report a whole-frame canvas of the same tiles makes, holding a band
/// and the overscan above it. `progress` hears the tiles placed so far.
pub fn check_seams_streamed(
    grid: Grid,
    tiles: &[TileId],
    read: &mut dyn FnMut(TileId) -> Result<Vec<u8>, String>,
    pass: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<SeamReport, ExportError> {
    let wanted: HashSet<TileId> = tiles.iter().copied().collect();
    let options = CanvasOptions::only(PassSelection::Only(vec![pass.to_string()]), true);
    let first = grid.tiles().into_iter().find(|t| wanted.contains(t)).ok_or(ExportError::Empty)?;
    let failed = |tile: TileId, error: TileError| ExportError::Tile(TileProblem { tile, error });
    let bytes = read(first).map_err(|e| failed(first, TileError::Read(e)))?;
    let decoded = decode_for_grid(&grid, first, &bytes, &options.decode).map_err(|e| failed(first, e))?;
    if decoded.passes.is_empty() {
        return Err(ExportError::UnknownPass { requested: pass.to_string(), available: Vec::new() });
    }
    let mut merge = StreamMerge::new(grid, options, first, &decoded, &ExrOptions::DEFAULT)?;
    drop((bytes, decoded));
    let decode = merge.canvas().options().decode.clone();
    let mut placed = 0;
    for band in 0..merge.bands().len() {
        let band_tiles = merge.start_band(band).map_err(|e| ExportError::Exr(e.to_string()))?.tiles.clone();
        for tile in band_tiles.into_iter().filter(|t| wanted.contains(t)) {
            let bytes = read(tile).map_err(|e| failed(tile, TileError::Read(e)))?;
            let decoded = decode_for_grid(&grid, tile, &bytes, &decode).map_err(|e| failed(tile, e))?;
            merge.place(tile, decoded).map_err(ExportError::Tile)?;
            placed += 1;
            progress(placed);
        }
        // Nothing is written: the band's rows only move on.
        merge.finish_band();
    }
    Ok(merge.finish()?.seam_report())
}

/// The file's blocks in its order, made as the writer asks for them.
struct Blocks<'a> {
    merge: StreamMerge,
    wanted: HashSet<TileId>,
    read: &'a mut dyn FnMut(TileId) -> Result<Vec<u8>, String>,
    spool: &'a mut dyn Spool,
    progress: &'a mut dyn FnMut(usize),
    placed: usize,
    next_band: usize,
    /// The first part's blocks, next to be written.
    ready: VecDeque<EncodedBlock>,
    parts: usize,
    /// The later part being copied in, and where its kept records are read from.
    replaying: Option<(usize, Box<dyn Read>)>,
}

impl Blocks<'_> {
    fn next_block(&mut self) -> Result<Option<EncodedBlock>, ExportError> {
        loop {
            if let Some(block) = self.ready.pop_front() {
                return Ok(Some(block));
            }
            if let Some((part, kept)) = &mut self.replaying {
                let block = EncodedBlock::read_record(kept)
                    .map_err(|e| ExportError::Exr(format!("a kept block: {e}")))?;
                if block.is_some() {
                    return Ok(block);
                }
                let next = *part + 1;
                if next >= self.parts {
                    return Ok(None);
                }
                self.replay(next)?;
                continue;
            }
            if self.next_band < self.merge.bands().len() {
                self.merge_band()?;
                continue;
            }
            if self.parts < 2 {
                return Ok(None);
            }
            self.replay(1)?;
        }
    }

    /// Reads, decodes and places the next band's tiles, and compresses the blocks it completes.
    fn merge_band(&mut self) -> Result<(), ExportError> {
        let band = self.next_band;
        self.next_band += 1;
        let tiles = self.merge.start_band(band).map_err(|e| ExportError::Exr(e.to_string()))?.tiles.clone();
        let grid = *self.merge.canvas().grid();
        let decode = self.merge.canvas().options().decode.clone();
        for tile in tiles.into_iter().filter(|t| self.wanted.contains(t)) {
            let failed = |error: TileError| ExportError::Tile(TileProblem { tile, error });
            let bytes = (self.read)(tile).map_err(|e| failed(TileError::Read(e)))?;
            let decoded = decode_for_grid(&grid, tile, &bytes, &decode).map_err(failed)?;
            drop(bytes);
            self.merge.place(tile, decoded).map_err(ExportError::Tile)?;
            self.placed += 1;
            (self.progress)(self.placed);
        }
        for i in self.merge.finish_band() {
            let block = self.merge.encode_block_with(i, &mut Miniz)?;
            match block.part() {
                0 => self.ready.push_back(block),
                part => {
                    let mut record = Vec::new();
                    block.write_record(&mut record).map_err(|e| ExportError::Exr(e.to_string()))?;
                    self.spool.keep(part, &record).map_err(ExportError::Exr)?;
                }
            }
        }
        Ok(())
    }

    /// Starts copying in part `part`'s kept blocks.
    fn replay(&mut self, part: usize) -> Result<(), ExportError> {
        let input = self.spool.reader(part).map_err(ExportError::Exr)?;
        self.replaying = Some((part, input));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Frame;
    use crate::{export_exr_from_files, Compression, ExrLayout, Size};
    use std::collections::HashMap;
    use std::io::Cursor;

    #[test]
    fn the_streamed_file_is_the_whole_frame_export_in_every_layout() {
        let grid =
            Grid::new(Size { width: 300, height: 250 }, Size { width: 64, height: 48 }, 16).expect("a grid");
        for (seed, layout) in [(1, ExrLayout::MultiPart), (2, ExrLayout::SinglePart)] {
            let exr = ExrOptions { layout, compression: Compression::Zip, ..ExrOptions::DEFAULT };
            let files = Frame::blender_like(grid.image, seed).tile_files(&grid, &exr).expect("tiles");
            let by_tile: HashMap<TileId, &Vec<u8>> = files.iter().map(|(t, b)| (*t, b)).collect();
            let borrowed: Vec<(TileId, &[u8])> = files.iter().map(|(t, b)| (*t, b.as_slice())).collect();
            let whole = export_exr_from_files(&grid, &borrowed, &exr).expect("the whole-frame export");
            // Asked for in reverse: the order the tiles are listed in does not matter.
            let tiles: Vec<TileId> = files.iter().rev().map(|(t, _)| *t).collect();
            let mut read =
                |tile: TileId| by_tile.get(&tile).map(|b| b.to_vec()).ok_or("no such tile".to_string());
            let (mut out, mut spool, mut placed) = (Cursor::new(Vec::new()), MemorySpool::default(), 0);
            write_streamed(grid, &tiles, &mut read, &exr, &mut out, &mut spool, &mut |n| placed = n)
                .expect("written");
            assert_eq!(placed, files.len());
            assert!(out.into_inner() == whole, "{layout:?}: the streamed file differs");
        }
    }

    #[test]
    fn a_tile_that_cannot_be_read_stops_it_naming_the_tile() {
        let grid =
            Grid::new(Size { width: 128, height: 96 }, Size { width: 64, height: 48 }, 16).expect("a grid");
        let exr = ExrOptions::DEFAULT;
        let files = Frame::blender_like(grid.image, 3).tile_files(&grid, &exr).expect("tiles");
        let tiles: Vec<TileId> = files.iter().map(|(t, _)| *t).collect();
        let broken = tiles[tiles.len() - 1];
        let mut read = |tile: TileId| {
            if tile == broken {
                return Err("the farm answered 404".to_string());
            }
            Ok(files.iter().find(|(t, _)| *t == tile).map(|(_, b)| b.clone()).unwrap_or_default())
        };
        let result = write_streamed(
            grid,
            &tiles,
            &mut read,
            &exr,
            Cursor::new(Vec::new()),
            &mut MemorySpool::default(),
            &mut |_| {},
        );
        let message = result.expect_err("stopped").to_string();
        assert!(message.contains(&broken.to_string()) && message.contains("404"), "{message}");
    }
}
