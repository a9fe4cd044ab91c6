//! The Submit page against simfarm (issue 6): paused and queued submissions, validation that sends
//! nothing, a Manager that is away when the user clicks Submit, and resubmitting a copy.

use std::time::Duration;

use flamenco_api::{JobStatus, TaskStatus};
use serde_json::Value;

use crate::support::submit_form::{is_path_timestamp, open_form, submit_button, wait_for_job_page};
use crate::support::{Browser, FarmApi, Simfarm, PATIENCE};

const FAST_FARM: [&str; 8] =
    ["--workers", "2", "--task-seconds", "0.3", "--failure-rate", "0", "--seed", "6"];

/// What a single-image job of 128 x 128 px needs (4 tiles of the default 64 px, then the merge); the
/// form works out the output path and the extension, and starts in OpenEXR MultiLayer.
fn single_image_values(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Name", name.to_owned()),
        ("Frame", "1".into()),
        ("Render Output Root", "/render/e2e".into()),
        ("Blendfile", "/render/scenes/still.blend".into()),
        ("Resolution X", "128".into()),
        ("Resolution Y", "128".into()),
        ("Resolution Scale", "100".into()),
    ]
}

async fn fill_all(browser: &Browser, values: &[(&'static str, String)]) {
    for (label, value) in values {
        browser.fill(label, value).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_single_image_job_submitted_as_paused_waits_until_resumed_then_completes() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    fill_all(&browser, &single_image_values("Held tiles")).await;
    browser.text("2 columns × 2 rows of 64 × 64 px").await;
    browser.field("Submit as paused").await.click().await.expect("the checkbox");
    submit_button(&browser).await.click().await.expect("submitting");

    let id = wait_for_job_page(&browser).await;
    browser.text("This job is paused").await;
    assert_eq!(api.job(&id).await.status, JobStatus::Paused, "the Manager stored the job as paused");
    // Give the workers time to pick up anything runnable: nothing may start.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let tasks = api.tasks(&id).await;
    assert_eq!(tasks.len(), 5, "4 tiles and the merge");
    assert!(
        tasks.iter().all(|task| !matches!(task.status, TaskStatus::Active | TaskStatus::Completed)),
        "no task ran while the job was paused: {:?}",
        tasks.iter().map(|task| task.status.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(api.job(&id).await.status, JobStatus::Paused, "still paused");

    browser
        .wait_xpath(
            "//*[@aria-label='Actions on this job']//button[normalize-space()='Resume'][not(@disabled)]",
            "Resume in the job's pane",
        )
        .await
        .click()
        .await
        .expect("Resume is offered on the job's page");
    api.wait_for_status(&id, JobStatus::Completed, PATIENCE).await;
    let tasks = api.tasks(&id).await;
    assert!(tasks.iter().all(|task| task.status == TaskStatus::Completed), "every task ran");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_form_unchecked_submits_a_queued_job_that_starts_at_once_and_a_double_click_submits_once() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    fill_all(&browser, &single_image_values("Straight away")).await;
    submit_button(&browser).await;
    browser
        .client
        .execute(
            "const b = document.querySelector('form button[type=submit]'); b.click(); b.click();",
            vec![],
        )
        .await
        .expect("a double click");

    let id = wait_for_job_page(&browser).await;
    let job = api.job(&id).await;
    assert_ne!(job.status, JobStatus::Paused, "unchecked sends no initial status");
    api.wait_for_status(&id, JobStatus::Completed, PATIENCE).await;
    assert_eq!(api.job_count().await, 1, "the double click submitted one job");
    // The draft went with the submission: the form starts afresh.
    open_form(&browser, &farm, "Single Image Render").await;
    assert_eq!(browser.field_value("Tile Size X").await, "64");
    assert_eq!(browser.field_value("Name").await, "", "the submitted draft was cleared");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_out_of_range_and_wrongly_typed_values_stop_the_submission_at_their_field() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    fill_all(&browser, &single_image_values("Checked first")).await;

    let attempts: [(&str, &str, &str); 3] = [
        ("Frame", "", "This is required."),
        ("Add Path Components", "99", "The largest value allowed is 32."),
        ("Resolution X", "wide", "\"wide\" is not a whole number."),
    ];
    for (label, wrong, message) in attempts {
        let good = browser.field_value(label).await;
        browser.fill(label, wrong).await;
        submit_button(&browser).await.click().await.expect("submitting");
        browser.field_error(label, message).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(api.job_count().await, 0, "nothing was sent with {label} = {wrong:?}");
        assert!(browser.path().await.starts_with("/submit/"), "the form stays");
        browser.fill(label, &good).await;
    }
    submit_button(&browser).await.click().await.expect("submitting the corrected form");
    wait_for_job_page(&browser).await;
    assert_eq!(api.job_count().await, 1);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_manager_away_the_submission_fails_clearly_keeps_everything_and_the_same_click_works_later()
{
    let mut farm = Simfarm::start(&FAST_FARM).await;
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    let values = single_image_values("Through the outage");
    fill_all(&browser, &values).await;
    browser.field("Submit as paused").await.click().await.expect("the checkbox");

    farm.stop().await;
    submit_button(&browser).await.click().await.expect("submitting");
    // The form's own message (the banner's detail says "cannot reach the Manager" too).
    browser.alert("Not submitted: cannot reach the Manager").await;
    for (label, value) in &values {
        assert_eq!(&browser.field_value(label).await, value, "{label} is kept");
    }
    let paused = browser.field("Submit as paused").await.prop("checked").await.ok().flatten();
    assert_eq!(paused.as_deref(), Some("true"), "Submit as paused is kept");

    farm.restart().await;
    submit_button(&browser).await.click().await.expect("submitting again");
    let id = wait_for_job_page(&browser).await;
    let api = FarmApi::new(&farm.url);
    let job = api.job(&id).await;
    assert_eq!(job.name, "Through the outage");
    assert_eq!(job.status, JobStatus::Paused);
    assert_eq!(api.job_count().await, 1);
    browser.close().await;
}

/// Settings compared as values: `24` and `24.0` are the same number.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn submit_a_copy_submits_a_job_with_the_same_settings_into_a_fresh_output_folder() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let mut original = FarmApi::frames_job("Original", 2);
    original.priority = 65;
    // As Blender's add-on sends it: the job type fills in `{timestamp}` when it accepts the job.
    if let Some(settings) = original.settings.as_mut() {
        settings.insert("render_output_path".into(), "/render/frames/Original/{timestamp}/######".into());
    }
    let original = api.submit(&original).await;
    let theirs = original.settings.clone().unwrap_or_default();
    let original_output = theirs["render_output_path"].as_str().unwrap_or_default().to_owned();
    let parts: Vec<&str> = original_output.split('/').collect();
    assert!(
        parts.len() == 6 && is_path_timestamp(parts[4]),
        "the Manager resolved the original's path: {original_output}"
    );

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, original.id)).await;
    browser.link("Submit a copy").await.click().await.expect("the copy opens");
    browser.heading("Submit: Simple Blender Render").await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while browser.field_value("Name").await != "Copy of Original" {
        assert!(tokio::time::Instant::now() < deadline, "the name is marked as a copy");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(browser.field_value("Priority").await, "65");
    assert_eq!(
        browser.field_value("Render Output Path").await,
        "/render/frames/Original/{timestamp}/######",
        "the copy's output path gets a new timestamp, not the original's folder"
    );
    // The timestamp has one-second steps: make sure the copy's is another second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    submit_button(&browser).await.click().await.expect("submitting the copy");

    let id = wait_for_job_page(&browser).await;
    assert_ne!(id, original.id);
    let copy = api.job(&id).await;
    assert_eq!(copy.job_type, original.job_type);
    assert_eq!(copy.priority, 65);
    assert_eq!(copy.metadata, original.metadata);
    let ours = copy.settings.unwrap_or_default();
    assert_eq!(ours.len(), theirs.len(), "{ours:?} vs {theirs:?}");
    for (key, value) in theirs.iter().filter(|(key, _)| *key != "render_output_path") {
        assert!(
            ours.get(key).is_some_and(|copied| same_value(copied, value)),
            "{key}: {:?} vs {value}",
            ours.get(key)
        );
    }
    let copy_output = ours["render_output_path"].as_str().unwrap_or_default();
    assert_ne!(copy_output, original_output, "the copy would overwrite the original's frames");
    let copy_parts: Vec<&str> = copy_output.split('/').collect();
    assert!(
        copy_parts.len() == 6 && is_path_timestamp(copy_parts[4]) && copy_parts[..4] == parts[..4],
        "the copy renders beside the original, in its own timestamped folder: {copy_output}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_of_a_job_whose_output_path_has_no_timestamp_asks_for_a_new_one() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let original = api.submit(&FarmApi::frames_job("Fixed folder", 1)).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/submit/simple-blender-render?copy={}", farm.url, original.id)).await;
    browser.heading("Submit: Simple Blender Render").await;
    browser.field_error("Render Output Path", "overwrite").await;
    submit_button(&browser).await.click().await.expect("submitting");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(api.job_count().await, 1, "nothing was sent into the original's folder");
    browser.fill("Render Output Path", "/render/frames/e2e-copy/######").await;
    submit_button(&browser).await.click().await.expect("submitting with a new folder");
    let id = wait_for_job_page(&browser).await;
    let copy = api.job(&id).await;
    let path = copy.settings.unwrap_or_default()["render_output_path"].clone();
    assert_eq!(path, "/render/frames/e2e-copy/######");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_draft_comes_back_after_a_reload_and_check_shows_the_job_compilers_answer() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    let mut values = single_image_values("Drafted");
    values.retain(|(label, _)| *label != "Resolution Scale");
    values.push(("Resolution Scale", "50".into()));
    fill_all(&browser, &values).await;
    browser.text("only renders at 100 %").await;

    browser.client.refresh().await.expect("reloading the page");
    browser.heading("Submit: Single Image Render").await;
    for (label, value) in &values {
        assert_eq!(&browser.field_value(label).await, value, "{label} comes back from the draft");
    }
    browser.button("Check").await.click().await.expect("checking");
    browser.text("resolution scale other than 100%").await;
    assert_eq!(api.job_count().await, 0, "a check stores nothing");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_successful_check_clears_the_last_refusal() {
    let farm = Simfarm::start(&FAST_FARM).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Render").await;
    let mut values = single_image_values("Checked again");
    values.retain(|(label, _)| *label != "Resolution Scale");
    values.push(("Resolution Scale", "50".into()));
    fill_all(&browser, &values).await;
    submit_button(&browser).await.click().await.expect("submitting");
    browser.alert("Not submitted").await;

    browser.fill("Resolution Scale", "100").await;
    browser.button("Check").await.click().await.expect("checking");
    browser.text("The Manager's job compiler accepts this job.").await;
    browser
        .wait_gone("//*[@role='alert'][contains(normalize-space(), 'Not submitted')]", "the old refusal")
        .await;
    assert_eq!(api.job_count().await, 0, "neither the refusal nor the check stored a job");
    browser.close().await;
}
