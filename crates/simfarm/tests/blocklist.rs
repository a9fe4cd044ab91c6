//! Job blocklists: workers that keep failing a job's tasks of one type are blocked from them, and
//! the job fails once nobody is left, as the Manager does.

mod common;

use common::*;
use serde_json::{json, Value};

async fn blocklist(client: &Client, job_id: &str) -> Vec<Value> {
    let reply = client.get(&format!("/api/v3/jobs/{job_id}/blocklist")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json().as_array().cloned().unwrap_or_default()
}

async fn failing_farm(name: &str) -> simfarm::Server {
    start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        render_root: Some(temp_root(name)),
        workers: 2,
        task_seconds: 0.1,
        failure_rate: 1.0,
        seed: Some(7),
        ..simfarm::Config::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_that_keep_failing_are_blocklisted_until_nobody_is_left() {
    let server = failing_farm("blocklist").await;
    let client = Client::new(&server);
    let mut socket = SocketClient::connect(&server).await;
    let id = submit(&client, frames_job("doomed", "1-8")).await;
    assert_eq!(socket.subscribe("job", Some(&id)).await, "ok");
    eventually(20.0, "failed", || async { (job_status(&client, &id).await == "failed").then_some(()) }).await;

    let job = client.get(&format!("/api/v3/jobs/{id}")).await.json();
    assert_eq!(
        job["activity"],
        json!("Changed to status \"failed\": no more workers left to run tasks of type \"blender\""),
        "{job}"
    );
    let entries = blocklist(&client, &id).await;
    let workers = client.get("/api/v3/worker-mgt/workers").await.json();
    let workers = workers["workers"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 2, "both workers are blocklisted: {entries:?}");
    for worker in &workers {
        let entry = entries.iter().find(|e| e["worker_id"] == worker["id"]).expect("an entry per worker");
        assert_eq!(entry["task_type"], "blender");
        assert_eq!(entry["worker_name"], worker["name"]);
    }

    // The task that ended it says why in its log.
    let all = tasks(&client, &id).await;
    let mut said = false;
    for task in all.iter().filter(|t| t["status"] == "failed") {
        let log = client.get(&format!("/api/v3/tasks/{}/logtail", task["id"].as_str().unwrap())).await.text();
        said |= log.contains("Manager will fail the entire job as there are no more workers left for tasks of type \"blender\".");
    }
    assert!(said, "a failed task's log names the reason: {all:?}");
    // No worker failed more than the threshold allows before being blocked: each failed exactly 3.
    for worker in &workers {
        let mut count = 0;
        for task in &all {
            let task = client.get(&format!("/api/v3/tasks/{}", task["id"].as_str().unwrap())).await.json();
            let failed_by = task["failed_by_workers"].as_array().cloned().unwrap_or_default();
            count += failed_by.iter().filter(|w| w["id"] == worker["id"]).count();
        }
        assert_eq!(count, simfarm::farm::BLOCKLIST_THRESHOLD, "failures of {}", worker["name"]);
    }
    let events = socket.collect_until(0.5, |_, _| false).await;
    for (name, payload) in &events {
        check_event(name, payload);
    }

    // Removing one entry leaves the other; the list is what the Manager then answers.
    let first = entries[0].clone();
    let remove = json!([{"worker_id": first["worker_id"], "task_type": "blender"}]);
    let reply = client
        .send(
            axum::http::Method::DELETE,
            &format!("/api/v3/jobs/{id}/blocklist"),
            Some(serde_json::to_vec(&remove).unwrap()),
            "application/json",
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    let left = blocklist(&client, &id).await;
    assert_eq!(left, vec![entries[1].clone()]);

    // Requeued, the job runs again on the worker that is no longer blocked (and fails on it again).
    let requeue = json!({"status": "requeueing", "reason": "unblocked one worker"});
    assert_eq!(client.post(&format!("/api/v3/jobs/{id}/setstatus"), requeue).await.status, 204);
    eventually(20.0, "failed again", || async {
        let job = client.get(&format!("/api/v3/jobs/{id}")).await.json();
        (job["status"] == "failed" && blocklist(&client, &id).await.len() == 2).then_some(())
    })
    .await;
    for task in tasks(&client, &id).await {
        let worker = task["worker"]["id"].as_str().unwrap_or("");
        assert!(worker.is_empty() || worker == first["worker_id"] || task["status"] != "active");
    }
    simfarm::farm::lock(&server.state.farm).check_invariants().unwrap();
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocklist_requests_are_checked_like_the_managers() {
    let server = start("blocklist-shape", 1, 0.1).await;
    let client = Client::new(&server);
    let id = submit(&client, frames_job("fine", "1-2")).await;
    assert!(blocklist(&client, &id).await.is_empty());
    let path = format!("/api/v3/jobs/{id}/blocklist");
    let empty =
        client.send(axum::http::Method::DELETE, &path, Some(b"[]".to_vec()), "application/json").await;
    empty.assert_handler_error(400);
    let nameless = br#"[{"worker_id": "w", "task_type": "blender", "worker_name": null}]"#.to_vec();
    let reply = client.send(axum::http::Method::DELETE, &path, Some(nameless), "application/json").await;
    reply.assert_validation_error();
    // Removing an entry that is not there is fine.
    let absent = br#"[{"worker_id": "w", "task_type": "blender"}]"#.to_vec();
    let reply = client.send(axum::http::Method::DELETE, &path, Some(absent), "application/json").await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    let bad = client.get("/api/v3/jobs/not-a-uuid/blocklist").await;
    assert_eq!(bad.status, 400, "{}", bad.text());
    server.stop();
}
