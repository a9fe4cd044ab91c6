//! `bench-compare`: how long the inspector's difference of two merges takes beside the merge
//! itself (issue 15's goal: under half of it). Both sets are merged as `merge` merges them;
//! then every pass of A is compared with B's on one thread (what a Web Worker does) and in
//! bands of rows on all threads, and the first pass is drawn as a heat map.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tilemerge::analysis::{
    compare, compare_with_map, difference_rgba8, placed_tiles, ChannelPairing, CompareOptions, Comparison,
    DifferencePartial, DifferenceView, PassView,
};
use tilemerge::{Canvas, ExrOptions, Rect, TileId, DEFAULT_OVERSCAN};

use crate::cli::{BenchCompareArgs, Input};
use crate::deflate::Deflater;
use crate::merge::{encode_parallel, load, Loaded};
use crate::report;

/// Rows per band when the difference is shared out between threads.
const BAND_ROWS: u32 = 64;

fn merged(dir: &Path, threads: Option<usize>) -> Result<Loaded, String> {
    let input = Input {
        tiles_dir: dir.join("tiles"),
        job: Some(dir.join("job.json")),
        size: None,
        tile: None,
        overscan: DEFAULT_OVERSCAN,
        passes: Vec::new(),
        threads,
        quiet: true,
        timings: false,
    };
    let loaded = load(&input, false)?;
    let errors = report::error_count(&loaded.report, &loaded.canvas);
    if errors > 0 || loaded.canvas.passes().is_empty() {
        return Err(format!(
            "{}: {errors} tile(s) missing or wrong; run `tilemerge check` on it",
            dir.display()
        ));
    }
    Ok(loaded)
}

fn pass_names(canvas: &Canvas) -> Vec<String> {
    canvas.passes().iter().map(|p| p.full_name()).collect()
}

/// Every pass of A against B's, on this thread.
fn differences(a: &Canvas, b: &Canvas, tiles: &[(TileId, Rect)]) -> Result<Vec<Comparison>, String> {
    pass_names(a)
        .iter()
        .map(|pass| {
            let (va, vb) = (PassView::of_canvas(a, pass), PassView::of_canvas(b, pass));
            compare(&va?, &vb?, CompareOptions::default(), tiles)
        })
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())
}

