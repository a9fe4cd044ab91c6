//! Failures as a real farm has them: `--failing-job` seeds a failed job whose tasks failed with known
//! kinds in known numbers, reported the way the Manager reports them (the Worker's `Failed: ...`
//! activity, `failed_by_workers`, the log tail with Blender's last lines, the blocklist); and the
//! simulated workers fail with such messages by chance.

mod common;

use common::*;
use serde_json::{json, Value};
use simfarm::failures::FailurePlan;

async fn farm_with_failing_job(name: &str, plan: &str) -> simfarm::Server {
    start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        render_root: Some(temp_root(name)),
        workers: 6,
        task_seconds: 0.2,
        failure_rate: 0.0,
        seed: Some(11),
        failing_job: Some(plan.parse::<FailurePlan>().unwrap()),
        ..simfarm::Config::default()
    })
    .await
}

async fn failing_job_id(client: &Client) -> String {
    let jobs = client.get("/api/v3/jobs").await.json();
    let job = jobs["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|job| job["name"] == "sh010 lighting (failing)"))
        .cloned()
        .expect("the failing job is seeded");
    assert_eq!(job["status"], "failed", "{job}");
    job["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_has_the_planned_failures_as_the_manager_reports_them() {
    let server = farm_with_failing_job("failing-job", "segfault=3,missing-file=2").await;
    let client = Client::new(&server);
    let id = failing_job_id(&client).await;
    let all = tasks(&client, &id).await;
    let failed: Vec<&Value> = all.iter().filter(|task| task["status"] == "failed").collect();
    assert_eq!(failed.len(), 5, "{all:?}");
    assert_eq!(all.iter().filter(|task| task["status"] == "completed").count(), 3);
    // The frames still to render and the video made of them were canceled when the job failed.
    assert_eq!(all.iter().filter(|task| task["status"] == "canceled").count(), 3);

    let (mut segfaults, mut missing, mut paths) = (0, 0, std::collections::BTreeSet::new());
    for summary in &failed {
        let task_id = summary["id"].as_str().unwrap();
        let task = client.get(&format!("/api/v3/tasks/{task_id}")).await.json();
        let activity = task["activity"].as_str().unwrap();
        assert!(activity.starts_with("Failed: Blender exited with status "), "{activity}");
        assert_eq!(task["failed_by_workers"].as_array().map(Vec::len), Some(3), "{task}");
        let tail = client.get(&format!("/api/v3/tasks/{task_id}/logtail")).await.text();
        assert!(tail.contains("Task failed by 3 workers, Manager will mark it as hard failure"), "{tail}");
        if tail.contains("Segmentation fault (core dumped)") {
            assert!(activity.contains("139"), "{activity}");
            segfaults += 1;
        }
        if let Some(at) = tail.rfind("Error: Cannot read file '") {
            paths.insert(tail[at..].lines().next().unwrap_or_default().to_owned());
            missing += 1;
        }
    }
    assert_eq!((segfaults, missing), (3, 2));
    assert!(paths.len() <= 2 && !paths.is_empty());

    // Workers that failed three of its tasks are blocklisted, by name.
    let blocklist = client.get(&format!("/api/v3/jobs/{id}/blocklist")).await.json();
    let entries = blocklist.as_array().cloned().unwrap_or_default();
    assert!(!entries.is_empty(), "15 failures over 6 workers blocklist some of them");
    for entry in &entries {
        assert_eq!(entry["task_type"], "blender");
        assert!(entry["worker_name"].as_str().is_some_and(|name| !name.is_empty()), "{entry}");
    }

    // Requeueing one failed task leaves the failed job and its other tasks alone.
    let one = failed[0]["id"].as_str().unwrap();
    let reply = client
        .post(&format!("/api/v3/tasks/{one}/setstatus"), json!({"status": "queued", "reason": "test"}))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    let after = tasks(&client, &id).await;
    assert_eq!(after.iter().filter(|task| task["status"] == "queued").count(), 1);
    assert_eq!(after.iter().filter(|task| task["status"] == "failed").count(), 4);
    assert_eq!(job_status(&client, &id).await, "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_that_fail_by_chance_leave_blender_s_last_words_in_the_log() {
    let server = start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        render_root: Some(temp_root("chance-failures")),
        workers: 3,
        task_seconds: 0.1,
        failure_rate: 1.0,
        seed: Some(5),
        ..simfarm::Config::default()
    })
    .await;
    let client = Client::new(&server);
    let id = submit(&client, frames_job("unlucky", "1-3")).await;
    let task_id = eventually(20.0, "a failed task", || async {
        tasks(&client, &id)
            .await
            .iter()
            .find(|task| task["status"] == "soft-failed" || task["status"] == "failed")
            .and_then(|task| task["id"].as_str().map(str::to_owned))
    })
    .await;
    let tail = client.get(&format!("/api/v3/tasks/{task_id}/logtail")).await.text();
    let known = ["Segmentation fault", "CUDA error: out of memory", "Error: Cannot read file", "KeyError: "];
    assert!(known.iter().any(|line| tail.contains(line)), "{tail}");
    assert!(tail.contains("Failed: Blender exited with status "), "{tail}");
}
