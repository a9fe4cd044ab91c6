//! `bench-compare`: how long the inspector's difference of two merges takes beside the merge
//! itself (issue 15's goal: under half of it). Both sets are merged as `merge` merges them;
//! then every pass of A is compared with B's on one thread (what a Web Worker does) and in
//! bands of rows on all threads, and the first pass is drawn as a heat map.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tilemerge::analysis::{
    compare, difference_rgba8, placed_tiles, ChannelPairing, CompareOptions, Comparison, DifferencePartial,
    DifferenceView, PassView,
};
use tilemerge::{Canvas, ExrOptions, Rect, TileId, DEFAULT_OVERSCAN};

use crate::cli::{BenchCompareArgs, Input};
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

pub fn run(args: &BenchCompareArgs) -> Result<ExitCode, String> {
    let (mut place, mut encode, mut single, mut banded, mut heat) = (vec![], vec![], vec![], vec![], vec![]);
    let mut summary = None;
    for _ in 0..args.runs {
        let a = merged(&args.a, args.threads)?;
        place.push(a.timings.decode);
        let start = Instant::now();
        let options = ExrOptions {
            compression: a.canvas.metadata().compression().unwrap_or(tilemerge::Compression::Zip),
            layout: a.canvas.source_layout().unwrap_or(tilemerge::ExrLayout::MultiPart),
            ..ExrOptions::DEFAULT
        };
        encode_parallel(&a.canvas, &options, &a.pool, true)?;
        encode.push(start.elapsed());
        let b = merged(&args.b, args.threads)?;
        let tiles = placed_tiles(&a.canvas);

        let start = Instant::now();
        let one = differences(&a.canvas, &b.canvas, &tiles)?;
        single.push(start.elapsed());
        let start = Instant::now();
        let many = differences_banded(&a.canvas, &b.canvas, &tiles, &a.pool)?;
        banded.push(start.elapsed());
        // Sums add up in another order in bands; the largest differences and counts may not differ.
        let same = one.iter().zip(&many).all(|(x, y)| {
            x.overall.max_abs == y.overall.max_abs && x.overall.over_threshold == y.overall.over_threshold
        });
        if !same {
            return Err("the banded difference disagrees with the whole one".into());
        }

        let first = pass_names(&a.canvas).into_iter().next().unwrap_or_default();
        let gain =
            one.first().map_or(1.0, |c| if c.overall.max_abs > 0.0 { 1.0 / c.overall.max_abs } else { 1.0 });
        let start = Instant::now();
        let va = PassView::of_canvas(&a.canvas, &first).map_err(|e| e.to_string())?;
        let vb = PassView::of_canvas(&b.canvas, &first).map_err(|e| e.to_string())?;
        difference_rgba8(&va, &vb, ChannelPairing::Same, DifferenceView::Heat { gain: gain as f32 })
            .map_err(|e| e.to_string())?;
        heat.push(start.elapsed());
        let channels: usize = a.canvas.passes().iter().map(|p| p.channels.len()).sum();
        summary = Some((
            a.canvas.size(),
            tiles.len(),
            pass_names(&a.canvas),
            channels,
            one,
            a.pool.current_num_threads(),
        ));
    }
    let Some((size, tiles, passes, channels, comparisons, threads)) = summary else {
        return Err("no run".into());
    };
    let (place, encode) = (median(place), median(encode));
    let merge = place + encode;
    let (single, banded, heat) = (median(single), median(banded), median(heat));
    let ratios =
        |ms: f64| format!("{:.3}x decode-and-place, {:.3}x merge with encode", ms / place, ms / merge);
    println!(
        "bench-compare: {size} image, {tiles} tiles, {} passes ({channels} channels), {threads} threads, median of {} runs",
        passes.len(),
        args.runs
    );
    println!("merge, decode and place: {place:.1} ms");
    println!("merge, decode, place and encode EXR: {merge:.1} ms");
    println!("difference metrics, 1 thread: {single:.1} ms = {}", ratios(single));
    println!("difference metrics, {threads} threads in bands: {banded:.1} ms = {}", ratios(banded));
    println!("heat map of {}, 1 thread: {heat:.1} ms", passes.first().map_or("", String::as_str));
    println!(
        "difference with heat map, 1 thread: {:.1} ms = {} (goal: under 0.5x)",
        single + heat,
        ratios(single + heat)
    );
    for (pass, c) in passes.iter().zip(&comparisons) {
        let o = &c.overall;
        println!(
            "  {pass}: max {:.6}, mean {:.6}, RMSE {:.6}, PSNR {:.2} dB, {} pixels over {}",
            o.max_abs, o.mean_abs, o.rmse, o.psnr, o.over_threshold, c.options.threshold
        );
    }
    Ok(ExitCode::SUCCESS)
}
