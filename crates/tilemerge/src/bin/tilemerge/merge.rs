//! `merge` and `check`: read the folder, decode tiles in parallel, place them on one canvas.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tilemerge::{
    decode_for_grid, export_png, lossy_export, read_info, Canvas, CanvasOptions, DecodeOptions, DecodedTile,
    ExrEncoder, ExrLayout, ExrOptions, Grid, ImageData, JobSettings, LayoutReport, PassSelection, TileError,
    TileId,
};

use crate::cli::{progress, thread_pool, CheckArgs, Input, MergeArgs, EXIT_PROBLEMS};
use crate::deflate::Deflater;
use crate::report;

/// Where the time went, for `--timings` and the benchmark's note.
#[derive(Default, Debug)]
pub struct Timings {
    pub layout: Duration,
    pub decode: Duration,
    pub read_files: Duration,
    pub place: Duration,
    pub encode: Duration,
    /// Spent inside the file's writes, while blocks were still being compressed: part of `encode`.
    pub write: Duration,
    pub png: Duration,
    /// From the start of `load` to the end of the command's work.
    pub total: Duration,
}

/// A folder loaded onto a canvas.
pub struct Loaded {
    pub report: LayoutReport,
    pub canvas: Canvas,
    pub grid_source: String,
    pub timings: Timings,
    pub pool: rayon::ThreadPool,
}

fn list_dir(dir: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entry.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()) {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(names)
}

fn grid_for(input: &Input, names: &[String]) -> Result<(LayoutReport, String), String> {
    let files = names.iter().map(String::as_str);
    if let Some(job) = &input.job {
        let text = std::fs::read_to_string(job).map_err(|e| format!("cannot read {}: {e}", job.display()))?;
        let settings = JobSettings::from_json(&text).map_err(|e| format!("{}: {e}", job.display()))?;
        let grid = settings.grid(input.overscan).map_err(|e| format!("{}: {e}", job.display()))?;
        return Ok((LayoutReport::match_files(grid, false, files), format!("job {}", job.display())));
    }
    if let (Some(size), Some(tile)) = (input.size, input.tile) {
        let grid = Grid::new(size, tile, input.overscan).map_err(|e| e.to_string())?;
        return Ok((LayoutReport::match_files(grid, false, files), "--size/--tile".into()));
    }
    let report = LayoutReport::infer(files, input.overscan)
        .map_err(|e| format!("{}: {e}", input.tiles_dir.display()))?;
    Ok((report, "inferred from the file names".into()))
}

fn read_and_decode(
    dir: &Path,
    grid: &Grid,
    tile: TileId,
    name: &str,
    options: &DecodeOptions,
) -> (Result<DecodedTile, TileError>, Duration) {
    let start = Instant::now();
    let bytes = match std::fs::read(dir.join(name)) {
        Ok(bytes) => bytes,
        Err(e) => return (Err(TileError::Read(format!("{name}: {e}"))), start.elapsed()),
    };
    let read = start.elapsed();
    (decode_for_grid(grid, tile, &bytes, options), read)
}

/// A folder's tiles matched to their grid, before any is decoded.
pub struct Prepared {
    pub report: LayoutReport,
    pub grid_source: String,
    pub options: CanvasOptions,
    pub started: Instant,
}

/// Lists the folder, finds the grid, and checks the passes asked for against the first tile.
pub fn prepare(input: &Input, seams: bool) -> Result<Prepared, String> {
    let started = Instant::now();
    let names = list_dir(&input.tiles_dir)?;
    let (report, grid_source) = grid_for(input, &names)?;
    let passes =
        if input.passes.is_empty() { PassSelection::All } else { PassSelection::Only(input.passes.clone()) };
    // Unknown pass names would fail every tile alike: say it once, up front.
    if let Some((_, name)) = report.found.first() {
        if let Ok(bytes) = std::fs::read(input.tiles_dir.join(name)) {
            if let Ok(info) = read_info(&bytes) {
                if let Some(unknown) = passes.unmatched(&info.passes).first() {
                    let available: Vec<String> = info.passes.iter().map(|p| p.display_name()).collect();
                    return Err(format!(
                        "no pass {unknown:?} in the tiles; they have {}",
                        available.join(", ")
                    ));
                }
            }
        }
    }
    let options = CanvasOptions {
        decode: DecodeOptions { passes, ..DecodeOptions::default() },
        seams,
        ..CanvasOptions::default()
    };
    Ok(Prepared { report, grid_source, options, started })
}

