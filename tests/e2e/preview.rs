//! The merge preview: tile files picked in the page, merged in Web Workers, exported bit for bit;
//! a damaged tile is shown as failed while the others are merged.

use std::path::{Path, PathBuf};

use fantoccini::Locator;
use tilemerge::{decode, read_info, Compression, DecodeOptions, DecodedPass, DecodedTile, ExrLayout};

use crate::support::{workspace_root, Browser, Simfarm};

/// The fixture folder, canonical: chromedriver refuses file paths with `..` in them.
fn fixture() -> PathBuf {
    fixture_named("b5-multipart-320x180-t64")
}

/// A fixture folder by name, canonical.
pub fn fixture_named(name: &str) -> PathBuf {
    let dir = workspace_root().join("../shared/fixtures").join(name);
    dir.canonicalize().unwrap_or_else(|error| panic!("no fixture at {}: {error}", dir.display()))
}

/// The `.exr` files of a folder, sorted.
pub fn tile_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "exr"))
        .collect();
    files.sort();
    files
}

/// Opens the preview and picks `files` in its file input (chromedriver takes several paths, one a line).
pub async fn open_with(browser: &Browser, farm: &Simfarm, files: &[PathBuf]) {
    browser.open(&format!("{}/preview", farm.url)).await;
    browser.heading("Merge preview").await;
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let input = browser.field("Tile files").await;
    input.send_keys(&paths.join("\n")).await.expect("the files can be picked");
}

/// XPath of the tile list once `count` tiles are in `state`.
pub fn tiles_in_state(state: &str, count: usize) -> String {
    format!("//table[contains(@class,'tile-list')][count(.//tr[@data-state='{state}'])={count}]")
}

/// The bytes behind a `blob:` URL of the page.
pub async fn fetch_bytes(browser: &Browser, url: &str) -> Vec<u8> {
    let script = "const [url, done] = arguments;
        fetch(url).then(r => r.arrayBuffer()).then(b => done(Array.from(new Uint8Array(b))))
            .catch(e => done(String(e)));";
    let value = browser
        .client
        .execute_async(script, vec![serde_json::Value::String(url.to_owned())])
        .await
        .expect("the script runs");
    let serde_json::Value::Array(bytes) = value else { panic!("cannot fetch the export: {value}") };
    bytes.iter().map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()).expect("a byte")).collect()
}

/// How many pixels of the merged image's canvas are drawn (not transparent), waiting a while
/// for `want` (each worker draws its own tiles when it answers).
async fn opaque_pixels(browser: &Browser, want: u64) -> u64 {
    drawn_pixels(browser, "canvas[aria-label='Merged image']", want).await
}

/// How many pixels of the canvas `selector` finds are drawn (not transparent), waiting a while
/// for `want`.
async fn drawn_pixels(browser: &Browser, selector: &str, want: u64) -> u64 {
    let script = "const [want, selector, done] = arguments;
        const count = () => {
            const c = document.querySelector(selector);
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
            return n;
        };
        const started = Date.now();
        const poll = () => (count() >= want || Date.now() - started > 10000) ? done(count()) : setTimeout(poll, 50);
        poll();";
    let value = browser
        .client
        .execute_async(script, vec![want.into(), selector.into()])
        .await
        .expect("the script runs");
    value.as_u64().unwrap_or_else(|| panic!("no pixel count: {value}"))
}

/// The passes sorted by full name.
fn by_name(tile: &DecodedTile) -> Vec<&DecodedPass> {
    let mut passes: Vec<&DecodedPass> = tile.passes.iter().collect();
    passes.sort_by_key(|p| p.info.full_name());
    passes
}