/// The same in bands of rows on the pool's threads.
fn differences_banded(
    a: &Canvas,
    b: &Canvas,
    tiles: &[(TileId, Rect)],
    pool: &rayon::ThreadPool,
) -> Result<Vec<Comparison>, String> {
    let height = a.size().height;
    let bands: Vec<u32> = (0..height).step_by(BAND_ROWS as usize).collect();
    pass_names(a)
        .iter()
        .map(|pass| {
            let va = PassView::of_canvas(a, pass).map_err(|e| e.to_string())?;
            let vb = PassView::of_canvas(b, pass).map_err(|e| e.to_string())?;
            let partials: Result<Vec<DifferencePartial>, _> = pool.install(|| {
                bands
                    .par_iter()
                    .map(|y| {
                        DifferencePartial::rows(&va, &vb, CompareOptions::default(), tiles, *y..y + BAND_ROWS)
                    })
                    .collect()
            });
            let mut partials = partials.map_err(|e| e.to_string())?.into_iter();
            let mut whole = partials.next().ok_or("the image has no rows")?;
            partials.for_each(|p| whole.merge(&p));
            Ok(whole.finish())
        })
        .collect()
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times.get(times.len() / 2).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

/// What the inspector's difference mode computes: the metrics of every pass, with the map of
/// the first (the pass on screen) drawn as a heat map with its largest difference at full scale.
fn difference_with_heat_map(a: &Canvas, b: &Canvas, tiles: &[(TileId, Rect)]) -> Result<Vec<u8>, String> {
    let mut heat = None;
    for pass in pass_names(a) {
        let va = PassView::of_canvas(a, &pass).map_err(|e| e.to_string())?;
        let vb = PassView::of_canvas(b, &pass).map_err(|e| e.to_string())?;
        if heat.is_some() {
            compare(&va, &vb, CompareOptions::default(), tiles).map_err(|e| e.to_string())?;
            continue;
        }
        let (comparison, map) =
            compare_with_map(&va, &vb, CompareOptions::default(), tiles).map_err(|e| e.to_string())?;
        let max = comparison.overall.max_abs;
        heat = Some(map.heat_rgba8(if max > 0.0 { (1.0 / max) as f32 } else { 1.0 }));
    }
    heat.ok_or_else(|| "no pass to compare".to_string())
}

/// The first pass's heat map drawn straight from the samples (no map kept).
fn heat_map_from_samples(a: &Canvas, b: &Canvas) -> Result<Vec<u8>, String> {
    let first = pass_names(a).into_iter().next().unwrap_or_default();
    let va = PassView::of_canvas(a, &first).map_err(|e| e.to_string())?;
    let vb = PassView::of_canvas(b, &first).map_err(|e| e.to_string())?;
    difference_rgba8(&va, &vb, ChannelPairing::Same, DifferenceView::Heat { gain: 1.0 })
        .map_err(|e| e.to_string())
}

/// Milliseconds of each step, one entry per run.
#[derive(Default)]
struct Times {
    place: Vec<Duration>,
    encode: Vec<Duration>,
    metrics: Vec<Duration>,
    banded: Vec<Duration>,
    with_heat: Vec<Duration>,
    heat_from_samples: Vec<Duration>,
}

fn timed<T>(times: &mut Vec<Duration>, work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let start = Instant::now();
    let result = work()?;
    times.push(start.elapsed());
    Ok(result)
}

pub fn run(args: &BenchCompareArgs) -> Result<ExitCode, String> {
    let mut t = Times::default();
    let mut summary = None;
    for _ in 0..args.runs {
        let a = merged(&args.a, args.threads)?;
        t.place.push(a.timings.decode);
        let options = ExrOptions {
            compression: a.canvas.metadata().compression().unwrap_or(tilemerge::Compression::Zip),
            layout: a.canvas.source_layout().unwrap_or(tilemerge::ExrLayout::MultiPart),
            zip_level: Deflater::Libdeflate.default_level(),
        };
        timed(&mut t.encode, || {
            let out = std::io::Cursor::new(Vec::new());
            encode_parallel(&a.canvas, &options, Deflater::Libdeflate, &a.pool, true, out)
        })?;
        let b = merged(&args.b, args.threads)?;
        let tiles = placed_tiles(&a.canvas);

        let one = timed(&mut t.metrics, || differences(&a.canvas, &b.canvas, &tiles))?;
        let many = timed(&mut t.banded, || differences_banded(&a.canvas, &b.canvas, &tiles, &a.pool))?;
        // Sums add up in another order in bands; the largest differences and counts may not differ.
        let same = one.iter().zip(&many).all(|(x, y)| {
            x.overall.max_abs == y.overall.max_abs && x.overall.over_threshold == y.overall.over_threshold
        });
        if !same {
            return Err("the banded difference disagrees with the whole one".into());
        }
        timed(&mut t.with_heat, || difference_with_heat_map(&a.canvas, &b.canvas, &tiles))?;
        timed(&mut t.heat_from_samples, || heat_map_from_samples(&a.canvas, &b.canvas))?;
        let channels: usize = a.canvas.passes().iter().map(|p| p.channels.len()).sum();
        summary = Some((a.canvas.size(), tiles.len(), pass_names(&a.canvas), channels, one));
    }
    let Some((size, tiles, passes, channels, comparisons)) = summary else {
        return Err("no run".into());
    };
    let threads = args.threads.unwrap_or_else(rayon::current_num_threads);
    let (place, encode) = (median(t.place), median(t.encode));
    let merge = place + encode;
    let ratios =
        |ms: f64| format!("{:.3}x decode-and-place, {:.3}x merge with encode", ms / place, ms / merge);
    println!(
        "bench-compare: {size} image, {tiles} tiles, {} passes ({channels} channels), {threads} threads, median of {} runs",
        passes.len(),
        args.runs
    );
    println!("merge, decode and place: {place:.1} ms");
    println!("merge, decode, place and encode EXR: {merge:.1} ms");
    let metrics = median(t.metrics);
    println!("difference metrics, 1 thread: {metrics:.1} ms = {}", ratios(metrics));
    let banded = median(t.banded);
    println!("difference metrics, {threads} threads in bands: {banded:.1} ms = {}", ratios(banded));
    let with_heat = median(t.with_heat);
    println!(
        "difference with heat map, 1 thread: {with_heat:.1} ms = {} (goal: under 0.5x)",
        ratios(with_heat)
    );
    let first = passes.first().map_or("", String::as_str);
    println!("heat map of {first} from the samples alone, 1 thread: {:.1} ms", median(t.heat_from_samples));
    for (pass, c) in passes.iter().zip(&comparisons) {
        let o = &c.overall;
        println!(
            "  {pass}: max {:.6}, mean {:.6}, RMSE {:.6}, PSNR {:.2} dB, {} pixels over {}",
            o.max_abs, o.mean_abs, o.rmse, o.psnr, o.over_threshold, c.options.threshold
        );
    }
    Ok(ExitCode::SUCCESS)
}
