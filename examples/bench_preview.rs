//! Benchmark: the merge preview of the 135-tile 3840x2160 set that tilemerge's benchmark makes
//! (`tilemerge gen-bench`), in headless Chromium, beside the native `tilemerge merge` of the same
//! tiles measured in the same run (its decode-and-place phases, from `--timings`, and the whole
//! merge with writing the EXR). Prints, per run and as medians:
//! - the time from picking the files to the first tiles and to the full frame on screen (the
//!   page's own clock, from the file input's change), with where the time went: the page reading
//!   files, the workers decoding and placing (summed over workers), drawing the view, and the
//!   page putting pixels on the canvas,
//! - the time to write the merged EXR in the browser (Export EXR to the download link),
//! - the peak WebAssembly memory of the preview workers and of the page,
//!   and the ratio of each time to the native merge's.
//!
//! Run with `scripts/bench-preview` (it builds everything and makes the tile set first).
//! Arguments: `<tile set folder> <tilemerge binary>`; `RUNS` (default 3) runs of each.

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Browser, StaticSite};

/// What one browser run measured.
struct BrowserRun {
    frame_ms: f64,
    first_tile_ms: f64,
    placed_ms: f64,
    read_ms: f64,
    worker_tile_ms: f64,
    worker_render_ms: f64,
    draw_ms: f64,
    export_ms: f64,
    worker_peak_bytes: f64,
    page_bytes: f64,
    workers: f64,
}

/// Resolves with the `data-*` figures of the merge once the full frame is on screen.
const FULL_FRAME: &str = r#"
const done = arguments[arguments.length - 1];
const poll = () => {
  const el = document.querySelector('[data-frame-ms]');
  if (!el) { setTimeout(poll, 20); return; }
  requestAnimationFrame(() => done({
    frame_ms: Number(el.dataset.frameMs),
    first_tile_ms: el.dataset.firstTileMs === '' ? NaN : Number(el.dataset.firstTileMs),
    placed_ms: Number(el.dataset.placedMs),
    read_ms: Number(el.dataset.readMs),
    worker_tile_ms: Number(el.dataset.workerTileMs),
    worker_render_ms: Number(el.dataset.workerRenderMs),
    draw_ms: Number(el.dataset.drawMs),
    worker_peak_bytes: Number(el.dataset.workerPeakBytes),
    page_bytes: Number(el.dataset.pageWasmBytes),
    workers: Number(el.dataset.workers),
  }));
};
poll();
"#;

/// Clicks Export EXR and resolves with the milliseconds until the download link is there.
const EXPORT: &str = r#"
const done = arguments[arguments.length - 1];
const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Export EXR');
if (!button || button.disabled) { done('Export EXR is not available'); return; }
const started = performance.now();
button.click();
const poll = () => {
  const failed = [...document.querySelectorAll('[role=alert]')].find(a => a.textContent.includes('Export failed'));
  if (failed) { done(failed.textContent); return; }
  if (document.querySelector('a[data-export-url]')) { done(performance.now() - started); return; }
  setTimeout(poll, 10);
};
poll();
"#;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn tile_paths(tiles: &Path) -> Vec<String> {
    let mut paths: Vec<String> = std::fs::read_dir(tiles)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", tiles.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "exr"))
        .map(|path| path.display().to_string())
        .collect();
    paths.sort();
    paths
}

/// One `tilemerge merge` of the set, in seconds.
/// The native merge: (its layout and decode-and-place phases, the whole run), in milliseconds.
fn native_merge(tilemerge: &Path, tiles: &Path, output: &Path) -> (f64, f64) {
    let started = Instant::now();
    let run = std::process::Command::new(tilemerge)
        .arg("merge")
        .arg(tiles)
        .arg("--output")
        .arg(output)
        .arg("--quiet")
        .arg("--timings")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tilemerge.display()));
    let whole = started.elapsed().as_secs_f64() * 1000.0;
    assert!(run.status.success(), "tilemerge merge failed: {}", String::from_utf8_lossy(&run.stderr));
    let printed = String::from_utf8_lossy(&run.stdout);
    let phase = |name: &str| {
        printed
            .split(&format!("{name} "))
            .nth(1)
            .and_then(|rest| rest.split([',', ' ']).next())
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {name} time in {printed:?}"))
    };
    (phase("layout") + phase("decode"), whole)
}

