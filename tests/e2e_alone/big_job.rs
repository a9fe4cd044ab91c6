//! A job pane with thousands of tasks stays light while its tasks change: only the rows in view are
//! in the page, an event wakes only its own row, and the page keeps up at CPU 4x.

use std::time::Duration;

use fantoccini::Locator;
use flamenco_api::{JobStatus, TaskStatus};
use serde_json::json;

use crate::support::observe::{observed_browser, script};
use crate::support::{xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

/// The task rows in the page (not the spacers that stand in for the rows out of view).
const ROWS: &str = "//section[@aria-label='Tasks']//tbody/tr[not(@aria-hidden)]";

/// Scrolls the task table so that the row of the task at `index` is at its top.
async fn scroll_tasks_to(browser: &Browser, index: i32) {
    script(
        browser,
        &format!(
            "document.querySelector(\"section[aria-label='Tasks'] .table-scroll\").scrollTop = {};",
            index * 28
        ),
    )
    .await;
}

/// How many tasks the status filter counts as completed.
async fn completed_count(browser: &Browser) -> u32 {
    let chip =
        "//div[@aria-label='Filter tasks by status']/button[starts-with(normalize-space(),'completed')]/span";
    match browser.client.find_all(Locator::XPath(chip)).await.expect("lookup").first() {
        Some(count) => count.text().await.expect("text").trim().parse().unwrap_or(0),
        None => 0,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_with_two_thousand_tasks_follows_its_tasks_one_row_at_a_time() {
    let farm = Simfarm::start(&["--workers", "4", "--task-seconds", "0.3", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Two thousand frames", 2000)).await;
    api.wait_for_status(&job.id, JobStatus::Active, PATIENCE).await;
    let browser = observed_browser().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    let tasks = api.tasks(&job.id).await;
    let table = format!("//section[@aria-label='Tasks']//table[@aria-rowcount='{}']", tasks.len());
    browser.wait_xpath(&table, "a table of all the job's tasks").await;
    let first = tasks.iter().min_by_key(|task| task.index_in_job).expect("tasks");
    browser
        .wait_xpath(
            &format!("{ROWS}[.//a[normalize-space()={}]]", xpath_literal(&first.name)),
            "the first task's row",
        )
        .await;
    let rendered = browser.client.find_all(Locator::XPath(ROWS)).await.expect("lookup").len();
    assert!(
        (5..100).contains(&rendered),
        "{rendered} task rows are in the page: only those in view should be"
    );

    // The last task's row: nobody works on it during this test.
    let last = tasks.iter().max_by_key(|task| task.index_in_job).expect("tasks");
    scroll_tasks_to(&browser, last.index_in_job).await;
    let last_row = format!("{ROWS}[.//a[normalize-space()={}]]", xpath_literal(&last.name));
    browser.wait_xpath(&last_row, "the last task's row, scrolled to").await;
    // A slow phone: what is cheap on this machine is four times dearer there.
    browser.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 4 })).await;
    script(
        &browser,
        "const rows = document.querySelectorAll(\"section[aria-label='Tasks'] tbody tr:not([aria-hidden])\");
         rows[rows.length - 1].querySelector('td').dataset.marked = 'yes';
         window.__markedAt = performance.now();",
    )
    .await;
    // Tasks that complete from here on are counted, though their rows are out of view.
    let counted = completed_count(&browser).await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while completed_count(&browser).await < counted + 20 {
        assert!(tokio::time::Instant::now() < deadline, "the completed count stayed at {counted}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let marked = browser
        .client
        .find_all(Locator::XPath(&format!("{last_row}/td[@data-marked='yes']")))
        .await
        .expect("lookup");
    assert_eq!(marked.len(), 1, "the untouched row was rendered again");

    // Scrolled to where the work is, a task that completes shows it in its own row.
    let next = api
        .tasks(&job.id)
        .await
        .into_iter()
        .filter(|task| task.status == TaskStatus::Queued)
        .min_by_key(|task| task.index_in_job)
        .expect("a queued task");
    scroll_tasks_to(&browser, next.index_in_job).await;
    browser
        .wait_xpath(
            &format!(
                "{ROWS}[.//a[normalize-space()={}]]//span[contains(@class,'status-badge')][normalize-space()='completed']",
                xpath_literal(&next.name)
            ),
            "the row of a task that completed while in view",
        )
        .await;
    // Scanning every task for every event pegged the page (one task of seconds at CPU 4x, then
    // it fell ever further behind); the page must keep up.
    let long = script(
        &browser,
        "return window.__longTasks.filter(([start, duration]) => start > window.__markedAt && duration > 500)
            .map(([start, duration]) => Math.round(duration));",
    )
    .await;
    assert_eq!(long, json!([]), "tasks over 500 ms (at CPU 4x) while task events arrived");
    browser.close().await;
}
