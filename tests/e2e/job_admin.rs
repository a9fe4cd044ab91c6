//! Administering jobs as a wrangler does in Flamenco's own web app: a job's blocklist, its worker
//! tag (for one job or a selection), and deleting old jobs. Checked against simfarm's API.

use std::time::Duration;

use flamenco_api::{Job, JobBlocklistEntry, JobStatus, WorkerSummary};
use serde_json::json;

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

/// The row of the job named `name` in the job list.
fn job_row(name: &str) -> String {
    format!("//tr[contains(@class,'job-row')][.//a[normalize-space()={}]]", xpath_literal(name))
}

const NO_WORKERS_NOTE: &str = "every worker able to run its \"blender\" tasks was blocklisted";

async fn http_json(
    method: reqwest::Method,
    url: String,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let request = reqwest::Client::new().request(method, &url);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    request.send().await.unwrap_or_else(|error| panic!("{url}: {error}"))
}

async fn blocklist(farm: &Simfarm, job_id: &str) -> Vec<JobBlocklistEntry> {
    let url = format!("{}/api/v3/jobs/{job_id}/blocklist", farm.url);
    http_json(reqwest::Method::GET, url, None).await.json().await.expect("a JobBlocklist")
}

async fn workers(farm: &Simfarm) -> Vec<WorkerSummary> {
    let url = format!("{}/api/v3/worker-mgt/workers", farm.url);
    let list: flamenco_api::WorkerList =
        http_json(reqwest::Method::GET, url, None).await.json().await.expect("a WorkerList");
    list.workers
}

/// Creates a worker tag through the API; returns its id.
async fn create_tag(farm: &Simfarm, name: &str) -> String {
    let url = format!("{}/api/v3/worker-mgt/tags", farm.url);
    let response = http_json(reqwest::Method::POST, url, Some(json!({"name": name}))).await;
    assert!(response.status().is_success(), "creating tag {name}: {}", response.status());
    let tag: flamenco_api::WorkerTag = response.json().await.expect("a WorkerTag");
    tag.id.expect("the new tag's id")
}

/// A farm whose every task fails, and a job on it that fails once both workers are blocklisted.
async fn job_failed_by_blocklisting(name: &str) -> (Simfarm, Job) {
    let farm =
        Simfarm::start(&["--workers", "2", "--task-seconds", "0.2", "--failure-rate", "1", "--seed", "12"])
            .await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job(name, 8)).await;
    let job = api.wait_for_status(&job.id, JobStatus::Failed, PATIENCE).await;
    assert!(job.activity.contains("no more workers left"), "{}", job.activity);
    assert_eq!(blocklist(&farm, &job.id).await.len(), 2, "both workers are blocklisted");
    (farm, job)
}

