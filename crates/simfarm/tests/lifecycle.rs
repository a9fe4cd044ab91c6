//! The job and task state machine as a running farm shows it, through REST and socket.io.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

async fn count(client: &Client, job_id: &str, status: &str) -> usize {
    tasks(client, job_id).await.iter().filter(|t| t["status"] == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_waits_for_active_tasks_and_resuming_completes_the_job() {
    let server = start("pause", 2, 0.8).await;
    let client = Client::new(&server);
    let mut socket = SocketClient::connect(&server).await;
    assert_eq!(socket.subscribe("allJobs", None).await, "ok");

    let id = submit(&client, frames_job("pause me", "1-8")).await;
    let base = format!("/api/v3/jobs/{id}");
    eventually(5.0, "two active tasks", || async {
        (count(&client, &id, "active").await == 2).then_some(())
    })
    .await;

    let pause = json!({"status": "pause-requested", "reason": "test pause"});
    assert_eq!(client.post(&format!("{base}/setstatus"), pause).await.status, 204);
    // Active tasks keep running: the job waits in pause-requested, the queued tasks are paused.
    assert_eq!(job_status(&client, &id).await, "pause-requested");
    assert_eq!(count(&client, &id, "active").await, 2);
    assert_eq!(count(&client, &id, "paused").await, 6);
    eventually(5.0, "job paused", || async { (job_status(&client, &id).await == "paused").then_some(()) })
        .await;
    let completed = count(&client, &id, "completed").await;
    assert_eq!(completed, 2, "the two running tasks finished");
    // No new task starts while paused.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(count(&client, &id, "active").await, 0);
    assert_eq!(count(&client, &id, "completed").await, completed);

    let resume = json!({"status": "requeueing", "reason": "test resume"});
    assert_eq!(client.post(&format!("{base}/setstatus"), resume).await.status, 204);
    assert!(["queued", "active"].contains(&job_status(&client, &id).await.as_str()));
    eventually(15.0, "job completed", || async {
        (job_status(&client, &id).await == "completed").then_some(())
    })
    .await;
    let job = client.get(&base).await.json();
    assert_eq!(job["steps_completed"], job["steps_total"]);

    // The socket saw every step, in order, with refresh_tasks on the mass changes.
    let events = socket
        .collect_until(5.0, |name, payload| {
            name == "/jobs" && payload["id"] == id.as_str() && payload["status"] == "completed"
        })
        .await;
    let mut statuses = Vec::new();
    for (name, payload) in &events {
        check_event(name, payload);
        if name == "/jobs" && payload["id"] == id.as_str() && statuses.last() != Some(&payload["status"]) {
            statuses.push(payload["status"].clone());
            if payload["status"] == "pause-requested" || payload["status"] == "requeueing" {
                assert_eq!(payload["refresh_tasks"], true, "{payload}");
            }
        }
    }
    let expected =
        ["queued", "active", "pause-requested", "paused", "requeueing", "queued", "active", "completed"];
    assert_eq!(statuses, expected.map(|s| json!(s)).to_vec());
    let fresh = events.iter().find(|(n, p)| n == "/jobs" && p["id"] == id.as_str()).unwrap();
    assert!(fresh.1.get("previous_status").is_none(), "a new job has no previous status");
    simfarm::farm::lock(&server.state.farm).check_invariants().unwrap();
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_submitted_paused_waits_with_all_its_tasks() {
    let server = start("paused", 3, 0.2).await;
    let client = Client::new(&server);
    let mut job = frames_job("wait for me", "1-4");
    job["initial_status"] = json!("paused");
    let id = submit(&client, job).await;
    assert_eq!(job_status(&client, &id).await, "paused");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(job_status(&client, &id).await, "paused");
    let all = tasks(&client, &id).await;
    assert!(all.iter().all(|t| t["status"] == "queued" && t["worker"]["id"] == ""), "{all:?}");
    let resume = json!({"status": "requeueing", "reason": "go"});
    assert_eq!(client.post(&format!("/api/v3/jobs/{id}/setstatus"), resume).await.status, 204);
    eventually(10.0, "completed", || async { (job_status(&client, &id).await == "completed").then_some(()) })
        .await;
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_requeue_and_task_actions() {
    let server = start("cancel", 2, 0.6).await;
    let client = Client::new(&server);
    let id = submit(&client, frames_job("cancel me", "1-6")).await;
    eventually(5.0, "active", || async { (count(&client, &id, "active").await > 0).then_some(()) }).await;
    let cancel = json!({"status": "cancel-requested", "reason": "stop"});
    assert_eq!(client.post(&format!("/api/v3/jobs/{id}/setstatus"), cancel).await.status, 204);
    assert_eq!(job_status(&client, &id).await, "canceled");
    assert!(tasks(&client, &id).await.iter().all(|t| t["status"] == "canceled"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(count(&client, &id, "active").await, 0, "workers noticed the cancellation");

    // Requeueing one task of a canceled job: the job stays canceled until requeued as a whole.
    let first = tasks(&client, &id).await[0]["id"].as_str().unwrap().to_owned();
    let requeue = json!({"status": "queued", "reason": "again"});
    assert_eq!(client.post(&format!("/api/v3/tasks/{first}/setstatus"), requeue).await.status, 204);
    assert_eq!(client.get(&format!("/api/v3/tasks/{first}")).await.json()["status"], "queued");
    let resume = json!({"status": "requeueing", "reason": "all again"});
    assert_eq!(client.post(&format!("/api/v3/jobs/{id}/setstatus"), resume).await.status, 204);
    eventually(15.0, "completed", || async { (job_status(&client, &id).await == "completed").then_some(()) })
        .await;

    // Requeueing a task of a completed job sends the job to requeueing, then queued.
    let last = tasks(&client, &id).await[5]["id"].as_str().unwrap().to_owned();
    let requeue = json!({"status": "queued", "reason": "redo"});
    assert_eq!(client.post(&format!("/api/v3/tasks/{last}/setstatus"), requeue).await.status, 204);
    assert!(["queued", "active"].contains(&job_status(&client, &id).await.as_str()));
    eventually(10.0, "completed again", || async {
        (job_status(&client, &id).await == "completed").then_some(())
    })
    .await;
    simfarm::farm::lock(&server.state.farm).check_invariants().unwrap();
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_tasks_soft_fail_then_fail_the_job() {
    let server = start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        render_root: Some(temp_root("fail")),
        workers: 4,
        task_seconds: 0.1,
        failure_rate: 1.0,
        seed: Some(3),
        ..simfarm::Config::default()
    })
    .await;
    let client = Client::new(&server);
    let id = submit(&client, frames_job("doomed", "1-2")).await;
    eventually(10.0, "failed", || async { (job_status(&client, &id).await == "failed").then_some(()) }).await;
    let all = tasks(&client, &id).await;
    assert!(all.iter().any(|t| t["status"] == "failed"), "{all:?}");
    let failed = all.iter().find(|t| t["status"] == "failed").unwrap();
    let task = client.get(&format!("/api/v3/tasks/{}", failed["id"].as_str().unwrap())).await.json();
    assert_eq!(task["failed_by_workers"].as_array().unwrap().len(), 3, "three workers failed it");
    let tail = client.get(&format!("/api/v3/tasks/{}/logtail", failed["id"].as_str().unwrap())).await.text();
    assert!(tail.contains("Failed: Blender exited with status "), "{tail}");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_sleep_returns_its_task_and_task_logs_never_arrive_live() {
    let server = start("sleep", 1, 1.5).await;
    let client = Client::new(&server);
    let mut socket = SocketClient::connect(&server).await;
    let id = submit(&client, frames_job("interrupted", "1-2")).await;
    let task = eventually(5.0, "active", || async {
        tasks(&client, &id).await.into_iter().find(|t| t["status"] == "active")
    })
    .await;
    let task_id = task["id"].as_str().unwrap().to_owned();
    assert_eq!(socket.subscribe("tasklog", Some(&task_id)).await, "ok");
    assert_eq!(socket.subscribe("job", Some(&id)).await, "ok");
    assert_eq!(socket.subscribe("tasklog", None).await, "operation on task requires a UUID");
    assert_eq!(socket.subscribe("job", Some("nope")).await, "invalid UUID, ignoring request");
    // Log lines are written (logtail grows) but never come through the tasklog subscription.
    eventually(5.0, "log lines", || async {
        let tail = client.get(&format!("/api/v3/tasks/{task_id}/logtail")).await.text();
        tail.contains("Sample").then_some(())
    })
    .await;
    let worker_id = task["worker"]["id"].as_str().unwrap().to_owned();
    let sleep = json!({"status": "asleep", "is_lazy": false});
    assert_eq!(
        client.post(&format!("/api/v3/worker-mgt/workers/{worker_id}/setstatus"), sleep).await.status,
        204
    );
    eventually(5.0, "task back in the queue", || async {
        let task = client.get(&format!("/api/v3/tasks/{task_id}")).await.json();
        (task["status"] == "queued").then_some(())
    })
    .await;
    let events = socket.collect_until(1.0, |_, _| false).await;
    assert!(events.iter().all(|(name, _)| name != "/tasklog"), "the tasklog room bug is reproduced");
    let task_events: Vec<&Value> = events.iter().filter(|(n, _)| n == "/task").map(|(_, p)| p).collect();
    assert!(task_events
        .iter()
        .any(|p| p["id"] == task_id.as_str() && p["status"] == "queued" && p["previous_status"] == "active"));
    for (name, payload) in &events {
        check_event(name, payload);
    }
    server.stop();
}
