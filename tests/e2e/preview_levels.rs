//! A frame previewed in levels: the view holds it reduced, a 1:1 view of its corner is drawn at
//! full size exactly as the whole-frame preview draws it, the probe reads full-size values, and
//! what levels do not do says so. A 2304x384 strip (two levels: 1152x192 held) stands for the
//! frames too large to hold; `scripts/bench-preview-big` runs the same on a 16K frame.

use std::path::Path;

use serde_json::{json, Value};
use tilemerge::synth::Frame;
use tilemerge::view::{render_rgba8, Channel, Mapping};
use tilemerge::{
    export_exr_from_files, Canvas, CanvasOptions, Compression, ExrLayout, ExrOptions, Grid, Size, TileId,
};

use crate::preview::{
    b42_combined_seams, fetch_bytes, fixture_named, probe, tile_files, tiles_in_state, verdict,
};
use crate::support::{levels_bench, Browser, Simfarm, StaticSite};

const SIZE: Size = Size { width: 2304, height: 384 };

/// Writes the strip's 18 tiles (256 px, 16 px of overscan) as Blender names them; returns the
/// frame and the whole-frame drawing of its Combined pass.
fn write_tiles(dir: &Path) -> (Frame, Vec<u8>, Vec<u8>) {
    let grid = Grid::new(SIZE, Size { width: 256, height: 256 }, 16).expect("a grid");
    let frame = Frame::blender_like(SIZE, 11);
    let mut canvas = Canvas::new(grid, CanvasOptions::default());
    let files = frame.tile_files(&grid, &ExrOptions::DEFAULT).expect("tiles");
    for (tile, bytes) in &files {
        std::fs::write(dir.join(tile.file_name()), bytes).expect("a tile written");
        canvas.add(*tile, bytes).expect("placed");
    }
    // What the page exports by default: multi-part, ZIP.
    let borrowed: Vec<(TileId, &[u8])> = files.iter().map(|(t, b)| (*t, b.as_slice())).collect();
    let exr =
        ExrOptions { layout: ExrLayout::MultiPart, compression: Compression::Zip, ..ExrOptions::DEFAULT };
    let whole_export = export_exr_from_files(&grid, &borrowed, &exr).expect("the whole-frame export");
    let drawing = render_rgba8(&canvas, "ViewLayer.Combined", Channel::Rgb, Mapping::Srgb { exposure: 0.0 })
        .expect("drawn");
    (frame, drawing, whole_export)
}

/// `canvas.<class>`'s width and height, its `data-*` and its pixels at `points` (canvas pixels).
async fn canvas_state(browser: &Browser, class: &str, points: &[(u32, u32)]) -> Value {
    let script = "const [cls, points] = arguments;
        const c = document.querySelector('canvas.' + cls);
        const ctx = c.getContext('2d');
        return { width: c.width, height: c.height, left: c.style.left, top: c.style.top,
                 level: c.dataset.detailLevel ?? null, ms: c.dataset.detailMs ?? null, hidden: c.hidden,
                 pixels: points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data)) };";
    let points: Vec<Value> = points.iter().map(|(x, y)| json!([x, y])).collect();
    browser.client.execute(script, vec![json!(class), Value::Array(points)]).await.expect("the script runs")
}

