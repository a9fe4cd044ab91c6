//! The merge preview: tile files picked in the page, merged in Web Workers, exported bit for bit;
//! a damaged tile is shown as failed while the others are merged.

use std::path::{Path, PathBuf};

use tilemerge::{decode, read_info, Compression, DecodeOptions, DecodedPass, DecodedTile, ExrLayout};

use crate::support::{workspace_root, Browser, Simfarm};

/// The fixture folder, canonical: chromedriver refuses file paths with `..` in them.
fn fixture() -> PathBuf {
    fixture_named("b5-multipart-320x180-t64")
}

/// A fixture folder by name, canonical.
fn fixture_named(name: &str) -> PathBuf {
    let dir = workspace_root().join("../shared/fixtures").join(name);
    dir.canonicalize().unwrap_or_else(|error| panic!("no fixture at {}: {error}", dir.display()))
}

/// The `.exr` files of a folder, sorted.
fn tile_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "exr"))
        .collect();
    files.sort();
    files
}

/// Opens the preview and picks `files` in its file input (chromedriver takes several paths, one a line).
async fn open_with(browser: &Browser, farm: &Simfarm, files: &[PathBuf]) {
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

    browser.button("Export EXR").await.click().await.expect("the merge can be exported");
    let link = browser
        .wait_xpath("//a[@data-export-url][normalize-space()='Download merged.exr']", "the download")
        .await;
    let url = link.attr("data-export-url").await.expect("the link").expect("a blob URL");
    let exported = fetch_bytes(&browser, &url).await;
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
    // What was merged can still be exported.
    browser
        .wait_xpath("//button[normalize-space()='Export EXR'][not(@disabled)]", "Export EXR enabled")
        .await;
    browser.close().await;
}

/// The seam verdict once it says `start`.
fn verdict(start: &str) -> String {
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
    let input = browser.field("Tile files").await;
    input.clear().await.expect("the huge file can be put back");
    input.send_keys(&paths.join("\n")).await.expect("the files can be picked");
    browser.wait_xpath(&tiles_in_state("placed", 15), "15 tiles placed").await;
    browser.close().await;
}
