//! Flamenco's first-run Setup Assistant endpoints: a Manager started with `--first-run` says so,
//! checks a shared-storage folder and a Blender command for real, and leaves its first run once the
//! assistant saves both. Every response is checked against the OpenAPI file.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;
use serde_json::json;

async fn first_run_farm(name: &str) -> simfarm::Server {
    start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        render_root: Some(temp_root(name)),
        workers: 0,
        seed: Some(7),
        first_run: true,
        ..simfarm::Config::default()
    })
    .await
}

/// A program that answers `--version` as Blender 4.2 does.
fn fake_blender(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("blender");
    std::fs::write(&path, "#!/bin/sh\necho 'Blender 4.2.0'\necho '\tbuild date: 2024-07-16'\n")
        .expect("script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("executable");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_storage_check_tries_the_folder_for_real() {
    let server = first_run_farm("setup-storage").await;
    let client = Client::new(&server);
    let folder = temp_root("setup-storage-folder");
    let check = |path: String| {
        let client = &client;
        async move { client.post("/api/v3/configuration/check/shared-storage", json!({ "path": path })).await }
    };
    let usable = check(folder.display().to_string()).await;
    assert_eq!(usable.status, 200, "{}", usable.text());
    assert_eq!(usable.json()["is_usable"], true, "{}", usable.text());
    assert_eq!(std::fs::read_dir(&folder).map(Iterator::count).ok(), Some(0), "no probe file is left behind");

    let missing = check(folder.join("missing").display().to_string()).await.json();
    assert_eq!(missing["is_usable"], false);
    assert!(missing["cause"].as_str().unwrap_or_default().contains("does not exist"), "{missing}");
    let empty = check(String::new()).await.json();
    assert_eq!(empty["is_usable"], false, "{empty}");

    let no_body = client.post("/api/v3/configuration/check/shared-storage", json!({})).await;
    no_body.assert_validation_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blender_command_is_run_to_check_it() {
    let server = first_run_farm("setup-blender").await;
    let client = Client::new(&server);
    let dir = temp_root("setup-blender-bin");
    let blender = fake_blender(&dir);
    let found = client
        .post("/api/v3/configuration/check/blender", json!({"path": blender.display().to_string()}))
        .await;
    assert_eq!(found.status, 200, "{}", found.text());
    let found = found.json();
    assert_eq!(found["is_usable"], true, "{found}");
    assert_eq!(found["source"], "input_path");
    assert!(found["cause"].as_str().unwrap_or_default().contains("Blender 4.2.0"), "{found}");

    let not_blender =
        client.post("/api/v3/configuration/check/blender", json!({"path": "/bin/true"})).await.json();
    assert_eq!(not_blender["is_usable"], false, "{not_blender}");
    let missing =
        client.post("/api/v3/configuration/check/blender", json!({"path": "/no/such/blender"})).await.json();
    assert_eq!(missing["is_usable"], false, "{missing}");
    assert!(missing["cause"].as_str().unwrap_or_default().contains("does not exist"), "{missing}");

    let listing = client.get("/api/v3/configuration/check/blender").await;
    assert_eq!(listing.status, 200, "{}", listing.text());
    assert!(listing.json().is_array());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_the_assistant_ends_the_first_run() {
    let server = first_run_farm("setup-save").await;
    let client = Client::new(&server);
    assert_eq!(client.get("/api/v3/configuration").await.json()["isFirstRun"], true);
    let storage = temp_root("setup-save-storage").display().to_string();
    let blender = fake_blender(&temp_root("setup-save-bin")).display().to_string();
    let checked = client.post("/api/v3/configuration/check/blender", json!({ "path": blender })).await.json();
    let saved = client
        .post(
            "/api/v3/configuration/setup-assistant",
            json!({"storageLocation": storage, "blenderExecutable": checked}),
        )
        .await;
    assert_eq!(saved.status, 204, "{}", saved.text());
    assert_eq!(client.get("/api/v3/configuration").await.json()["isFirstRun"], false);
    let file = client.get("/api/v3/configuration/file").await.json();
    assert_eq!(file["shared_storage_path"], storage.as_str());
    assert_eq!(file["variables"]["blender"]["values"][0]["value"], blender.as_str(), "{file}");

    let refused =
        client.post("/api/v3/configuration/setup-assistant", json!({"storageLocation": storage})).await;
    refused.assert_validation_error();
}
