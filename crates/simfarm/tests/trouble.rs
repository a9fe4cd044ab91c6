//! Trouble on request (`--stuck-task`, `--drop-worker`): what the API shows of a hung task and of a
//! worker that signs off in the middle of one. Every answer is checked against the OpenAPI file.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use simfarm::trouble::Trouble;

async fn farm(name: &str, workers: usize, trouble: Trouble) -> simfarm::Server {
    start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        render_root: Some(temp_root(name)),
        workers,
        task_seconds: 0.4,
        failure_rate: 0.0,
        seed: Some(7),
        trouble,
        ..simfarm::Config::default()
    })
    .await
}

fn with_status<'a>(tasks: &'a [Value], status: &str) -> Vec<&'a Value> {
    tasks.iter().filter(|task| task["status"] == status).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_task_stays_active_without_progress_while_its_worker_checks_in() {
    let server = farm("trouble-stuck", 2, Trouble::new(Some(3), None)).await;
    let client = Client::new(&server);
    let id = submit(&client, frames_job("stuck", "1-8")).await;

    let stuck = eventually(15.0, "all but one task completed", || async {
        let tasks = tasks(&client, &id).await;
        let active = with_status(&tasks, "active");
        (with_status(&tasks, "completed").len() == 7 && active.len() == 1).then(|| active[0].clone())
    })
    .await;
    let task_id = stuck["id"].as_str().expect("task id");
    let first = client.get(&format!("/api/v3/tasks/{task_id}")).await.json();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let later = client.get(&format!("/api/v3/tasks/{task_id}")).await.json();
    assert_eq!(later["status"], "active");
    assert_eq!(later["steps_completed"], first["steps_completed"], "no progress");
    assert_ne!(later["last_touched"], first["last_touched"], "the worker keeps checking in");
    assert_eq!(job_status(&client, &id).await, "active");

    // Requeueing it by hand frees the worker and the job completes.
    let requeue = json!({"status": "queued", "reason": "stuck"});
    assert_eq!(client.post(&format!("/api/v3/tasks/{task_id}/setstatus"), requeue).await.status, 204);
    eventually(10.0, "job completed", || async {
        (job_status(&client, &id).await == "completed").then_some(())
    })
    .await;
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_signs_off_mid_task_goes_offline_and_its_task_is_requeued() {
    let server = farm("trouble-drop", 2, Trouble::new(None, Some(2))).await;
    let client = Client::new(&server);
    let id = submit(&client, frames_job("dropped", "1-6")).await;

    let worker = eventually(10.0, "a worker offline", || async {
        let workers = client.get("/api/v3/worker-mgt/workers").await.json();
        workers["workers"].as_array()?.iter().find(|worker| worker["status"] == "offline").cloned()
    })
    .await;
    let worker_id = worker["id"].as_str().expect("worker id");
    let detail = client.get(&format!("/api/v3/worker-mgt/workers/{worker_id}")).await.json();
    let task_id = detail["task"]["id"].as_str().expect("the worker's task").to_owned();
    let task = client.get(&format!("/api/v3/tasks/{task_id}")).await.json();
    assert!(
        task["activity"].as_str().is_some_and(|activity| activity.contains("signed off")),
        "the task says why it was given back: {}",
        task["activity"]
    );

    // The other worker finishes the job, the dropped one stays offline with that task as its last.
    eventually(15.0, "job completed", || async {
        (job_status(&client, &id).await == "completed").then_some(())
    })
    .await;
    let detail = client.get(&format!("/api/v3/worker-mgt/workers/{worker_id}")).await.json();
    assert_eq!(detail["status"], "offline");
    assert_eq!(detail["task"]["id"], task_id.as_str());
    assert_ne!(detail["task"]["worker"]["id"], worker_id, "another worker completed it");
    server.stop();
}
