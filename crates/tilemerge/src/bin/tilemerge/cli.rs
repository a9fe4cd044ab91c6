//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tilemerge::{Compression, ExrLayout, Size};

use crate::deflate::Deflater;

/// Tiles missing or wrong (or seams above `--max-seam`).
pub const EXIT_PROBLEMS: u8 = 1;
/// Bad arguments or unreadable inputs.
pub const EXIT_USAGE: u8 = 2;

/// Merges the tiles of a Flamenco single-image job exactly as Blender renders the whole frame.
#[derive(Parser, Debug)]
#[command(name = "tilemerge", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Merge a folder of tiles into one multilayer EXR (and optionally a PNG preview).
    Merge(MergeArgs),
    /// Report the folder's layout problems and the seams between tiles; writes nothing.
    Check(CheckArgs),
    /// Generate a synthetic tile set with Blender's geometry, for benchmarks.
    GenBench(GenArgs),
    /// Time the difference of two merges (metrics of every pass, and a heat map) beside the
    /// merge itself: the inspector's benchmark.
    BenchCompare(BenchCompareArgs),
}

/// How to find the tile grid, and what to decode.
#[derive(Args, Debug, Clone)]
pub struct Input {
    /// Folder holding `<x0>-<y0>-<x1>-<y1>.exr` tiles.
    pub tiles_dir: PathBuf,
    /// A job as JSON with its `settings` (a Manager's `GET /api/v3/jobs/{id}` answer or a
    /// fixture's job.json).
    #[arg(long, conflicts_with_all = ["size", "tile"])]
    pub job: Option<PathBuf>,
    /// Image size, WxH (with --tile); without --job or --size the grid is inferred from the names.
    #[arg(long, value_parser = parse_size, requires = "tile")]
    pub size: Option<Size>,
    /// Tile size, WxH or N.
    #[arg(long, value_parser = parse_size, requires = "size")]
    pub tile: Option<Size>,
    /// Overscan Blender rendered around each tile.
    #[arg(long, default_value_t = tilemerge::DEFAULT_OVERSCAN)]
    pub overscan: u32,
    /// Only these passes (`Combined`, `ViewLayer.Depth`, ...); comma-separated or repeated.
    #[arg(long, value_delimiter = ',')]
    pub passes: Vec<String>,
    /// Threads for decoding and encoding (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the time each phase took.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    #[command(flatten)]
    pub input: Input,
    /// The merged EXR to write.
    #[arg(long, short)]
    pub output: PathBuf,
    /// EXR layout (default: the tiles' layout).
    #[arg(long, value_enum)]
    pub layout: Option<LayoutArg>,
    /// EXR compression: none, rle, zips, zip, piz, pxr24, b44, b44a, dwaa, dwab (default: the
    /// tiles' compression).
    #[arg(long, value_parser = parse_compression)]
    pub compression: Option<Compression>,
    /// Deflate level for ZIP/ZIPS, 1 (fastest) to 9 (smallest) [default: 1 with libdeflate, 4
    /// (exr's and OpenEXR's) with miniz]
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=9))]
    pub zip_level: Option<u8>,
    /// The deflate for ZIP/ZIPS blocks: libdeflate is the fastest; miniz writes the bytes the
    /// library (and the browser's export) writes.
    #[arg(long, value_enum, default_value = "libdeflate")]
    pub deflate: Deflater,
    /// Also write a PNG preview of one pass.
    #[arg(long)]
    pub png: Option<PathBuf>,
    /// The pass for the PNG (default: Combined, else the first pass).
    #[arg(long)]
    pub png_pass: Option<String>,
    /// Exposure of the PNG in stops.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub exposure: f32,
    /// Write what there is even when tiles are missing or wrong (exit status 0 then).
    #[arg(long)]
    pub allow_missing: bool,
    /// Also compare the tiles' overlapping overscan and report the seams.
    #[arg(long)]
    pub seams: bool,
    /// Hold the whole frame in memory, as the merge did before it streamed (the file is the
    /// same bytes). --png needs the whole frame and implies it.
    #[arg(long)]
    pub in_memory: bool,
    /// Refuse to start when the merge would need more memory than this (bytes, or with K, M or
    /// G: 800M, 1G), saying what it needs.
    #[arg(long, value_parser = parse_bytes)]
    pub max_memory: Option<u64>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: Input,
    /// Print the full report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when a pass's seams exceed this absolute difference.
    #[arg(long)]
    pub max_seam: Option<f64>,
    /// How many of the worst edges to list per pass.
    #[arg(long, default_value_t = 5)]
    pub worst: usize,
}

