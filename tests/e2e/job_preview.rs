//! The merge preview of a single-image job on simfarm: tiles fetched from the farm's storage over
//! HTTP as their tasks complete, the export equal to simfarm's own merge, a tile that cannot be
//! downloaded shown failed, and a folder URL's listing loaded on `/preview`.

use std::time::Duration;

use flamenco_api::{JobStatus, SubmittedJob, TaskStatus};
use serde_json::json;
use tilemerge::{decode, DecodeOptions};

use crate::preview::{assert_same_channels, fetch_bytes, tiles_in_state};
use crate::support::{Browser, FarmApi, Simfarm};

/// 256 x 160 px in 64 px tiles: 4 x 3 = 12 render tasks, then the merge.
const TILES: usize = 12;

/// A 256 x 160 px single-image job in `tile` px square tiles, rendered under `/render/e2e/<name>/`.
pub fn single_image_job(name: &str, tile: u32) -> SubmittedJob {
    let settings = json!({
        "tile_size_x": tile, "tile_size_y": tile, "frame": 1,
        "resolution_x": 256, "resolution_y": 160, "resolution_scale": 100,
        "format": "OPEN_EXR_MULTILAYER", "image_file_extension": ".exr",
        "render_output_root": "/render/e2e", "add_path_components": 0,
        "render_output_path": format!("/render/e2e/{name}/{{timestamp}}/tiles"),
        "blendfile": "/render/scenes/still.blend",
    });
    FarmApi::single_image_job(name, settings)
}

/// The job's tile folder as its settings name it (`{timestamp}` filled in).
async fn tiles_path(api: &FarmApi, id: &str) -> String {
    let job = api.job(id).await;
    let settings = job.settings.expect("the job has settings");
    settings["render_output_path"].as_str().expect("a render output path").to_owned()
}