fn select_box(worker: &str) -> String {
    format!("Select {worker} (blender)")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_failed_by_blocklisting_shows_why_and_entries_can_be_removed() {
    let (farm, job) = job_failed_by_blocklisting("Doomed render").await;
    let names: Vec<String> = workers(&farm).await.into_iter().map(|worker| worker.name).collect();

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.heading("Blocklist").await;
    browser.text(NO_WORKERS_NOTE).await;
    for name in &names {
        let link = browser.link(name).await;
        let href = link.attr("href").await.ok().flatten().unwrap_or_default();
        assert!(href.starts_with("/workers/"), "{name} links to its worker: {href}");
    }

    // Tick one entry and remove it with the button for the ticked ones.
    browser.field(&select_box(&names[0])).await.click().await.expect("the tick");
    browser.button("Remove from blocklist").await.click().await.expect("remove the ticked one");
    browser.text("Removed 1 entry from the blocklist.").await;
    browser
        .wait_gone(&format!("//a[normalize-space()={}]", xpath_literal(&names[0])), "the removed entry")
        .await;
    let left = blocklist(&farm, &job.id).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].worker_name.as_deref(), Some(names[1].as_str()), "the Manager agrees");

    // The other one with its own button.
    let label = format!("Remove {} (blender) from the blocklist", names[1]);
    browser
        .wait_xpath(&format!("//button[@aria-label={}]", xpath_literal(&label)), "the entry's remove button")
        .await
        .click()
        .await
        .expect("remove one");
    browser.text("No worker is blocklisted for this job.").await;
    assert!(blocklist(&farm, &job.id).await.is_empty(), "the Manager's list is empty too");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ticked_entry_and_an_unsaved_tag_choice_survive_a_stream_of_job_updates() {
    let (farm, job) = job_failed_by_blocklisting("Busy failing job").await;
    let tag_id = create_tag(&farm, "Night shift").await;
    let names: Vec<String> = workers(&farm).await.into_iter().map(|worker| worker.name).collect();

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.record_all_requests().await;
    let tick = browser.field(&select_box(&names[1])).await;
    tick.click().await.expect("the tick");
    browser.field("Change worker tag").await.select_by_label("Night shift").await.expect("pick the tag");
    let blocklist_path = format!("/api/v3/jobs/{}/blocklist", job.id);
    let fetched_before = browser.requests_to(&blocklist_path).await;

    // Another wrangler (or script) keeps changing the job: status and priority, for 4 seconds.
    let statuses = ["requeueing", "paused", "queued", "paused"];
    for round in 0..16 {
        let status = statuses[round % statuses.len()];
        let url = format!("{}/api/v3/jobs/{}/setstatus", farm.url, job.id);
        let change = json!({"status": status, "reason": "stream of updates"});
        assert!(http_json(reqwest::Method::POST, url, Some(change)).await.status().is_success());
        let url = format!("{}/api/v3/jobs/{}/setpriority", farm.url, job.id);
        http_json(reqwest::Method::POST, url, Some(json!({"priority": 40 + round}))).await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    browser.text("stream of updates").await;
    let fetched_after = browser.requests_to(&blocklist_path).await;
    assert!(
        fetched_after > fetched_before,
        "the blocklist followed the job ({fetched_before} -> {fetched_after})"
    );

    let tick = browser.field(&select_box(&names[1])).await;
    assert_eq!(tick.prop("checked").await.ok().flatten().as_deref(), Some("true"), "the tick stays");
    assert_eq!(browser.field_value("Change worker tag").await, tag_id, "the unsaved choice stays");
    assert!(api_tag(&farm, &job.id).await.is_none(), "nothing was saved yet");

    // And both still do what the person meant.
    browser.button("Save tag").await.click().await.expect("save");
    browser
        .wait_xpath("//*[contains(@class,'tag-name')][normalize-space()='Night shift']", "the pane's tag")
        .await;
    assert_eq!(api_tag(&farm, &job.id).await.as_deref(), Some(tag_id.as_str()));
    browser.button("Remove from blocklist").await.click().await.expect("remove the ticked one");
    browser.text("Removed 1 entry from the blocklist.").await;
    let left = blocklist(&farm, &job.id).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].worker_name.as_deref(), Some(names[0].as_str()), "the ticked one went");
    browser.close().await;
}

async fn api_tag(farm: &Simfarm, job_id: &str) -> Option<String> {
    FarmApi::new(&farm.url).job(job_id).await.worker_tag.filter(|tag| !tag.is_empty())
}

