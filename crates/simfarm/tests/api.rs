//! Every endpoint with valid and invalid requests; every response checked against the OpenAPI file.

mod common;

use common::*;
use serde_json::json;

const NO_SUCH_UUID: &str = "00000000-0000-4000-8000-000000000000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_and_job_types() {
    let server = start("meta", 0, 0.2).await;
    let client = Client::new(&server);
    let version = client.get("/api/v3/version").await.json();
    assert_eq!(version["name"], "simfarm");
    assert_eq!(client.get("/api/v3/status").await.json()["status"], "inoperative");

    let types = client.get("/api/v3/jobs/types").await.json();
    let names: Vec<&str> =
        types["job_types"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["echo-sleep-test", "simple-blender-render", "single-image-render"]);
    let single = client.get("/api/v3/jobs/type/single-image-render").await.json();
    let keys: Vec<&str> =
        single["settings"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    for key in [
        "tile_size_x",
        "tile_size_y",
        "frame",
        "resolution_x",
        "resolution_y",
        "resolution_scale",
        "format",
        "image_file_extension",
        "render_output_root",
        "add_path_components",
        "render_output_path",
        "blendfile",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    client.get("/api/v3/jobs/type/no-such-type").await.assert_handler_error(404);
    let unknown_path = client.get("/api/v3/no/such/thing").await;
    assert_eq!(unknown_path.status, 404);
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_specs_example_submission_is_accepted_as_is() {
    let server = start("example", 0, 0.2).await;
    let client = Client::new(&server);
    let example = example_submission();
    assert!(contract().validate_request("POST", "/api/v3/jobs", &example).is_ok());
    let check = client.post("/api/v3/jobs/check", example.clone()).await;
    assert_eq!(check.status, 204, "{}", check.text());
    let reply = client.post("/api/v3/jobs", example.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let job = reply.json();
    assert_eq!(job["name"], example["name"]);
    assert_eq!(job["status"], "queued");
    assert_eq!(job["metadata"], example["metadata"]);
    let id = job["id"].as_str().unwrap();
    let tasks = tasks(&client, id).await;
    let names: Vec<&str> = tasks.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["render-1-3", "render-4-6", "render-7-9", "render-10", "preview-video"]);
    assert_eq!(tasks[0]["steps_total"], 3);
    assert_eq!(job["steps_total"], 0, "the Manager counts a job's steps once it first runs");
    assert!(job.get("type_etag").is_none(), "{job}");
    let listed = client.get("/api/v3/jobs").await.json();
    assert!(listed["jobs"].as_array().unwrap().iter().any(|j| j["id"] == id));
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_are_validated_like_the_manager_does() {
    let server = start("submit", 0, 0.2).await;
    let client = Client::new(&server);
    let etag = client.get("/api/v3/jobs/type/simple-blender-render").await.json()["etag"].clone();
    let mut job = example_submission();
    job["type_etag"] = etag;
    assert_eq!(client.post("/api/v3/jobs", job.clone()).await.status, 200);
    job["type_etag"] = json!("outdated");
    client.post("/api/v3/jobs", job.clone()).await.assert_handler_error(412);
    client.post("/api/v3/jobs/check", job.clone()).await.assert_handler_error(412);

    // The job type's compiler rejects bad settings with {code: 400, message}.
    let mut bad = example_submission();
    bad["settings"]["format"] = json!("FFMPEG");
    client.post("/api/v3/jobs", bad.clone()).await.assert_handler_error(400);
    bad["settings"]["format"] = json!("PNG");
    bad["settings"]["frames"] = json!("1-x");
    client.post("/api/v3/jobs/check", bad).await.assert_handler_error(400);
    let mut unknown_type = example_submission();
    unknown_type["type"] = json!("teleport");
    client.post("/api/v3/jobs", unknown_type).await.assert_handler_error(400);
    let mut single = example_submission();
    single["type"] = json!("single-image-render");
    single["settings"] = json!({"resolution_x": 100, "resolution_y": 100, "resolution_scale": 50,
        "tile_size_x": 64, "tile_size_y": 64, "render_output_path": "/r/tiles"});
    client.post("/api/v3/jobs", single).await.assert_handler_error(400);

    // The request validator's 400 {message}: missing fields, wrong types, bad enums, bad JSON.
    let mut missing = example_submission();
    missing.as_object_mut().unwrap().remove("submitter_platform");
    client.post("/api/v3/jobs", missing).await.assert_validation_error();
    let mut wrong_type = example_submission();
    wrong_type["priority"] = json!("high");
    client.post("/api/v3/jobs", wrong_type).await.assert_validation_error();
    let mut bad_status = example_submission();
    bad_status["initial_status"] = json!("sleeping");
    client.post("/api/v3/jobs", bad_status).await.assert_validation_error();
    let malformed = client
        .send(axum::http::Method::POST, "/api/v3/jobs", Some(b"{\"name\": ".to_vec()), "application/json")
        .await;
    malformed.assert_validation_error();
    let text = client
        .send(
            axum::http::Method::POST,
            "/api/v3/jobs",
            Some(example_submission().to_string().into_bytes()),
            "text/plain",
        )
        .await;
    text.assert_validation_error();
    let empty = client.send(axum::http::Method::POST, "/api/v3/jobs", None, "application/json").await;
    empty.assert_validation_error();
    let mut null_field = example_submission();
    null_field["worker_tag"] = json!(null);
    client.post("/api/v3/jobs", null_field).await.assert_validation_error();
    let mut nested_null = example_submission();
    nested_null["storage"] = json!({"shaman_checkout_id": null});
    client.post("/api/v3/jobs/check", nested_null).await.assert_validation_error();
    // Found by schemathesis: properties the schema does not declare may be anything, even null.
    let mut extra_null = example_submission();
    extra_null["x-extra"] = json!(null);
    assert_eq!(client.post("/api/v3/jobs/check", extra_null).await.status, 204);
    let array = client.post("/api/v3/jobs", json!([1, 2])).await;
    array.assert_validation_error();
    assert_eq!(farm_jobs(&server), 1, "only the one valid submission was stored");
    server.stop();
}

fn farm_jobs(server: &simfarm::Server) -> usize {
    simfarm::farm::lock(&server.state.farm).job_count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_management_endpoints() {
    let server = start("jobs", 0, 0.2).await;
    let client = Client::new(&server);
    let id = submit(&client, example_submission()).await;
    let base = format!("/api/v3/jobs/{id}");
    let job = client.get(&base).await.json();
    assert_eq!(job["id"], id.as_str());

    for path in ["", "/what-would-delete-do", "/last-rendered", "/tasks", "/blocklist"] {
        let bad = client.get(&format!("/api/v3/jobs/not-a-uuid{path}")).await;
        bad.assert_handler_error(400);
    }
    client.get(&format!("/api/v3/jobs/{NO_SUCH_UUID}")).await.assert_handler_error(404);
    client.get(&format!("/api/v3/jobs/{NO_SUCH_UUID}/what-would-delete-do")).await.assert_handler_error(404);
    // Like Flamenco, an unknown job simply has no tasks.
    assert_eq!(client.get(&format!("/api/v3/jobs/{NO_SUCH_UUID}/tasks")).await.json()["tasks"], json!([]));
    assert_eq!(client.get(&format!("{base}/last-rendered")).await.status, 204);
    assert_eq!(client.get("/api/v3/jobs/last-rendered").await.status, 204);
    assert_eq!(client.get(&format!("{base}/blocklist")).await.json(), json!([]));
    assert_eq!(
        client.get(&format!("{base}/what-would-delete-do")).await.json(),
        json!({"shaman_checkout": false})
    );

    // Priority: 0..=100, else the validator's 400.
    assert_eq!(client.post(&format!("{base}/setpriority"), json!({"priority": 80})).await.status, 204);
    assert_eq!(client.get(&base).await.json()["priority"], 80);
    client.post(&format!("{base}/setpriority"), json!({"priority": 101})).await.assert_validation_error();
    client.post(&format!("{base}/setpriority"), json!({})).await.assert_validation_error();
    client
        .post(&format!("/api/v3/jobs/{NO_SUCH_UUID}/setpriority"), json!({"priority": 1}))
        .await
        .assert_handler_error(404);

    // Status: any known status is accepted; unknown ones and missing reasons are not.
    let status = |s: &str| json!({"status": s, "reason": "test"});
    client
        .post(&format!("{base}/setstatus"), json!({"status": "bogus", "reason": "x"}))
        .await
        .assert_validation_error();
    client.post(&format!("{base}/setstatus"), json!({"status": "paused"})).await.assert_validation_error();
    client
        .post(&format!("/api/v3/jobs/{NO_SUCH_UUID}/setstatus"), status("paused"))
        .await
        .assert_handler_error(404);
    client.post("/api/v3/jobs/nope/setstatus", status("paused")).await.assert_handler_error(400);
    assert_eq!(client.post(&format!("{base}/setstatus"), status("pause-requested")).await.status, 204);
    assert_eq!(job_status(&client, &id).await, "paused", "no task was active: paused at once");
    assert!(tasks(&client, &id).await.iter().all(|t| t["status"] == "paused"));

    // Tags.
    let tag = client.post("/api/v3/worker-mgt/tags", json!({"name": "GPU"})).await.json();
    assert_eq!(client.post(&format!("{base}/settag"), json!({"name": "GPU"})).await.status, 204);
    assert_eq!(client.get(&base).await.json()["worker_tag"], tag["id"]);
    client.post(&format!("{base}/settag"), json!({"name": "nope"})).await.assert_handler_error(406);
    assert_eq!(client.post(&format!("{base}/settag"), json!({})).await.status, 204);
    assert!(client.get(&base).await.json().get("worker_tag").is_none());

    // Deletion: gone at once, as on the real Manager.
    assert_eq!(client.delete(&base).await.status, 204);
    client.get(&base).await.assert_handler_error(404);
    client.delete(&base).await.assert_handler_error(404);
    client.delete("/api/v3/jobs/not-a-uuid").await.assert_handler_error(400);

    // Mass deletion.
    let other = submit(&client, example_submission()).await;
    let mass = client
        .send(
            axum::http::Method::DELETE,
            "/api/v3/jobs/mass-delete",
            Some(json!({"last_updated_max": "2000-01-01T00:00:00Z"}).to_string().into_bytes()),
            "application/json",
        )
        .await;
    mass.assert_handler_error(416);
    let mass = client
        .send(
            axum::http::Method::DELETE,
            "/api/v3/jobs/mass-delete",
            Some(json!({"last_updated_max": "2999-01-01T00:00:00Z"}).to_string().into_bytes()),
            "application/json",
        )
        .await;
    assert_eq!(mass.status, 204);
    let bad_date = client
        .send(
            axum::http::Method::DELETE,
            "/api/v3/jobs/mass-delete",
            Some(json!({"last_updated_max": "yesterday"}).to_string().into_bytes()),
            "application/json",
        )
        .await;
    bad_date.assert_validation_error();
    eventually(5.0, "mass deletion", || async {
        (client.get(&format!("/api/v3/jobs/{other}")).await.status == 404).then_some(())
    })
    .await;
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_endpoints() {
    let server = start("tasks", 1, 0.3).await;
    let client = Client::new(&server);
    let mut job = example_submission();
    job["initial_status"] = json!("paused");
    let id = submit(&client, job).await;
    let task_id = tasks(&client, &id).await[0]["id"].as_str().unwrap().to_owned();
    let task = client.get(&format!("/api/v3/tasks/{task_id}")).await.json();
    assert_eq!(task["job_id"], id.as_str());
    assert_eq!(task["commands"][0]["name"], "blender-render");
    assert_eq!(client.get(&format!("/api/v3/tasks/{task_id}/log")).await.status, 204);
    assert_eq!(client.get(&format!("/api/v3/tasks/{task_id}/logtail")).await.status, 204);
    client.get("/api/v3/tasks/not-a-uuid").await.assert_handler_error(400);
    client.get(&format!("/api/v3/tasks/{NO_SUCH_UUID}")).await.assert_handler_error(404);
    client.get(&format!("/api/v3/tasks/{NO_SUCH_UUID}/log")).await.assert_handler_error(404);
    client.get(&format!("/api/v3/tasks/{NO_SUCH_UUID}/logtail")).await.assert_handler_error(404);
    client.get("/api/v3/tasks/x/logtail").await.assert_handler_error(400);

    let set = |status: &str| json!({"status": status, "reason": "by hand"});
    client
        .post(&format!("/api/v3/tasks/{task_id}/setstatus"), json!({"status": "nope", "reason": "x"}))
        .await
        .assert_validation_error();
    client
        .post(&format!("/api/v3/tasks/{NO_SUCH_UUID}/setstatus"), set("queued"))
        .await
        .assert_handler_error(404);
    assert_eq!(client.post(&format!("/api/v3/tasks/{task_id}/setstatus"), set("canceled")).await.status, 204);
    let task = client.get(&format!("/api/v3/tasks/{task_id}")).await.json();
    assert_eq!(task["status"], "canceled");
    assert_eq!(task["activity"], "by hand");
    // The status change was logged: the log now exists.
    let log = client.get(&format!("/api/v3/tasks/{task_id}/log")).await.json();
    assert_eq!(log["task_id"], task_id.as_str());
    assert!(log["size"].as_i64().unwrap() > 0);
    let tail = client.get(&format!("/api/v3/tasks/{task_id}/logtail")).await;
    assert!(tail.content_type.starts_with("text/plain"));
    assert!(tail.text().contains("task changed status queued -> canceled"), "{}", tail.text());
    let file = client.get(log["url"].as_str().unwrap()).await;
    assert_eq!(file.text(), client.get(&format!("/api/v3/tasks/{task_id}/logtail")).await.text());
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_management() {
    let server = start("workers", 2, 0.2).await;
    let client = Client::new(&server);
    let workers = eventually(5.0, "workers awake", || async {
        let list = client.get("/api/v3/worker-mgt/workers").await.json();
        let workers = list["workers"].as_array().cloned().unwrap_or_default();
        workers.iter().all(|w| w["status"] == "awake").then_some(workers)
    })
    .await;
    let id = workers[0]["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v3/worker-mgt/workers/{id}");
    let worker = client.get(&base).await.json();
    assert_eq!(worker["platform"], "linux");
    client.get("/api/v3/worker-mgt/workers/nope").await.assert_handler_error(400);
    client.get(&format!("/api/v3/worker-mgt/workers/{NO_SUCH_UUID}")).await.assert_handler_error(404);

    // Sleep and wake through the API.
    let asleep = json!({"status": "asleep", "is_lazy": false});
    assert_eq!(client.post(&format!("{base}/setstatus"), asleep.clone()).await.status, 204);
    eventually(5.0, "worker asleep", || async {
        (client.get(&base).await.json()["status"] == "asleep").then_some(())
    })
    .await;
    assert!(client.get(&base).await.json().get("status_change").is_none());
    assert_eq!(
        client.post(&format!("{base}/setstatus"), json!({"status": "awake", "is_lazy": true})).await.status,
        204
    );
    eventually(5.0, "worker awake", || async {
        (client.get(&base).await.json()["status"] == "awake").then_some(())
    })
    .await;
    assert_eq!(client.get(&base).await.json()["can_restart"], true);
    client
        .post(&format!("{base}/setstatus"), json!({"status": "dancing", "is_lazy": false}))
        .await
        .assert_validation_error();
    client.post(&format!("{base}/setstatus"), json!({"status": "asleep"})).await.assert_validation_error();
    client
        .post(&format!("/api/v3/worker-mgt/workers/{NO_SUCH_UUID}/setstatus"), asleep)
        .await
        .assert_handler_error(404);

    // Tags.
    let tag =
        client.post("/api/v3/worker-mgt/tags", json!({"name": "GPU", "description": "fast"})).await.json();
    let tag_id = tag["id"].as_str().unwrap().to_owned();
    client.post("/api/v3/worker-mgt/tags", json!({"description": "no name"})).await.assert_validation_error();
    assert_eq!(
        client.post(&format!("{base}/settags"), json!({"tag_ids": [tag_id, NO_SUCH_UUID]})).await.status,
        204
    );
    let worker = client.get(&base).await.json();
    assert_eq!(worker["tags"][0]["name"], "GPU");
    client.post(&format!("{base}/settags"), json!({"tag_ids": "GPU"})).await.assert_validation_error();
    let tag_path = format!("/api/v3/worker-mgt/tag/{tag_id}");
    assert_eq!(client.get(&tag_path).await.json()["name"], "GPU");
    assert_eq!(client.put(&tag_path, json!({"name": "GPU-EEVEE"})).await.status, 204);
    assert_eq!(client.get("/api/v3/worker-mgt/tags").await.json()["tags"][0]["name"], "GPU-EEVEE");
    assert_eq!(client.get(&tag_path).await.json()["description"], "fast");
    client
        .put(&format!("/api/v3/worker-mgt/tag/{NO_SUCH_UUID}"), json!({"name": "x"}))
        .await
        .assert_handler_error(404);
    client.get("/api/v3/worker-mgt/tag/nope").await.assert_handler_error(400);
    assert_eq!(client.delete(&tag_path).await.status, 204);
    client.delete(&tag_path).await.assert_handler_error(404);
    assert!(client.get(&base).await.json().get("tags").is_none());

    // Sleep schedule: stored and shown back.
    assert_eq!(client.get(&format!("{base}/sleep-schedule")).await.status, 204);
    let schedule =
        json!({"is_active": true, "days_of_week": "mo tu", "start_time": "09:00", "end_time": "18:00"});
    assert_eq!(client.post(&format!("{base}/sleep-schedule"), schedule.clone()).await.status, 204);
    assert_eq!(client.get(&format!("{base}/sleep-schedule")).await.json(), schedule);

    // Shutting a worker down: it goes offline and stays there.
    assert_eq!(
        client
            .post(&format!("{base}/setstatus"), json!({"status": "offline", "is_lazy": false}))
            .await
            .status,
        204
    );
    eventually(5.0, "worker offline", || async {
        (client.get(&base).await.json()["status"] == "offline").then_some(())
    })
    .await;
    assert_eq!(client.delete(&base).await.status, 204);
    client.get(&base).await.assert_handler_error(404);
    server.stop();
}