/// Reads and decodes `tiles` (with their file names) on the pool's threads and hands each to
/// `place` on this thread as it comes, with the time its file took to read. Decoded tiles wait
/// at most `ahead` deep, so memory stays at a few tiles.
pub fn decode_each(
    pool: &rayon::ThreadPool,
    dir: &Path,
    grid: &Grid,
    tiles: &[(TileId, &str)],
    options: &DecodeOptions,
    ahead: usize,
    mut place: impl FnMut(TileId, Result<DecodedTile, TileError>, Duration),
) {
    let (sender, receiver) = sync_channel(ahead);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            pool.install(|| {
                tiles.par_iter().for_each_with(sender, |sender, (tile, name)| {
                    let (result, read) = read_and_decode(dir, grid, *tile, name, options);
                    // The receiver only goes away if the main thread is gone; nothing to do then.
                    let _ = sender.send((*tile, result, read));
                });
            });
        });
        for (tile, result, read) in receiver {
            place(tile, result, read);
        }
    });
}

/// Lists the folder, finds the grid, and decodes every tile in parallel onto a canvas.
pub fn load(input: &Input, seams: bool) -> Result<Loaded, String> {
    load_prepared(input, prepare(input, seams)?)
}

/// Decodes every tile of a prepared folder in parallel onto a canvas of the whole frame.
pub fn load_prepared(input: &Input, prepared: Prepared) -> Result<Loaded, String> {
    let Prepared { report, grid_source, options, started: start } = prepared;
    let grid = report.grid;
    let mut canvas = Canvas::new(grid, options.clone());
    let mut timings = Timings { layout: start.elapsed(), ..Timings::default() };

    let pool = thread_pool(input.threads)?;
    let bar = progress(input.quiet, report.found.len(), "decoding");
    let decode_start = Instant::now();
    let tiles: Vec<(TileId, &str)> = report.found.iter().map(|(tile, name)| (*tile, name.as_str())).collect();
    let ahead = pool.current_num_threads() * 2;
    decode_each(
        &pool,
        input.tiles_dir.as_path(),
        &grid,
        &tiles,
        &options.decode,
        ahead,
        |tile, result, read| {
            let placing = Instant::now();
            match result {
                Ok(decoded) => {
                    let _ = canvas.place(tile, decoded);
                }
                Err(error) => {
                    canvas.fail(tile, error);
                }
            }
            timings.place += placing.elapsed();
            timings.read_files += read;
            bar.inc(1);
        },
    );
    bar.finish_and_clear();
    timings.decode = decode_start.elapsed();
    Ok(Loaded { report, canvas, grid_source, timings, pool })
}

pub fn run_check(args: &CheckArgs) -> Result<ExitCode, String> {
    let started = Instant::now();
    let mut loaded = load(&args.input, true)?;
    let seams = loaded.canvas.seam_report();
    let errors = report::error_count(&loaded.report, &loaded.canvas);
    if args.json {
        println!("{}", report::json(&loaded.report, &loaded.canvas, Some(&seams)));
    } else {
        report::print_layout(&loaded.report, &loaded.canvas, &loaded.grid_source);
        report::print_seams(&seams, args.worst);
    }
    if args.input.timings {
        loaded.timings.total = started.elapsed();
        report::print_timings(&loaded.timings);
    }
    let seams_over = args.max_seam.is_some_and(|max| seams.passes.iter().any(|p| p.max_abs > max));
    if seams_over && !args.json {
        println!("seams exceed --max-seam {}", args.max_seam.unwrap_or_default());
    }
    Ok(if errors > 0 || seams_over { ExitCode::from(EXIT_PROBLEMS) } else { ExitCode::SUCCESS })
}

