//! Workers: the table, one worker's details, and status commands taking effect live.

use crate::support::{xpath_literal, Browser, Simfarm};

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
