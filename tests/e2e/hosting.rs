//! The hosting the README documents, set up as it tells a person to and used through a real browser:
//! Debian's nginx with `docs/hosting/nginx-site.conf` (`nginx`), Caddy with `docs/hosting/Caddyfile`
//! (`caddy`), both in front of simfarm, and Caddy serving only the files on port 8081 with
//! `docs/hosting/Caddyfile-8081` (`dev_port`). Each host must pass on the app, a deep link, a reload,
//! the API, the WebSocket and `/job-files/` (and, behind the proxies, the render storage), and tell
//! the browser what to cache (`caching`). `bench_load` runs one cell of `scripts/bench-load`.

mod bench_load;
mod caching;
mod caddy;
mod csp;
mod dev_port;
mod nginx;
mod read_only;

use std::time::Duration;

use crate::preview::tiles_in_state;
use crate::support::{
    documented_config, fill_in, installed_dist, workspace_root, xpath_literal, Browser, FarmApi, Server,
    Simfarm, PATIENCE,
};
use flamenco_api::{JobStatus, SubmittedJob};
use serde_json::json;

/// The README's `farmdeck.json` for a dashboard on port 8081; the Manager's address is the value a
/// person puts in.
const README_MANAGER_JSON: &str = r#"{"manager": "http://farm.lan:8080"}"#;
const README_MANAGER: &str = "http://farm.lan:8080";

/// The README's `farmdeck.json` mapping the render storage to the proxies' `/render/`; the storage
/// path is the value a person puts in.
const README_STORAGE_JSON: &str = r#"{"storage_mappings": [{"path": "/mnt/render/", "url": "/render/"}]}"#;
const README_STORAGE: &str = "/mnt/render/";

/// The live indicator in its live state, and only that state ("Live updates lost, reconnecting"
/// must not match).
const LIVE: &str = "//*[@role='status'][normalize-space()='Live updates on']";

/// 128 x 128 px in 64 px tiles: 4 render tasks, then the merge.
const TILES: usize = 4;
const JOB_NAME: &str = "Hosted poster";

/// The README's text, to check that what a test does is what it prints.
fn readme() -> String {
    std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md")
}

/// A file of `docs/hosting/`, as printed.
fn documented(name: &str) -> String {
    let text = documented_config(name);
    assert!(readme().contains(&format!("docs/hosting/{name}")), "the README points at docs/hosting/{name}");
    text
}

/// `farmdeck.json` mapping simfarm's render root (the farm's storage) to the proxy's `/render/`.
fn storage_json(farm: &Simfarm) -> String {
    assert!(readme().contains(README_STORAGE_JSON), "the README prints {README_STORAGE_JSON}");
    README_STORAGE_JSON.replace(README_STORAGE, &storage_path(farm))
}

/// `farmdeck.json` naming simfarm as the Manager.
fn manager_json(farm: &Simfarm) -> String {
    assert!(readme().contains(README_MANAGER_JSON), "the README prints {README_MANAGER_JSON}");
    README_MANAGER_JSON.replace(README_MANAGER, &farm.url)
}

/// The farm's storage as the Manager names it, with its final `/`.
fn storage_path(farm: &Simfarm) -> String {
    format!("{}/", farm.render_root().display())
}

/// A small, quick farm named `name` (the name shows in the header the tests read).
async fn hosted_farm(name: &str) -> Simfarm {
    Simfarm::start(&["--name", name, "--workers", "2", "--task-seconds", "0.3", "--failure-rate", "0"]).await
}

/// A single-image job whose tiles land in the farm's storage, paused so that nothing changes
/// until the test says so.
fn paused_single_image_job(farm: &Simfarm) -> SubmittedJob {
    let root = storage_path(farm);
    let settings = json!({
        "tile_size_x": 64, "tile_size_y": 64, "frame": 1,
        "resolution_x": 128, "resolution_y": 128, "resolution_scale": 100,
        "format": "OPEN_EXR_MULTILAYER", "image_file_extension": ".exr",
        "render_output_root": root, "add_path_components": 0,
        "render_output_path": format!("{root}hosted/poster/tiles"),
        "blendfile": format!("{root}scenes/poster.blend"),
    });
    SubmittedJob { initial_status: Some(JobStatus::Paused), ..FarmApi::single_image_job(JOB_NAME, settings) }
}

/// The job page's own status badge showing `status`.
fn job_badge(status: &str) -> String {
    format!(
        "//header[h2[normalize-space()={}]]/span[contains(@class,'status-badge')][normalize-space()='{status}']",
        xpath_literal(JOB_NAME)
    )
}