/// Writes the merged EXR to `out`, its blocks compressed on the pool's threads. The blocks are
/// taken in file order and each is written as soon as it and those before it are done, so the
/// writing overlaps the compressing and the file is never whole in memory; the bytes are those
/// of compressing every block in turn. Returns the time spent inside `out`'s writes.
pub fn encode_parallel<W: Write + Seek>(
    canvas: &Canvas,
    options: &ExrOptions,
    deflater: Deflater,
    pool: &rayon::ThreadPool,
    quiet: bool,
    out: W,
) -> Result<Duration, String> {
    let image = ImageData::from_canvas(canvas);
    let encoder = ExrEncoder::new(&image, options).map_err(|e| e.to_string())?;
    let count = encoder.block_count();
    let bar = progress(quiet, count, "encoding");
    let next = AtomicUsize::new(0);
    // A few blocks per thread may wait for the writer; more would only hold memory.
    let (sender, receiver) = sync_channel(pool.current_num_threads() * 4);
    let mut out = TimedWrite { inner: out, spent: Duration::ZERO };
    let written = std::thread::scope(|scope| {
        let (encoding, next) = (&encoder, &next);
        scope.spawn(move || {
            // Each thread takes the lowest block not yet taken (rather than rayon splitting the
            // range in halves), so blocks finish close to the order the file needs them in.
            pool.broadcast(|_| {
                let sender = sender.clone();
                let mut deflate = deflater.start();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    // The writer hangs up only after a failure; then the rest is not needed.
                    if sender.send((i, encoding.encode_block_with(i, deflate.as_mut()))).is_err() {
                        break;
                    }
                }
            });
        });
        let mut waiting = BTreeMap::new();
        let mut wanted = 0;
        let in_order = std::iter::from_fn(|| loop {
            if let Some(block) = waiting.remove(&wanted) {
                wanted += 1;
                bar.inc(1);
                return Some(block);
            }
            // All senders gone with blocks missing: the writer counts them and fails.
            let (i, block) = receiver.recv().ok()?;
            waiting.insert(i, block);
        });
        encoder.write_to(&mut out, in_order)
    });
    bar.finish_and_clear();
    written.map_err(|e| e.to_string())?;
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    Ok(out.spent)
}

/// Counts the time spent in a writer's calls.
pub struct TimedWrite<W> {
    pub inner: W,
    pub spent: Duration,
}

impl<W> TimedWrite<W> {
    fn timed<T>(&mut self, call: impl FnOnce(&mut W) -> T) -> T {
        let start = Instant::now();
        let result = call(&mut self.inner);
        self.spent += start.elapsed();
        result
    }
}

impl<W: Write> Write for TimedWrite<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.timed(|w| w.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.timed(|w| w.flush())
    }
}

impl<W: Seek> Seek for TimedWrite<W> {
    fn seek(&mut self, position: SeekFrom) -> std::io::Result<u64> {
        self.timed(|w| w.seek(position))
    }
}

/// Writes the EXR to `path` through a file beside it, renamed into place once complete, so
/// that a failed merge leaves an earlier file as it was and no partial one.
pub fn write_exr(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<Duration, String>,
) -> Result<(u64, Duration), String> {
    let shown = path.display();
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let result = File::create(&partial).map_err(|e| format!("cannot write {shown}: {e}")).and_then(|file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let spent = write(&mut out)?;
        // exr ends by going back to fill in the offset tables: the end is the size.
        let size = out.seek(SeekFrom::End(0)).map_err(|e| format!("cannot write {shown}: {e}"))?;
        out.into_inner().map_err(|e| format!("cannot write {shown}: {}", e.error()))?;
        std::fs::rename(&partial, path).map_err(|e| format!("cannot write {shown}: {e}"))?;
        Ok((size, spent))
    });
    if result.is_err() {
        // Nothing more to say if it is already gone.
        let _ = std::fs::remove_file(&partial);
    }
    result
}

pub fn run_merge(args: &MergeArgs) -> Result<ExitCode, String> {
    let prepared = prepare(&args.input, args.seams)?;
    if args.in_memory || args.png.is_some() {
        return merge_in_memory(args, prepared);
    }
    crate::stream::merge_streamed(args, prepared)
}

