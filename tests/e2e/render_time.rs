//! The render-time overlay of a job's preview on simfarm: every tile tinted in the order of its
//! task's duration, as the tiles' headers record it (simfarm gives each tile its own time and
//! writes it as Blender's `RenderTime`), naming the worker the Manager says rendered it.

use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use flamenco_api::JobStatus;
use tilemerge::analysis::header_attributes;

use crate::job_preview::single_image_job;
use crate::preview::tiles_in_state;
use crate::support::{Browser, FarmApi, Simfarm};

/// 256 x 160 px in 80 px tiles: 4 x 2 = 8 render tasks, then the merge.
const TILES: usize = 8;
/// The steps of the overlay's colour ramp.
const STEPS: u64 = 8;

/// Blender's `MM:SS.cc` in seconds.
fn seconds_of(text: &str) -> f64 {
    let (minutes, seconds) = text.split_once(':').unwrap_or_else(|| panic!("{text:?} is no time"));
    let minutes: f64 = minutes.parse().expect("minutes");
    minutes * 60.0 + seconds.parse::<f64>().expect("seconds")
}

/// One tinted tile as the page shows it.
#[derive(Debug, serde::Deserialize)]
struct Shown {
    tile: String,
    seconds: f64,
    step: u64,
    worker: String,
    title: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overlay_tints_tiles_in_the_order_of_their_render_times_and_names_their_workers() {
    let farm = Simfarm::start(&["--workers", "3", "--task-seconds", "0.6", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&single_image_job("timed", 80)).await;
    api.wait_for_status(&job.id, JobStatus::Completed, Duration::from_secs(90)).await;
    let settings = api.job(&job.id).await.settings.expect("settings");
    let tiles_dir = settings["render_output_path"].as_str().expect("a render output path").to_owned();
    let tasks = api.tasks(&job.id).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}/preview", farm.url, job.id)).await;
    browser.heading("Merge preview").await;
    browser.wait_xpath(&tiles_in_state("placed", TILES), "every tile placed").await;
    browser.field("Render time").await.click().await.expect("the overlay can be switched on");
    let overlay = "//*[local-name()='svg'][@aria-label='Render time of each tile']";
    browser
        .wait_xpath(&format!("{overlay}[count(*[local-name()='rect'])={TILES}]"), "every tile tinted")
        .await;
    let script = "return [...document.querySelectorAll('rect.render-time-tile')].map(r => ({
            tile: r.dataset.tile, seconds: Number(r.dataset.seconds), step: Number(r.dataset.step),
            worker: r.dataset.worker, title: r.querySelector('title').textContent }));";
    let value = browser.client.execute(script, vec![]).await.expect("the script runs");
    let mut shown: Vec<Shown> = serde_json::from_value(value).expect("the tiles");
    assert_eq!(shown.len(), TILES);

    for tile in &shown {
        // The time each tile's file records, as simfarm wrote it.
        let path = farm.render_root().join(tiles_dir.trim_start_matches('/')).join(&tile.tile);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header = header_attributes(&bytes).expect("a header");
        let written = header.iter().find(|a| a.name == "RenderTime").expect("simfarm wrote a RenderTime");
        assert!((tile.seconds - seconds_of(&written.text)).abs() < 1e-9, "{tile:?} vs {}", written.text);
        // The worker the Manager says ran the tile's task.
        let (x0, rest) = tile.tile.split_once('-').expect("a tile name");
        let y0 = rest.split('-').next().expect("y0");
        let task = tasks.iter().find(|t| t.name == format!("render-{x0}-{y0}")).expect("the tile's task");
        let worker = &task.worker.as_ref().expect("a worker ran it").name;
        assert_eq!(&tile.worker, worker, "{}", tile.tile);
        assert_eq!(tile.title, format!("{}: {:.2} s on {worker}", tile.tile, tile.seconds));
    }

    // Slower tiles are never darker on the ramp; the fastest is its first step, the slowest its last.
    shown.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let steps: Vec<u64> = shown.iter().map(|t| t.step).collect();
    assert!(steps.windows(2).all(|w| w[0] <= w[1]), "steps in the order of the times: {shown:?}");
    assert_eq!((steps[0], steps[TILES - 1]), (0, STEPS - 1), "{shown:?}");
    assert!(shown[TILES - 1].seconds > 1.5 * shown[0].seconds, "the times vary: {shown:?}");

    // Pointing at the slowest tile names its time and worker under the image.
    let slowest = &shown[TILES - 1];
    let rect = browser
        .wait_xpath(&format!("//*[local-name()='rect'][@data-tile='{}']", slowest.tile), "the slowest tile")
        .await;
    browser.centre(&rect).await;
    let hover = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: rect,
        duration: None,
        x: 0.0,
        y: 0.0,
    });
    browser.client.perform_actions(hover).await.expect("the pointer moves");
    let line = format!("//p[contains(@class,'tile-hover')][normalize-space()='{}']", slowest.title);
    browser.wait_xpath(&line, "the hovered tile's time and worker").await;
    browser.close().await;
}
