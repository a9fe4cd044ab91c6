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

#[tokio::test(flavor = "multi_thread")]
async fn a_long_group_shows_its_first_entries_and_the_rest_on_request() {
    // Every 20th seeded job fails: 1,200 jobs give 60 failed ones.
    let farm = Simfarm::start(&["--seed-jobs", "1200", "--workers", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/problems", farm.url)).await;
    browser.wait_xpath(&group_links("Failed jobs"), "the failed jobs").await;
    assert_eq!(failed_job_rows(&browser).await, 50, "the first 50 of 60 failed jobs");
    let count = browser
        .wait_xpath(
            "//section[h2[starts-with(normalize-space(), 'Failed jobs')]]//span[@class='problem-count']",
            "the count",
        )
        .await;
    assert_eq!(count.text().await.ok().as_deref(), Some("60"), "the heading counts them all");
    browser.button("Show 10 more").await.click().await.expect("the rest can be shown");
    browser.wait_gone("//button[normalize-space()='Show 10 more']", "the button once all are shown").await;
    assert_eq!(failed_job_rows(&browser).await, 60, "all 60 failed jobs after \"Show 10 more\"");
    browser.close().await;
}

/// How many failed-job entries the page lists now.
async fn failed_job_rows(browser: &Browser) -> usize {
    let xpath = group_links("Failed jobs");
    browser.client.find_all(fantoccini::Locator::XPath(&xpath)).await.map(|found| found.len()).unwrap_or(0)
}
