//! A job's "Time left": worked out from how long its finished tasks took and how many workers run it,
//! in the open job pane, and honest when no worker is on the job.

use std::time::Duration;

use flamenco_api::{JobStatus, TaskStatus};
use serde_json::json;

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

/// The fact "Time left" of the open job pane.
fn time_left() -> String {
    format!(
        "//section[@aria-label='Job']//dl//dt[normalize-space()={}]/following-sibling::dd[1]",
        xpath_literal("Time left")
    )
}

/// Reads "about 12 s (24 tasks left on 2 workers, 1.0 s each)" as (12, 24, 2, 1.0); `None` for any
/// other text.
fn parse(text: &str) -> Option<(u64, u64, u64, f64)> {
    let rest = text.strip_prefix("about ")?;
    let (left, rest) = rest.split_once(" s (")?;
    let (tasks, rest) = rest.split_once(" tasks left on ")?;
    let (workers, rest) = rest.split_once(" workers, ")?;
    let each = rest.strip_suffix(" s each)")?;
    Some((left.parse().ok()?, tasks.parse().ok()?, workers.parse().ok()?, each.parse().ok()?))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_job_estimates_its_time_left_from_its_finished_tasks_and_its_workers() {
    let farm =
        Simfarm::start(&["--workers", "2", "--task-seconds", "2", "--failure-rate", "0", "--seed", "14"])
            .await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Estimated", 60)).await;
    api.wait_for_status(&job.id, JobStatus::Active, PATIENCE).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.heading("Estimated").await;

    // Each worker's first task has no known start: the estimate waits for 3 timed ones.
    let fact = browser.wait_xpath(&time_left(), "the job's time left").await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let (text, figures) = loop {
        let text = fact.text().await.expect("the fact stays in place");
        if let Some(figures) = parse(&text) {
            break (text, figures);
        }
        assert!(tokio::time::Instant::now() < deadline, "no estimate after {PATIENCE:?}: {text:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let (left_s, tasks_left, workers, each_s) = figures;
    let tasks = api.tasks(&job.id).await;
    let unfinished = tasks.iter().filter(|task| task.status != TaskStatus::Completed).count() as u64;
    eprintln!("estimate {text:?}; the Manager has {unfinished} unfinished tasks");
    assert_eq!(workers, 2, "both workers run the job: {text}");
    assert!((2.0..=3.0).contains(&each_s), "a task takes the simulated 2 s (plus hand-over): {text}");
    // The estimate is at most 5 s old and tasks finish at 1 a second.
    assert!(tasks_left >= unfinished && tasks_left <= unfinished + 6, "{text} vs {unfinished} unfinished");
    // Dealt to 2 workers: the running pair finishes within one task, then the rest in pairs; the
    // displayed per-task time is rounded to 0.05 s, which 30 rounds turn into at most 1.5 s, and "about" rounds to the second.
    let expected = tasks_left as f64 / 2.0 * each_s;
    assert!(
        (left_s as f64 - expected).abs() <= each_s + 2.0,
        "{tasks_left} tasks on 2 workers at {each_s} s each take about {expected} s, not {left_s} s"
    );

    // Paused, no worker is on it: the fact says so and gives the work that is left.
    let paused = reqwest::Client::new()
        .post(format!("{}/api/v3/jobs/{}/setstatus", farm.url, job.id))
        .json(&json!({"status": "pause-requested", "reason": "the estimate test pauses it"}))
        .send()
        .await
        .expect("simfarm answers");
    assert_eq!(paused.status(), reqwest::StatusCode::NO_CONTENT, "pausing the job");
    api.wait_for_status(&job.id, JobStatus::Paused, PATIENCE).await;
    browser
        .wait_xpath(
            &format!("{}[starts-with(normalize-space(), 'no worker is on it;')]", time_left()),
            "the estimate of a paused job",
        )
        .await;
    browser.close().await;
}
