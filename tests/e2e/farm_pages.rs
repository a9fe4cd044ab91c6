//! The farm pages: the last-rendered image following the farm, the notifications a wrangler reads
//! to see what happened, and the Manager's settings file edited in a form that checks it.

use std::time::Duration;

use flamenco_api::JobStatus;
use serde_json::{json, Value};

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

const SHOWN_IMAGE: &str = "//img[contains(@class,'last-rendered-image')][not(@hidden)]";

/// The `src` of the shown last-rendered image, once it has one that differs from `other`.
async fn image_source_other_than(browser: &Browser, other: &str) -> String {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Ok(image) = browser.wait_xpath(SHOWN_IMAGE, "the last-rendered image").await.attr("src").await
        {
            if let Some(src) = image.filter(|src| src != other) {
                return src;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "the image never changed from {other}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_rendered_page_shows_the_newest_render_and_follows_the_farm() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "1.5", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Last rendered").await.click().await.expect("the page opens from the navigation");
    browser.heading("Last rendered").await;
    browser.text("Nothing has been rendered yet.").await;

    let job = api.submit(&FarmApi::frames_job("Lighthouse", 8)).await;
    let first = image_source_other_than(&browser, "").await;
    assert!(first.contains(&job.id) && first.contains("last-rendered"), "the job's image: {first}");
    let width =
        run_script(&browser, "return document.querySelector('img.last-rendered-image').naturalWidth").await;
    assert!(width.as_u64().unwrap_or(0) > 0, "the image really loaded: width {width}");
    let link = browser
        .wait_xpath(
            &format!(
                "//p[@class='render-caption']//a[normalize-space()='Lighthouse'][@href='/jobs/{}']",
                job.id
            ),
            "the job's link",
        )
        .await;
    assert!(!browser.shown_now("//*[contains(text(),'Nothing has been rendered yet.')]").await);

    let newer = image_source_other_than(&browser, &first).await;
    eprintln!("the image went from {first} to {newer}");
    assert!(newer.contains(&job.id), "{newer}");
    link.click().await.expect("the job opens");
    browser.heading("Lighthouse").await;
    assert_eq!(browser.path().await, format!("/jobs/{}", job.id));
    browser.close().await;
}

/// The unread count on the header's notifications link, once it is at least `at_least`.
async fn unread_count(browser: &Browser, at_least: u64) -> u64 {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let counts = "//a[contains(@class,'notifications-link')]//span[contains(@class,'unread-count')]";
        if let Ok(text) = browser.wait_xpath(counts, "the unread count").await.text().await {
            let count = text.trim().parse::<u64>().unwrap_or(0);
            if count >= at_least {
                return count;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "fewer than {at_least} unread notifications");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The notice in the list about `subject` that says `what`.
fn notice(subject: &str, what: &str) -> String {
    format!(
        "//ol[@class='notice-list']/li[.//a[normalize-space()={}]][.//span[@class='notice-what'][normalize-space()={}]]",
        xpath_literal(subject),
        xpath_literal(what)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_list_job_and_worker_changes_with_links_and_an_unread_count() {
    let farm =
        Simfarm::start(&["--workers", "1", "--task-seconds", "0.5", "--failure-rate", "0", "--seed", "12"])
            .await;
    let api = FarmApi::new(&farm.url);
    let earlier = api.submit(&FarmApi::frames_job("Before the page", 1)).await;
    api.wait_for_status(&earlier.id, JobStatus::Completed, PATIENCE).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Before the page").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !browser.shown_now("//span[contains(@class,'unread-count')]").await,
        "what was there before connecting is not news"
    );

    let job = api.submit(&FarmApi::frames_job("Harbour", 2)).await;
    api.wait_for_status(&job.id, JobStatus::Completed, PATIENCE).await;
    let workers: flamenco_api::WorkerList = reqwest::get(format!("{}/api/v3/worker-mgt/workers", farm.url))
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("workers");
    let worker = workers.workers.first().expect("a worker").clone();
    let asked = reqwest::Client::new()
        .post(format!("{}/api/v3/worker-mgt/workers/{}/setstatus", farm.url, worker.id))
        .json(&json!({"status": "asleep", "is_lazy": false}))
        .send()
        .await
        .expect("simfarm");
    assert!(asked.status().is_success());

    let unread = unread_count(&browser, 4).await;
    let link =
        browser.wait_xpath("//a[contains(@class,'notifications-link')]", "the notifications link").await;
    assert_eq!(
        link.prop("textContent")
            .await
            .expect("text")
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        format!("Notifications {unread} unread")
    );
    link.click().await.expect("the list opens");
    browser.heading("Notifications").await;
    browser.wait_xpath(&notice("Harbour", "was submitted (queued)"), "the submission").await;
    browser.wait_xpath(&notice("Harbour", "queued → active"), "the job starting").await;
    browser.wait_xpath(&notice("Harbour", "active → completed"), "the job completing").await;
    browser.wait_xpath(&notice(&worker.name, "awake → asleep"), "the worker going to sleep").await;
    assert!(!browser.shown_now(&notice("Before the page", "active → completed")).await);
    browser
        .wait_gone("//span[contains(@class,'unread-count')]", "the unread count, once the list is open")
        .await;

    let all = browser.wait_xpath("//ol[@class='notice-list']/li", "notices").await;
    assert!(
        all.text().await.expect("text").contains(&worker.name),
        "newest first: the worker's change leads"
    );
    browser.field("Show").await.send_keys("Workers").await.expect("the filter");
    browser.wait_gone(&notice("Harbour", "queued → active"), "job notices, filtered out").await;
    browser
        .wait_xpath(&format!("{}//a", notice(&worker.name, "awake → asleep")), "the worker's link")
        .await
        .click()
        .await
        .expect("the worker opens");
    browser.heading(&worker.name).await;
    assert_eq!(browser.path().await, format!("/workers/{}", worker.id));

    browser
        .wait_xpath("//a[contains(@class,'notifications-link')]", "the notifications link")
        .await
        .click()
        .await
        .expect("back to the list");
    browser.field("Show").await.send_keys("Jobs").await.expect("the filter");
    browser
        .wait_xpath(&format!("{}//a", notice("Harbour", "active → completed")), "the job's link")
        .await
        .click()
        .await
        .expect("the job opens");
    browser.heading("Harbour").await;
    assert_eq!(browser.path().await, format!("/jobs/{}", job.id));
    browser.close().await;
}

async fn run_script(browser: &Browser, script: &str) -> Value {
    browser.client.execute(script, vec![]).await.expect("the script runs")
}

async fn config_file(farm: &Simfarm) -> Value {
    reqwest::get(format!("{}/api/v3/configuration/file", farm.url))
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("a file")
}

/// Makes the page's next save of the settings file carry `"blocklist_threshold": "three"`, as if
/// the form had let a wrongly typed value through: the form checks every field the Manager types,
/// so this is the only way to see how the page takes the Manager's refusal.
const SPOIL_NEXT_SAVE: &str = r#"
    const original = window.fetch.bind(window);
    window.fetch = async (input, init) => {
        if (input instanceof Request && input.method === 'PUT' && new URL(input.url).pathname === '/api/v3/configuration/file') {
            const body = JSON.parse(await input.clone().text());
            body.blocklist_threshold = 'three';
            window.fetch = original;
            return original(new Request(input.url, {method: 'PUT', headers: input.headers, body: JSON.stringify(body)}));
        }
        return original(input, init);
    };
"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_manager_settings_form_checks_saves_and_shows_the_managers_refusal() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "1", "--failure-rate", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/settings", farm.url)).await;
    browser.link("Manager").await.click().await.expect("the Manager's settings open");
    browser.heading("Manager settings").await;
    assert_eq!(browser.field_value("Manager name").await, "simfarm");
    assert_eq!(browser.field_value("Task timeout").await, "10m0s");
    assert_eq!(browser.field_value("Variable 1 name").await, "blender");
    browser.text("Shared storage: ").await;
    browser
        .wait_xpath(
            "//table[contains(@class,'resolved-table')]//td[normalize-space()='blenderArgs']",
            "the resolved variables",
        )
        .await;

    browser.record_all_requests().await;
    let file_path = "/api/v3/configuration/file";
    let before = browser.requests_to(file_path).await;
    browser.fill("Task timeout", "ten minutes").await;
    browser.button("Save settings").await.click().await.expect("saving");
    browser.alert("Task timeout must be a duration").await;
    browser.field_error("Task timeout", "time: invalid duration \"ten minutes\"").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(browser.requests_to(file_path).await, before, "nothing was sent");
    assert_eq!(config_file(&farm).await["task_timeout"], "10m0s");

    browser.fill("Task timeout", "15m").await;
    browser.fill("Blocklist threshold", "5").await;
    browser.button("Save settings").await.click().await.expect("saving");
    browser.text("Saved. The Manager applies the new settings when it is restarted.").await;
    let saved = config_file(&farm).await;
    assert_eq!(saved["task_timeout"], "15m");
    assert_eq!(saved["blocklist_threshold"], 5);
    assert_eq!(saved["_meta"], json!({"version": 3}), "keys the form does not show are kept");
    assert_eq!(saved["shaman"]["garbageCollect"]["maxAge"], "744h0m0s");

    run_script(&browser, SPOIL_NEXT_SAVE).await;
    browser.fill("Manager name", "Renamed farm").await;
    browser.button("Save settings").await.click().await.expect("saving");
    let refusal = browser.alert("The Manager refused the settings (400)").await.text().await.expect("text");
    assert!(
        refusal.contains("invalid configuration file format") && refusal.contains("blocklist_threshold"),
        "{refusal}"
    );
    assert_eq!(browser.field_value("Manager name").await, "Renamed farm", "what was typed stays");
    assert_eq!(config_file(&farm).await["manager_name"], "simfarm", "the Manager stored nothing");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_of_the_manager_settings_survives_live_updates_and_a_reconnect() {
    let mut farm = Simfarm::start(&["--workers", "3", "--task-seconds", "0.2", "--failure-rate", "0"]).await;
    FarmApi::new(&farm.url).submit(&FarmApi::frames_job("Busy", 400)).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/manager", farm.url)).await;
    browser.heading("Manager settings").await;
    browser.record_all_requests().await;
    browser.fill("Worker timeout", "2m").await;
    browser.fill("Manager name", "Edited, not saved").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(browser.field_value("Manager name").await, "Edited, not saved");
    let focused = run_script(&browser, "return document.activeElement && document.activeElement.id").await;
    assert_eq!(focused, json!("cfg-manager-name"), "the field keeps the focus");

    let fetched = browser.requests_to("/api/v3/configuration/file").await;
    farm.restart().await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while browser.requests_to("/api/v3/configuration/file").await == fetched {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the page never fetched the file again after reconnecting"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        browser.field_value("Manager name").await,
        "Edited, not saved",
        "the re-fetch left the edit alone"
    );
    assert_eq!(browser.field_value("Worker timeout").await, "2m");

    browser.button("Save settings").await.click().await.expect("saving");
    browser.text("Saved.").await;
    let saved = config_file(&farm).await;
    assert_eq!(
        (saved["manager_name"].as_str(), saved["worker_timeout"].as_str()),
        (Some("Edited, not saved"), Some("2m"))
    );
    browser.close().await;
}
