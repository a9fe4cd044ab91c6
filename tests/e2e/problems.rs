//! The farm-wide Problems view (`/problems`) against simfarm's trouble on request: a task that hangs
//! (`--stuck-task`) and a worker that signs off in the middle of a task (`--drop-worker`). The page
//! is open before the trouble starts, so what appears comes from live updates.

use std::time::Duration;

use flamenco_api::{JobStatus, TaskStatus, WorkerList};

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm};

/// A problem group's list entries, by the group's heading.
fn group_links(heading: &str) -> String {
    format!("//section[h2[starts-with(normalize-space(), {})]]//li//a", xpath_literal(heading))
}

/// Waits longer than the browser's usual patience: the stuck rule needs time to pass.
async fn wait_long(browser: &Browser, xpath: &str, what: &str, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    while !browser.shown_now(xpath).await {
        if tokio::time::Instant::now() > deadline {
            let shot = browser.screenshot(what).await;
            panic!("{what} did not appear within {within:?} (screenshot: {shot})");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn open_problems_with_no_problems(browser: &Browser, farm: &Simfarm) {
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Problems").await.click().await.expect("the Problems link opens the page");
    browser.heading("Problems").await;
    browser.text("The farm has no problems").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stuck_task_appears_in_problems_and_its_link_opens_it() {
    let farm = Simfarm::start(&[
        "--workers",
        "3",
        "--task-seconds",
        "1",
        "--failure-rate",
        "0",
        "--stuck-task",
        "4",
    ])
    .await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_problems_with_no_problems(&browser, &farm).await;

    let job = api.submit(&FarmApi::frames_job("stuck shot", 12)).await;
    // Everything but the stuck task finishes; the job stays active.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while api.count_tasks(&job.id, TaskStatus::Completed).await < 11 {
        assert!(tokio::time::Instant::now() < deadline, "the other 11 tasks complete");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let tasks = api.tasks(&job.id).await;
    let stuck: Vec<_> = tasks.iter().filter(|task| task.status == TaskStatus::Active).collect();
    assert_eq!(stuck.len(), 1, "one task hangs: {tasks:?}");
    let stuck = stuck[0];
    assert_eq!(api.job(&job.id).await.status, JobStatus::Active);

    let link = format!(
        "{}[normalize-space()={}]",
        group_links("Stuck tasks"),
        xpath_literal(&format!("{} (stuck shot)", stuck.name))
    );
    wait_long(&browser, &link, "the stuck task in Problems", Duration::from_secs(60)).await;
    let others = browser
        .client
        .find_all(fantoccini::Locator::XPath(&group_links("Stuck tasks")))
        .await
        .expect("links");
    assert_eq!(others.len(), 1, "only the hung task is stuck");
    browser
        .wait_xpath(&format!("{link}/following-sibling::*[contains(., 'running for')]"), "how long it runs")
        .await;

    browser.wait_xpath(&link, "the stuck task's link").await.click().await.expect("the link opens the task");
    browser.heading(&stuck.name).await;
    assert_eq!(browser.path().await, format!("/jobs/{}/tasks/{}", job.id, stuck.id));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_that_dropped_out_while_working_appears_in_problems() {
    let farm = Simfarm::start(&[
        "--workers",
        "2",
        "--task-seconds",
        "1",
        "--failure-rate",
        "0",
        "--drop-worker",
        "3",
    ])
    .await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_problems_with_no_problems(&browser, &farm).await;

    let job = api.submit(&FarmApi::frames_job("dropped shot", 6)).await;
    api.wait_for_status(&job.id, JobStatus::Completed, Duration::from_secs(40)).await;
    let workers: WorkerList = reqwest::get(format!("{}/api/v3/worker-mgt/workers", farm.url))
        .await
        .expect("the worker list")
        .json()
        .await
        .expect("worker JSON");
    let offline: Vec<_> = workers
        .workers
        .iter()
        .filter(|worker| worker.status == flamenco_api::WorkerStatus::Offline)
        .collect();
    assert_eq!(offline.len(), 1, "one worker signed off: {workers:?}");
    let worker = offline[0];

    let link = format!(
        "{}[normalize-space()={}]",
        group_links("Workers that went offline while working"),
        xpath_literal(&worker.name)
    );
    let entry = browser.wait_xpath(&link, "the dropped worker in Problems").await;
    browser
        .wait_xpath(
            &format!("{link}/following-sibling::*[contains(., 'offline while working')]"),
            "what happened",
        )
        .await;
    entry.click().await.expect("the link opens the worker");
    browser.heading(&worker.name).await;
    assert_eq!(browser.path().await, format!("/workers/{}", worker.id));
    browser.close().await;
}
