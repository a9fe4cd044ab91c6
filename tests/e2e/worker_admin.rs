//! Worker administration in the worker's pane: its details, deleting it (offline workers only, after
//! a confirmation), and its sleep schedule checked before it is sent and kept across live updates.

use std::time::Duration;

use flamenco_api::WorkerSleepSchedule;

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm};

/// Opens the first worker of the table; returns its name and id.
async fn open_first_worker(browser: &Browser, farm: &Simfarm) -> (String, String) {
    browser.open(&format!("{}/workers", farm.url)).await;
    let link = browser
        .wait_xpath(
            "//table[contains(@class,'workers-table')]//tbody//a[starts-with(@href,'/workers/')]",
            "a worker",
        )
        .await;
    let name = link.text().await.expect("the worker's name");
    let href = link.attr("href").await.expect("href").expect("a link");
    link.click().await.expect("the worker opens");
    browser.heading(&name).await;
    (name, href.trim_start_matches("/workers/").to_owned())
}

fn fact(label: &str) -> String {
    format!("//dl//dt[normalize-space()={}]/following-sibling::dd[1]", xpath_literal(label))
}

fn table_row(name: &str) -> String {
    format!("//table[contains(@class,'workers-table')]//tr[.//a[normalize-space()={}]]", xpath_literal(name))
}

#[tokio::test(flavor = "multi_thread")]
async fn only_an_offline_worker_is_deleted_after_a_confirmation_naming_it() {
    let farm = Simfarm::start(&["--workers", "2", "--task-seconds", "1", "--failure-rate", "0"]).await;
    let browser = Browser::start().await;
    let (name, id) = open_first_worker(&browser, &farm).await;

    // Its details, as Flamenco's web app shows them.
    browser
        .wait_xpath(
            &format!("{}[contains(., 'ago') or contains(., 'just now')]", fact("Last seen")),
            "last seen, relative",
        )
        .await;
    let seen = browser.wait_xpath(&fact("Last seen"), "last seen").await.text().await.expect("text");
    assert!(
        seen.contains("2026") || seen.contains('/') || seen.contains(':'),
        "the absolute time too: {seen}"
    );
    browser
        .wait_xpath(&format!("{}[starts-with(normalize-space(), '192.168.1.')]", fact("Address")), "address")
        .await;
    browser.wait_xpath(&format!("{}[normalize-space()='linux']", fact("Platform")), "platform").await;
    browser
        .wait_xpath(&format!("{}[contains(., 'Flamenco 3.9')]", fact("Software")), "software version")
        .await;
    browser
        .wait_xpath(
            &format!("{}[contains(., 'blender') and contains(., 'ffmpeg')]", fact("Task types")),
            "task types",
        )
        .await;

    // Awake: the control is there but refuses, saying why.
    let delete = browser.button("Delete…").await;
    assert!(!delete.is_enabled().await.expect("enabled?"), "an awake worker cannot be deleted");
    browser.text(&format!("{name} is awake: only an offline worker can be deleted")).await;

    browser.button("Shut down now").await.click().await.expect("shutting down");
    browser
        .wait_xpath(
            &format!(
                "{}//span[contains(@class,'status-badge')][normalize-space()='offline']",
                table_row(&name)
            ),
            "offline",
        )
        .await;
    browser
        .wait_xpath("//button[normalize-space()='Delete…'][not(@disabled)]", "Delete offered")
        .await
        .click()
        .await
        .expect("delete");
    let dialog =
        browser.wait_xpath("//*[@role='alertdialog'][@aria-label='Delete worker']", "the confirmation").await;
    assert!(dialog.text().await.expect("text").contains(&format!("Delete worker {name}?")));
    browser.button("Delete worker").await.click().await.expect("confirming");
    browser.text(&format!("Worker {name} was deleted.")).await;
    browser.wait_gone(&table_row(&name), "the deleted worker's row").await;
    let status =
        reqwest::get(format!("{}/api/v3/worker-mgt/workers/{id}", farm.url)).await.expect("simfarm").status();
    assert_eq!(status.as_u16(), 404, "the Manager deleted it");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sleep_schedule_is_checked_before_sending_saved_and_kept_across_live_updates() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    api.submit(&FarmApi::frames_job("Busy", 600)).await;
    let browser = Browser::start().await;
    let (_, id) = open_first_worker(&browser, &farm).await;
    let schedule_path = format!("/api/v3/worker-mgt/workers/{id}/sleep-schedule");
    browser.text("Saved: none").await;
    browser.record_all_requests().await;
    let before = browser.requests_to(&schedule_path).await;

    browser.fill("Days of week", "monday").await;
    browser.fill("Start time", "22:00").await;
    browser.fill("End time", "06:00").await;
    browser.button("Save schedule").await.click().await.expect("trying");
    browser.field_error("Days of week", "Days of week: “monday” is not a day").await;
    browser.field_error("End time", "End time: must be later than the start time").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(browser.requests_to(&schedule_path).await, before, "nothing was sent");
    assert_eq!(browser.field_value("Days of week").await, "monday", "what was typed stays");

    // Not active, so the worker keeps working whatever day the test runs on.
    browser.fill("Days of week", "Tu mo").await;
    browser.fill("Start time", "9:00").await;
    browser.fill("End time", "17:30").await;
    browser.button("Save schedule").await.click().await.expect("saving");
    browser.text("Sleep schedule saved.").await;
    let saved: WorkerSleepSchedule = reqwest::get(format!("{}{schedule_path}", farm.url))
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("a schedule");
    assert_eq!(
        saved,
        WorkerSleepSchedule {
            is_active: false,
            days_of_week: "mo tu".into(),
            start_time: "09:00".into(),
            end_time: "17:30".into()
        }
    );
    assert_eq!(browser.field_value("Days of week").await, "mo tu", "the form shows what the Manager has");

    // An unsaved edit while the busy worker sends update after update.
    let worker_path = format!("/api/v3/worker-mgt/workers/{id}");
    browser.fill("End time", "18:00").await;
    let fetched_before = browser.requests_to(&worker_path).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let updates = browser.requests_to(&worker_path).await - fetched_before;
    assert!(updates >= 3, "the worker was updated live meanwhile: {updates}");
    assert_eq!(browser.field_value("End time").await, "18:00", "the draft stays after {updates} updates");
    assert!(browser.shown_now("//*[normalize-space()='Unsaved changes']").await);
    assert!(browser.shown_now("//*[@role='status'][normalize-space()='Sleep schedule saved.']").await);
    browser.close().await;
}
