//! `merge`, streamed: the tiles are decoded a band of tile rows at a time, top first, on the
//! pool's threads; each band's complete blocks are compressed on the same threads and written
//! at once, and the band's rows released (`tilemerge::stream`). A multi-part file holds each
//! part's blocks together, so the blocks of every part but the first wait in a file beside the
//! output (`<output>.part<N>.partial`) and are copied in after the first part's.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tilemerge::stream::FileWriter;
use tilemerge::{
    decode_for_grid, lossy_export, DecodedTile, EncodedBlock, ExportError, ExrLayout, ExrOptions, Grid,
    LayoutReport, StreamMerge, TileId,
};

use crate::cli::{progress, thread_pool, MergeArgs, EXIT_PROBLEMS, EXIT_USAGE};
use crate::merge::{decode_each, write_exr, Prepared, TimedWrite, Timings};
use crate::report;

/// Blocks compressed at a time per thread, before they are written or set aside.
const BLOCKS_PER_THREAD: usize = 4;

/// The lowest tile in grid order that decodes: a whole-frame merge takes the file's header
/// attributes from the lowest tile it placed.
fn first_tile(dir: &Path, report: &LayoutReport, prepared: &Prepared) -> Option<(TileId, DecodedTile)> {
    let order: HashMap<TileId, usize> =
        report.grid.tiles().into_iter().enumerate().map(|(i, t)| (t, i)).collect();
    let mut found: Vec<&(TileId, String)> = report.found.iter().collect();
    found.sort_by_key(|(tile, _)| order.get(tile).copied().unwrap_or(usize::MAX));
    found.into_iter().find_map(|(tile, name)| {
        let bytes = std::fs::read(dir.join(name)).ok()?;
        decode_for_grid(&report.grid, *tile, &bytes, &prepared.options.decode).ok().map(|d| (*tile, d))
    })
}

