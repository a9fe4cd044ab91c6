//! The levels benchmark's run (examples/bench_preview_big.rs on a 16K set; the end-to-end smoke on
//! a small one): a tile set picked in the preview, held as levels; the fitted view, then 1:1 views
//! of the top-left and bottom-right corners and the centre by the wheel, each probed against its
//! source tile.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, WheelAction, WheelActions};
use serde_json::{json, Value};
use tilemerge::pyramid::TileImage;
use tilemerge::{decode, DecodeOptions, LayoutReport, TileId, DEFAULT_OVERSCAN};

use super::Browser;

/// Resolves with the merge's figures once the full frame is on screen.
const FULL_FRAME: &str = r#"
const done = arguments[arguments.length - 1];
const poll = () => {
  const el = document.querySelector('[data-frame-ms]');
  if (!el) { setTimeout(poll, 50); return; }
  const c = document.querySelector('canvas.preview-canvas');
  done({ frame_ms: Number(el.dataset.frameMs), worker_peak_bytes: Number(el.dataset.workerPeakBytes),
         page_bytes: Number(el.dataset.pageWasmBytes), workers: Number(el.dataset.workers),
         width: c.width, height: c.height });
};
poll();
"#;

/// Resolves once the detail canvas shows level 0 over image pixel `x`, `y` with every worker's
/// pixels.
const DETAIL: &str = r#"
const [x, y, done] = arguments;
const poll = () => {
  const c = document.querySelector('canvas.preview-detail');
  const at = (v) => parseFloat(v || 'NaN');
  const ready = c && !c.hidden && c.dataset.detailLevel === '0' && c.dataset.detailMs
    && at(c.style.left) <= x && x < at(c.style.left) + at(c.style.width)
    && at(c.style.top) <= y && y < at(c.style.top) + at(c.style.height);
  if (!ready) { setTimeout(poll, 20); return; }
  done({ ms: Number(c.dataset.detailMs), peak: Number(c.dataset.workerPeakBytes),
         width: c.width, height: c.height });
};
poll();
"#;

/// The screen point of image pixel `x`, `y` (its centre), from the canvas' place on screen.
const POINT: &str = r#"
const [x, y, w, h] = arguments;
const r = document.querySelector('canvas.preview-canvas').getBoundingClientRect();
const v = document.querySelector('[aria-label="Image view"]').getBoundingClientRect();
const px = r.left + (x + 0.5) * r.width / w, py = r.top + (y + 0.5) * r.height / h;
return [Math.round(Math.min(Math.max(px, v.left + 1), v.right - 2)),
        Math.round(Math.min(Math.max(py, v.top + 1), v.bottom - 2))];
"#;

/// Fills the probe's fields and resolves with its terms and values once it reads `x`, `y`.
const PROBE: &str = r#"
const [x, y, done] = arguments;
const poll = () => {
  const panel = [...document.querySelectorAll('details')].find(d => d.querySelector('summary h3')?.textContent.trim() === 'Pixel probe');
  const list = panel && [...panel.querySelectorAll('dl')].find(dl => {
    const dds = [...dl.querySelectorAll('dd')].map(d => d.textContent.trim());
    return dds[0] === `${x}, ${y}` && dds[1] && dds[1] !== 'none placed here';
  });
  if (!list) { setTimeout(poll, 50); return; }
  const terms = [...list.querySelectorAll('dt')].map(d => d.textContent.trim());
  const values = [...list.querySelectorAll('dd')].map(d => d.textContent.trim());
  done(terms.map((t, i) => [t, values[i]]));
};
poll();
"#;

/// Turns the wheel over image pixel `x`, `y` until image pixels are at least screen pixels
/// (a zoom read-out of 100 % or more), keeping the pixel under the pointer.
pub async fn zoom_to_pixel(browser: &Browser, x: u32, y: u32, w: u32, h: u32) {
    for _ in 0..40 {
        let at = browser
            .client
            .execute(POINT, vec![json!(x), json!(y), json!(w), json!(h)])
            .await
            .expect("a point");
        let (px, py) = (at[0].as_i64().expect("x"), at[1].as_i64().expect("y"));
        let wheel = WheelActions::new("wheel".into()).then(WheelAction::Scroll {
            duration: None,
            x: px,
            y: py,
            delta_x: 0,
            delta_y: -400,
        });
        browser.client.perform_actions(wheel).await.expect("the wheel turns");
        let zoom = browser
            .client
            .execute("return document.querySelector('[aria-label=\"Zoom\"]').textContent", vec![])
            .await
            .expect("the zoom");
        let percent: f64 = zoom.as_str().unwrap_or("").trim_end_matches('%').trim().parse().unwrap_or(0.0);
        if percent >= 100.0 {
            return;
        }
    }
    panic!("the wheel did not zoom to 100 %");
}