/// simfarm's own merge of the job, written beside the tiles folder, fetched through `/renders/`.
async fn simfarm_merge(farm: &Simfarm, tiles: &str) -> Vec<u8> {
    let folder = tiles.strip_suffix("/tiles").expect("the tiles folder");
    let url = format!("{}/renders{folder}/merged.exr", farm.url);
    let response = reqwest::get(&url).await.expect("simfarm answers");
    assert!(response.status().is_success(), "GET {url}: {}", response.status());
    response.bytes().await.expect("the merged image").to_vec()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rendering_job_fills_in_tile_by_tile_and_exports_simfarms_image() {
    let farm = Simfarm::start(&["--workers", "2", "--task-seconds", "0.5", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&single_image_job("poster", 64)).await;
    // Held half-rendered, however long the browser takes to start: paused once a tile is in.
    api.wait_for_tasks(&job.id, TaskStatus::Completed, 1, Duration::from_secs(30)).await;
    api.set_status(&job.id, JobStatus::PauseRequested, "the preview test holds it half-rendered").await;
    api.wait_for_status(&job.id, JobStatus::Paused, Duration::from_secs(30)).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.link("Preview merge").await.click().await.expect("the preview opens");
    browser.heading("Merge preview").await;
    browser
        .wait_xpath(
            "//table[contains(@class,'tile-list')][.//tr[@data-state='placed']][.//tr[@data-state='not-rendered']]",
            "some tiles placed while others are not rendered yet",
        )
        .await;
    browser
        .wait_xpath(
            "//tr[@data-state='not-rendered']/td[3][normalize-space()='task paused']",
            "a waiting tile shows its task's status",
        )
        .await;

    // Resumed, the rest arrive over the live channel and fill in without a reload.
    api.set_status(&job.id, JobStatus::Requeueing, "the preview test resumes it").await;
    api.wait_for_status(&job.id, JobStatus::Completed, Duration::from_secs(60)).await;
    browser.wait_xpath(&tiles_in_state("placed", TILES), "every tile placed").await;

    browser.button("Export EXR").await.click().await.expect("the merge can be exported");
    let link =
        browser.wait_xpath("//a[@data-export-url][normalize-space()='Download again']", "the download").await;
    let url = link.attr("data-export-url").await.expect("the link").expect("a blob URL");
    let exported = decode(&fetch_bytes(&browser, &url).await, &DecodeOptions::default()).expect("an EXR");
    let merged = simfarm_merge(&farm, &tiles_path(&api, &job.id).await).await;
    let merged = decode(&merged, &DecodeOptions::default()).expect("simfarm's merge decodes");
    assert_same_channels(&exported, &merged);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_tile_is_shown_failed_and_a_folder_url_loads_the_rest() {
    let farm = Simfarm::start(&["--workers", "6", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&single_image_job("gone", 64)).await;
    api.wait_for_status(&job.id, JobStatus::Completed, Duration::from_secs(60)).await;
    let tiles = tiles_path(&api, &job.id).await;
    // simfarm keeps a job's absolute paths below its render root.
    let gone = "64-64-128-128.exr";
    let on_disk = farm.render_root().join(tiles.trim_start_matches('/')).join(gone);
    std::fs::remove_file(&on_disk).unwrap_or_else(|e| panic!("cannot delete {}: {e}", on_disk.display()));

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}/preview", farm.url, job.id)).await;
    browser.heading("Merge preview").await;
    browser.wait_xpath(&tiles_in_state("placed", TILES - 1), "the other tiles placed").await;
    browser
        .wait_xpath(
            &format!("//tr[@data-tile='{gone}'][@data-state='failed']/td[3][contains(., '404')][contains(., '{gone}')]"),
            "the missing tile failed, naming its URL and the status",
        )
        .await;
    browser
        .wait_xpath("//button[normalize-space()='Export EXR'][not(@disabled)]", "Export EXR enabled")
        .await;

    // The same folder through its listing on the standalone page.
    browser.open(&format!("{}/preview", farm.url)).await;
    browser.fill("Folder URL", &format!("{}/renders{tiles}/", farm.url)).await;
    browser.button("Load").await.click().await.expect("the folder loads");
    browser.wait_xpath(&tiles_in_state("placed", TILES - 1), "the listed tiles placed").await;
    browser
        .wait_xpath(&format!("//tr[@data-tile='{gone}'][@data-state='missing']"), "the gap shown missing")
        .await;

    // A folder with no tiles says so (the tile files' section folded away once tiles came).
    browser.unfold("Tile files").await;
    browser.fill("Folder URL", &format!("{}/renders/render/", farm.url)).await;
    browser.button("Load").await.click().await.expect("the folder loads");
    browser.alert("links to no .exr file").await;

    // simfarm's mapping is the default in Settings; a bad URL prefix is refused.
    browser.open(&format!("{}/settings", farm.url)).await;
    browser.heading("Storage mappings").await;
    assert_eq!(browser.field_value("URL prefix 1").await, "/renders/");
    browser.button("Add mapping").await.click().await.expect("a mapping can be added");
    browser.fill("Storage path prefix 3", "/elsewhere/").await;
    browser.fill("URL prefix 3", "ftp://files.example/").await;
    browser.button("Save").await.click().await.expect("Save can be pressed");
    browser.alert("Mapping 3").await;

    // With only a mapping that does not cover the job's storage, the preview says so.
    for _ in 0..2 {
        browser.button("Remove mapping 1").await.click().await.expect("a mapping can be removed");
    }
    browser.fill("URL prefix 1", "https://files.example/elsewhere/").await;
    browser.button("Save").await.click().await.expect("Save can be pressed");
    browser.wait_xpath("//*[@role='status'][normalize-space()='Saved.']", "the mappings saved").await;
    browser.open(&format!("{}/jobs/{}/preview", farm.url, job.id)).await;
    browser.alert("No storage mapping covers the path").await;
    browser.link("Open Settings").await.click().await.expect("Settings opens");
    browser.button("Reset to defaults").await.click().await.expect("the defaults can be restored");
    assert_eq!(browser.field_value("URL prefix 1").await, "/renders/");
    browser.close().await;
}
