//! A/B comparison with another job's merge on simfarm: three single-image jobs of the same size
//! (simfarm paints each job its own picture), the first one's preview compared with the newest
//! other job of the same name, chosen by default although its tiles are of another size, then
//! with a job picked by its label; the figures shown are those `tilemerge` computes from the two
//! jobs' tile files on simfarm's storage.

use std::time::Duration;

use fantoccini::Locator;
use flamenco_api::JobStatus;
use tilemerge::analysis::{compare, CompareOptions, Comparison, PassView};
use tilemerge::{Canvas, CanvasOptions, Grid, Size, TileId, DEFAULT_OVERSCAN};

use crate::job_preview::single_image_job;
use crate::preview::{tile_files, tiles_in_state};
use crate::support::{xpath_literal, Browser, FarmApi, Simfarm};

const PASS: &str = "ViewLayer.Combined";

/// A job's merge made natively from its tile files on simfarm's storage (`tile` px tiles).
async fn merged_on_storage(farm: &Simfarm, api: &FarmApi, id: &str, tile: u32) -> Canvas {
    let job = api.job(id).await;
    let folder = job.settings.as_ref().and_then(|s| s["render_output_path"].as_str().map(str::to_owned));
    let folder = folder.expect("a render output path");
    // simfarm keeps a job's absolute paths below its render root.
    let dir = farm.render_root().join(folder.trim_start_matches('/'));
    let size = |v| Size { width: v, height: v };
    let grid = Grid::new(Size { width: 256, height: 160 }, size(tile), DEFAULT_OVERSCAN).expect("a grid");
    let mut canvas = Canvas::new(grid, CanvasOptions::default());
    let files = tile_files(&dir);
    assert_eq!(files.len(), grid.tiles().len(), "every tile of {id} on storage");
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let tile = TileId::from_file_name(&name).unwrap_or_else(|| panic!("{name} names no tile"));
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        canvas.add(tile, &bytes).unwrap_or_else(|p| panic!("{name}: {}", p.error));
    }
    canvas
}

/// What the figures of A's Combined against B's should read (threshold 0.01, as the panel's).
fn expected(a: &Canvas, b: &Canvas) -> Comparison {
    let view = |c| PassView::of_canvas(c, PASS).expect("a Combined pass");
    let options = CompareOptions { threshold: 0.01, ..CompareOptions::default() };
    compare(&view(a), &view(b), options, &[]).expect("comparable")
}

/// Waits for the figures against B named `b` and checks each channel's row against `want`.
async fn assert_figures(browser: &Browser, b: &str, want: &Comparison) {
    let caption = format!("A: {PASS} against B: {PASS} of \"{b}\"");
    let table = format!("//table[contains(@class,'compare-figures')][caption={}]", xpath_literal(&caption));
    let table = browser.wait_xpath(&table, &format!("the figures against {b}")).await;
    assert!(want.overall.max_abs > 0.0, "simfarm paints each job its own picture");
    for channel in want.channels.iter().chain([&want.overall]) {
        let row = format!(".//tr[@data-channel={}]/td", xpath_literal(&channel.component));
        let mut cells = Vec::new();
        for cell in table.find_all(Locator::XPath(&row)).await.expect("cells") {
            cells.push(cell.text().await.expect("a cell's text").trim().to_owned());
        }
        let what = format!("{b}, {}: {cells:?}", channel.component);
        let near = |shown: &str, want: f64| {
            let shown: f64 = shown.parse().unwrap_or_else(|e| panic!("{what}: {shown:?} is no number: {e}"));
            // Shown with six decimals (or four significant digits when tiny).
            assert!((shown - want).abs() <= 5e-7_f64.max(want.abs() * 1e-3), "{what}: {shown} for {want}");
        };
        near(&cells[0], channel.max_abs);
        near(&cells[1], channel.mean_abs);
        near(&cells[2], channel.rmse);
        assert_eq!(cells[4], channel.over_threshold.to_string(), "{what}: pixels over the threshold");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_jobs_merge_as_b_reads_what_its_tiles_and_the_merges_tiles_make() {
    let farm = Simfarm::start(&["--workers", "6", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let a = api.submit(&single_image_job("shot", 64)).await;
    // The same shot again in larger tiles, then another shot, the newest job.
    let mut again = single_image_job("shot", 80);
    // In a folder of its own: submitted within the same second, `{timestamp}` would be the same.
    let folder = serde_json::json!("/render/e2e/shot-again/{timestamp}/tiles");
    again.settings.as_mut().expect("settings").insert("render_output_path".into(), folder);
    let b = api.submit(&again).await;
    let c = api.submit(&single_image_job("poster", 64)).await;
    for job in [&a, &b, &c] {
        api.wait_for_status(&job.id, JobStatus::Completed, Duration::from_secs(90)).await;
    }
    let merged_a = merged_on_storage(&farm, &api, &a.id, 64).await;
    let merged_b = merged_on_storage(&farm, &api, &b.id, 80).await;
    let merged_c = merged_on_storage(&farm, &api, &c.id, 64).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}/preview", farm.url, a.id)).await;
    browser.heading("Merge preview").await;
    browser.record_all_requests().await;
    browser.wait_xpath(&tiles_in_state("placed", 12), "every tile placed").await;
    browser.heading("Compare").await;
    browser.field("Compare with").await.select_by_value("other-job").await.expect("a source can be picked");

    // The newest other job of the same name is B first: the shot's other version, in 80 px tiles.
    browser.text("B is \"shot\": all 8 tiles.").await;
    assert_eq!(browser.field_value("Job").await, b.id, "the other version of the shot is chosen first");
    // Its tasks read once, each tile fetched once.
    assert_eq!(browser.requests_to(&format!("/api/v3/jobs/{}/tasks", b.id)).await, 1);
    let folder =
        api.job(&b.id).await.settings.and_then(|s| s["render_output_path"].as_str().map(str::to_owned));
    let first_tile = format!("/renders{}/0-0-80-80.exr", folder.expect("a render output path"));
    assert_eq!(browser.requests_to(&first_tile).await, 1, "{first_tile}");
    assert_figures(&browser, "shot", &expected(&merged_a, &merged_b)).await;

    // Another job picked by its label: the figures follow.
    let option = browser
        .wait_xpath(
            "//select[@id='compare-job']/option[starts-with(normalize-space(), 'poster — completed — ')]",
            "poster offered",
        )
        .await;
    let value = option.attr("value").await.ok().flatten().expect("the option's value");
    assert_eq!(value, c.id);
    browser.field("Job").await.select_by_value(&value).await.expect("a job can be picked");
    browser.text("B is \"poster\": all 12 tiles.").await;
    assert_figures(&browser, "poster", &expected(&merged_a, &merged_c)).await;
    browser.close().await;
}
