//! The Setup Assistant, as a person setting up a new Manager uses it: the banner that offers it,
//! a folder and a Blender checked by the Manager (with its reasons when they cannot be used), and
//! the save that ends the Manager's first run.

use std::os::unix::fs::PermissionsExt;

use crate::support::{xpath_literal, Browser, Simfarm};

/// A check's answer on screen containing `text`.
fn check_line(text: &str) -> String {
    format!("//p[contains(@class,'check-line')][contains(normalize-space(), {})]", xpath_literal(text))
}

/// A program that answers `--version` as Blender 4.2 does.
fn fake_blender(dir: &std::path::Path) -> String {
    let path = dir.join("blender");
    std::fs::write(&path, "#!/bin/sh\necho 'Blender 4.2.0'\n").expect("the script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("executable");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_manager_is_set_up_from_the_browser() {
    let farm = Simfarm::start(&["--workers", "0", "--first-run"]).await;
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let storage = scratch.path().join("storage");
    std::fs::create_dir(&storage).expect("the storage folder");
    let blender = fake_blender(scratch.path());
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.text("This Manager has not been set up yet").await;
    browser.link("Set up the Manager").await.click().await.expect("the banner's link");
    browser.heading("Set up the Manager").await;
    let save = browser.button("Save and restart the Manager").await;
    assert!(!save.is_enabled().await.expect("enabled state"), "nothing to save before the checks");

    browser.fill("Shared storage folder", &storage.join("missing").display().to_string()).await;
    browser.button("Check folder").await.click().await.expect("check");
    browser.wait_xpath(&check_line("This path does not exist"), "the Manager's reason").await;
    browser.fill("Shared storage folder", &storage.display().to_string()).await;
    assert!(
        !browser.shown_now(&check_line("does not exist")).await,
        "a check belongs to the text it checked"
    );
    browser.button("Check folder").await.click().await.expect("check");
    browser.wait_xpath(&check_line("Usable"), "the folder usable").await;

    browser.fill("Blender command or path", "/bin/true").await;
    browser.button("Check Blender").await.click().await.expect("check");
    browser.wait_xpath(&check_line("not Blender"), "a program that is not Blender refused").await;
    assert!(!save.is_enabled().await.expect("enabled state"), "an unusable Blender cannot be saved");
    browser.fill("Blender command or path", &blender).await;
    browser.button("Check Blender").await.click().await.expect("check");
    browser.wait_xpath(&check_line("Found Blender 4.2.0"), "the Blender's version").await;

    browser.button("Save and restart the Manager").await.click().await.expect("save");
    browser.text("Saved. The Manager restarts").await;
    browser.wait_gone("//*[contains(@class,'first-run-banner')]", "the first-run banner").await;
    let file: serde_json::Value = reqwest::get(format!("{}/api/v3/configuration/file", farm.url))
        .await
        .expect("the settings file")
        .json()
        .await
        .expect("JSON");
    assert_eq!(file["shared_storage_path"], storage.display().to_string().as_str());
    assert_eq!(file["variables"]["blender"]["values"][0]["value"], blender.as_str());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_submit_page_offers_the_managers_blender_addon() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/submit", farm.url)).await;
    let link = browser.link("Get the Blender add-on").await;
    let href = link.prop("href").await.ok().flatten().expect("the link's address");
    assert_eq!(href, format!("{}/flamenco-addon.zip", farm.url), "the Manager's own add-on");
    let response = reqwest::get(&href).await.expect("the download");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get("content-type").and_then(|value| value.to_str().ok()),
        Some("application/zip")
    );
    let bytes = response.bytes().await.expect("the zip");
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip archive");
    browser.close().await;
}
