//! Benchmark: a frame too large to hold, previewed in levels in headless Chromium. Picks every
//! tile of a `tilemerge gen-bench` set (16384x16384 in 1024-pixel tiles by default) and prints:
//! - the time from picking the files to the fitted full view on screen,
//! - the time to a 1:1 view of the top-left corner (the wheel turned over it from the fitted view,
//!   to the last worker's full-size pixels on screen), of the bottom-right corner and of the centre,
//! - the workers' peak WebAssembly memory (summed) and the page's,
//! - the time to export the merged EXR (streamed into the browser's storage, to the download link),
//!   and whether the downloaded file equals the native `tilemerge merge --deflate miniz` byte for byte,
//! - and checks that the probe at each of them reads the source tiles' values bit for bit (the run
//!   fails when not).
//!
//! Run with `scripts/bench-preview-big` (it builds everything and makes the tile set first).
//! Arguments: `<tile set folder> <tilemerge binary>`. The end-to-end smoke runs the same on a small set.

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::path::PathBuf;

use support::{levels_bench, Browser, StaticSite};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).map(PathBuf::from);
    let (Some(set), Some(tilemerge)) = (args.next(), args.next()) else {
        eprintln!("usage: bench_preview_big <tile set folder> <tilemerge binary>");
        std::process::exit(2);
    };
    let tiles = set.join("tiles");
    let bytes: u64 = std::fs::read_dir(&tiles)
        .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0);
    let site = StaticSite::start().await;
    let browser = Browser::start().await;
    let run = levels_bench::run(&browser, &site.url, &tiles, false).await;
    let downloaded = levels_bench::wait_for_download(&run.downloads, "merged.exr").await;
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
    println!(
        "  Export EXR (streamed into the browser's storage) to the file's link: {:.1} s; workers' peak WebAssembly memory then {:.0} MB",
        run.export_seconds,
        run.export_peak_bytes / 1e6
    );
    println!(
        "  Check seams (a band at a time) to its verdict: {:.1} s: {}",
        run.seams_seconds, run.seams_verdict
    );
    // The native merge with the deflate the browser uses writes the same bytes.
    let native = set.join("native-miniz.exr");
    let merged = std::process::Command::new(&tilemerge)
        .args(["merge", "--quiet", "--deflate", "miniz", "--output"])
        .arg(&native)
        .arg(&tiles)
        .status()
        .expect("tilemerge runs");
    assert!(merged.success(), "tilemerge merge failed");
    let same = same_bytes(&downloaded, &native);
    println!(
        "  the exported file ({:.2} GB) equals `tilemerge merge --deflate miniz`'s byte for byte: {same}",
        std::fs::metadata(&downloaded).map_or(0, |m| m.len()) as f64 / 1e9
    );
    // The downloads go with the browser's profile.
    browser.close().await;
    let _ = std::fs::remove_file(&native);
    assert!(same, "the browser's export differs from the native merge");
}

/// Whether two files hold the same bytes, read a megabyte at a time.
fn same_bytes(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::io::Read;
    let open = |p: &std::path::Path| {
        std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(p).expect("a file"))
    };
    let (mut a, mut b) = (open(a), open(b));
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = a.read(&mut x).expect("read");
        if n == 0 {
            return b.read(&mut y).expect("read") == 0;
        }
        if b.read_exact(&mut y[..n]).is_err() || x[..n] != y[..n] {
            return false;
        }
    }
}
