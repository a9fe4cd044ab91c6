//! Benchmark: the merge preview of the 135-tile 3840x2160 set that tilemerge's benchmark makes
//! (`tilemerge gen-bench`), in headless Chromium, beside the native `tilemerge merge` of the same
//! tiles measured in the same run. Prints, per run and as medians:
//! - the time from picking the files to the full frame on screen (the page's own clock, from the
//!   file input's change to the last worker's pixels drawn),
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
fn native_merge(tilemerge: &Path, tiles: &Path, output: &Path) -> f64 {
    let started = Instant::now();
    let status = std::process::Command::new(tilemerge)
        .arg("merge")
        .arg(tiles)
        .arg("--output")
        .arg(output)
        .arg("--quiet")
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tilemerge.display()));
    assert!(status.success(), "tilemerge merge failed: {status}");
    started.elapsed().as_secs_f64() * 1000.0
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
    let (mut native, mut frames, mut exports, mut peaks, mut pages) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Alternate the two so that a busy moment of the machine does not favour one.
    for run in 1..=runs {
        let native_ms = native_merge(&tilemerge, &tiles, &scratch.path().join("merged.exr"));
        let browser = browser_run(&site, &paths).await;
        println!(
            "run {run}: native merge {native_ms:.0} ms | browser: full frame {:.0} ms, export {:.0} ms, \
             {} workers, peak worker memory {:.0} MB, page memory {:.0} MB",
            browser.frame_ms,
            browser.export_ms,
            browser.workers,
            browser.worker_peak_bytes / 1e6,
            browser.page_bytes / 1e6,
        );
        native.push(native_ms);
        frames.push(browser.frame_ms);
        exports.push(browser.export_ms);
        peaks.push(browser.worker_peak_bytes);
        pages.push(browser.page_bytes);
    }
    let native = median(native);
    let (frame, export) = (median(frames), median(exports));
    println!("medians of {runs} runs:");
    println!("  native `tilemerge merge` (decode all passes + write EXR): {native:.0} ms");
    println!(
        "  browser, picked files to full frame on screen: {frame:.0} ms = {:.2}x native",
        frame / native
    );
    println!(
        "  browser, Export EXR to download ready:         {export:.0} ms = {:.2}x native",
        export / native
    );
    println!(
        "  peak WebAssembly memory: workers {:.0} MB in all, page {:.0} MB",
        median(peaks) / 1e6,
        median(pages) / 1e6
    );
}
