//! Failure triage on a job: its failed tasks grouped by cause with the right counts, a worker
//! matrix, a confirmation that survives live updates, and "Requeue these N tasks" requeueing exactly
//! that group's tasks. Against simfarm's `--failing-job`, whose tasks failed the way a real Blender
//! worker's do (the cause is in the log tail, the activity only says "exited with status 1").

use std::collections::BTreeMap;
use std::time::Duration;

use flamenco_api::{Job, TaskStatus};
use serde_json::json;

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm};

const JOB_NAME: &str = "sh010 lighting (failing)";
const OOM: &str = "Error: CUDA error: out of memory in cuMemAlloc (device #, # bytes)";
const MISSING: &str = "Error: Cannot read file '…': No such file or directory";

/// The group (list item) whose cause heading contains `cause`.
fn group(cause: &str) -> String {
    format!(
        "//li[contains(@class,'failure-group')][.//h4[contains(normalize-space(), {})]]",
        xpath_literal(cause)
    )
}

async fn failing_job(farm: &Simfarm) -> Job {
    let jobs = FarmApi::new(&farm.url).jobs().await;
    jobs.into_iter().find(|job| job.name == JOB_NAME).expect("simfarm seeded the failing job")
}

/// The job's failed tasks whose log tail says `line`.
async fn failed_with(farm: &Simfarm, job_id: &str, line: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for task in FarmApi::new(&farm.url).tasks(job_id).await {
        if task.status != TaskStatus::Failed {
            continue;
        }
        let url = format!("{}/api/v3/tasks/{}/logtail", farm.url, task.id);
        let tail = reqwest::get(&url).await.expect("simfarm answers").text().await.unwrap_or_default();
        if tail.contains(line) {
            ids.push(task.id);
        }
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_with_two_kinds_of_failure_gets_two_groups_and_requeues_exactly_one() {
    let farm = Simfarm::start(&[
        "--workers",
        "6",
        "--task-seconds",
        "0.5",
        "--failure-rate",
        "0",
        "--seed",
        "21",
        "--failing-job",
        "gpu-memory=3,missing-file=2",
    ])
    .await;
    let api = FarmApi::new(&farm.url);
    let job = failing_job(&farm).await;
    let missing = failed_with(&farm, &job.id, "Error: Cannot read file").await;
    assert_eq!(missing.len(), 2, "simfarm's plan");
    let before: BTreeMap<String, TaskStatus> =
        api.tasks(&job.id).await.into_iter().map(|task| (task.id, task.status)).collect();

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.heading("Failures").await;
    browser.text("5 failed tasks, 2 causes").await;
    for (cause, count) in [(OOM, 3), (MISSING, 2)] {
        let meta = format!(
            "{}//p[@class='failure-meta'][starts-with(normalize-space(), '{count} tasks · failed on ')]",
            group(cause)
        );
        browser.wait_xpath(&meta, &format!("the group \"{cause}\" with {count} tasks")).await;
        let excerpt = format!("{}//pre[@class='failure-excerpt']", group(cause));
        let text = browser.wait_xpath(&excerpt, "an example excerpt").await.text().await.unwrap_or_default();
        assert!(
            text.contains(if count == 3 {
                "CUDA error: out of memory"
            } else {
                "Cannot read file '/render/"
            }),
            "{text}"
        );
        browser
            .wait_xpath(
                &format!("{}//a[starts-with(normalize-space(), 'Open task ')]", group(cause)),
                "open a task",
            )
            .await;
    }
    assert!(!browser.shown_now("//li[contains(@class,'failure-group')][3]").await, "exactly two groups");
    // The matrix: a table with a row per worker and a column per cause.
    browser.wait_xpath("//table[caption[normalize-space()='Failures per worker on this job']]//th[@scope='col'][normalize-space()='Cause 2']", "the worker matrix").await;
    browser.text("Failures are spread across 6 workers: likely the job").await;

    // A confirmation survives a stream of job updates.
    let ask_oom = format!("{}//button[normalize-space()='Requeue these 3 tasks']", group(OOM));
    browser.wait_xpath(&ask_oom, "requeue the 3").await.click().await.expect("ask");
    browser.button("Yes, requeue 3 tasks").await;
    let http = reqwest::Client::new();
    for priority in 0..8 {
        let url = format!("{}/api/v3/jobs/{}/setpriority", farm.url, job.id);
        let sent = http.post(&url).json(&json!({"priority": 30 + priority})).send().await.expect("sent");
        assert!(sent.status().is_success());
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    browser.button("Yes, requeue 3 tasks").await;
    browser.button("Keep them").await.click().await.expect("keep them");

    // Requeue the group of two: exactly those two tasks become queued, nothing else changes.
    let ask = format!("{}//button[normalize-space()='Requeue these 2 tasks']", group(MISSING));
    browser.wait_xpath(&ask, "requeue the 2").await.click().await.expect("ask");
    browser.button("Yes, requeue 2 tasks").await.click().await.expect("confirm");
    browser.text("Requeued 2 tasks that failed with").await;
    browser.text("3 failed tasks, 1 cause").await;
    let after = api.tasks(&job.id).await;
    let queued: Vec<&str> =
        after.iter().filter(|task| task.status == TaskStatus::Queued).map(|task| task.id.as_str()).collect();
    let mut expected: Vec<&str> = missing.iter().map(String::as_str).collect();
    expected.sort();
    let mut queued_sorted = queued.clone();
    queued_sorted.sort();
    assert_eq!(queued_sorted, expected, "exactly the group's tasks are queued");
    for task in after.iter().filter(|task| !missing.contains(&task.id)) {
        assert_eq!(Some(&task.status), before.get(&task.id), "{} is untouched", task.name);
    }
    browser.close().await;
}
