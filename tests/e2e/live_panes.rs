//! The job and task panes on a busy farm: live updates change the values that changed and leave what
//! a person did in place (a "Copied" button, an action's report), without fetching again what only
//! depends on which job is open; and a task nobody runs reads as unassigned.

use std::time::Duration;

use fantoccini::Locator;
use flamenco_api::{JobStatus, TaskStatus};

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

/// A farm that hands out several tasks a second, with a job that keeps it busy for about a minute
/// (long enough to outlast a slow browser start on a loaded machine).
async fn busy_farm(seed: &str) -> (Simfarm, FarmApi, flamenco_api::Job) {
    let farm =
        Simfarm::start(&["--workers", "4", "--task-seconds", "0.4", "--failure-rate", "0", "--seed", seed])
            .await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Busy", 600)).await;
    api.wait_for_status(&job.id, JobStatus::Active, PATIENCE).await;
    (farm, api, job)
}

/// The text of the fact `label` in the open pane's facts list.
fn fact(pane: &str, label: &str) -> String {
    format!(
        "//section[@aria-label={}]//dl//dt[normalize-space()={}]/following-sibling::dd[1]",
        xpath_literal(pane),
        xpath_literal(label)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_job_pane_keeps_what_a_person_did_while_the_job_changes() {
    let (farm, api, job) = busy_farm("5").await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.record_all_requests().await;
    browser.heading("Busy").await;
    let image =
        browser.wait_xpath("//figure[contains(@class,'last-rendered')]//img", "the last render").await;

    browser.button("Copy id").await.click().await.expect("the id can be copied");
    browser.button("Copied").await;
    let progress = browser.wait_xpath(&fact("Job", "Progress"), "the job's progress").await;
    let progress_before = progress.text().await.expect("text");
    let job_type = "/api/v3/jobs/type/simple-blender-render";
    let last_rendered = format!("/api/v3/jobs/{}/last-rendered", job.id);
    let (types_before, renders_before) =
        (browser.requests_to(job_type).await, browser.requests_to(&last_rendered).await);
    let events_before = api.job(&job.id).await.steps_completed;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let events = api.job(&job.id).await.steps_completed - events_before;
    let progress_after = progress.text().await.expect("the same progress element is still there");
    assert_ne!(progress_before, progress_after, "the job moved on while the pane was open");
    let types = browser.requests_to(job_type).await - types_before;
    let renders = browser.requests_to(&last_rendered).await - renders_before;
    eprintln!("{events} tasks finished in 6 s: {types} job-type fetches, {renders} last-rendered fetches");
    assert!(
        browser.shown_now("//button[normalize-space()='Copied']").await,
        "\"Copied\" stays after {events} job updates"
    );
    assert_eq!(types, 0, "the job type is fetched once per opened job");
    assert_eq!(renders, 0, "new renders come with their events: nothing to fetch");

    // The image element stays and its source follows the renders, in the size that fits the pane.
    // While renders replace each other several times a second, the browser may be between two
    // of them (no current source): ask again until it has one.
    let mut source = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while source.is_empty() && tokio::time::Instant::now() < deadline {
        source = image.prop("currentSrc").await.expect("the image is still there").unwrap_or_default();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        source.contains("/last-rendered-small.jpg"),
        "a pane about 580 px wide shows the 600 px image: {source}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_actions_report_stays_while_the_task_changes() {
    let (farm, api, job) = busy_farm("6").await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let task = loop {
        let done = api.tasks(&job.id).await.into_iter().find(|task| task.status == TaskStatus::Completed);
        if let Some(task) = done {
            break task;
        }
        assert!(tokio::time::Instant::now() < deadline, "no task finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}/tasks/{}", farm.url, job.id, task.id)).await;
    browser.heading(&task.name).await;
    browser.button("Requeue task").await.click().await.expect("a completed task can be requeued");
    let report = "//section[@aria-label='Task']//*[@role='status'][normalize-space()='Requeue requested.']";
    browser.wait_xpath(report, "the requeue's report").await;
    // Requeued first in line, the task runs again at once: queued, active, completed.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while api.tasks(&job.id).await.iter().find(|t| t.id == task.id).map(|t| t.status.clone())
        != Some(TaskStatus::Completed)
    {
        assert!(tokio::time::Instant::now() < deadline, "the requeued task did not run again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser
        .wait_xpath(
            "//section[@aria-label='Task']//span[contains(@class,'status-badge')][normalize-space()='completed']",
            "the task completed again",
        )
        .await;
    assert!(
        browser.shown_now(report).await,
        "the report stays while the task is requeued, runs and completes"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_nobody_runs_has_no_worker() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Waiting", 2)).await;
    let task = api.tasks(&job.id).await.into_iter().next().expect("a task");

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.link(&task.name).await.click().await.expect("the task opens");
    browser.heading(&task.name).await;
    let worker = browser.wait_xpath(&fact("Task", "Worker"), "the task's worker").await;
    assert_eq!(worker.text().await.expect("text"), "none", "an unassigned task names no worker");
    let cells = browser
        .client
        .find_all(Locator::XPath("//table[contains(@class,'tasks-table')]//tbody//tr/td[4]"))
        .await
        .expect("lookup");
    assert!(!cells.is_empty(), "the job's tasks are listed");
    for cell in cells {
        assert_eq!(cell.text().await.expect("text").trim(), "", "no worker in the task table");
    }
    browser.close().await;
}

/// The text of `element`, or why it could not be read (it left the page).
async fn text_of(element: &fantoccini::elements::Element) -> Result<String, String> {
    element.text().await.map_err(|error| error.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn links_that_live_updates_change_stay_the_same_elements() {
    // A worker's task link changes with every task, the header's latest notice with every
    // notice: each is one element updated in place. (Made afresh each time, every old link left a
    // subscription to the router behind, and the heap grew for as long as the page was open.)
    let (farm, api, _job) = busy_farm("7").await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/workers", farm.url)).await;
    let task_link =
        browser.wait_xpath("//table//td//a[contains(@href,'/tasks/')]", "a worker's task link").await;
    let first_task = text_of(&task_link).await.expect("the task link reads");
    // Each job submitted is a notice.
    api.submit(&FarmApi::frames_job("Notice 1", 2)).await;
    let notice = browser.wait_xpath("//a[contains(@class,'latest-notice')]", "the latest notice").await;
    let first_notice = text_of(&notice).await.expect("the notice reads");
    api.submit(&FarmApi::frames_job("Notice 2", 2)).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let task_now = text_of(&task_link).await;
        let notice_now = text_of(&notice).await;
        let (Ok(task_now), Ok(notice_now)) = (&task_now, &notice_now) else {
            panic!("a link was made again instead of changed: task link {task_now:?}, notice {notice_now:?}");
        };
        if *task_now != first_task && *notice_now != first_notice {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the links did not change: task {task_now:?}, notice {notice_now:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    browser.close().await;
}