/// The job's row shows `tag` in its worker tag cell.
async fn wait_for_row_tag(browser: &Browser, job: &str, tag: &str) {
    let xpath =
        format!("{}/td[contains(@class,'col-tag')][normalize-space()={}]", job_row(job), xpath_literal(tag));
    browser.wait_xpath(&xpath, &format!("tag {tag} in the row of {job}")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_jobs_worker_tag_is_changed_in_its_pane_and_for_a_selection() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let tag_id = create_tag(&farm, "Render nodes").await;
    let mut ids = Vec::new();
    for name in ["Alpha shot", "Beta shot", "Gamma shot"] {
        let mut job = FarmApi::frames_job(name, 2);
        job.initial_status = Some(JobStatus::Paused);
        ids.push(api.submit(&job).await.id);
    }

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, ids[0])).await;
    browser
        .wait_xpath("//*[contains(@class,'tag-name')][normalize-space()='Any worker']", "no tag yet")
        .await;
    browser.field("Change worker tag").await.select_by_label("Render nodes").await.expect("pick");
    browser.button("Save tag").await.click().await.expect("save");
    browser
        .wait_xpath("//*[contains(@class,'tag-name')][normalize-space()='Render nodes']", "the pane's tag")
        .await;
    wait_for_row_tag(&browser, "Alpha shot", "Render nodes").await;
    assert_eq!(api_tag(&farm, &ids[0]).await.as_deref(), Some(tag_id.as_str()));
    assert!(
        !browser.shown_now(&format!("//*[contains(text(), {})]", xpath_literal(&tag_id))).await,
        "no id shows"
    );

    // Two jobs at once from the list.
    for name in ["Beta shot", "Gamma shot"] {
        browser.field(&format!("Select {name}")).await.click().await.expect("select");
    }
    browser.text("2 of 3 selected").await;
    browser.field("Worker tag").await.select_by_label("Render nodes").await.expect("pick");
    browser.button("Set worker tag").await.click().await.expect("set");
    browser.text("Set worker tag \"Render nodes\" on 2 jobs.").await;
    wait_for_row_tag(&browser, "Beta shot", "Render nodes").await;
    wait_for_row_tag(&browser, "Gamma shot", "Render nodes").await;
    for id in &ids[1..] {
        assert_eq!(api_tag(&farm, id).await.as_deref(), Some(tag_id.as_str()), "the Manager agrees");
    }

    // Back to any worker, in the pane.
    browser.field("Change worker tag").await.select_by_label("Any worker").await.expect("pick");
    browser.button("Save tag").await.click().await.expect("save");
    browser.wait_xpath("//*[contains(@class,'tag-name')][normalize-space()='Any worker']", "cleared").await;
    assert_eq!(api_tag(&farm, &ids[0]).await, None);
    browser.close().await;
}

/// Milliseconds since 1970, now, moved by `offset_ms`.
fn unix_millis(offset_ms: i64) -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970");
    now.as_millis() as i64 + offset_ms
}

/// Sets the date-time field as the browser's date picker would: `millis` (Unix time) shown in the
/// browser's time zone.
async fn pick_date_time(browser: &Browser, label: &str, millis: i64) {
    let field = browser.field(label).await;
    let script = "const d = new Date(arguments[1]); const p = n => String(n).padStart(2, '0');
        arguments[0].value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
        arguments[0].dispatchEvent(new Event('input', { bubbles: true }));";
    let element = serde_json::to_value(&field).expect("the element as a script argument");
    browser.client.execute(script, vec![element, json!(millis)]).await.expect("the script runs");
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_old_jobs_counts_them_first_and_explains_when_there_are_none() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let paused = |name: &str| {
        let mut job = FarmApi::frames_job(name, 2);
        job.initial_status = Some(JobStatus::Paused);
        job
    };
    api.submit(&paused("Old one")).await;
    api.submit(&paused("Old two")).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let cutoff = unix_millis(-1000);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    api.submit(&paused("New one")).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("New one").await;
    browser.button("Delete old jobs…").await.click().await.expect("open the form");
    // Long before any job: the Manager's 416, explained, and the chosen time kept.
    let long_ago = unix_millis(-30 * 24 * 3600 * 1000);
    pick_date_time(&browser, "Delete jobs last updated before", long_ago).await;
    browser.text("0 jobs were last updated before then").await;
    let typed = browser.field_value("Delete jobs last updated before").await;
    browser.button("Delete these jobs").await.click().await.expect("ask anyway");
    browser.alert("No job was last updated before that time").await;
    assert_eq!(browser.field_value("Delete jobs last updated before").await, typed, "the time stays");
    assert_eq!(api.job_count().await, 3);

    pick_date_time(&browser, "Delete jobs last updated before", cutoff).await;
    browser.text("2 jobs were last updated before then and will be deleted.").await;
    browser.button("Delete these jobs").await.click().await.expect("delete");
    browser.text("Marked 2 old jobs for deletion.").await;
    browser.wait_gone(&job_row("Old one"), "Old one's row").await;
    browser.wait_gone(&job_row("Old two"), "Old two's row").await;
    assert!(browser.shown_now(&job_row("New one")).await, "the new job stays");
    let left: Vec<String> = api.jobs().await.into_iter().map(|job| job.name).collect();
    assert_eq!(left, ["New one"]);
    browser.close().await;
}