/// The bytes a whole-frame canvas of the first tile's (chosen) passes takes.
fn frame_bytes(input: &Input, prepared: &Prepared) -> Option<u64> {
    let (_, name) = prepared.report.found.first()?;
    let info = read_info(&std::fs::read(input.tiles_dir.join(name)).ok()?).ok()?;
    let per_pixel: u64 = info
        .passes
        .iter()
        .filter(|p| prepared.options.decode.passes.includes(p))
        .flat_map(|p| &p.channels)
        .map(|c| c.sample_type.bytes() as u64)
        .sum();
    Some(prepared.report.grid.image.area().saturating_mul(per_pixel))
}

/// The merge as it was before it streamed: every tile decoded onto a canvas of the whole frame,
/// then written. `--png` needs it.
pub fn merge_in_memory(args: &MergeArgs, prepared: Prepared) -> Result<ExitCode, String> {
    let started = prepared.started;
    if let (Some(limit), Some(needed)) = (args.max_memory, frame_bytes(&args.input, &prepared)) {
        if needed > limit {
            println!(
                "not merging: holding the whole {} frame takes {} MB, more than --max-memory {} MB{}",
                prepared.report.grid.image,
                needed >> 20,
                limit >> 20,
                if args.png.is_some() {
                    " (--png needs the whole frame)"
                } else {
                    "; without --in-memory the merge streams"
                }
            );
            return Ok(ExitCode::from(crate::cli::EXIT_USAGE));
        }
    }
    let mut loaded = load_prepared(&args.input, prepared)?;
    report::print_layout(&loaded.report, &loaded.canvas, &loaded.grid_source);
    if args.seams {
        report::print_seams(&loaded.canvas.seam_report(), 3);
    }
    let errors = report::error_count(&loaded.report, &loaded.canvas);
    let output = args.output.display();
    if errors > 0 && !args.allow_missing {
        println!(
            "not writing {output}: {errors} tile(s) missing or wrong (--allow-missing writes what there is)"
        );
        return Ok(ExitCode::from(EXIT_PROBLEMS));
    }
    if loaded.canvas.passes().is_empty() {
        println!("not writing {output}: no tile could be placed");
        return Ok(ExitCode::from(EXIT_PROBLEMS));
    }
    let canvas = &loaded.canvas;
    let options = ExrOptions {
        layout: args.layout.map(ExrLayout::from).or(canvas.source_layout()).unwrap_or(ExrLayout::MultiPart),
        compression: args
            .compression
            .or(canvas.metadata().compression())
            .filter(|c| c.can_encode())
            .unwrap_or(tilemerge::Compression::Zip),
        zip_level: args.zip_level.unwrap_or(args.deflate.default_level()),
    };

    // Said before the work, so that it is seen even when the write then fails.
    if let Some(warning) = lossy_export(canvas.passes(), canvas.metadata().compression(), options.compression)
    {
        println!("warning: {warning}");
    }

    let encode_start = Instant::now();
    let (size, writing) = write_exr(&args.output, |out| {
        encode_parallel(canvas, &options, args.deflate, &loaded.pool, args.input.quiet, out)
    })?;
    loaded.timings.encode = encode_start.elapsed();
    loaded.timings.write = writing;
    let channels: usize = canvas.passes().iter().map(|p| p.channels.len()).sum();
    println!(
        "wrote {output}: {} {}, {} passes, {channels} channels, {size} bytes",
        options.layout,
        options.compression,
        canvas.passes().len(),
    );

    if let Some(png) = &args.png {
        let png_start = Instant::now();
        let pass = args.png_pass.clone().unwrap_or_else(|| {
            let passes = canvas.passes();
            passes
                .iter()
                .find(|p| p.pass == "Combined")
                .or(passes.first())
                .map(|p| p.full_name())
                .unwrap_or_default()
        });
        let bytes = export_png(canvas, &pass, args.exposure).map_err(|e| e.to_string())?;
        std::fs::write(png, bytes).map_err(|e| format!("cannot write {}: {e}", png.display()))?;
        loaded.timings.png = png_start.elapsed();
        println!("wrote {} (pass {pass}, exposure {:+})", png.display(), args.exposure);
    }
    if args.input.timings {
        loaded.timings.total = started.elapsed();
        report::print_timings(&loaded.timings);
    }
    Ok(ExitCode::SUCCESS)
}