/// The probe's reading at `x`, `y` against the source tile's full-size values; panics on a difference.
pub async fn check_probe(browser: &Browser, tiles: &Path, x: u32, y: u32) {
    browser.fill("Probe x", &x.to_string()).await;
    browser.fill("Probe y", &y.to_string()).await;
    let shown = browser.client.execute_async(PROBE, vec![json!(x), json!(y)]).await.expect("the probe");
    let shown: Vec<(String, String)> = serde_json::from_value(shown).expect("terms and values");
    let tile_name = &shown.iter().find(|(t, _)| t == "Tile").expect("a tile").1;
    let tile = TileId::from_file_name(&format!("{tile_name}.exr")).expect("a tile name");
    let names: Vec<String> = std::fs::read_dir(tiles)
        .expect("the tiles")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let grid =
        LayoutReport::infer(names.iter().map(String::as_str), DEFAULT_OVERSCAN).expect("a layout").grid;
    let bytes = std::fs::read(tiles.join(tile.file_name())).expect("the tile file");
    let decoded = decode(&bytes, &DecodeOptions::default()).expect("the tile decodes");
    let source = TileImage::placed(&grid, tile, &decoded, "ViewLayer.Combined").expect("placed");
    let want = source.values_at(x, y).expect("the pixel is in its tile");
    for (component, value) in want {
        let text = &shown
            .iter()
            .find(|(t, _)| *t == component)
            .unwrap_or_else(|| panic!("no {component}: {shown:?}"))
            .1;
        let read: f32 = text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(
            read.to_bits(),
            value.to_bits(),
            "{component} at {x}, {y}: {read} shown, {value} in {tile_name}"
        );
    }
}

/// One 1:1 view.
#[derive(Debug)]
pub struct CornerRun {
    /// "top-left", "bottom-right" or "centre", and its pixel.
    pub name: &'static str,
    pub pixel: (u32, u32),
    /// From the first wheel turn to the detail on screen, in seconds.
    pub seconds: f64,
    /// The detail's own time (asked to the last worker's pixels), and its size in pixels.
    pub detail_ms: f64,
    pub detail: (u32, u32),
    /// The workers' peak WebAssembly memory so far, summed, in bytes.
    pub peak_bytes: f64,
}

/// What a run measured.
#[derive(Debug)]
pub struct LevelsRun {
    /// The page's note on the levels, as shown.
    pub note: String,
    pub workers: f64,
    /// The image and the held view's size.
    pub image: (u32, u32),
    pub held: (u32, u32),
    /// From picking the files to the fitted view on screen.
    pub fitted_ms: f64,
    pub corners: Vec<CornerRun>,
    /// The page's WebAssembly memory at the fitted view.
    pub page_bytes: f64,
    /// From Export EXR to the file's link, in seconds, and the workers' peak WebAssembly memory
    /// then (summed, bytes).
    pub export_seconds: f64,
    pub export_peak_bytes: f64,
    /// Where the browser saves the exported file (`merged.exr`, once its download is complete).
    pub downloads: std::path::PathBuf,
    /// From Check seams to the verdict, in seconds, and the verdict.
    pub seams_seconds: f64,
    pub seams_verdict: String,
}

/// Clicks Check seams and resolves with the verdict once it is shown (or the failure's text).
const SEAMS: &str = r#"
const done = arguments[arguments.length - 1];
const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Check seams');
if (!button || button.disabled) { done('Check seams is not available'); return; }
button.click();
const poll = () => {
  const failed = [...document.querySelectorAll('[role=alert]')].find(a => a.textContent.includes('Seam check failed'));
  if (failed) { done(failed.textContent); return; }
  const verdict = document.querySelector('p.seam-verdict');
  if (verdict && !verdict.textContent.startsWith('Checking')) { done(verdict.textContent.trim()); return; }
  setTimeout(poll, 50);
};
poll();
"#;