#[derive(Args, Debug)]
pub struct GenArgs {
    /// Output folder: gets `tiles/`, `job.json` and, with --full, `full.exr`.
    pub dir: PathBuf,
    /// Image size, WxH.
    #[arg(long, value_parser = parse_size, default_value = "3840x2160")]
    pub size: Size,
    /// Tile size, WxH or N.
    #[arg(long, value_parser = parse_size, default_value = "256")]
    pub tile: Size,
    /// Overscan.
    #[arg(long, default_value_t = tilemerge::DEFAULT_OVERSCAN)]
    pub overscan: u32,
    /// EXR layout of the tiles.
    #[arg(long, value_enum, default_value = "multipart")]
    pub layout: LayoutArg,
    /// Compression of the tiles.
    #[arg(long, value_parser = parse_compression, default_value = "zip")]
    pub compression: Compression,
    /// Deflate level for ZIP/ZIPS tiles.
    #[arg(long, default_value_t = tilemerge::export::DEFAULT_ZIP_LEVEL, value_parser = clap::value_parser!(u8).range(1..=9))]
    pub zip_level: u8,
    /// Seed of the image's noise.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write the whole frame as `full.exr`, the reference a merge must equal.
    #[arg(long)]
    pub full: bool,
    /// Render the tiles as the published job type does, portrait bug included.
    #[arg(long)]
    pub portrait_bug: bool,
    /// Threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct BenchCompareArgs {
    /// Tile set A: a folder with `tiles/` and `job.json`, as `gen-bench` writes it.
    pub a: PathBuf,
    /// Tile set B, of the same size and passes (e.g. `gen-bench --seed 2`).
    pub b: PathBuf,
    /// Timed runs; medians are printed.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Threads for the merge and the banded difference (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bars (there are none; accepted like the other commands).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum LayoutArg {
    /// One part per pass (Blender 5).
    Multipart,
    /// One part with every pass as channels (Blender 4).
    Singlepart,
}

impl From<LayoutArg> for ExrLayout {
    fn from(l: LayoutArg) -> ExrLayout {
        match l {
            LayoutArg::Multipart => ExrLayout::MultiPart,
            LayoutArg::Singlepart => ExrLayout::SinglePart,
        }
    }
}

fn parse_size(text: &str) -> Result<Size, String> {
    let number =
        |s: &str| s.trim().parse::<u32>().map_err(|_| format!("{text:?} is not WxH or N (whole numbers)"));
    match text.split_once(['x', 'X']) {
        Some((w, h)) => Ok(Size { width: number(w)?, height: number(h)? }),
        None => {
            let n = number(text)?;
            Ok(Size { width: n, height: n })
        }
    }
}

fn parse_bytes(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let (number, unit) = match trimmed.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((at, _)) => trimmed.split_at(at),
        None => (trimmed, ""),
    };
    let scale: u64 = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("{text:?} is not a size (a number of bytes, or with K, M or G)")),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a size (a number of bytes, or with K, M or G)"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("{text:?} is not a size above zero"));
    }
    Ok((value * scale as f64) as u64)
}

fn parse_compression(text: &str) -> Result<Compression, String> {
    let names: Vec<&str> = Compression::ALL.iter().filter(|c| c.can_encode()).map(|c| c.name()).collect();
    Compression::from_name(text)
        .filter(|c| c.can_encode())
        .ok_or_else(|| format!("unknown compression {text:?}; choose one of {}", names.join(", ")))
}

pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, String> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.max(1));
    }
    builder.build().map_err(|e| format!("cannot start threads: {e}"))
}

pub fn progress(quiet: bool, len: usize, what: &str) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(what.to_string());
    bar
}
