//! Benchmark: a frame too large to hold, previewed in levels in headless Chromium. Picks every
//! tile of a `tilemerge gen-bench` set (16384x16384 in 1024-pixel tiles by default) and prints:
//! - the time from picking the files to the fitted full view on screen,
//! - the time to a 1:1 view of the top-left corner (the wheel turned over it from the fitted view,
//!   to the last worker's full-size pixels on screen), of the bottom-right corner and of the centre,
//! - the workers' peak WebAssembly memory (summed) and the page's,
//! - and checks that the probe at each of them reads the source tiles' values bit for bit (the run
//!   fails when not).
//!
//! Run with `scripts/bench-preview-big` (it builds everything and makes the tile set first).
//! Arguments: `<tile set folder>`. The end-to-end smoke runs the same on a small set.

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::path::PathBuf;

use support::{levels_bench, Browser, StaticSite};

#[tokio::main]
async fn main() {
    let Some(set) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: bench_preview_big <tile set folder>");
        std::process::exit(2);
    };
    let tiles = set.join("tiles");
    let bytes: u64 = std::fs::read_dir(&tiles)
        .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0);
    let site = StaticSite::start().await;
    let browser = Browser::start().await;
    let run = levels_bench::run(&browser, &site.url, &tiles, false).await;
    browser.close().await;
    println!("tile set: {} ({:.2} GB)", set.display(), bytes as f64 / 1e9);
    println!("  {}", run.note);
    println!(
        "  fitted full view: {:.1} s ({} workers, held view {}x{})",
        run.fitted_ms / 1000.0,
        run.workers,
        run.held.0,
        run.held.1
    );
    for corner in &run.corners {
        println!(
            "  1:1 view at the {}: {:.1} s from the first wheel turn ({:.0} ms for the detail of {}x{} pixels); \
             probe at {}, {} equals the source tile's values bit for bit; workers' peak WebAssembly memory so far {:.0} MB",
            corner.name,
            corner.seconds,
            corner.detail_ms,
            corner.detail.0,
            corner.detail.1,
            corner.pixel.0,
            corner.pixel.1,
            corner.peak_bytes / 1e6
        );
    }
    println!("  page WebAssembly memory at the fitted view: {:.0} MB", run.page_bytes / 1e6);
}