/// Waits until `folder/name` is completely saved (not read: it may be gigabytes).
pub async fn wait_for_download(folder: &Path, name: &str) -> std::path::PathBuf {
    let (file, partial) = (folder.join(name), folder.join(format!("{name}.crdownload")));
    let deadline = Instant::now() + Duration::from_secs(1800);
    while !file.exists() || partial.exists() {
        assert!(Instant::now() < deadline, "{name} was not downloaded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    file
}

/// Clicks Export EXR and resolves with the workers' peak memory once the file's link is there
/// (or the failure's text).
const EXPORT: &str = r#"
const done = arguments[arguments.length - 1];
const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Export EXR');
if (!button || button.disabled) { done('Export EXR is not available'); return; }
button.click();
const poll = () => {
  const failed = [...document.querySelectorAll('[role=alert]')].find(a => a.textContent.includes('Export failed'));
  if (failed) { done(failed.textContent); return; }
  if (document.querySelector('a[data-export-url]')) {
    done(Number(document.querySelector('canvas.preview-detail').dataset.workerPeakBytes));
    return;
  }
  setTimeout(poll, 50);
};
poll();
"#;

/// Opens the preview of `site`, picks the `.exr` files of `tiles` (choosing "Preview in levels"
/// first when `prefer_levels`), waits for the fitted view, then views each corner and the centre
/// at 1:1 and checks the probe there against the source tile (panicking on a difference).
pub async fn run(browser: &Browser, site: &str, tiles: &Path, prefer_levels: bool) -> LevelsRun {
    // chromedriver takes absolute paths only.
    let tiles = &tiles.canonicalize().unwrap_or_else(|e| panic!("no tiles at {}: {e}", tiles.display()));
    let mut paths: Vec<String> = std::fs::read_dir(tiles)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", tiles.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "exr"))
        .map(|p| p.display().to_string())
        .collect();
    paths.sort();
    let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(1800)), None, None);
    browser.client.update_timeouts(timeouts).await.expect("script timeout");
    browser.open(&format!("{site}/preview")).await;
    browser.heading("Merge preview").await;
    if prefer_levels {
        browser.field("Preview in levels").await.click().await.expect("the choice is made");
    }
    browser.field("Tile files").await.send_keys(&paths.join("\n")).await.expect("the files can be picked");
    let frame = browser.client.execute_async(FULL_FRAME, vec![]).await.expect("the page answers");
    let figure = |v: &Value, key: &str| v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let note = browser.text("Previewed in levels").await.text().await.expect("the note");
    let held = (figure(&frame, "width") as u32, figure(&frame, "height") as u32);
    let image = note
        .split("whole ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|size| size.split_once('x'))
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
        .expect("the image size in the note");
    let mut corners = Vec::new();
    let corners_and_centre = [
        ("top-left", 0, 0),
        ("bottom-right", image.0 - 1, image.1 - 1),
        ("centre", image.0 / 2, image.1 / 2),
    ];
    for (name, x, y) in corners_and_centre {
        // Fitted first (the `0` key), then the wheel over the corner.
        let view = browser.wait_xpath("//*[@role='group'][@aria-label='Image view']", "the image view").await;
        view.send_keys("0").await.expect("the view is fitted");
        let started = Instant::now();
        zoom_to_pixel(browser, x * held.0 / image.0, y * held.1 / image.1, held.0, held.1).await;
        let detail =
            browser.client.execute_async(DETAIL, vec![json!(x), json!(y)]).await.expect("the detail");
        let seconds = started.elapsed().as_secs_f64();
        check_probe(browser, tiles, x, y).await;
        corners.push(CornerRun {
            name,
            pixel: (x, y),
            seconds,
            detail_ms: figure(&detail, "ms"),
            detail: (figure(&detail, "width") as u32, figure(&detail, "height") as u32),
            peak_bytes: figure(&detail, "peak"),
        });
    }
    browser.unfold("Export").await;
    let downloads = browser.allow_downloads().await;
    let started = Instant::now();
    let exported = browser.client.execute_async(EXPORT, vec![]).await.expect("the page answers");
    let export_seconds = started.elapsed().as_secs_f64();
    let export_peak_bytes = exported.as_f64().unwrap_or_else(|| panic!("the export failed: {exported}"));
    browser.unfold("Seam check").await;
    let started = Instant::now();
    let verdict = browser.client.execute_async(SEAMS, vec![]).await.expect("the page answers");
    let seams_seconds = started.elapsed().as_secs_f64();
    let seams_verdict = verdict.as_str().unwrap_or_default().to_string();
    assert!(
        seams_verdict.starts_with("Clean") || seams_verdict.starts_with("Seams up to"),
        "{seams_verdict}"
    );
    LevelsRun {
        seams_seconds,
        seams_verdict,
        downloads,
        export_seconds,
        export_peak_bytes,
        note,
        workers: figure(&frame, "workers"),
        image,
        held,
        fitted_ms: figure(&frame, "frame_ms"),
        corners,
        page_bytes: figure(&frame, "page_bytes"),
    }
}
