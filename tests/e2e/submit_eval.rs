//! Submitting from the browser without knowing Blender's expressions (issue 12, item 9): the form
//! works out what Blender's add-on would (the output path, the file extension), asks in words for
//! what only Blender's scene knows, and checks frame ranges as the Manager's frame chunker reads them.

use std::time::Duration;

use flamenco_api::{JobStatus, TaskStatus};

use crate::support::submit_form::{is_path_timestamp, open_form, submit_button, wait_for_job_page};
use crate::support::{xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

const FAST_FARM: [&str; 8] =
    ["--workers", "2", "--task-seconds", "0.3", "--failure-rate", "0", "--seed", "12"];

/// The form control labelled `label` (as `Browser::field` finds it).
fn field_xpath(label: &str) -> String {
    let label = xpath_literal(label);
    let control = "*[self::input or self::select or self::textarea]";
    format!("(//label[normalize-space()={label}]//{control} | //{control}[@id=//label[normalize-space()={label}]/@for])")
}

/// Picks `option` in the select labelled `label`; on a form where the field is a text box, types it.
async fn choose(browser: &Browser, label: &str, option: &str, typed: &str) {
    let field = browser.field(label).await;
    if field.tag_name().await.expect("the field's tag") == "select" {
        let xpath = format!("{}//option[normalize-space()={}]", field_xpath(label), xpath_literal(option));
        browser.wait_xpath(&xpath, option).await.click().await.expect("choosing");
    } else {
        browser.fill(label, typed).await;
    }
}

/// Waits until the field labelled `label` holds `expected`.
async fn wait_value(browser: &Browser, label: &str, expected: &str) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let value = browser.field_value(label).await;
        if value == expected {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            let shot = browser.screenshot(label).await;
            panic!("{label} holds {value:?}, not {expected:?} (screenshot: {shot})");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The job compiled: its render output path with the Manager's timestamp in it, and its tasks ran.
async fn assert_compiled(api: &FarmApi, id: &str, folder: &str, tasks: usize) {
    let job = api.job(id).await;
    let path = job.settings.unwrap_or_default()["render_output_path"].as_str().unwrap_or_default().to_owned();
    let stamp = path.strip_prefix(&format!("{folder}/")).and_then(|rest| rest.strip_suffix("/tiles"));
    assert!(stamp.is_some_and(is_path_timestamp), "the Manager filled in {{timestamp}}: {path}");
    assert_eq!(api.tasks(id).await.len(), tasks, "4 tiles and the merge");
    api.wait_for_status(id, JobStatus::Completed, PATIENCE).await;
    assert!(api.tasks(id).await.iter().all(|task| task.status == TaskStatus::Completed));
}

#[tokio::test(flavor = "multi_thread")]
async fn only_what_a_person_knows_submits_a_single_image_job_that_compiles() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    for (label, value) in [
        ("Name", "Minimal still"),
        ("Blendfile", "/render/scenes/still.blend"),
        ("Render Output Root", "/render/e2e"),
        ("Frame", "1"),
        ("Resolution X", "128"),
        ("Resolution Y", "128"),
    ] {
        browser.fill(label, value).await;
    }
    wait_value(&browser, "Render Output Path", "/render/e2e/Minimal still/{timestamp}/tiles").await;
    submit_button(&browser).await.click().await.expect("submitting");
    let id = wait_for_job_page(&browser).await;
    assert_compiled(&api, &id, "/render/e2e/Minimal still", 5).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_field_the_old_form_required_without_an_output_path_now_compiles() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    // What the form required before it worked the output path out: the Manager refused the job
    // with "no render_output_path setting!".
    for (label, value) in [
        ("Name", "Old form"),
        ("Frame", "1"),
        ("Render Output Root", "/render/e2e"),
        ("Blendfile", "/render/scenes/still.blend"),
        ("Image File Extension", ".exr"),
        ("Resolution X", "128"),
        ("Resolution Y", "128"),
        ("Resolution Scale", "100"),
    ] {
        browser.fill(label, value).await;
    }
    choose(&browser, "Format", "OpenEXR", "OPEN_EXR").await;
    submit_button(&browser).await.click().await.expect("submitting");
    let id = wait_for_job_page(&browser).await;
    assert_compiled(&api, &id, "/render/e2e/Old form", 5).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_output_path_follows_the_name_until_edited_and_the_extension_follows_the_format() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    // What only Blender's scene knows is asked for, not left silently empty.
    browser.text("Blender fills this in from the scene's current frame; type the frame to render.").await;
    browser.text("Filled in once Name and Render Output Root are typed.").await;
    assert_eq!(browser.field_value("Frame").await, "");
    assert_eq!(browser.field_value("Resolution Scale").await, "100");

    browser.fill("Render Output Root", "/render/e2e").await;
    browser.fill("Name", "Take 1").await;
    wait_value(&browser, "Render Output Path", "/render/e2e/Take 1/{timestamp}/tiles").await;
    browser.fill("Name", "Take 2").await;
    wait_value(&browser, "Render Output Path", "/render/e2e/Take 2/{timestamp}/tiles").await;
    browser.fill("Render Output Root", "/render/other").await;
    wait_value(&browser, "Render Output Path", "/render/other/Take 2/{timestamp}/tiles").await;
    let readonly = browser.field("Render Output Path").await.prop("readOnly").await.ok().flatten();
    assert_eq!(readonly.as_deref(), Some("true"), "shown computed, not typed");

    browser.button("Edit Render Output Path").await.click().await.expect("taking the path over");
    browser.fill("Render Output Path", "/render/mine/tiles").await;
    browser.fill("Name", "Take 3").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(browser.field_value("Render Output Path").await, "/render/mine/tiles", "the edit is theirs");
    browser
        .button("Use the computed value for Render Output Path")
        .await
        .click()
        .await
        .expect("back to the computed path");
    wait_value(&browser, "Render Output Path", "/render/other/Take 3/{timestamp}/tiles").await;

    wait_value(&browser, "Image File Extension", ".exr").await;
    choose(&browser, "Format", "PNG", "PNG").await;
    wait_value(&browser, "Image File Extension", ".png").await;
    choose(&browser, "Format", "JPEG", "JPEG").await;
    wait_value(&browser, "Image File Extension", ".jpg").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_frame_range_is_refused_at_its_field_and_nothing_is_sent() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Simple Blender Render").await;
    browser.record_all_requests().await;
    for (label, value) in [
        ("Name", "Frames"),
        ("Blendfile", "/render/scenes/shot.blend"),
        ("Render Output Root", "/render/e2e"),
        ("Scene", "Scene"),
    ] {
        browser.fill(label, value).await;
    }
    // The jobs list may be fetched at `/api/v3/jobs` too: no request may be added by the attempts.
    let before = browser.requests_to("/api/v3/jobs").await;
    for (range, message) in [
        ("1-5-9", "\"1-5-9\" has more than one dash"),
        ("-5", "negative frames are not accepted"),
        ("1,,3", "There is an empty part between commas."),
        ("10-1", "\"10-1\" ends before it starts: write 1-10."),
    ] {
        browser.fill("Frames", range).await;
        submit_button(&browser).await.click().await.expect("submitting");
        browser.field_error("Frames", message).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(browser.requests_to("/api/v3/jobs").await, before, "no submission was sent");
    assert_eq!(api.job_count().await, 0);

    browser.fill("Frames", "1-3").await;
    submit_button(&browser).await.click().await.expect("submitting");
    let id = wait_for_job_page(&browser).await;
    let names: Vec<String> = api.tasks(&id).await.into_iter().map(|task| task.name).collect();
    assert_eq!(names, ["render-1", "render-2", "render-3"]);
    browser.close().await;
}
