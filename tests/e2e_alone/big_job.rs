//! A job pane with thousands of tasks stays light while its tasks change: an event wakes only its own
//! row, and the page keeps up at CPU 4x.

use std::time::Duration;

use fantoccini::Locator;
use flamenco_api::JobStatus;
use serde_json::json;

use crate::support::observe::{observed_browser, script};
use crate::support::{xpath_literal, FarmApi, Simfarm, PATIENCE};

#[tokio::test(flavor = "multi_thread")]
async fn a_job_with_two_thousand_tasks_follows_its_tasks_one_row_at_a_time() {
    let farm = Simfarm::start(&["--workers", "4", "--task-seconds", "0.3", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Two thousand frames", 2000)).await;
    api.wait_for_status(&job.id, JobStatus::Active, PATIENCE).await;
    let browser = observed_browser().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    let rows = "//section[@aria-label='Tasks']//tbody/tr";
    browser.wait_xpath(&format!("({rows})[2000]"), "the 2000th task row").await;
    // A slow phone: what is cheap on this machine is four times dearer there.
    browser.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 4 })).await;
    // Mark the last task's row: nobody works on it during this test.
    script(
        &browser,
        "const rows = document.querySelectorAll(\"section[aria-label='Tasks'] tbody tr\");
         rows[rows.length - 1].querySelector('td').dataset.marked = 'yes';
         window.__markedAt = performance.now();",
    )
    .await;
    let last = api.tasks(&job.id).await.into_iter().max_by_key(|task| task.index_in_job).expect("tasks");
    let before: Vec<String> = api
        .tasks(&job.id)
        .await
        .into_iter()
        .filter(|task| task.status == flamenco_api::TaskStatus::Completed)
        .map(|task| task.name)
        .collect();
    // A task that completes from here on shows it in its own row.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let changed = loop {
        let now_done =
            api.tasks(&job.id).await.into_iter().find(|task| {
                task.status == flamenco_api::TaskStatus::Completed && !before.contains(&task.name)
            });
        if let Some(task) = now_done {
            break task;
        }
        assert!(tokio::time::Instant::now() < deadline, "no task completed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    browser
        .wait_xpath(
            &format!(
                "{rows}[.//a[normalize-space()={}]]//span[contains(@class,'status-badge')][normalize-space()='completed']",
                xpath_literal(&changed.name)
            ),
            "the completed task's row",
        )
        .await;
    // Let a few seconds of events arrive.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let marked = browser
        .client
        .find_all(Locator::XPath(&format!(
            "{rows}[.//a[normalize-space()={}]]/td[@data-marked='yes']",
            xpath_literal(&last.name)
        )))
        .await
        .expect("lookup");
    assert_eq!(marked.len(), 1, "the untouched row was rendered again");
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
