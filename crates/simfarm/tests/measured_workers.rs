//! What a real Manager was seen to send about workers and the tasks they run (FLAMENCO.md,
//! "Measured on a real Manager"): the behaviour a dashboard's live updates must survive. Every
//! answer is also checked against the OpenAPI file by the test client.

mod common;

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_task_assignment_sends_a_worker_update() {
    let server = start("busy", 1, 0.2).await;
    let client = Client::new(&server);
    let mut socket = SocketClient::connect(&server).await;
    assert_eq!(socket.subscribe("allWorkers", None).await, "ok");
    assert_eq!(socket.subscribe("allJobs", None).await, "ok");
    let id = submit(&client, frames_job("six frames", "1-6")).await;
    let events = socket
        .collect_until(15.0, |name, payload| {
            name == "/jobs" && payload["id"] == id.as_str() && payload["status"] == "completed"
        })
        .await;
    assert!(
        events.iter().any(|(name, payload)| name == "/jobs" && payload["status"] == "completed"),
        "the job completed"
    );
    for (name, payload) in &events {
        check_event(name, payload);
    }
    // The one worker stays awake throughout: the updates come from the six assignments alone.
    let worker_updates = events.iter().filter(|(name, _)| name == "/workers").count();
    assert!(worker_updates >= 6, "one /workers event per assignment, got {worker_updates} for 6 tasks");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_workers_task_is_the_last_one_it_ran() {
    let server = start("last task", 1, 0.2).await;
    let client = Client::new(&server);
    let id = submit(&client, frames_job("two frames", "1-2")).await;
    eventually(10.0, "job completed", || async {
        (job_status(&client, &id).await == "completed").then_some(())
    })
    .await;
    let workers = client.get("/api/v3/worker-mgt/workers").await.json();
    let worker_id = workers["workers"][0]["id"].as_str().expect("a worker").to_owned();
    let reply = client.get(&format!("/api/v3/worker-mgt/workers/{worker_id}")).await;
    let worker = reply.json();
    assert_eq!(worker["status"], "awake");
    let last = tasks(&client, &id)
        .await
        .into_iter()
        .max_by_key(|task| task["index_in_job"].as_i64())
        .expect("tasks");
    assert_eq!(worker["task"]["id"], last["id"], "the idle worker still shows its last task: {worker}");
    assert_eq!(worker["task"]["status"], "completed");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unassigned_tasks_carry_an_empty_worker() {
    let server = start("unassigned", 1, 0.2).await;
    let client = Client::new(&server);
    let mut job = frames_job("waiting", "1-3");
    job["initial_status"] = json!("paused");
    let id = submit(&client, job).await;
    let reply = client.get(&format!("/api/v3/jobs/{id}/tasks")).await;
    let empty = json!({"address": "", "id": "", "name": ""});
    for task in reply.json()["tasks"].as_array().expect("tasks") {
        assert_eq!(task["worker"], empty, "{task}");
        let reply = client.get(&format!("/api/v3/tasks/{}", task["id"].as_str().unwrap_or_default())).await;
        assert_eq!(reply.json()["worker"], empty);
    }
    server.stop();
}