/// Whether the farm's render storage is served by the host (the proxies) or not (port 8081).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Storage {
    Served,
    Elsewhere,
}

/// What a person does with the dashboard at `site`, checking each thing the host must pass on:
/// a deep link loads the app, which reads the Manager through the API; live updates arrive over the
/// WebSocket; the last-rendered image comes from `/job-files/`; the merge preview fetches tiles from
/// the render storage; a reload and the app's root load it again.
async fn use_the_dashboard(site: &str, farm: &Simfarm, farm_name: &str, storage: Storage) {
    csp::check_security_headers(site).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&paused_single_image_job(farm)).await;
    let browser = Browser::start().await;

    browser.open(&format!("{site}/jobs/{}", job.id)).await;
    browser.text(farm_name).await;
    browser.wait_xpath(&job_badge("paused"), "the paused job, read through the API").await;
    browser.wait_xpath(LIVE, "the live indicator saying live updates are on").await;

    // Only now does the farm change: the page can only learn of it over the WebSocket. A mark left
    // on the page shows it was not reloaded meanwhile.
    browser
        .client
        .execute("window.hostingMark = 'not reloaded'; return null;", vec![])
        .await
        .expect("script");
    let queued = reqwest::Client::new()
        .post(format!("{}/api/v3/jobs/{}/setstatus", farm.url, job.id))
        .json(&json!({"status": "queued", "reason": "the hosting test resumes it"}))
        .send()
        .await
        .expect("simfarm answers");
    assert_eq!(queued.status(), reqwest::StatusCode::NO_CONTENT, "resuming the job");
    browser.wait_xpath(&job_badge("completed"), "the job completing, shown live").await;
    let mark = browser.client.execute("return window.hostingMark || null;", vec![]).await.expect("script");
    assert_eq!(mark, json!("not reloaded"), "the change came without reloading the page");

    let image = browser.wait_xpath("//img[@alt='Last rendered image']", "the last-rendered image").await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let loaded = browser
            .client
            .execute(
                "return arguments[0].complete && arguments[0].naturalWidth > 0;",
                vec![serde_json::to_value(&image).expect("element")],
            )
            .await
            .expect("script");
        if loaded == json!(true) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the last-rendered image did not load from /job-files/"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    if storage == Storage::Served {
        browser.link("Preview merge").await.click().await.expect("the preview opens");
        browser.heading("Merge preview").await;
        browser.wait_xpath(&tiles_in_state("placed", TILES), "every tile fetched from /render/").await;
    }

    // A reload asks the host for the deep path itself.
    browser.client.refresh().await.expect("the page reloads");
    let mark = browser.client.execute("return window.hostingMark || null;", vec![]).await.expect("script");
    assert_eq!(mark, serde_json::Value::Null, "the page was reloaded");
    match storage {
        Storage::Served => {
            browser.heading("Merge preview").await;
            browser.wait_xpath(&tiles_in_state("placed", TILES), "the tiles again after the reload").await;
        }
        Storage::Elsewhere => {
            browser.wait_xpath(&job_badge("completed"), "the job page again after the reload").await;
        }
    }
    browser.wait_xpath(LIVE, "live updates on again after the reload").await;

    if storage == Storage::Served {
        // The storage's folder listing, as the standalone preview reads it.
        browser.open(&format!("{site}/preview")).await;
        browser.fill("Folder URL", &format!("{site}/render/hosted/poster/tiles/")).await;
        browser.button("Load").await.click().await.expect("the folder loads");
        browser.wait_xpath(&tiles_in_state("placed", TILES), "the listed tiles placed").await;
    }

    // The app's root lists the job.
    browser.open(&format!("{site}/")).await;
    browser.link(JOB_NAME).await;
    csp::assert_no_csp_violation(&browser, "using the dashboard").await;
    browser.close().await;
}

#[test]
fn only_marked_lines_are_filled_in() {
    let documented = "a 1;  # REPLACE: the one\nb 1;\n# REPLACE: the two\nc 2;\n";
    assert_eq!(
        fill_in(documented, &[("1", "x"), ("2", "y")]),
        "a x;  # REPLACE: the one\nb 1;\n# REPLACE: the two\nc y;\n"
    );
    let unmarked = std::panic::catch_unwind(|| fill_in("a 1;\n", &[("1", "x")]));
    assert!(unmarked.is_err(), "a value on no marked line is refused");
}