/// Asserts every channel of every pass holds the same bits (passes matched by name: a single-part
/// file keeps its channels sorted, so its passes come in another order).
pub fn assert_same_channels(actual: &DecodedTile, expected: &DecodedTile) {
    assert_eq!(actual.size, expected.size, "image size");
    let (actual, expected) = (by_name(actual), by_name(expected));
    let infos = |passes: &[&DecodedPass]| passes.iter().map(|p| p.info.clone()).collect::<Vec<_>>();
    assert_eq!(infos(&actual), infos(&expected), "passes and channels");
    for (a, e) in actual.iter().zip(&expected) {
        for ((channel, a), e) in a.info.channels.iter().zip(&a.channels).zip(&e.channels) {
            assert_eq!(a.len(), e.len(), "{} samples", channel.name);
            let differing = (0..a.len()).filter(|&i| a.get_bits(i) != e.get_bits(i)).count();
            assert_eq!(differing, 0, "{}: {differing} samples differ", channel.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tiles_of_a_multipart_job_export_its_full_image_bit_for_bit() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_with(&browser, &farm, &tile_files(&fixture().join("tiles"))).await;
    browser.wait_xpath(&tiles_in_state("placed", 15), "15 tiles placed").await;
    browser
        .wait_xpath("//*[@role='progressbar'][@aria-valuenow='15'][@aria-valuemax='15']", "the full bar")
        .await;
    assert_eq!(opaque_pixels(&browser, 320 * 180).await, 320 * 180, "the workers' pixels cover the canvas");

    // One click: the button saves the file; the link that then appears saves it again.
    let downloads = browser.allow_downloads().await;
    browser.button("Export EXR").await.click().await.expect("the merge can be exported");
    let saved = browser.downloaded(&downloads, "merged.exr").await;
    let link = browser
        .wait_xpath("//a[@data-export-url][normalize-space()='Download again']", "the link to save it again")
        .await;
    let url = link.attr("data-export-url").await.expect("the link").expect("a blob URL");
    let exported = fetch_bytes(&browser, &url).await;
    assert_eq!(saved, exported, "the saved file is the exported one");
    let exported = decode(&exported, &DecodeOptions::default()).expect("the export is an EXR");
    let full = std::fs::read(fixture().join("full.exr")).expect("full.exr");
    let full = decode(&full, &DecodeOptions::default()).expect("full.exr decodes");
    assert_same_channels(&exported, &full);

    // Blender 4's single-part layout holds the same channels.
    let layout = browser.field("EXR layout").await;
    layout.select_by_value("singlepart").await.expect("the layout can be chosen");
    browser.button("Export EXR").await.click().await.expect("the merge can be exported again");
    let link = browser
        .wait_xpath(&format!("//a[@data-export-url][@data-export-url!='{url}']"), "the single-part download")
        .await;
    let url = link.attr("data-export-url").await.expect("the link").expect("a blob URL");
    let single = fetch_bytes(&browser, &url).await;
    assert_eq!(read_info(&single).map(|info| info.layout), Ok(ExrLayout::SinglePart));
    let single = decode(&single, &DecodeOptions::default()).expect("the export is an EXR");
    assert_same_channels(&single, &full);

    // Another lossless compression, written pass by pass, holds the same image.
    layout.select_by_value("multipart").await.expect("the layout can be chosen");
    let compression = browser.field("EXR compression").await;
    compression.select_by_value("piz").await.expect("the compression can be chosen");
    browser.button("Export EXR").await.click().await.expect("the merge can be exported again");
    let link = browser
        .wait_xpath(&format!("//a[@data-export-url][@data-export-url!='{url}']"), "the PIZ download")
        .await;
    let url = link.attr("data-export-url").await.expect("the link").expect("a blob URL");
    let piz = fetch_bytes(&browser, &url).await;
    let info = read_info(&piz).expect("the export is an EXR");
    assert_eq!((info.layout, info.compression), (ExrLayout::MultiPart, Compression::Piz));
    let piz = decode(&piz, &DecodeOptions::default()).expect("the export decodes");
    assert_same_channels(&piz, &full);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_truncated_tile_and_a_wrong_sized_tile_are_shown_failed_and_the_others_are_merged() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let tiles = fixture().join("tiles");
    let damaged = "64-64-128-128.exr";
    // A corner tile's file under an inner tile's name: 80x68 pixels where 96x96 belong.
    let wrong_size = "128-64-192-128.exr";
    for tile in tile_files(&tiles) {
        let name = tile.file_name().expect("a file name");
        let mut bytes = std::fs::read(&tile).expect("a tile");
        if name == damaged {
            bytes.truncate(bytes.len() / 2);
        }
        if name == wrong_size {
            bytes = std::fs::read(tiles.join("0-128-64-180.exr")).expect("a corner tile");
        }
        std::fs::write(dir.path().join(name), bytes).expect("a copy");
    }
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_with(&browser, &farm, &tile_files(dir.path())).await;
    browser.wait_xpath(&tiles_in_state("placed", 13), "13 tiles placed").await;
    browser
        .wait_xpath(
            &format!("//tr[@data-tile='{damaged}'][@data-state='failed']/td[3][string-length(normalize-space()) > 0]"),
            "the damaged tile failed with its reason",
        )
        .await;
    browser
        .wait_xpath(
            &format!("//tr[@data-tile='{wrong_size}'][@data-state='failed']/td[3][contains(., '80x68')]"),
            "the wrong-sized tile failed with its size",
        )
        .await;
    // The tile grid over the image shows the failed tiles and why, as their tooltips say.
    browser
        .wait_xpath(
            &format!("{}[@data-tile='{wrong_size}'][@data-state='failed']/*[local-name()='title'][contains(., '80x68')]", overlay_tiles()),
            "the wrong-sized tile's reason over the image",
        )
        .await;
    browser
        .wait_xpath(
            &format!("{}[@data-tile='{damaged}'][@data-state='failed']/*[local-name()='title'][contains(., 'failed (')]", overlay_tiles()),
            "the damaged tile's reason over the image",
        )
        .await;
    // What was merged can still be exported.
    browser
        .wait_xpath("//button[normalize-space()='Export EXR'][not(@disabled)]", "Export EXR enabled")
        .await;
    browser.close().await;
}

/// The seam check's verdict on the b42 fixture's denoised Combined, once shown: seams just under
/// 1.0, the worst edge first in the table. Returns the verdict and the table rows' XPath.
pub async fn b42_combined_seams(browser: &Browser) -> (String, &'static str) {
    let found = browser.wait_xpath(&verdict("Seams up to"), "the seams found").await;
    let text = found.text().await.expect("the verdict");
    assert!(text.ends_with("edges") && text.contains("on ViewLayer.Combined"), "{text}");
    let figure: f64 = text
        .trim_start_matches("Seams up to ")
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no figure in {text:?}"));
    assert!((0.9..1.0).contains(&figure), "{text}");
    let rows = "//table[caption[normalize-space()='Worst tile edges']]/tbody/tr";
    let first = browser.wait_xpath(&format!("{rows}[1]/td[3]"), "the worst edge").await;
    assert_eq!(first.text().await.expect("its difference").parse::<f64>().ok(), Some(figure));
    (text, rows)
}

/// The seam verdict once it says `start`.
pub fn verdict(start: &str) -> String {
    format!("//p[contains(@class,'seam-verdict')][starts-with(normalize-space(), '{start}')]")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seam_check_shows_the_denoised_combined_seams_and_a_clean_depth() {
    let fixture = fixture_named("b42-singlepart-256x160-t100x70");
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_with(&browser, &farm, &tile_files(&fixture.join("tiles"))).await;
    browser.wait_xpath(&tiles_in_state("placed", 9), "9 tiles placed").await;
    assert_eq!(browser.field_value("View layer / pass").await, "ViewLayer.Combined");

    let check = "//button[normalize-space()='Check seams'][not(@disabled)]";
    browser.wait_xpath(check, "Check seams enabled").await.click().await.expect("seams can be checked");
    let (_, rows) = b42_combined_seams(&browser).await;
    let shown = browser.client.find_all(fantoccini::Locator::XPath(rows)).await.expect("the rows").len();
    assert!((2..=10).contains(&shown), "{shown} edges listed");
    assert!(drawn_pixels(&browser, "canvas[aria-label='Seam map']", 1).await > 0, "the seams are drawn");

    // Another pass: the result for Combined goes, and Depth is clean.
    let pass = browser.field("View layer / pass").await;
    pass.select_by_value("ViewLayer.Depth").await.expect("Depth can be shown");
    browser.wait_gone(&verdict("Seams up to"), "the Combined verdict").await;
    browser.wait_xpath(check, "Check seams enabled").await.click().await.expect("seams can be checked");
    browser.wait_xpath(&verdict("Clean: no seams on ViewLayer.Depth"), "Depth clean").await;
    assert_eq!(drawn_pixels(&browser, "canvas[aria-label='Seam map']", 0).await, 0, "no seams drawn");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tile_set_too_large_for_the_browser_is_refused_up_front_with_the_figures() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    // Named like the only tile of a 60000x60000 image; nothing is read before the refusal.
    let huge = dir.path().join("0-0-60000-60000.exr");
    std::fs::write(&huge, b"").expect("an empty file");
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_with(&browser, &farm, &[huge]).await;
    let alert = browser.alert("This tile set needs about").await;
    let text = alert.text().await.expect("the refusal");
    assert!(text.contains("image canvases (") && text.contains("in one worker"), "{text}");
    assert!(text.contains("allows about 2.0 GB per worker"), "{text}");
    assert!(browser.client.find(fantoccini::Locator::XPath(&tiles_in_state("cancelled", 1))).await.is_ok());
    // The page lives on: the same page merges another tile set.
    let paths: Vec<String> =
        tile_files(&fixture().join("tiles")).iter().map(|p| p.display().to_string()).collect();
    browser.unfold("Tile files").await;
    let input = browser.field("Tile files").await;
    input.clear().await.expect("the huge file can be put back");
    input.send_keys(&paths.join("\n")).await.expect("the files can be picked");
    browser.wait_xpath(&tiles_in_state("placed", 15), "15 tiles placed").await;
    browser.close().await;
}

/// XPath of the tiles drawn over the image (SVG elements need `local-name()`).
fn overlay_tiles() -> String {
    "//*[local-name()='svg'][@aria-label='Tile grid']//*[local-name()='g']".to_string()
}

/// Opens the preview with the b5 fixture's tiles and waits for all 15 to be drawn.
pub async fn open_fixture(browser: &Browser, farm: &Simfarm) {
    open_with(browser, farm, &tile_files(&fixture().join("tiles"))).await;
    browser.wait_xpath(&tiles_in_state("placed", 15), "15 tiles placed").await;
    assert_eq!(opaque_pixels(browser, 320 * 180).await, 320 * 180, "the workers' pixels cover the canvas");
}

/// The probe's terms and their values, once it shows pixel `x`, `y` read from a tile.
pub async fn probe(browser: &Browser, x: u32, y: u32) -> Vec<(String, String)> {
    browser.fill("Probe x", &x.to_string()).await;
    browser.fill("Probe y", &y.to_string()).await;
    let panel = "//details[summary/h3[normalize-space()='Pixel probe']]";
    let shown = format!(
        "{panel}//dl[dd[normalize-space()='{x}, {y}']][dt[normalize-space()='Tile']/following-sibling::dd[1][normalize-space()!='none placed here']]"
    );
    let list = browser.wait_xpath(&shown, &format!("the probe at {x}, {y}")).await;
    let text = |found: Vec<fantoccini::elements::Element>| async move {
        let mut texts = Vec::new();
        for element in found {
            texts.push(element.text().await.expect("the text").trim().to_string());
        }
        texts
    };
    let terms = text(list.find_all(Locator::Css("dt")).await.expect("terms")).await;
    let values = text(list.find_all(Locator::Css("dd")).await.expect("values")).await;
    terms.into_iter().zip(values).collect()
}

/// RGBA of the merged image's canvas at `points`.
async fn canvas_pixels(browser: &Browser, points: &[(u32, u32)]) -> Vec<[u8; 4]> {
    let script = "const [points] = arguments;
        const c = document.querySelector('canvas.preview-canvas');
        const ctx = c.getContext('2d');
        return points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));";
    let points: Vec<serde_json::Value> = points.iter().map(|(x, y)| serde_json::json!([x, y])).collect();
    let value = browser
        .client
        .execute(script, vec![serde_json::Value::Array(points)])
        .await
        .expect("the script runs");
    let serde_json::Value::Array(pixels) = value else { panic!("no pixels: {value}") };
    pixels
        .iter()
        .map(|p| {
            let channels: Vec<u8> = p
                .as_array()
                .expect("a pixel")
                .iter()
                .map(|v| v.as_u64().and_then(|v| u8::try_from(v).ok()).expect("a byte"))
                .collect();
            [channels[0], channels[1], channels[2], channels[3]]
        })
        .collect()
}

/// Waits until the canvas' pixels at `points` satisfy `ok` (the workers draw a new view in turn),
/// and returns them.
async fn wait_pixels(
    browser: &Browser,
    points: &[(u32, u32)],
    what: &str,
    ok: impl Fn(&[[u8; 4]]) -> bool,
) -> Vec<[u8; 4]> {
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    loop {
        let pixels = canvas_pixels(browser, points).await;
        if ok(&pixels) {
            return pixels;
        }
        if tokio::time::Instant::now() > deadline {
            let shot = browser.screenshot(what).await;
            panic!("{what}: the canvas shows {pixels:?} (screenshot: {shot})");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

const SAMPLES: [(u32, u32); 6] = [(10, 10), (100, 60), (160, 90), (250, 120), (300, 170), (64, 100)];

/// Drawn (opaque: the canvas is transparent where nothing is drawn yet) and grey.
fn is_grey(px: &[u8; 4]) -> bool {
    px[0] == px[1] && px[1] == px[2] && px[3] == 255
}

#[tokio::test(flavor = "multi_thread")]
async fn the_probe_shows_full_exr_s_values_and_the_tile_they_came_from() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_fixture(&browser, &farm).await;
    let full = std::fs::read(fixture().join("full.exr")).expect("full.exr");
    let full = decode(&full, &DecodeOptions::default()).expect("full.exr decodes");
    // Corners, a pixel in the overscan both tiles of a seam rendered, one in a bottom-row tile.
    // Tile names count rows from the bottom, the probe (like the EXR) from the top.
    let cases = [
        (0, 0, "0-128-64-180"),
        (319, 179, "256-0-320-64"),
        (64, 100, "64-64-128-128"),
        (200, 170, "192-0-256-64"),
    ];
    let check = |pass: &str, x: u32, y: u32, tile: &str, shown: &[(String, String)]| {
        let expected = full.pass(pass).unwrap_or_else(|| panic!("full.exr has {pass}"));
        let get = |term: &str| shown.iter().find(|(t, _)| t == term).map(|(_, v)| v.as_str());
        assert_eq!(get("Pixel"), Some(format!("{x}, {y}").as_str()));
        assert_eq!(get("Tile"), Some(tile), "the tile under {x}, {y}");
        let i = (y * 320 + x) as usize;
        for (channel, samples) in expected.info.channels.iter().zip(&expected.channels) {
            let want = samples.get_f32(i).expect("a sample");
            let text = get(&channel.component)
                .unwrap_or_else(|| panic!("no {} shown: {shown:?}", channel.component));
            let value: f32 = text.parse().unwrap_or_else(|e| panic!("{text:?} is no number: {e}"));
            assert_eq!(
                value.to_bits(),
                want.to_bits(),
                "{pass}.{} at {x}, {y}: {text} vs {want}",
                channel.component
            );
        }
        assert_eq!(shown.len(), 2 + expected.info.channels.len(), "pixel, tile and every channel: {shown:?}");
    };
    for (x, y, tile) in cases {
        let shown = probe(&browser, x, y).await;
        check("ViewLayer.Combined", x, y, tile, &shown);
    }
    // The probe reads the pass on screen.
    browser.field("View layer / pass").await.select_by_value("ViewLayer.Depth").await.expect("Depth");
    browser
        .wait_xpath(
            "//details[summary/h3[normalize-space()='Pixel probe']]//dt[normalize-space()='Z']",
            "the depth value",
        )
        .await;
    let shown = probe(&browser, 64, 100).await;
    check("ViewLayer.Depth", 64, 100, "64-64-128-128", &shown);
    // The arrow keys move the probe on the focused image, a pixel at a time.
    let image = browser.wait_xpath("//*[@role='group'][@aria-label='Image view']", "the image view").await;
    image.send_keys("\u{E014}\u{E015}").await.expect("the arrow keys reach the image");
    browser
        .wait_xpath(
            "//details[summary/h3[normalize-space()='Pixel probe']]//dd[normalize-space()='65, 101']",
            "the probe moved right and down",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn channels_false_colour_zoom_grid_and_a_png_of_the_view() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_fixture(&browser, &farm).await;
    browser
        .wait_xpath(
            "//*[local-name()='svg'][@aria-label='Tile grid'][count(.//*[local-name()='g'][@data-state='placed'])=15]",
            "15 placed tiles over the image",
        )
        .await;
    let rgb = canvas_pixels(&browser, &SAMPLES).await;
    assert!(rgb.iter().any(|px| !is_grey(px)), "the colour image has colour: {rgb:?}");

    let channel = browser.field("Channel").await;
    channel.select_by_value("r").await.expect("R");
    let red = wait_pixels(&browser, &SAMPLES, "R shows grey", |p| p.iter().all(is_grey)).await;
    let opaque_red = |(grey, colour): (&[u8; 4], &[u8; 4])| colour[3] < 255 || grey[0] == colour[0];
    assert!(red.iter().zip(&rgb).all(opaque_red), "R is the red of the colour: {red:?} {rgb:?}");
    // A shows each pixel's alpha from full.exr as a grey level (linear, 0..1 to 0..255).
    let full = std::fs::read(fixture().join("full.exr")).expect("full.exr");
    let full = decode(&full, &DecodeOptions::default()).expect("full.exr decodes");
    let combined = full.pass("ViewLayer.Combined").expect("full.exr has ViewLayer.Combined");
    let a = combined.info.component_index("A").expect("Combined has alpha");
    let want: Vec<[u8; 4]> = SAMPLES
        .iter()
        .map(|&(x, y)| {
            let value = combined.channels[a].get_f32((y * 320 + x) as usize).expect("a sample");
            let grey = (value.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
            [grey, grey, grey, 255]
        })
        .collect();
    channel.select_by_value("a").await.expect("A");
    assert_ne!(red, want, "the samples tell R from A");
    wait_pixels(&browser, &SAMPLES, &format!("A showing full.exr's alpha {want:?}"), |p| {
        p == want.as_slice()
    })
    .await;
    channel.select_by_value("rgb").await.expect("RGB");
    wait_pixels(&browser, &SAMPLES, "RGB again", |p| p == rgb.as_slice()).await;

    // Depth is data: false colour over its range, never grey.
    browser.field("View layer / pass").await.select_by_value("ViewLayer.Depth").await.expect("Depth");
    let depth =
        wait_pixels(&browser, &SAMPLES, "Depth in false colour", |p| p.iter().all(|px| !is_grey(px))).await;
    browser.wait_xpath("//*[contains(@class,'view-mapping')][not(contains(@class,'hidden'))][contains(., 'False colour')]", "the range").await;
    assert!(browser.field("Exposure (stops)").await.attr("disabled").await.expect("an attribute").is_some());

    // Fit and 1:1 change the zoom.
    let zoom = "//*[@role='status'][@aria-label='Zoom']";
    let fitted = browser.wait_xpath(zoom, "the zoom").await.text().await.expect("the zoom");
    assert_ne!(fitted.trim(), "100 %", "the 320x180 image is enlarged to fit");
    browser.button("1:1").await.click().await.expect("1:1");
    browser.wait_xpath(&format!("{zoom}[normalize-space()='100 %']"), "100 %").await;
    browser.button("Fit").await.click().await.expect("Fit");
    browser.wait_xpath(&format!("{zoom}[normalize-space()='{}']", fitted.trim()), "fitted again").await;

    // The PNG holds what the canvas shows, at image resolution.
    let downloads = browser.allow_downloads().await;
    browser.button("Export PNG of view").await.click().await.expect("the view can be exported");
    let saved = browser.downloaded(&downloads, "ViewLayer.Depth.png").await;
    let link = browser
        .wait_xpath("//a[@data-png-url][normalize-space()='Download again']", "the PNG download")
        .await;
    let url = link.attr("data-png-url").await.expect("the link").expect("a blob URL");
    let png = fetch_bytes(&browser, &url).await;
    assert_eq!(saved, png, "one click saved the PNG, named after the pass");
    assert_eq!(png.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]), "a PNG signature");
    assert_eq!(png.get(12..16), Some(&b"IHDR"[..]));
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!((be(16), be(20)), (320, 180), "the image's size, whatever the zoom");
    assert_ne!(depth, rgb);

    // The tile grid can be hidden.
    let grid = "//*[local-name()='svg'][@aria-label='Tile grid']";
    browser.field("Tile grid").await.click().await.expect("the grid switch");
    browser.wait_gone(grid, "the tile grid").await;
    browser.close().await;
}

/// The page's left edge of the merged image's canvas, the window's vertical scroll, and the
/// centre of the image view, in CSS pixels of the browser window.
async fn geometry(browser: &Browser) -> (f64, f64, (i64, i64)) {
    let script = "const c = document.querySelector('canvas.preview-canvas').getBoundingClientRect();
        const v = document.querySelector('[aria-label=\"Image view\"]').getBoundingClientRect();
        return [c.left, window.scrollY, Math.round(v.left + v.width / 2), Math.round(v.top + v.height / 2)];";
    let value = browser.client.execute(script, vec![]).await.expect("the script runs");
    let numbers: Vec<f64> =
        value.as_array().expect("numbers").iter().map(|v| v.as_f64().expect("a number")).collect();
    (numbers[0], numbers[1], (numbers[2] as i64, numbers[3] as i64))
}

/// The zoom read-out as a number of percent.
async fn zoom_percent(browser: &Browser) -> f64 {
    let text = browser
        .wait_xpath("//*[@role='status'][@aria-label='Zoom']", "the zoom")
        .await
        .text()
        .await
        .expect("text");
    text.trim_end_matches('%').trim().parse().unwrap_or_else(|e| panic!("{text:?} is no zoom: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wheel_zooms_a_drag_pans_and_the_pointer_moves_the_probe() {
    use fantoccini::actions::{
        InputSource, MouseActions, PointerAction, WheelAction, WheelActions, MOUSE_BUTTON_LEFT,
    };

    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_fixture(&browser, &farm).await;
    let view = browser.wait_xpath("//*[@role='group'][@aria-label='Image view']", "the image view").await;
    // Scrolled so the whole view is in the window, as a person would look at it.
    browser.centre(&view).await;
    let fitted = zoom_percent(&browser).await;
    let (_, scrolled, (cx, cy)) = geometry(&browser).await;

    // Rolling the wheel up over the image zooms in, and the page does not scroll.
    let wheel = WheelActions::new("wheel".into()).then(WheelAction::Scroll {
        duration: None,
        x: cx,
        y: cy,
        delta_x: 0,
        delta_y: -200,
    });
    browser.client.perform_actions(wheel).await.expect("the wheel turns");
    let zoom = "//*[@role='status'][@aria-label='Zoom']";
    browser.wait_xpath(&format!("{zoom}[normalize-space()!='{fitted:.0} %']"), "a new zoom").await;
    assert!(zoom_percent(&browser).await > fitted, "zoomed in");
    assert_eq!(geometry(&browser).await.1, scrolled, "the page stayed put");

    // The pointer over the image moves the probe.
    let hover = MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
        duration: None,
        x: cx as f64,
        y: cy as f64,
    });
    browser.client.perform_actions(hover).await.expect("the pointer moves");
    let probed =
        "//details[summary/h3[normalize-space()='Pixel probe']]//dt[normalize-space()='Pixel']/following-sibling::dd[1]";
    let first = browser.wait_xpath(probed, "a probe under the pointer").await.text().await.expect("text");

    // A drag moves the image with the pointer (and is no click: the probe stays unpinned).
    let (left, _, _) = geometry(&browser).await;
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveBy { duration: None, x: 60.0, y: 0.0 })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    browser.client.perform_actions(drag).await.expect("the drag");
    let (moved, _, _) = geometry(&browser).await;
    assert!((moved - left - 60.0).abs() < 0.5, "the image moved 60 px: {left} to {moved}");
    assert!(!browser.field("Pinned").await.is_selected().await.expect("a checkbox"), "a drag pins nothing");

    // The image moved with the pointer, so the same pixel is under it; moving on probes another.
    let hover =
        MouseActions::new("mouse".into()).then(PointerAction::MoveBy { duration: None, x: -40.0, y: 0.0 });
    browser.client.perform_actions(hover).await.expect("the pointer moves");
    let other = format!("{probed}[normalize-space()!='{}']", first.trim());
    let second =
        browser.wait_xpath(&other, "the probe following the pointer").await.text().await.expect("text");

    // A click pins the probe: moving on leaves it where it was.
    let click = MouseActions::new("mouse".into())
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveBy { duration: None, x: -30.0, y: 20.0 });
    browser.client.perform_actions(click).await.expect("the click");
    assert!(
        browser.field("Pinned").await.is_selected().await.expect("a checkbox"),
        "the click pinned the probe"
    );
    let (x, y) = second.trim().split_once(", ").expect("x, y");
    assert_eq!(
        (browser.field_value("Probe x").await, browser.field_value("Probe y").await),
        (x.to_string(), y.to_string())
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_picked_folder_merges_the_tiles_inside_it() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/preview", farm.url)).await;
    browser.heading("Merge preview").await;
    // The job's folder: its tiles are in `tiles/`, beside the full frame and the job's settings.
    let input = browser.field("Tile folder").await;
    input.send_keys(&fixture().display().to_string()).await.expect("the folder can be picked");
    browser.wait_xpath(&tiles_in_state("placed", 15), "15 tiles placed").await;
    // Only EXRs are taken from a folder: `full.exr` is listed as not a tile, `job.json` not at all.
    browser
        .wait_xpath("//tr[@data-tile='full.exr'][@data-state='unused']", "full.exr listed as unused")
        .await;
    let rows =
        browser.client.find_all(Locator::XPath("//table[contains(@class,'tile-list')]/tbody/tr")).await;
    assert_eq!(rows.expect("the tile list").len(), 16, "15 tiles and full.exr");
    browser.close().await;
}
