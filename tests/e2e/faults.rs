//! Faults on every channel, between Chromium and simfarm through the fault proxy: garbled and
//! unknown live frames, a job list cut off mid-answer, answers with fields added or left out, a
//! tile server that stalls, and a Manager that dies in the middle of a bulk action. Each time the
//! page says what went wrong, keeps what the person typed or chose, and recovers by itself.

use std::time::Duration;

use flamenco_api::JobStatus;
use serde_json::{json, Value};

use crate::support::{xpath_literal, Browser, FarmApi, FaultProxy, Simfarm, PATIENCE};

/// The header's live indicator saying that updates arrive.
const LIVE: &str = "//*[@role='status'][normalize-space()='Live updates on']";

/// The row of the job named `name` in the job list.
fn job_row(name: &str) -> String {
    format!("//tr[contains(@class,'job-row')][.//a[normalize-space()={}]]", xpath_literal(name))
}

/// The job row of `name` showing `status` in its badge.
fn row_with_status(name: &str, status: &str) -> String {
    format!(
        "{}//span[contains(@class,'status-badge')][normalize-space()={}]",
        job_row(name),
        xpath_literal(status)
    )
}

/// The checkbox that selects the job named `name`.
fn row_checkbox(name: &str) -> String {
    format!("//label[normalize-space()={}]/input[@type='checkbox']", xpath_literal(&format!("Select {name}")))
}

/// A status region (`role=status`) whose text contains `text`.
fn status_saying(text: &str) -> String {
    format!("//*[@role='status'][contains(normalize-space(), {})]", xpath_literal(text))
}

async fn is_checked(browser: &Browser, xpath: &str) -> bool {
    let checked = browser.wait_xpath(xpath, "a checkbox").await.prop("checked").await;
    checked.ok().flatten().as_deref() == Some("true")
}

