//! The wrangler's dashboard against simfarm: job controls, live updates, task logs, a Manager that goes
//! away, and untrusted text. Nothing here reloads the page: what changes arrives live.

use std::time::Duration;

use fantoccini::Locator;
use flamenco_api::{JobStatus, TaskStatus, TaskSummary};

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

/// The row of the job named `name` in the job list.
fn job_row(name: &str) -> String {
    format!("//tr[contains(@class,'job-row')][.//a[normalize-space()={}]]", xpath_literal(name))
}

/// The header's live indicator (its spoken text) saying that updates arrive: exactly that, since
/// "Live updates lost, reconnecting" contains "Live" too.
const LIVE: &str = "//*[@role='status'][normalize-space()='Live updates on']";

/// Waits until the job row shows `status` in its status badge.
async fn wait_for_row_status(browser: &Browser, name: &str, status: &str) {
    browser
        .wait_xpath(
            &format!(
                "{}//span[contains(@class,'status-badge')][normalize-space()={}]",
                job_row(name),
                xpath_literal(status)
            ),
            &format!("job \"{name}\" shown as {status}"),
        )
        .await;
}

/// Each task's status, steps done and worker, by name.
fn task_states(tasks: &[TaskSummary]) -> Vec<(String, TaskStatus, i64, String)> {
    let mut states: Vec<_> = tasks
        .iter()
        .map(|task| {
            let worker = task.worker.as_ref().map(|worker| worker.id.clone()).unwrap_or_default();
            (task.name.clone(), task.status.clone(), task.steps_completed, worker)
        })
        .collect();
    states.sort_by(|a, b| a.0.cmp(&b.0));
    states
}

