//! Workers: the table, one worker's details, and status commands taking effect live; what a person
//! does in the worker's pane survives the stream of updates a busy farm sends.

use std::time::Duration;

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm, PATIENCE};

/// The status badge in the workers table's row of the worker named `name`.
fn worker_status(name: &str, status: &str) -> String {
    format!(
        "//table[contains(@class,'workers-table')]//tr[.//a[normalize-space()={}]]//span[contains(@class,'status-badge')][normalize-space()={}]",
        xpath_literal(name),
        xpath_literal(status)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_sent_to_sleep_and_woken_shows_it_live() {
    let farm = Simfarm::start(&["--workers", "2", "--task-seconds", "1", "--failure-rate", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/workers", farm.url)).await;
    browser.heading("Workers").await;
    let first = browser.wait_xpath("//table[contains(@class,'workers-table')]//tbody//a", "a worker").await;
    let name = first.text().await.expect("the worker's name");
    first.click().await.expect("the worker opens");
    browser.heading(&name).await;
    assert!(browser.path().await.starts_with("/workers/"), "the worker has its own address");

    browser.button("Sleep now").await.click().await.expect("an awake worker can be sent to sleep");
    browser.wait_xpath(&worker_status(&name, "asleep"), "the worker asleep in the table").await;
    browser.button("Wake up").await.click().await.expect("an asleep worker can be woken");
    browser.wait_xpath(&worker_status(&name, "awake"), "the worker awake again").await;
    browser.close().await;
}

/// Creates a worker tag through the API, as another client would.
async fn create_tag(farm: &Simfarm, name: &str) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v3/worker-mgt/tags", farm.url))
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .expect("simfarm answers");
    assert!(response.status().is_success(), "creating tag {name}: {}", response.status());
}

/// The worker named `name`, as the API shows it.
async fn worker_named(farm: &Simfarm, name: &str) -> flamenco_api::Worker {
    let list: flamenco_api::WorkerList = reqwest::get(format!("{}/api/v3/worker-mgt/workers", farm.url))
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("a list");
    let id = list.workers.into_iter().find(|worker| worker.name == name).expect("the worker").id;
    reqwest::get(format!("{}/api/v3/worker-mgt/workers/{id}", farm.url))
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("a worker")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsaved_tick_and_the_confirmations_survive_a_busy_farm() {
    // Short tasks on several workers: the Manager sends a worker update on every assignment.
    let farm =
        Simfarm::start(&["--workers", "4", "--task-seconds", "0.2", "--failure-rate", "0", "--seed", "4"])
            .await;
    let api = FarmApi::new(&farm.url);
    create_tag(&farm, "gpu").await;
    create_tag(&farm, "big-memory").await;
    api.submit(&FarmApi::frames_job("Busy", 600)).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/workers", farm.url)).await;
    browser.record_all_requests().await;
    let first = browser
        .wait_xpath(
            "//table[contains(@class,'workers-table')]//tbody//a[starts-with(@href,'/workers/')]",
            "a worker",
        )
        .await;
    let name = first.text().await.expect("the worker's name");
    first.click().await.expect("the worker opens");
    browser.heading(&name).await;
    let id = worker_named(&farm, &name).await.id;
    let fetches = format!("/api/v3/worker-mgt/workers/{id}");

    let gpu = browser.field("gpu").await;
    gpu.click().await.expect("the tag can be ticked");
    let before = browser.requests_to(&fetches).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let updates = browser.requests_to(&fetches).await - before;
    eprintln!("the open worker was fetched again {updates} times in 6 s");
    assert!(updates >= 5, "the farm kept the worker busy: {updates} updates in 6 s");
    assert_eq!(
        browser.field("gpu").await.prop("checked").await.expect("checked").as_deref(),
        Some("true"),
        "the unsaved tick is still there after {updates} updates of the worker"
    );
    assert_eq!(
        browser.field("big-memory").await.prop("checked").await.expect("checked").as_deref(),
        Some("false")
    );

    browser.button("Save tags").await.click().await.expect("saving");
    browser.text("Tags saved.").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        browser.shown_now("//*[@role='status'][normalize-space()='Tags saved.']").await,
        "the confirmation stays"
    );
    let tags = worker_named(&farm, &name).await.tags.unwrap_or_default();
    assert_eq!(tags.iter().map(|tag| tag.name.as_str()).collect::<Vec<_>>(), ["gpu"], "the tick was saved");
    assert_eq!(browser.field("gpu").await.prop("checked").await.expect("checked").as_deref(), Some("true"));

    browser.button("Sleep after task").await.click().await.expect("an awake worker can be sent to sleep");
    browser.text("Sleep after task: requested.").await;
    browser.wait_xpath(&worker_status(&name, "asleep"), "the worker asleep after its task").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        browser.shown_now("//*[@role='status'][normalize-space()='Sleep after task: requested.']").await,
        "the confirmation stays while the worker changes"
    );
    assert!(browser.shown_now("//*[@role='status'][normalize-space()='Tags saved.']").await);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_task_is_shown_as_the_last_task_not_the_current_one() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "4", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("One frame", 1)).await;
    api.wait_for_status(&job.id, flamenco_api::JobStatus::Active, PATIENCE).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/workers", farm.url)).await;
    let link = browser
        .wait_xpath(
            "//table[contains(@class,'workers-table')]//tbody//a[starts-with(@href,'/workers/')]",
            "the worker",
        )
        .await;
    let name = link.text().await.expect("the worker's name");
    link.click().await.expect("the worker opens");
    browser.heading(&name).await;
    let task_row = |label: &str| {
        format!("//dl//dt[normalize-space()={}]/following-sibling::dd[1]//a", xpath_literal(label))
    };
    browser.wait_xpath(&task_row("Current task"), "the running task as the current task").await;
    let row_task = format!(
        "//table[contains(@class,'workers-table')]//tr[.//a[normalize-space()={}]]/td[4]",
        xpath_literal(&name)
    );
    let cell = browser.wait_xpath(&format!("{row_task}[.//a]"), "the task in the table").await;
    assert!(!cell.text().await.expect("text").contains("last"), "a running task is current in the table");

    api.wait_for_status(&job.id, flamenco_api::JobStatus::Completed, PATIENCE).await;
    browser.wait_xpath(&task_row("Last task"), "the finished task as the last task").await;
    assert!(
        !browser.shown_now("//dt[normalize-space()='Current task']").await,
        "an idle worker runs nothing"
    );
    browser
        .wait_xpath(
            &format!("{row_task}[contains(normalize-space(),'last:')]"),
            "the table calling it the last task",
        )
        .await;

    browser.button("Sleep now").await.click().await.expect("the idle worker can sleep");
    browser.wait_xpath(&worker_status(&name, "asleep"), "the worker asleep").await;
    browser.wait_xpath(&task_row("Last task"), "an asleep worker's last task").await;
    browser.close().await;
}
