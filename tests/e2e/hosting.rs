//! The hosting the README documents, set up as it tells a person to and used through a real browser:
//! Debian's nginx with `docs/hosting/nginx-site.conf` (`nginx`), Caddy with `docs/hosting/Caddyfile`
//! (`caddy`), both in front of simfarm, and Caddy serving only the files on port 8081 with
//! `docs/hosting/Caddyfile-8081` (`dev_port`). Each host must pass on the app, a deep link, a reload,
//! the API, the WebSocket and `/job-files/` (and, behind the proxies, the render storage).

mod caddy;
mod dev_port;
mod nginx;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use flamenco_api::{JobStatus, SubmittedJob};
use serde_json::json;
use tokio::process::{Child, Command};

use crate::preview::tiles_in_state;
use crate::support::{dist_dir, workspace_root, xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

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
    let text = std::fs::read_to_string(workspace_root().join("docs/hosting").join(name))
        .unwrap_or_else(|error| panic!("docs/hosting/{name}: {error}"));
    assert!(readme().contains(&format!("docs/hosting/{name}")), "the README points at docs/hosting/{name}");
    text
}

/// A documented configuration with its marked values filled in, and nothing else changed. A value
/// is marked by a `# REPLACE` comment at the end of its line or on the line just above it; `values`
/// pairs each documented value with what replaces it. Every marked line must be filled in, and
/// every value must be found on a marked line: an unmarked copy of a value stays as printed, so a
/// configuration that needs one changed fails its test.
fn fill_in(documented: &str, values: &[(&str, &str)]) -> String {
    let mut used = vec![0; values.len()];
    let mut marked_above = false;
    let mut lines = Vec::new();
    for line in documented.lines() {
        let trimmed = line.trim_start();
        let is_comment = trimmed.starts_with('#');
        let marked = marked_above || (!is_comment && line.contains("# REPLACE"));
        marked_above = is_comment && trimmed.starts_with("# REPLACE");
        if !marked {
            lines.push(line.to_owned());
            continue;
        }
        let mut filled = line.to_owned();
        for (index, (from, to)) in values.iter().enumerate() {
            if filled.contains(from) {
                filled = filled.replacen(from, to, 1);
                used[index] += 1;
            }
        }
        assert_ne!(filled, line, "the marked line `{line}` has none of the values a test fills in");
        lines.push(filled);
    }
    for ((from, _), count) in values.iter().zip(used) {
        assert_eq!(count, 1, "`{from}` is not on exactly one marked line");
    }
    lines.join("\n") + "\n"
}

/// A copy of the built app, as a person puts `dist/` on the host, with a `farmdeck.json` beside
/// `index.html`. Returns the folder holding `dist/`.
fn installed_dist(farmdeck_json: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a folder for the installed app");
    let dist = dir.path().join("dist");
    copy_dir(&dist_dir(), &dist);
    std::fs::write(dist.join("farmdeck.json"), farmdeck_json).expect("writing farmdeck.json");
    (dir, dist)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating a folder");
    for entry in std::fs::read_dir(from).expect("reading the built app") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copying the built app");
        }
    }
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

/// A web server process started for a test, killed with it, its log kept for failure messages.
struct Server {
    url: String,
    process: Child,
}

impl Server {
    /// Runs `command` and waits until `url` answers.
    async fn start(mut command: Command, url: String, log: PathBuf) -> Server {
        let log_file = std::fs::File::create(&log).expect("a log file");
        let mut process = command
            .stdout(Stdio::null())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {command:?} (run scripts/setup.sh): {error}"));
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while reqwest::get(&url).await.is_err() {
            if let Ok(Some(status)) = process.try_wait() {
                panic!("{command:?} ended ({status}): {}", std::fs::read_to_string(&log).unwrap_or_default());
            }
            assert!(tokio::time::Instant::now() < deadline, "nothing answered on {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { url, process }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.start_kill();
    }
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