/// Waits until the detail canvas shows `level`, drawn by every worker.
async fn wait_detail(browser: &Browser, level: u8) -> Value {
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    loop {
        let state = canvas_state(browser, "preview-detail", &[]).await;
        if state["level"] == json!(level.to_string())
            && state["ms"].is_string()
            && state["hidden"] == json!(false)
        {
            return state;
        }
        assert!(tokio::time::Instant::now() < deadline, "no detail at level {level}: {state}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The zoom read-out as a number of percent.
async fn zoom_percent(browser: &Browser) -> f64 {
    let zoom = "return document.querySelector('[role=status][aria-label=\"Zoom\"]').textContent";
    let text = browser.client.execute(zoom, vec![]).await.expect("the zoom");
    let text = text.as_str().unwrap_or_default().trim().trim_end_matches('%').trim().to_string();
    text.parse().unwrap_or_else(|e| panic!("{text:?} is no zoom: {e}"))
}

fn px(value: &Value) -> u32 {
    value
        .as_str()
        .and_then(|s| s.trim_end_matches("px").parse().ok())
        .unwrap_or_else(|| panic!("{value} is no px"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_frame_in_levels_shows_its_corner_at_full_size_and_probes_full_values() {
    use fantoccini::actions::{InputSource, WheelAction, WheelActions};

    let dir = tempfile::tempdir().expect("a temporary folder");
    let (frame, drawing, whole_export) = write_tiles(dir.path());
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/preview", farm.url)).await;
    browser.heading("Merge preview").await;
    browser.field("Preview in levels").await.click().await.expect("the choice is made");
    let mut paths: Vec<String> = std::fs::read_dir(dir.path())
        .expect("the tiles")
        .map(|e| e.expect("an entry").path().display().to_string())
        .collect();
    paths.sort();
    browser.field("Tile files").await.send_keys(&paths.join("\n")).await.expect("the files can be picked");
    browser.wait_xpath(&tiles_in_state("placed", 18), "18 tiles placed").await;
    browser.text("Previewed in levels: the whole 2304x384 frame is held at 1152x192").await;

    // The fitted view is the held level, drawn everywhere.
    let corners = [(0, 0), (1151, 191), (600, 100)];
    let view = canvas_state(&browser, "preview-canvas", &corners).await;
    assert_eq!((view["width"].clone(), view["height"].clone()), (json!(1152), json!(192)), "{view}");
    for pixel in view["pixels"].as_array().expect("pixels") {
        assert_eq!(pixel[3], json!(255), "drawn: {view}");
    }

    // The wheel over the image's top-left corner zooms in on it until image pixels are screen pixels.
    let image = "const r = document.querySelector('canvas.preview-canvas').getBoundingClientRect();
        return [Math.ceil(r.left) + 1, Math.ceil(r.top) + 1];";
    let at = browser.client.execute(image, vec![]).await.expect("the corner");
    let (x, y) = (at[0].as_i64().expect("x"), at[1].as_i64().expect("y"));
    // Turned a notch at a time until image pixels are at least screen pixels (100 % or more).
    for _ in 0..40 {
        let wheel = WheelActions::new("wheel".into()).then(WheelAction::Scroll {
            duration: None,
            x,
            y,
            delta_x: 0,
            delta_y: -120,
        });
        browser.client.perform_actions(wheel).await.expect("the wheel turns");
        if zoom_percent(&browser).await >= 100.0 {
            break;
        }
    }
    let zoom = zoom_percent(&browser).await;
    assert!((100.0..400.0).contains(&zoom), "zoomed to {zoom} %");
    let detail = wait_detail(&browser, 0).await;
    let (left, top) = (px(&detail["left"]), px(&detail["top"]));
    assert_eq!((left, top), (0, 0), "the detail starts at the corner: {detail}");
    // Full size, pixel for pixel the whole-frame preview's drawing.
    let points: Vec<(u32, u32)> = vec![(0, 0), (1, 0), (17, 5), (255, 255), (256, 256), (300, 40), (40, 300)];
    let shown = canvas_state(&browser, "preview-detail", &points).await;
    for ((x, y), pixel) in points.iter().zip(shown["pixels"].as_array().expect("pixels")) {
        let i = ((y * SIZE.width + x) * 4) as usize;
        let want: Vec<u8> = drawing[i..i + 4].to_vec();
        assert_eq!(pixel, &json!(want), "pixel {x}, {y}");
    }

    // The probe reads the tile's full-size values, not the held level's means.
    let combined =
        &frame.passes.iter().find(|(info, _)| info.full_name() == "ViewLayer.Combined").expect("Combined");
    for (x, y) in [(0u32, 0u32), (2303, 383), (1001, 257)] {
        let shown = probe(&browser, x, y).await;
        let i = (y * SIZE.width + x) as usize;
        for (channel, samples) in combined.0.channels.iter().zip(&combined.1) {
            let text = shown.iter().find(|(t, _)| *t == channel.component).map(|(_, v)| v.clone());
            let value: f32 =
                text.as_deref().and_then(|t| t.parse().ok()).unwrap_or_else(|| panic!("{shown:?}"));
            assert_eq!(
                value.to_bits(),
                samples.get_f32(i).expect("a sample").to_bits(),
                "{} at {x}, {y}",
                channel.component
            );
        }
    }

    // The export is written a band at a time into the browser's storage and downloaded from
    // there: the whole-frame export's bytes.
    browser.unfold("Export").await;
    browser.button("Export EXR").await.click().await.expect("the export is asked for");
    let link = browser.wait_xpath("//a[@data-export-url]", "the exported file").await;
    let url = link.attr("data-export-url").await.expect("an attribute").expect("the file's URL");
    let exported = fetch_bytes(&browser, &url).await;
    assert!(
        exported == whole_export,
        "the streamed export is the whole-frame export ({} bytes)",
        exported.len()
    );
    // The tiles are crops of one frame: the seam check, a band at a time, finds none.
    browser.unfold("Seam check").await;
    browser.button("Check seams").await.click().await.expect("the check is asked for");
    browser.wait_xpath(&verdict("Clean: no seams on ViewLayer.Combined"), "the strip clean").await;
    browser.close().await;
}

/// The smoke of `scripts/bench-preview-big`: its run, on the strip instead of a 16K frame.
#[tokio::test(flavor = "multi_thread")]
async fn the_levels_benchmark_views_both_corners_at_full_size_with_exact_probes() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let tiles = dir.path().join("tiles");
    std::fs::create_dir(&tiles).expect("a tiles folder");
    write_tiles(&tiles);
    let site = StaticSite::start().await;
    let browser = Browser::start().await;
    let run = levels_bench::run(&browser, &site.url, &tiles, true).await;
    browser.close().await;
    assert_eq!((run.image, run.held), ((2304, 384), (1152, 192)), "{run:?}");
    assert!(run.fitted_ms.is_finite() && run.fitted_ms > 0.0, "{run:?}");
    let names: Vec<_> = run.corners.iter().map(|c| (c.name, c.pixel)).collect();
    assert_eq!(names, [("top-left", (0, 0)), ("bottom-right", (2303, 383)), ("centre", (1152, 192))]);
    assert!(run.export_seconds > 0.0 && run.export_peak_bytes < 1e9, "{run:?}");
    assert_eq!(run.seams_verdict, "Clean: no seams on ViewLayer.Combined", "{run:?}");
    for corner in &run.corners {
        assert!(corner.detail.0 > 0 && corner.detail.1 > 0 && corner.detail_ms.is_finite(), "{corner:?}");
        assert!(corner.peak_bytes > 0.0 && corner.peak_bytes < 1e9, "{corner:?}");
    }
}

/// Blender's denoised tiles in levels: the seam check, made a band at a time in the first worker,
/// finds the seams the whole-frame check finds (`preview.rs`), listed without a map.
#[tokio::test(flavor = "multi_thread")]
async fn in_levels_the_seam_check_finds_the_denoised_seams_a_band_at_a_time() {
    let fixture = fixture_named("b42-singlepart-256x160-t100x70");
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/preview", farm.url)).await;
    browser.heading("Merge preview").await;
    browser.field("Preview in levels").await.click().await.expect("the choice is made");
    let paths: Vec<String> =
        tile_files(&fixture.join("tiles")).iter().map(|p| p.display().to_string()).collect();
    browser.field("Tile files").await.send_keys(&paths.join("\n")).await.expect("the files can be picked");
    browser.wait_xpath(&tiles_in_state("placed", 9), "9 tiles placed").await;
    browser.text("Previewed in levels").await;
    let check = "//button[normalize-space()='Check seams'][not(@disabled)]";
    browser.wait_xpath(check, "Check seams enabled").await.click().await.expect("seams can be checked");
    // The same verdict and table as the whole-frame check's.
    b42_combined_seams(&browser).await;
    browser.close().await;
}