/// Every task of a paused job either completed before the pause or never started: paused, with no
/// step done and no worker.
fn assert_nothing_started(tasks: &[TaskSummary], when: &str) {
    for (name, status, steps, worker) in task_states(tasks) {
        if status == TaskStatus::Completed {
            continue;
        }
        assert!(
            status == TaskStatus::Paused && steps == 0 && worker.is_empty(),
            "{when}, task {name} is {status} with {steps} steps done by worker {worker:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pausing_a_running_job_waits_for_its_active_tasks_then_resume_completes_it() {
    // Tasks long enough that the first two still run when the test has opened the page and
    // paused the job, on a loaded 2-core machine too (with 5 s tasks, CI once saw them end first).
    let farm =
        Simfarm::start(&["--workers", "2", "--task-seconds", "12", "--failure-rate", "0", "--seed", "1"])
            .await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Pause me", 4)).await;
    api.wait_for_status(&job.id, JobStatus::Active, PATIENCE).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Pause me").await.click().await.expect("the job opens");
    wait_for_row_status(&browser, "Pause me", "active").await;
    browser.button("Pause").await.click().await.expect("Pause is enabled for an active job");

    wait_for_row_status(&browser, "Pause me", "pause-requested").await;
    assert_eq!(
        api.job(&job.id).await.status,
        JobStatus::PauseRequested,
        "running tasks keep the job pausing"
    );
    assert!(api.count_tasks(&job.id, TaskStatus::Active).await > 0, "the job pauses while tasks still run");
    browser.text("waiting for").await;

    wait_for_row_status(&browser, "Pause me", "paused").await;
    let at_pause = api.tasks(&job.id).await;
    assert_nothing_started(&at_pause, "once paused");
    let completed_at_pause = at_pause.iter().filter(|task| task.status == TaskStatus::Completed).count();
    assert!(completed_at_pause < 4, "the job was paused before it finished");
    browser.text("This job is paused").await;
    // Two workers sit idle beside the paused job: a task wrongly handed out would now be active,
    // or have steps done or a worker, whether or not it completed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let later = api.tasks(&job.id).await;
    assert_nothing_started(&later, "2 s after pausing");
    assert_eq!(task_states(&later), task_states(&at_pause), "no task ran while paused");

    browser.button("Resume").await.click().await.expect("Resume is enabled for a paused job");
    wait_for_row_status(&browser, "Pause me", "completed").await;
    let tasks = api.tasks(&job.id).await;
    assert!(tasks.iter().all(|task| task.status == TaskStatus::Completed), "every task ran to the end");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_pause_over_mixed_statuses_reports_what_it_skipped() {
    let farm =
        Simfarm::start(&["--workers", "1", "--task-seconds", "0.3", "--failure-rate", "0", "--seed", "2"])
            .await;
    let api = FarmApi::new(&farm.url);
    let done = api.submit(&FarmApi::frames_job("Finished one", 1)).await;
    api.wait_for_status(&done.id, JobStatus::Completed, PATIENCE).await;
    let mut paused = FarmApi::frames_job("Held one", 3);
    paused.initial_status = Some(JobStatus::Paused);
    api.submit(&paused).await;
    let running = api.submit(&FarmApi::frames_job("Long one", 200)).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Long one").await;
    browser.field("Select all shown jobs").await.click().await.expect("select all");
    browser.text("3 of 3 selected").await;
    browser.button("Pause").await.click().await.expect("Pause applies to at least one selected job");

    let report = browser.text("Asked to pause 1 job.").await.text().await.expect("the report");
    assert!(report.contains("Skipped 2"), "{report}");
    assert!(report.contains("\"Finished one\" is completed"), "{report}");
    assert!(report.contains("\"Held one\" is paused"), "{report}");
    let status = api.job(&running.id).await.status;
    assert!(
        matches!(status, JobStatus::PauseRequested | JobStatus::Paused),
        "the running job pauses: {status}"
    );
    assert_eq!(api.job(&done.id).await.status, JobStatus::Completed, "skipped jobs are left alone");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_asks_first_and_keeping_the_jobs_changes_nothing() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Keep me", 1)).await;
    api.wait_for_status(&job.id, JobStatus::Completed, PATIENCE).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Keep me").await.click().await.expect("the job opens");
    browser.button("Delete").await.click().await.expect("Delete is enabled for a completed job");
    let dialog = browser.wait_xpath("//*[@role='dialog']", "the confirmation").await;
    let text = dialog.text().await.expect("the dialog's text");
    assert!(text.contains("Delete 1 job?") && text.contains("Keep me"), "the dialog names what goes: {text}");
    browser.button("Keep them").await.click().await.expect("keeping");
    browser.wait_gone("//*[@role='dialog']", "the confirmation").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = api.job(&job.id).await;
    assert_eq!(after.delete_requested_at, None, "nothing was deleted");
    assert_eq!(after.status, JobStatus::Completed);

    browser.button("Delete").await.click().await.expect("Delete again");
    browser.button("Delete 1 job").await.click().await.expect("confirming");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let response =
            reqwest::get(format!("{}/api/v3/jobs/{}", farm.url, job.id)).await.expect("simfarm answers");
        let gone = response.status() == 404
            || response
                .json::<flamenco_api::Job>()
                .await
                .map(|job| job.delete_requested_at.is_some())
                .unwrap_or(false);
        if gone {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the confirmed deletion did not happen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_followed_task_log_grows_while_the_task_runs() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "8", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Chatty", 1)).await;
    api.wait_for_status(&job.id, JobStatus::Active, PATIENCE).await;
    let task = api.tasks(&job.id).await.into_iter().next().expect("one task");

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.link(&task.name).await.click().await.expect("the task opens");
    browser.text("following").await;
    let log = browser.wait_xpath("//section[@aria-label='Task log']//pre", "the log").await;
    let mut lengths = Vec::new();
    for _ in 0..4 {
        lengths.push(log.text().await.expect("log text").len());
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    assert!(lengths.windows(2).any(|pair| pair[1] > pair[0]), "the log grew: {lengths:?}");
    assert!(lengths.last() > lengths.first(), "the log grew overall: {lengths:?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_that_goes_away_leaves_the_data_and_the_app_recovers_by_itself() {
    let mut farm = Simfarm::start(&["--workers", "1", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    api.submit(&FarmApi::frames_job("Before the outage", 1)).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Before the outage").await;
    browser.wait_xpath(LIVE, "the live indicator").await;

    farm.stop().await;
    browser
        .wait_xpath(
            "//*[@role='status'][contains(normalize-space(),'Reconnecting')]",
            "the reconnecting indicator",
        )
        .await;
    browser.text("may be out of date").await;
    assert!(
        !browser
            .client
            .find_all(Locator::XPath(&job_row("Before the outage")))
            .await
            .expect("lookup")
            .is_empty(),
        "the jobs stay on screen while the Manager is away"
    );

    farm.restart().await;
    // The restarted farm is a new one: a job submitted to it must show up without a reload, and the
    // old farm's job must go.
    let api = FarmApi::new(&farm.url);
    browser.wait_xpath(LIVE, "the live indicator again").await;
    api.submit(&FarmApi::frames_job("After the outage", 1)).await;
    browser.link("After the outage").await;
    browser.wait_gone(&job_row("Before the outage"), "the old farm's job").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn html_in_names_and_metadata_is_shown_as_text_and_never_runs() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let name = r#"<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>"#;
    let mut job = FarmApi::frames_job(name, 1);
    job.metadata = Some([("note".to_owned(), r#"<svg onload="window.__pwned=3"></svg>"#.to_owned())].into());
    let job = api.submit(&job).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    let link = browser.link(name).await;
    assert_eq!(link.text().await.expect("the link's text"), name);
    browser.text(r#"<svg onload="window.__pwned=3"></svg>"#).await;
    let pwned = browser
        .client
        .execute("return window.__pwned === undefined ? null : window.__pwned;", vec![])
        .await
        .expect("script");
    assert_eq!(pwned, serde_json::Value::Null, "no markup from the Manager ran");
    let injected = browser
        .client
        .find_all(Locator::Css("main img[src='x'], main script, main b"))
        .await
        .expect("lookup");
    assert!(injected.is_empty(), "no element was made from the Manager's text");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_and_search_live_in_the_address_and_survive_going_back() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    api.submit(&FarmApi::frames_job("Alpha shot", 1)).await;
    let mut held = FarmApi::frames_job("Beta shot", 1);
    held.initial_status = Some(JobStatus::Paused);
    api.submit(&held).await;
    api.submit(&FarmApi::frames_job("Gamma", 1)).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Gamma").await;
    browser
        .wait_xpath("//button[@aria-pressed][starts-with(normalize-space(),'paused')]", "the paused filter")
        .await
        .click()
        .await
        .expect("the filter can be clicked");
    browser.wait_gone(&job_row("Alpha shot"), "jobs that are not paused").await;
    browser.link("Beta shot").await;
    assert!(
        browser.path().await.contains("status=paused"),
        "the filter is in the address: {}",
        browser.path().await
    );

    browser.link("Beta shot").await.click().await.expect("the job opens");
    browser.heading("Beta shot").await;
    browser.client.back().await.expect("history back");
    browser.wait_gone("//*[contains(@class,'job-pane')]", "the job pane").await;
    assert!(browser.path().await.contains("status=paused"), "back returns to the filtered list");
    assert!(browser.client.find_all(Locator::XPath(&job_row("Gamma"))).await.expect("lookup").is_empty());

    browser.open(&format!("{}/jobs?q=shot", farm.url)).await;
    browser.link("Alpha shot").await;
    browser.link("Beta shot").await;
    browser.wait_gone(&job_row("Gamma"), "a job the search does not match").await;
    browser.close().await;
}

/// The checkbox that selects the job named `name` in the list.
fn row_checkbox(name: &str) -> String {
    format!("//label[normalize-space()={}]/input[@type='checkbox']", xpath_literal(&format!("Select {name}")))
}

/// Types into the list's search box, replacing what it held.
async fn search(browser: &Browser, text: &str) {
    browser.fill("Search jobs", text).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_action_acts_only_on_the_selected_jobs_the_filter_shows() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let mut ids = std::collections::HashMap::new();
    for name in ["Alpha one", "Alpha two", "Beta one", "Beta two", "Beta three"] {
        ids.insert(name, api.submit(&FarmApi::frames_job(name, 1)).await.id);
    }

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Beta three").await;
    search(&browser, "Alpha").await;
    browser.wait_gone(&job_row("Beta one"), "the jobs the search hides").await;
    browser.field("Select all shown jobs").await.click().await.expect("select all");
    browser.text("2 of 2 selected").await;

    // Another search: the Alpha jobs leave the screen, and with them the selection.
    search(&browser, "Beta").await;
    browser.wait_gone(&job_row("Alpha one"), "the jobs the new search hides").await;
    for name in ["Beta one", "Beta two", "Beta three"] {
        browser.wait_xpath(&row_checkbox(name), name).await.click().await.expect("ticking a job");
    }
    browser.text("3 of 3 selected").await;
    browser.button("Pause").await.click().await.expect("Pause");
    browser.text("Asked to pause 3 jobs.").await;
    for name in ["Beta one", "Beta two", "Beta three"] {
        api.wait_for_status(&ids[name], JobStatus::Paused, PATIENCE).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for name in ["Alpha one", "Alpha two"] {
        assert_eq!(api.job(&ids[name]).await.status, JobStatus::Queued, "{name}, hidden, is left alone");
    }

    // Back to every job: the hidden ones did not stay selected behind the person's back.
    search(&browser, "").await;
    browser.link("Alpha one").await;
    browser.text("3 of 5 selected").await;
    for name in ["Alpha one", "Alpha two"] {
        let checked = browser.wait_xpath(&row_checkbox(name), name).await.prop("checked").await;
        assert_eq!(checked.ok().flatten().as_deref(), Some("false"), "{name} is not selected");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_job_list_is_fetched_once_per_load_and_once_per_reconnect() {
    let mut farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    api.submit(&FarmApi::frames_job("Counted", 1)).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Counted").await;
    browser.wait_xpath(LIVE, "the live indicator").await;
    // A second fetch would follow the connection within milliseconds; leave it ample time.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(browser.requests_to("/api/v3/jobs").await, 1, "one load, one GET /api/v3/jobs");

    farm.stop().await;
    browser
        .wait_xpath(
            "//*[@role='status'][normalize-space()='Live updates lost, reconnecting']",
            "the reconnecting indicator",
        )
        .await;
    farm.restart().await;
    let api = FarmApi::new(&farm.url);
    api.submit(&FarmApi::frames_job("After the reconnect", 1)).await;
    browser.wait_xpath(LIVE, "the live indicator again").await;
    browser.link("After the reconnect").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(browser.requests_to("/api/v3/jobs").await, 2, "the reconnect fetched the list once more");
    browser.close().await;
}