pub fn merge_streamed(args: &MergeArgs, prepared: Prepared) -> Result<ExitCode, String> {
    let dir = args.input.tiles_dir.as_path();
    let Some((first, decoded)) = first_tile(dir, &prepared.report, &prepared) else {
        // Nothing decodes: the whole-frame merge says so tile by tile, holding nothing.
        return crate::merge::merge_in_memory(args, prepared);
    };
    let options = ExrOptions {
        layout: args.layout.map(ExrLayout::from).unwrap_or(decoded.layout),
        compression: args
            .compression
            .or(decoded.metadata.compression())
            .filter(|c| c.can_encode())
            .unwrap_or(tilemerge::Compression::Zip),
        zip_level: args.zip_level.unwrap_or(args.deflate.default_level()),
    };
    let grid = prepared.report.grid;
    let merge = StreamMerge::new(grid, prepared.options.clone(), first, &decoded, &options)
        .map_err(|e| e.to_string())?;
    let passes: Vec<_> = decoded.passes.iter().map(|p| p.info.clone()).collect();
    let tiles_compression = decoded.metadata.compression();
    drop(decoded);
    let pool = thread_pool(args.input.threads)?;
    let threads = pool.current_num_threads();
    // Each thread decoding one tile, as many waiting to be placed, and the one being placed.
    let memory = merge.memory_plan(threads * 2 + 1, threads * BLOCKS_PER_THREAD);
    if let Some(limit) = args.max_memory {
        if memory.total() > limit {
            println!(
                "not merging: the streamed merge of this {} frame needs about {memory}; --max-memory is {} MB{}",
                grid.image,
                limit >> 20,
                if threads > 1 { " (fewer --threads keep fewer tiles and blocks in flight)" } else { "" }
            );
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    }
    if let Some(warning) = lossy_export(&passes, tiles_compression, options.compression) {
        println!("warning: {warning}");
    }

    let mut timings = Timings { layout: prepared.started.elapsed(), ..Timings::default() };
    let writer = merge.file_writer();
    let parts = merge.part_count();
    let mut streamed = Streamed {
        merge: Some(merge),
        dir,
        names: prepared.report.found.iter().cloned().collect(),
        grid,
        pool: &pool,
        args,
        next_band: 0,
        pending: VecDeque::new(),
        ready: VecDeque::new(),
        aside: Aside::new(&args.output, parts),
        replaying: None,
        timings: &mut timings,
        bar: progress(args.input.quiet, prepared.report.found.len(), "merging"),
        // Missing tiles are known now: the bands are still placed, for the report, but nothing
        // is compressed, and the file is not written.
        refuse: !args.allow_missing && !prepared.report.missing.is_empty(),
        stopped: false,
    };
    let written = write_exr(&args.output, |out| streamed.write(writer, out));
    streamed.bar.finish_and_clear();
    let stopped = streamed.stopped;
    let merge = streamed.merge.take();
    drop(streamed);
    let output = args.output.display();
    if stopped {
        // The tiles refused so far, and the missing ones, are the report; no file was written.
        if let Some(canvas) = merge.map(StreamMerge::into_canvas) {
            report::print_layout(&prepared.report, &canvas, &prepared.grid_source);
            let errors = report::error_count(&prepared.report, &canvas);
            println!(
                "not writing {output}: {errors} tile(s) missing or wrong (--allow-missing writes what there is)"
            );
        }
        return Ok(ExitCode::from(EXIT_PROBLEMS));
    }
    let (size, writing) = written?;
    let canvas = merge.map(StreamMerge::finish).transpose().map_err(|e| e.to_string())?;
    if let Some(canvas) = &canvas {
        report::print_layout(&prepared.report, canvas, &prepared.grid_source);
        if args.seams {
            report::print_seams(&canvas.seam_report(), 3);
        }
    }
    timings.write = writing;
    let channels: usize = passes.iter().map(|p| p.channels.len()).sum();
    println!(
        "wrote {output}: {} {}, {} passes, {channels} channels, {size} bytes, streamed (peak planned {memory})",
        options.layout,
        options.compression,
        passes.len(),
    );
    if args.input.timings {
        timings.total = prepared.started.elapsed();
        report::print_timings(&timings);
    }
    Ok(ExitCode::SUCCESS)
}

/// The blocks of parts after the first, kept on disk until the first part is written.
struct Aside {
    files: Vec<(PathBuf, Option<BufWriter<File>>)>,
}

impl Aside {
    fn new(output: &Path, parts: usize) -> Aside {
        let files = (1..parts)
            .map(|part| {
                let mut name = output.as_os_str().to_owned();
                name.push(format!(".part{part}.partial"));
                (PathBuf::from(name), None)
            })
            .collect();
        Aside { files }
    }

    fn keep(&mut self, part: usize, block: &EncodedBlock) -> Result<(), ExportError> {
        let Some((path, file)) = part.checked_sub(1).and_then(|i| self.files.get_mut(i)) else {
            return Err(ExportError::Exr(format!("a block of part {part}, which the file does not have")));
        };
        let failed = |e: std::io::Error| ExportError::Exr(format!("cannot write {}: {e}", path.display()));
        let out = match file {
            Some(out) => out,
            None => file.insert(BufWriter::with_capacity(1 << 20, File::create(&*path).map_err(failed)?)),
        };
        block.write_record(out).map_err(failed)
    }

    /// Part `part`'s blocks, in the order they were kept.
    fn replay(&mut self, part: usize) -> Result<Option<BufReader<File>>, ExportError> {
        let Some((path, file)) = part.checked_sub(1).and_then(|i| self.files.get_mut(i)) else {
            return Ok(None);
        };
        let failed = |e: std::io::Error| ExportError::Exr(format!("cannot read {}: {e}", path.display()));
        if let Some(mut out) = file.take() {
            out.flush().map_err(failed)?;
        }
        Ok(Some(BufReader::with_capacity(1 << 20, File::open(&*path).map_err(failed)?)))
    }
}

impl Drop for Aside {
    fn drop(&mut self) {
        for (path, _) in &self.files {
            // Gone already when the part had no blocks.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A streamed merge as the iterator of the file's blocks that the writer pulls.
struct Streamed<'a> {
    merge: Option<StreamMerge>,
    dir: &'a Path,
    names: HashMap<TileId, String>,
    grid: Grid,
    pool: &'a rayon::ThreadPool,
    args: &'a MergeArgs,
    next_band: usize,
    /// Blocks the bands so far completed, not yet compressed.
    pending: VecDeque<usize>,
    /// The first part's compressed blocks, next to be written.
    ready: VecDeque<EncodedBlock>,
    aside: Aside,
    /// The part whose kept blocks are being copied in, once the first part is written.
    replaying: Option<(usize, BufReader<File>)>,
    timings: &'a mut Timings,
    bar: indicatif::ProgressBar,
    /// Tiles are missing or wrong (without --allow-missing): the merge stops once every band is
    /// placed.
    refuse: bool,
    /// It stopped.
    stopped: bool,
}

impl Streamed<'_> {
    fn write(&mut self, writer: FileWriter, out: &mut BufWriter<File>) -> Result<Duration, String> {
        let mut out = TimedWrite { inner: out, spent: Duration::ZERO };
        let blocks = std::iter::from_fn(|| self.next_block().transpose());
        writer.write_to(&mut out, blocks).map_err(|e| e.to_string())?;
        Ok(out.spent)
    }

    /// The file's next block: the first part's as bands complete them, then the others'.
    fn next_block(&mut self) -> Result<Option<EncodedBlock>, ExportError> {
        loop {
            if let Some(block) = self.ready.pop_front() {
                return Ok(Some(block));
            }
            if let Some((part, reader)) = &mut self.replaying {
                let failed = |e: std::io::Error| ExportError::Exr(format!("cannot read kept blocks: {e}"));
                match EncodedBlock::read_record(reader).map_err(failed)? {
                    Some(block) => return Ok(Some(block)),
                    None => {
                        let next = *part + 1;
                        self.replaying = self.aside.replay(next)?.map(|reader| (next, reader));
                        if self.replaying.is_none() {
                            return Ok(None);
                        }
                        continue;
                    }
                }
            }
            if !self.pending.is_empty() {
                self.compress_some()?;
                continue;
            }
            let bands = self.merge.as_ref().map_or(0, |m| m.bands().len());
            if self.next_band < bands {
                self.merge_band(self.next_band)?;
                self.next_band += 1;
                continue;
            }
            if self.refuse {
                self.stopped = true;
                return Err(ExportError::Exr("tiles are missing or wrong".into()));
            }
            self.replaying = self.aside.replay(1)?.map(|reader| (1, reader));
            if self.replaying.is_none() {
                return Ok(None);
            }
        }
    }

    /// Decodes band `band`'s tiles on the pool and places them as they come.
    fn merge_band(&mut self, band: usize) -> Result<(), ExportError> {
        let Some(merge) = self.merge.as_mut() else { return Ok(()) };
        let started = Instant::now();
        let tiles = merge.start_band(band).map_err(|e| ExportError::Exr(e.to_string()))?.tiles.clone();
        let found: Vec<(TileId, &str)> =
            tiles.iter().filter_map(|tile| self.names.get(tile).map(|name| (*tile, name.as_str()))).collect();
        let decode = merge.canvas().options().decode.clone();
        let (timings, bar) = (&mut *self.timings, &self.bar);
        let mut failed = false;
        let ahead = self.pool.current_num_threads();
        decode_each(self.pool, self.dir, &self.grid, &found, &decode, ahead, |tile, result, read| {
            let placing = Instant::now();
            failed |= match result {
                Ok(decoded) => merge.place(tile, decoded).is_err(),
                Err(error) => {
                    merge.fail(tile, error);
                    true
                }
            };
            timings.place += placing.elapsed();
            timings.read_files += read;
            bar.inc(1);
        });
        self.timings.decode += started.elapsed();
        if failed && !self.args.allow_missing {
            // The file will not be written: the other bands are still placed, so that the
            // report names every tile that is wrong, but nothing more is compressed.
            self.refuse = true;
            self.pending.clear();
            self.ready.clear();
        }
        let complete = merge.finish_band();
        if !self.refuse {
            self.pending.extend(complete);
        }
        Ok(())
    }

    /// Compresses the next few pending blocks on the pool: the first part's go to the writer,
    /// the others' aside.
    fn compress_some(&mut self) -> Result<(), ExportError> {
        let Some(merge) = self.merge.as_ref() else { return Ok(()) };
        let started = Instant::now();
        let count = (self.pool.current_num_threads() * BLOCKS_PER_THREAD).min(self.pending.len());
        let batch: Vec<usize> = self.pending.drain(..count).collect();
        let deflater = self.args.deflate;
        let blocks: Vec<Result<EncodedBlock, ExportError>> = self.pool.install(|| {
            batch
                .par_iter()
                .map_init(|| deflater.start(), |deflate, i| merge.encode_block_with(*i, deflate.as_mut()))
                .collect()
        });
        for block in blocks {
            let block = block?;
            match block.part() {
                0 => self.ready.push_back(block),
                part => self.aside.keep(part, &block)?,
            }
        }
        self.timings.encode += started.elapsed();
        Ok(())
    }
}