#[tokio::test(flavor = "multi_thread")]
async fn garbled_and_unknown_live_frames_are_said_the_jobs_fetched_again_and_updates_go_on() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let alpha = api.submit(&FarmApi::frames_job("Alpha shot", 1)).await;
    let beta = api.submit(&FarmApi::frames_job("Beta shot", 1)).await;
    api.submit(&FarmApi::frames_job("Credits", 1)).await;
    let proxy = FaultProxy::start(&farm.url).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", proxy.url)).await;
    browser.wait_xpath(LIVE, "the live indicator").await;
    browser.fill("Search jobs", "shot").await;
    browser.wait_gone(&job_row("Credits"), "the job the search hides").await;
    browser.wait_xpath(&row_checkbox("Alpha shot"), "Alpha's checkbox").await.click().await.expect("tick");

    // Unknown events (a newer Manager's) and frames that are not socket.io at all.
    assert!(
        proxy.send_to_sockets(r#"42["unknown-event",{"what":"a newer Manager's"}]"#) > 0,
        "a socket is open"
    );
    proxy.send_to_sockets("4garbage");
    proxy.send_to_sockets(r#"42["/jobs",{garbage}]"#);
    // The Manager's real update of Beta arrives garbled: the change it carried is lost.
    proxy.garble_frames_containing("Beta shot");
    api.set_status(&beta.id, JobStatus::Paused, "paused behind a garbled frame").await;

    let notice = browser.wait_xpath(&status_saying("could not be read"), "the notice").await;
    let text = notice.text().await.expect("the notice's text");
    assert!(text.contains("fetched again"), "the notice says what was done: {text}");
    browser.wait_xpath(&row_with_status("Beta shot", "paused"), "Beta paused, fetched again").await;

    // A known event with a status this version does not know: shown as the Manager sent it.
    let update = json!({
        "id": alpha.id, "name": "Alpha shot", "updated": "2030-01-01T00:00:00Z",
        "status": "some-new-status", "previous_status": "queued", "type": "simple-blender-render",
        "priority": 50, "refresh_tasks": false, "steps_completed": 0, "steps_total": 1
    });
    proxy.send_to_sockets(&format!(r#"42["/jobs",{update}]"#));
    browser.wait_xpath(&row_with_status("Alpha shot", "some-new-status"), "the unknown status shown").await;

    // Live updates go on over the same connection, and nothing the person did is lost.
    browser.wait_xpath(LIVE, "still live").await;
    api.submit(&FarmApi::frames_job("Gamma shot", 1)).await;
    browser.link("Gamma shot").await;
    assert_eq!(browser.field_value("Search jobs").await, "shot", "the search stays");
    assert!(browser.shown_now(&job_row("Alpha shot")).await);
    assert!(!browser.shown_now(&job_row("Credits")).await, "the search still applies");
    assert!(is_checked(&browser, &row_checkbox("Alpha shot")).await, "the selection stays");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_list_cut_off_mid_answer_is_said_and_fetched_again_by_itself() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    for n in 1..=30 {
        api.submit(&FarmApi::frames_job(&format!("Shot {n:02}"), 1)).await;
    }
    let proxy = FaultProxy::start(&farm.url).await;
    // Two answers in a row are cut: on a loaded machine the page may ask once before its live
    // connection is made and once after, and the failure must outlast both.
    proxy.cut_next("/api/v3/jobs", 3000, 2);

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", proxy.url)).await;
    let notice = browser.wait_xpath(&status_saying("The jobs could not be loaded"), "the failure").await;
    let text = notice.text().await.expect("the notice's text");
    assert!(text.contains("broke off before its end"), "the notice says the answer was cut: {text}");
    assert!(text.contains("Trying again in"), "the notice says it tries again: {text}");
    // Typed while the list is away.
    browser.fill("Search jobs", "Shot 2").await;

    browser.link("Shot 29").await;
    browser.wait_gone(&status_saying("could not be loaded"), "the failure notice").await;
    let asked = proxy.requests_to("/api/v3/jobs");
    assert!((3..=4).contains(&asked), "fetched again by itself, without a reload: {asked} requests");
    assert_eq!(browser.field_value("Search jobs").await, "Shot 2", "the search stays");
    assert!(!browser.shown_now(&job_row("Shot 11")).await, "the search applies to the list that came");
    browser.fill("Search jobs", "").await;
    browser.link("Shot 11").await;
    browser.link("Shot 01").await;
    browser.close().await;
}

/// A job as a newer Manager might send it: a field this version does not know, an unknown status
/// for `odd`, and every optional field left out.
fn reshaped(job: &mut Value, odd: &str) {
    let Some(job) = job.as_object_mut() else { return };
    for optional in ["settings", "metadata", "storage", "worker_tag", "type_etag", "delete_requested_at"] {
        job.remove(optional);
    }
    job.insert("brand_new_field".into(), json!({"nested": [1, 2, 3]}));
    if job.get("name").and_then(Value::as_str) == Some(odd) {
        job.insert("status".into(), json!("some-new-status"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_with_fields_added_or_left_out_and_unknown_statuses_are_shown() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let plain = api.submit(&FarmApi::frames_job("Plain one", 1)).await;
    api.submit(&FarmApi::frames_job("Odd one", 1)).await;
    let proxy = FaultProxy::start(&farm.url).await;
    proxy.rewrite("/api/v3/jobs", |answer| {
        answer["next_page"] = json!("a field of a newer Manager");
        if let Some(jobs) = answer["jobs"].as_array_mut() {
            jobs.iter_mut().for_each(|job| reshaped(job, "Odd one"));
        }
    });
    proxy.rewrite(&format!("/api/v3/jobs/{}", plain.id), |job| reshaped(job, "Odd one"));
    proxy.rewrite("/api/v3/version", |version| version["features"] = json!(["new"]));

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", proxy.url)).await;
    browser.wait_xpath(&row_with_status("Odd one", "some-new-status"), "the unknown status as sent").await;
    browser.wait_xpath(&row_with_status("Plain one", "queued"), "the other job").await;
    browser.text("simfarm").await;

    browser.link("Plain one").await.click().await.expect("the job opens");
    browser.heading("Plain one").await;
    // Actions follow Flamenco's rules; a status they do not know is skipped, named.
    browser.field("Select all shown jobs").await.click().await.expect("select all");
    browser.button("Pause").await.click().await.expect("Pause");
    let report = browser.text("Asked to pause 1 job.").await.text().await.expect("the report");
    assert!(report.contains("\"Odd one\" is some-new-status"), "{report}");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !matches!(api.job(&plain.id).await.status, JobStatus::PauseRequested | JobStatus::Paused) {
        assert!(tokio::time::Instant::now() < deadline, "the plain job was not paused");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!browser.shown_now("//*[@role='alert']").await, "nothing was taken for an error");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_tile_server_fails_its_tile_the_rest_merge_and_opening_it_again_gets_it() {
    let farm = Simfarm::start(&["--workers", "6", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&crate::job_preview::single_image_job("stalled", 64)).await;
    api.wait_for_status(&job.id, JobStatus::Completed, Duration::from_secs(60)).await;
    let proxy = FaultProxy::start(&farm.url).await;
    let stalled = "64-64-128-128.exr";
    proxy.stall(stalled);

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}/preview", proxy.url, job.id)).await;
    browser.heading("Merge preview").await;
    browser.wait_xpath(&crate::preview::tiles_in_state("placed", 11), "the other tiles placed").await;
    proxy.wait_until("the stalled tile asked for", |proxy| proxy.requests_containing(stalled) > 0).await;
    // The stalled tile fails once the wait is up (20 s), naming the wait; the others are merged.
    browser
        .wait_xpath(
            &format!("//tr[@data-tile='{stalled}'][@data-state='failed']/td[3][contains(., 'did not answer within 20 s')]"),
            "the stalled tile failed, naming the wait",
        )
        .await;
    browser
        .wait_xpath("//button[normalize-space()='Export EXR'][not(@disabled)]", "Export EXR enabled")
        .await;

    // The server answers again: opening the preview again (no reload) brings the tile in.
    proxy.lift(stalled);
    browser.link("stalled").await.click().await.expect("back to the job");
    browser.link("Preview merge").await.click().await.expect("the preview opens again");
    browser.wait_xpath(&crate::preview::tiles_in_state("placed", 12), "every tile placed").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_killed_mid_bulk_action_is_reported_per_job_and_the_rest_can_be_done_after() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let mut ids = std::collections::BTreeMap::new();
    for n in 1..=6 {
        let name = format!("Job {n}");
        ids.insert(name.clone(), api.submit(&FarmApi::frames_job(&name, 1)).await.id);
    }
    let proxy = FaultProxy::start(&farm.url).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", proxy.url)).await;
    browser.wait_xpath(LIVE, "the live indicator").await;
    browser.field("Select all shown jobs").await.click().await.expect("select all");
    browser.text("6 of 6 selected").await;
    // Three requests get through, then the Manager dies.
    proxy.die_after("/setstatus", 3);
    browser.button("Pause").await.click().await.expect("Pause");

    let report = browser.wait_xpath(&status_saying("No answer for"), "the report").await;
    let report = report.text().await.expect("the report's text");
    assert!(proxy.is_down());
    assert!(report.starts_with("Asked to pause 3 jobs: "), "{report}");
    assert!(report.contains("No answer for 3 jobs") && report.contains("may be unchanged"), "{report}");
    let (done_part, unanswered_part) = report.split_once("No answer for").expect("both parts");
    for (name, id) in &ids {
        let quoted = format!("\"{name}\"");
        let status = api.job(id).await.status;
        if done_part.contains(&quoted) {
            assert_eq!(status, JobStatus::Paused, "{name} is reported done: {report}");
        } else {
            assert!(unanswered_part.contains(&quoted), "{name} is named in the report: {report}");
            assert_eq!(status, JobStatus::Queued, "{name} is reported unanswered: {report}");
        }
    }

    // The Manager comes back with what it had: the page catches up by itself, the selection stays,
    // and the same click does the rest.
    proxy.come_back();
    browser.wait_xpath(LIVE, "live again").await;
    for (name, id) in &ids {
        let status = api.job(id).await.status;
        browser.wait_xpath(&row_with_status(name, status.as_str()), "each row as the Manager has it").await;
    }
    browser.text("6 of 6 selected").await;
    browser.button("Pause").await.click().await.expect("Pause again");
    let again = browser.text("Asked to pause 3 jobs. Skipped 3").await.text().await.expect("the report");
    assert!(!again.contains("No answer"), "{again}");
    for id in ids.values() {
        api.wait_for_status(id, JobStatus::Paused, PATIENCE).await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_restarted_with_another_farm_shows_that_farm_and_keeps_what_was_typed() {
    let before = Simfarm::start(&["--workers", "0", "--name", "Old farm"]).await;
    FarmApi::new(&before.url).submit(&FarmApi::frames_job("Old shot", 1)).await;
    let after = Simfarm::start(&["--workers", "0", "--name", "New farm"]).await;
    let proxy = FaultProxy::start(&before.url).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", proxy.url)).await;
    browser.link("Old shot").await;
    browser.wait_xpath(LIVE, "the live indicator").await;
    browser.fill("Search jobs", "shot").await;

    // The same address, another Manager: its jobs come and the old farm's go, without a reload.
    proxy.replace_manager(&after.url);
    FarmApi::new(&after.url).submit(&FarmApi::frames_job("New shot", 1)).await;
    browser.link("New shot").await;
    browser.wait_gone(&job_row("Old shot"), "the old farm's job").await;
    browser.wait_xpath(LIVE, "live again").await;
    assert_eq!(browser.field_value("Search jobs").await, "shot", "the search stays");
    FarmApi::new(&after.url).submit(&FarmApi::frames_job("Unrelated", 1)).await;
    FarmApi::new(&after.url).submit(&FarmApi::frames_job("Later shot", 1)).await;
    browser.link("Later shot").await;
    assert!(!browser.shown_now(&job_row("Unrelated")).await, "the search applies to the new farm's jobs");
    // The header names the Manager it now talks to.
    browser
        .wait_xpath(
            "//*[contains(@class,'manager-name')][normalize-space()='New farm']",
            "the new farm's name",
        )
        .await;
    browser.close().await;
}
