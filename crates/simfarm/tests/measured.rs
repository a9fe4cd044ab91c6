//! What a real Flamenco Manager 3.9 was measured to answer (FLAMENCO.md, "Measured on a real
//! Manager"), where it departs from the OpenAPI file or from what one would guess. Every response
//! is still checked against the file (with the Manager's known departures, see `common`).

mod common;

use axum::http::Method;
use common::*;
use serde_json::{json, Value};

const NO_SUCH_UUID: &str = "00000000-0000-4000-8000-000000000000";

fn message(reply: &Reply) -> String {
    reply.json()["message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_jobs_look_like_the_managers() {
    let server = start("measured-jobs", 1, 0.3).await;
    let client = Client::new(&server);
    let etag = client.get("/api/v3/jobs/type/simple-blender-render").await.json()["etag"].clone();
    let mut job = example_submission();
    job.as_object_mut().unwrap().remove("priority");
    job["type_etag"] = etag;
    job["submitter_platform"] = json!("");
    job["settings"]["fps"] = json!(24.0);
    let reply = client.post("/api/v3/jobs", job).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let text = reply.text();
    assert!(
        text.contains("\"fps\":24,") || text.contains("\"fps\":24}"),
        "a whole fps is an integer: {text}"
    );
    let stored = reply.json();
    assert_eq!(stored["priority"], 50, "the default priority");
    assert_eq!(stored["submitter_platform"], "");
    assert!(stored.get("type_etag").is_none(), "no type_etag in job JSON: {stored}");
    assert_eq!(stored["steps_total"], 0, "no steps before the job first runs");
    let id = stored["id"].as_str().unwrap().to_owned();
    // Once it runs, the real total: 4 render tasks of 3, 3, 3 and 1 frames, and the video.
    let total = eventually(10.0, "the job runs", || async {
        let job = client.get(&format!("/api/v3/jobs/{id}")).await.json();
        (job["status"] != "queued").then(|| job["steps_total"].clone())
    })
    .await;
    assert_eq!(total, 11);
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priority_and_status_changes_leave_updated_alone_and_deletion_is_immediate() {
    let server = start("measured-updated", 0, 0.3).await;
    let client = Client::new(&server);
    let id = submit(&client, example_submission()).await;
    let base = format!("/api/v3/jobs/{id}");
    let before = client.get(&base).await.json()["updated"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(client.post(&format!("{base}/setpriority"), json!({"priority": 90})).await.status, 204);
    let status = json!({"status": "pause-requested", "reason": "measured"});
    assert_eq!(client.post(&format!("{base}/setstatus"), status).await.status, 204);
    let after = client.get(&base).await.json();
    assert_eq!((after["priority"].clone(), after["status"].clone()), (json!(90), json!("paused")));
    assert_eq!(after["updated"], before, "updated is not bumped");
    assert_eq!(client.delete(&base).await.status, 204);
    client.get(&base).await.assert_handler_error(404);
    assert_eq!(client.get(&format!("{base}/tasks")).await.json()["tasks"], json!([]));
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_tags_in_submissions_must_exist_and_deleted_tags_leave_their_jobs() {
    let server = start("measured-tags", 0, 0.3).await;
    let client = Client::new(&server);
    for tag in [NO_SUCH_UUID, "GPU", "not a uuid"] {
        let mut job = example_submission();
        job["worker_tag"] = json!(tag);
        let reply = client.post("/api/v3/jobs", job).await;
        reply.assert_handler_error(500);
        assert_eq!(message(&reply), "error persisting job in database", "{tag}");
    }
    assert!(client.get("/api/v3/jobs").await.json()["jobs"].as_array().unwrap().is_empty());
    let mut untagged = example_submission();
    untagged["worker_tag"] = json!("");
    submit(&client, untagged).await;

    let tag = client.post("/api/v3/worker-mgt/tags", json!({"name": "GPU"})).await.json();
    let tag_id = tag["id"].as_str().unwrap().to_owned();
    let duplicate =
        client.post("/api/v3/worker-mgt/tags", json!({"name": "GPU", "description": "again"})).await;
    duplicate.assert_handler_error(500);
    assert_eq!(message(&duplicate), "error creating worker tag");
    assert_eq!(client.get("/api/v3/worker-mgt/tags").await.json()["tags"].as_array().unwrap().len(), 1);

    let mut job = example_submission();
    job["worker_tag"] = json!(tag_id);
    let id = submit(&client, job).await;
    assert_eq!(client.get(&format!("/api/v3/jobs/{id}")).await.json()["worker_tag"], tag_id.as_str());
    assert_eq!(client.delete(&format!("/api/v3/worker-mgt/tag/{tag_id}")).await.status, 204);
    let job = client.get(&format!("/api/v3/jobs/{id}")).await.json();
    assert!(job.get("worker_tag").is_none(), "the deleted tag is gone from the job: {job}");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_restart_lazily_and_keep_sleep_schedules_as_sent() {
    let server = start("measured-workers", 1, 0.3).await;
    let client = Client::new(&server);
    let id = eventually(5.0, "the worker awake", || async {
        let workers = client.get("/api/v3/worker-mgt/workers").await.json()["workers"].clone();
        (workers[0]["status"] == "awake").then(|| workers[0]["id"].as_str().unwrap_or_default().to_owned())
    })
    .await;
    let base = format!("/api/v3/worker-mgt/workers/{id}");
    assert_eq!(client.get(&base).await.json()["can_restart"], true);
    let mut socket = SocketClient::connect(&server).await;
    assert_eq!(socket.subscribe("allWorkers", None).await, "ok");
    let restart = json!({"status": "restart", "is_lazy": true});
    assert_eq!(client.post(&format!("{base}/setstatus"), restart).await.status, 204);
    // The worker restarts and signs on again.
    let mut seen = Vec::new();
    socket
        .collect_until(5.0, |name, payload| {
            if name == "/workers" && payload["id"] == id.as_str() {
                seen.push(payload["status"].as_str().unwrap_or_default().to_owned());
            }
            seen.ends_with(&["restart".to_owned(), "starting".to_owned(), "awake".to_owned()])
        })
        .await;
    assert!(seen.ends_with(&["restart".into(), "starting".into(), "awake".into()]), "{seen:?}");

    // Not checked by the Manager: whatever times are sent come back.
    let schedule =
        json!({"is_active": false, "days_of_week": "zz", "start_time": "25:99", "end_time": "later"});
    assert_eq!(client.post(&format!("{base}/sleep-schedule"), schedule.clone()).await.status, 204);
    assert_eq!(client.get(&format!("{base}/sleep-schedule")).await.json(), schedule);
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_endpoints_answer_for_flamencos_web_app() {
    let server = start("measured-config", 0, 0.3).await;
    let client = Client::new(&server);
    let config = client.get("/api/v3/configuration").await.json();
    assert_eq!(config["isFirstRun"], false, "no setup assistant");
    assert_eq!(config["shamanEnabled"], false);
    let storage = config["storageLocation"].as_str().unwrap().to_owned();
    assert!(std::path::Path::new(&storage).is_dir(), "{storage}");

    for (audience, platform) in [("workers", "linux"), ("users", "windows"), ("users", "plan9")] {
        let vars = client.get(&format!("/api/v3/configuration/variables/{audience}/{platform}")).await.json();
        // `blender` has values for linux, windows and darwin only; `blenderArgs` one for all.
        let blender = (platform != "plan9").then(|| json!({"value": "blender", "is_twoway": false}));
        assert_eq!(vars.get("blender").cloned(), blender, "{platform}: {vars}");
        assert_eq!(vars["blenderArgs"], json!({"value": "-b -y", "is_twoway": false}), "{vars}");
        let shared = client.get(&format!("/api/v3/configuration/shared-storage/{audience}/{platform}")).await;
        assert_eq!(
            shared.json(),
            json!({"location": storage, "audience": audience, "platform": platform, "shamanEnabled": false})
        );
    }
    let bad = client.get("/api/v3/configuration/variables/robots/linux").await;
    bad.assert_validation_error();
    assert!(message(&bad).contains("audience"), "{}", bad.text());

    let mut file = client.get("/api/v3/configuration/file").await.json();
    assert_eq!(file["manager_name"], "simfarm");
    assert_eq!(file["shared_storage_path"], storage.as_str());
    file["manager_name"] = json!("renamed");
    assert_eq!(client.put("/api/v3/configuration/file", file.clone()).await.status, 204);
    assert_eq!(client.get("/api/v3/configuration/file").await.json(), file);
    client.put("/api/v3/configuration/file", json!([1])).await.assert_validation_error();
    assert_eq!(client.get("/api/v3/configuration/file").await.json()["manager_name"], "renamed");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_validation_speaks_the_managers_words() {
    let server = start("measured-validation", 0, 0.3).await;
    let client = Client::new(&server);
    let mut nameless = example_submission();
    nameless.as_object_mut().unwrap().remove("name");
    let reply = client.post("/api/v3/jobs", nameless).await;
    reply.assert_validation_error();
    assert!(
        message(&reply).ends_with("Error at \"/name\": property \"name\" is missing"),
        "{}",
        reply.text()
    );

    let mut wordy = example_submission();
    wordy["priority"] = json!("high");
    let reply = client.post("/api/v3/jobs", wordy).await;
    reply.assert_validation_error();
    assert!(
        message(&reply).ends_with("Error at \"/priority\": value must be an integer"),
        "{}",
        reply.text()
    );

    let id = submit(&client, example_submission()).await;
    let reply = client.post(&format!("/api/v3/jobs/{id}/setpriority"), json!({"priority": -1})).await;
    reply.assert_validation_error();
    assert!(
        message(&reply).ends_with("Error at \"/priority\": number must be at least 0"),
        "{}",
        reply.text()
    );
    let reply = client.post(&format!("/api/v3/jobs/{id}/setpriority"), json!({"priority": 101})).await;
    assert!(message(&reply).ends_with("number must be at most 100"), "{}", reply.text());

    let truncated =
        client.send(Method::POST, "/api/v3/jobs", Some(b"{\"name\": ".to_vec()), "application/json").await;
    truncated.assert_validation_error();
    assert!(
        message(&truncated).ends_with("failed to decode request body: unexpected EOF"),
        "{}",
        truncated.text()
    );

    let tags = client
        .post(&format!("/api/v3/worker-mgt/workers/{NO_SUCH_UUID}/settags"), json!({"tag_ids": ["a", 3]}))
        .await;
    tags.assert_validation_error();
    assert!(message(&tags).ends_with("Error at \"/tag_ids/1\": value must be a string"), "{}", tags.text());
    assert_eq!(client.get("/api/v3/jobs").await.json()["jobs"].as_array().map(Vec::len), Some(1));
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unrouted_methods_are_not_found() {
    let server = start("measured-methods", 0, 0.3).await;
    let client = Client::new(&server);
    let not_allowed = json!({"message": "method not allowed"});
    for (method, path) in [
        (Method::POST, "/api/v3/version"),
        (Method::POST, "/api/v3/jobs/query"),
        (Method::TRACE, "/api/v3/jobs"),
        (Method::PUT, "/api/v3/configuration"),
    ] {
        let reply = client.send(method.clone(), path, None, "application/json").await;
        assert_eq!((reply.status, reply.json()), (404, not_allowed.clone()), "{method} {path}");
    }
    let unknown: Value = client.get("/api/v3/nothing/here").await.json();
    assert_eq!(unknown, json!({"message": "Not Found"}));
    server.stop();
}

/// The task of `job_id` named `name`, in full.
async fn task_named(client: &Client, job_id: &str, name: &str) -> Value {
    let summary = tasks(client, job_id).await.into_iter().find(|t| t["name"] == name);
    let id = summary.unwrap_or_else(|| panic!("no task {name}"))["id"].as_str().unwrap().to_owned();
    client.get(&format!("/api/v3/tasks/{id}")).await.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_types_are_the_managers_with_sha1_etags_and_echo_sleep_runs() {
    let server = start("measured-types", 1, 0.2).await;
    let client = Client::new(&server);
    let types = client.get("/api/v3/jobs/types").await.json();
    for job_type in types["job_types"].as_array().unwrap() {
        let etag = job_type["etag"].as_str().unwrap();
        assert!(etag.len() == 40 && etag.chars().all(|c| c.is_ascii_hexdigit()), "{etag}");
    }
    let echo = client.get("/api/v3/jobs/type/echo-sleep-test").await.json();
    let keys: Vec<&str> =
        echo["settings"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["message", "sleep_duration_seconds"]);
    let job = json!({"name": "hello", "type": "echo-sleep-test", "type_etag": echo["etag"], "priority": 50,
        "submitter_platform": "linux", "settings": {"message": "prespavati", "sleep_duration_seconds": 3}});
    let id = submit(&client, job).await;
    let echo_task = task_named(&client, &id, "echo").await;
    assert_eq!(echo_task["task_type"], "misc");
    assert_eq!(echo_task["commands"][0]["name"], "echo");
    assert_eq!(echo_task["commands"][0]["parameters"], json!({"message": "prespavati"}));
    let sleep_task = task_named(&client, &id, "sleep").await;
    assert_eq!(sleep_task["task_type"], "misc");
    assert_eq!(sleep_task["commands"][0]["name"], "sleep");
    assert_eq!(sleep_task["commands"][0]["parameters"], json!({"duration_in_seconds": 3}));
    eventually(10.0, "the echo-sleep job done", || async {
        (job_status(&client, &id).await == "completed").then_some(())
    })
    .await;
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compiler_errors_carry_the_script_location() {
    let server = start("measured-compile", 0, 0.2).await;
    let client = Client::new(&server);
    let mut job = example_submission();
    job["settings"].as_object_mut().unwrap().remove("render_output_path");
    let reply = client.post("/api/v3/jobs", job).await;
    reply.assert_handler_error(400);
    assert_eq!(
        message(&reply),
        "no render_output_path setting! at renderOutputPath (simple_blender_render.js:99:9(9))"
    );
    let mut job = example_submission();
    job["settings"]["frames"] = json!("abc");
    let reply = client.post("/api/v3/jobs/check", job).await;
    reply.assert_handler_error(400);
    assert!(message(&reply).starts_with("GoError: invalid range \"abc\""), "{}", reply.text());
    assert!(message(&reply).contains("(simple_blender_render.js:"), "{}", reply.text());
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_carry_the_commands_flamencos_job_types_author() {
    let server = start("measured-commands", 0, 0.2).await;
    let client = Client::new(&server);
    // The spec's example: frames 1-10 of /render/sf/jobs/scene123.blend at 24 fps, as PNG.
    let id = submit(&client, example_submission()).await;
    let render = task_named(&client, &id, "render-1-3").await;
    let args: Vec<Value> = render["commands"][0]["parameters"]["args"].as_array().unwrap().clone();
    let expr = args.iter().position(|arg| arg == "--python-expr").expect("a --python-expr argument");
    assert!(args[expr + 1].as_str().is_some_and(|code| code.starts_with("import bpy")), "{args:?}");
    assert_eq!(args[args.len() - 2..], [json!("--render-frame"), json!("1..3")]);
    let video = task_named(&client, &id, "preview-video").await;
    let parameters = &video["commands"][0]["parameters"];
    assert_eq!(parameters["outputFile"], "/render/sf/frames/scene123/3Д рендеринг/scene123-1-10.mp4");
    assert_eq!(
        parameters["args"],
        json!([
            "-c:v",
            "h264",
            "-crf",
            "20",
            "-g",
            "18",
            "-vf",
            "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-pix_fmt",
            "yuv420p",
            "-r",
            24,
            "-y"
        ])
    );

    let single = json!({"name": "still", "type": "single-image-render", "priority": 50, "submitter_platform": "linux",
        "settings": {"tile_size_x": 64, "tile_size_y": 64, "frame": 1, "resolution_x": 128, "resolution_y": 64,
            "resolution_scale": 100, "format": "OPEN_EXR_MULTILAYER", "image_file_extension": ".exr",
            "render_output_path": "/render/still/{timestamp}/tiles", "blendfile": "/render/still.blend"}});
    let id = submit(&client, single).await;
    let merge = task_named(&client, &id, "merge").await;
    let args = merge["commands"][0]["parameters"]["args"].as_array().unwrap().clone();
    let output = args.iter().position(|arg| arg == "--render-output").map(|at| args[at + 1].clone());
    let output = output.and_then(|o| o.as_str().map(str::to_owned)).expect("--render-output");
    assert!(output.starts_with("/render/still/") && output.ends_with("/merged"), "{output}");
    server.stop();
}
