//! Read-only screens: with the README's `{"read_only": true}` in `farmdeck.json`, the dashboard,
//! served by the documented nginx site (which would pass any change on to the Manager), shows the
//! farm and offers no enabled control that could change it, on every page a wrangler acts from.

use std::time::Duration;

use flamenco_api::{JobStatus, TaskStatus};
use serde_json::json;

use crate::support::{
    documented_config, installed_dist, nginx_site, workspace_root, Browser, FarmApi, Nginx, Simfarm,
};

/// The README's `farmdeck.json` for a read-only screen.
const README_READ_ONLY_JSON: &str = r#"{"read_only": true}"#;
const BANNER: &str = "Read-only: this screen shows the farm and cannot change it.";

/// Every enabled, visible control of the page, as `kind: accessible name`.
const ENABLED_CONTROLS: &str = r#"
const name = el => {
  const aria = el.getAttribute('aria-label');
  if (aria) return aria;
  if (el.labels && el.labels.length) return el.labels[0].textContent;
  return el.textContent || el.value || '';
};
return [...document.querySelectorAll('button, input, select, textarea')]
  .filter(el => !el.matches(':disabled') && el.type !== 'hidden' && el.getClientRects().length > 0)
  .map(el => {
    const kind = el.tagName === 'INPUT' ? 'input ' + el.type : el.tagName.toLowerCase();
    return kind + ': ' + name(el).replace(/\s+/g, ' ').trim();
  });
"#;

/// Controls that only change what this screen shows: searching, filtering, sorting, choosing rows,
/// opening and closing, copying, loading more of a log, this browser's notifications. Anything else
/// fails the test.
fn changes_only_the_view(control: &str) -> bool {
    let (kind, name) = control.split_once(": ").unwrap_or((control, ""));
    let statuses = [
        "active",
        "canceled",
        "completed",
        "failed",
        "paused",
        "queued",
        "requeueing",
        "cancel-requested",
        "pause-requested",
        "under-construction",
        "soft-failed",
    ];
    let names = [
        "Search",
        "Filter jobs",
        "Copy id",
        "Copied",
        "Show the whole log",
        "Load the full log",
        "Try again",
        "Close",
        "Refresh",
        // The bell notifies this browser; the farm does not hear of it.
        "Notify me about this job",
    ];
    let sort_columns = [
        "Name",
        "Status",
        "Type",
        "Priority",
        "Progress",
        "Steps done",
        "Submitter",
        "Updated",
        "Created",
        "Worker",
        "Worker tag",
    ];
    // A status filter toggle: the status (or "all") and how many have it.
    let status_filter = |name: &str| {
        name.rsplit_once(' ').is_some_and(|(status, count)| {
            count.parse::<u32>().is_ok() && (status == "all" || statuses.contains(&status))
        })
    };
    match kind {
        "input checkbox" => name.starts_with("Select "),
        // Which platform and audience the Manager's variables are shown resolved for.
        // ... and which stretch of time the timeline shows.
        "select" => ["Platform", "For", "Show"].contains(&name),
        "input search" | "input text" => {
            names.contains(&name) || name.starts_with("Search") || name.starts_with("Filter")
        }
        "button" => {
            names.contains(&name)
                || sort_columns.contains(&name)
                || statuses.contains(&name.to_lowercase().as_str())
                || status_filter(name)
                || name.starts_with("Sort ")
                || name.starts_with("Show ")
        }
        _ => false,
    }
}

async fn controls_that_could_change_the_farm(browser: &Browser) -> Vec<String> {
    let found = browser.client.execute(ENABLED_CONTROLS, vec![]).await.expect("the page answers");
    let found: Vec<String> = serde_json::from_value(found).expect("a list of names");
    found.into_iter().filter(|control| !changes_only_the_view(control)).collect()
}

/// Waits for the page to settle on `what`, then asserts none of its enabled controls changes the farm.
async fn assert_read_only(browser: &Browser, what: &str) {
    browser.text(BANNER).await;
    // Live updates and lazily loaded parts arrive after the first paint.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let offending = controls_that_could_change_the_farm(browser).await;
    assert!(offending.is_empty(), "{what}: enabled controls that could change the farm: {offending:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_dashboard_offers_no_enabled_control_that_changes_the_farm() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md");
    assert!(readme.contains(README_READ_ONLY_JSON), "the README prints {README_READ_ONLY_JSON}");
    let farm =
        Simfarm::start(&["--name", "Wall", "--workers", "3", "--task-seconds", "30", "--failure-rate", "0"])
            .await;
    let api = FarmApi::new(&farm.url);
    let running = api.submit(&FarmApi::frames_job("Running shot", 12)).await;
    let tag: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v3/worker-mgt/tags", farm.url))
        .json(&json!({ "name": "GPU" }))
        .send()
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("the new tag");
    assert!(tag.get("id").is_some(), "a tag to show: {tag}");
    api.wait_for_status(&running.id, JobStatus::Active, Duration::from_secs(30)).await;
    let task = loop {
        let tasks = api.tasks(&running.id).await;
        if let Some(task) = tasks.into_iter().find(|task| task.status == TaskStatus::Active) {
            break task;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let (_app, dist) = installed_dist(README_READ_ONLY_JSON);
    let manager = farm.url.trim_start_matches("http://");
    let site_file = nginx_site(&documented_config("nginx-site.conf"), manager, &dist, "/nonexistent/");
    let nginx = Nginx::start(&site_file).await;
    let site = &nginx.server.url;
    let browser = Browser::start().await;

    browser.open(&format!("{site}/jobs")).await;
    browser.link("Running shot").await;
    let select = browser.field("Select Running shot").await;
    select.click().await.expect("the job is selected");
    browser.text("1 of 1 selected").await;
    assert_read_only(&browser, "the jobs list with a job selected").await;

    browser.open(&format!("{site}/jobs/{}", running.id)).await;
    browser.heading("Running shot").await;
    assert_read_only(&browser, "an active job's pane").await;

    browser.open(&format!("{site}/jobs/{}/tasks/{}", running.id, task.id)).await;
    browser.heading(&task.name).await;
    assert_read_only(&browser, "an active task's pane").await;

    browser.open(&format!("{site}/workers")).await;
    let worker = browser
        .wait_xpath(
            "//table[contains(@class,'workers-table')]//tbody//a[starts-with(@href,'/workers/')]",
            "a worker",
        )
        .await;
    let worker_name = worker.text().await.expect("the worker's name");
    assert_read_only(&browser, "the workers list").await;
    worker.click().await.expect("the worker opens");
    browser.heading(&worker_name).await;
    browser.text("Sleep schedule").await;
    assert_read_only(&browser, "a worker's pane").await;

    browser.open(&format!("{site}/tags")).await;
    browser.heading("GPU").await;
    assert_read_only(&browser, "the tags page").await;

    browser.open(&format!("{site}/manager")).await;
    browser.heading("Manager settings").await;
    assert_read_only(&browser, "the Manager's settings").await;

    browser.open(&format!("{site}/submit")).await;
    browser.heading("Submit a job").await;
    assert_read_only(&browser, "the submit page").await;
    assert!(
        !browser.shown_now("//nav//a[normalize-space()='Submit']").await,
        "no Submit link in the navigation"
    );

    browser.open(&format!("{site}/timeline")).await;
    browser.heading("Timeline").await;
    assert_read_only(&browser, "the timeline").await;

    // Nothing the test did changed the farm.
    let job = api.job(&running.id).await;
    assert!(matches!(job.status, JobStatus::Active | JobStatus::Completed), "{:?}", job.status);
    browser.close().await;
}