async fn browser_run(site: &StaticSite, paths: &[String]) -> BrowserRun {
    let browser = Browser::start().await;
    let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), None, None);
    browser.client.update_timeouts(timeouts).await.expect("script timeout");
    browser.open(&format!("{}/preview", site.url)).await;
    browser.heading("Merge preview").await;
    browser.field("Tile files").await.send_keys(&paths.join("\n")).await.expect("the files can be picked");
    let frame = browser.client.execute_async(FULL_FRAME, vec![]).await.expect("the page answers");
    let figure = |key: &str| frame.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let export = browser.client.execute_async(EXPORT, vec![]).await.expect("the page answers");
    let export_ms = export.as_f64().unwrap_or_else(|| panic!("the export did not finish: {export}"));
    browser.close().await;
    BrowserRun {
        frame_ms: figure("frame_ms"),
        first_tile_ms: figure("first_tile_ms"),
        placed_ms: figure("placed_ms"),
        read_ms: figure("read_ms"),
        worker_tile_ms: figure("worker_tile_ms"),
        worker_render_ms: figure("worker_render_ms"),
        draw_ms: figure("draw_ms"),
        export_ms,
        worker_peak_bytes: figure("worker_peak_bytes"),
        page_bytes: figure("page_bytes"),
        workers: figure("workers"),
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(set), Some(tilemerge)) = (args.next(), args.next()) else {
        eprintln!("usage: bench_preview <tile set folder> <tilemerge binary>");
        std::process::exit(2);
    };
    let (set, tilemerge) = (PathBuf::from(set), PathBuf::from(tilemerge));
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let tiles = set.join("tiles");
    let paths = tile_paths(&tiles);
    let bytes: u64 = paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "tile set: {} ({} tiles, {:.1} MB), {cores} cores",
        set.display(),
        paths.len(),
        bytes as f64 / 1e6
    );

    let scratch = tempfile::tempdir().expect("a scratch folder");
    let site = StaticSite::start().await;
    let mut native_place = Vec::new();
    let mut native_whole = Vec::new();
    let mut browsers = Vec::new();
    // Alternate the two so that a busy moment of the machine does not favour one.
    for run in 1..=runs {
        let (place_ms, whole_ms) = native_merge(&tilemerge, &tiles, &scratch.path().join("merged.exr"));
        let b = browser_run(&site, &paths).await;
        println!(
            "run {run}: native decode-and-place {place_ms:.0} ms, whole merge {whole_ms:.0} ms | browser: \
             first tiles {:.0} ms, full frame {:.0} ms, export {:.0} ms, {} workers, peak worker memory \
             {:.0} MB, page memory {:.0} MB",
            b.first_tile_ms,
            b.frame_ms,
            b.export_ms,
            b.workers,
            b.worker_peak_bytes / 1e6,
            b.page_bytes / 1e6,
        );
        native_place.push(place_ms);
        native_whole.push(whole_ms);
        browsers.push(b);
    }
    let (place, whole) = (median(native_place), median(native_whole));
    let of = |pick: fn(&BrowserRun) -> f64| median(browsers.iter().map(pick).collect());
    let frame = of(|b| b.frame_ms);
    let export = of(|b| b.export_ms);
    println!("medians of {runs} runs:");
    println!("  native `tilemerge merge`: decode and place {place:.0} ms; whole merge (all passes, writing the EXR) {whole:.0} ms");
    println!("  browser, first tiles on screen:       {:.0} ms", of(|b| b.first_tile_ms));
    println!(
        "  browser, full frame on screen:        {frame:.0} ms = {:.2}x native decode-and-place, {:.2}x whole native merge",
        frame / place,
        frame / whole
    );
    println!(
        "    where it went: last tile answered at {:.0} ms; page reading files {:.0} ms; workers decoding and \
         placing {:.0} ms (summed over {} workers); workers drawing the view {:.0} ms; page drawing {:.0} ms",
        of(|b| b.placed_ms),
        of(|b| b.read_ms),
        of(|b| b.worker_tile_ms),
        of(|b| b.workers),
        of(|b| b.worker_render_ms),
        of(|b| b.draw_ms),
    );
    println!(
        "  browser, Export EXR to download ready: {export:.0} ms = {:.2}x whole native merge",
        export / whole
    );
    println!(
        "  peak WebAssembly memory: workers {:.0} MB in all, page {:.0} MB",
        of(|b| b.worker_peak_bytes) / 1e6,
        of(|b| b.page_bytes) / 1e6
    );
}
