//! Worker administration as Flamenco's Manager does it: sleep schedules that the Manager follows,
//! worker tags announced live, and deleting a worker.

mod common;

use common::*;
use serde_json::json;

async fn first_worker(client: &Client) -> String {
    let workers = client.get("/api/v3/worker-mgt/workers").await.json();
    workers["workers"][0]["id"].as_str().expect("a worker").to_owned()
}

async fn worker_status(client: &Client, id: &str) -> String {
    let worker = client.get(&format!("/api/v3/worker-mgt/workers/{id}")).await.json();
    worker["status"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_follows_its_active_sleep_schedule() {
    let server = start("sleep schedule", 1, 0.2).await;
    let client = Client::new(&server);
    let id = first_worker(&client).await;
    let path = format!("/api/v3/worker-mgt/workers/{id}/sleep-schedule");
    assert_eq!(client.get(&path).await.status, 204, "no schedule yet");
    eventually(5.0, "worker awake", || async {
        (worker_status(&client, &id).await == "awake").then_some(())
    })
    .await;

    // Asleep all day, every day: the Manager asks the worker to sleep at once.
    let all_day = json!({"is_active": true, "days_of_week": "", "start_time": "00:00", "end_time": "24:00"});
    assert_eq!(client.post(&path, all_day.clone()).await.status, 204);
    assert_eq!(client.get(&path).await.json(), all_day, "stored as sent");
    eventually(5.0, "worker asleep", || async {
        (worker_status(&client, &id).await == "asleep").then_some(())
    })
    .await;

    // Woken by hand, the scheduler puts it back to sleep within a few seconds, as Flamenco's does.
    let wake = json!({"status": "awake", "is_lazy": false});
    assert_eq!(client.post(&format!("/api/v3/worker-mgt/workers/{id}/setstatus"), wake).await.status, 204);
    eventually(5.0, "worker woken", || async {
        (worker_status(&client, &id).await == "awake").then_some(())
    })
    .await;
    eventually(10.0, "asleep again by schedule", || async {
        (worker_status(&client, &id).await == "asleep").then_some(())
    })
    .await;

    // Switched off, the schedule wakes the worker.
    let inactive =
        json!({"is_active": false, "days_of_week": "", "start_time": "00:00", "end_time": "24:00"});
    assert_eq!(client.post(&path, inactive).await.status, 204);
    eventually(5.0, "worker awake after the schedule went off", || async {
        (worker_status(&client, &id).await == "awake").then_some(())
    })
    .await;
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_for_other_hours_keeps_the_worker_awake() {
    let server = start("sleep later", 1, 0.2).await;
    let client = Client::new(&server);
    let id = first_worker(&client).await;
    eventually(5.0, "worker awake", || async {
        (worker_status(&client, &id).await == "awake").then_some(())
    })
    .await;
    // Today's two-letter name is not "xx": the schedule does not apply today.
    let other_days =
        json!({"is_active": true, "days_of_week": "xx", "start_time": "00:00", "end_time": "24:00"});
    let path = format!("/api/v3/worker-mgt/workers/{id}/sleep-schedule");
    assert_eq!(client.post(&path, other_days).await.status, 204);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(worker_status(&client, &id).await, "awake");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_changes_are_announced_on_workertags() {
    let server = start("tag events", 0, 0.2).await;
    let client = Client::new(&server);
    let mut socket = SocketClient::connect(&server).await;
    assert_eq!(socket.subscribe("allWorkerTags", None).await, "ok");
    let created = client.post("/api/v3/worker-mgt/tags", json!({"name": "GPU"})).await.json();
    let tag_id = created["id"].as_str().expect("an id").to_owned();
    let path = format!("/api/v3/worker-mgt/tag/{tag_id}");
    assert_eq!(client.put(&path, json!({"name": "Big GPU", "description": "24 GB"})).await.status, 204);
    assert_eq!(client.delete(&path).await.status, 204);
    let events = socket.collect_until(5.0, |_, payload| payload["was_deleted"] == true).await;
    let tags: Vec<_> = events.iter().filter(|(name, _)| name == "/workertags").collect();
    for (name, payload) in &tags {
        check_event(name, payload);
    }
    assert_eq!(tags.len(), 3, "create, update, delete: {events:?}");
    assert_eq!(tags[0].1["tag"]["name"], "GPU");
    assert_eq!(tags[1].1["tag"]["name"], "Big GPU");
    assert_eq!(tags[1].1["tag"]["description"], "24 GB");
    assert_eq!(tags[2].1["tag"]["id"], tag_id.as_str());
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_worker_is_announced_and_gone() {
    let server = start("delete worker", 1, 0.2).await;
    let client = Client::new(&server);
    let mut socket = SocketClient::connect(&server).await;
    assert_eq!(socket.subscribe("allWorkers", None).await, "ok");
    let id = first_worker(&client).await;
    assert_eq!(client.delete(&format!("/api/v3/worker-mgt/workers/{id}")).await.status, 204);
    let events = socket
        .collect_until(5.0, |name, payload| name == "/workers" && !payload["deleted_at"].is_null())
        .await;
    assert!(
        events.iter().any(|(name, payload)| name == "/workers"
            && payload["id"] == id.as_str()
            && !payload["deleted_at"].is_null()),
        "{events:?}"
    );
    assert_eq!(client.get(&format!("/api/v3/worker-mgt/workers/{id}")).await.status, 404);
    server.stop();
}
