//! Pages other than the jobs list download their code when first opened (src/pages/lazy.rs,
//! crates/wasm-chunks): the jobs list loads none of it but the job pane's, after its rows; a download
//! that fails is said and retried.

use serde_json::json;

use crate::support::{Browser, Simfarm};

/// The WebAssembly files the page has downloaded so far, by file name.
async fn wasm_downloaded(browser: &Browser) -> Vec<String> {
    let names = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name.split('/').pop())
                .filter(name => name.endsWith('.wasm'));",
            vec![],
        )
        .await
        .expect("the page lists its resources");
    serde_json::from_value(names).expect("a list of names")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_jobs_list_downloads_no_other_pages_code_and_submit_downloads_its_own_when_opened() {
    let farm = Simfarm::start(&["--seed-jobs", "5", "--workers", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.wait_xpath("//tr[contains(@class, 'job-row')]", "a job row").await;

    let on_jobs = wasm_downloaded(&browser).await;
    assert!(on_jobs.iter().any(|name| name.starts_with("farmdeck-")), "the app itself: {on_jobs:?}");
    // Beside the app, only the job pane's code, fetched in the background once the rows painted
    // (and the code it shares with other pages).
    let others: Vec<_> = on_jobs
        .iter()
        .filter(|name| !["farmdeck-", "job_pane-", "shared-"].iter().any(|kept| name.starts_with(kept)))
        .collect();
    assert!(others.is_empty(), "the jobs list downloaded other pages' code: {others:?}");

    browser.link("Submit").await.click().await.expect("Submit can be clicked");
    browser.heading("Submit a job").await;
    let after = wasm_downloaded(&browser).await;
    assert!(after.iter().any(|name| name.starts_with("submit-")), "Submit's own chunk: {after:?}");
    assert!(!after.iter().any(|name| name.starts_with("preview-")), "not the preview's: {after:?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_whose_code_cannot_be_downloaded_says_so_and_opens_on_try_again() {
    let farm = Simfarm::start(&["--seed-jobs", "5", "--workers", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.wait_xpath("//tr[contains(@class, 'job-row')]", "a job row").await;

    // As if the connection dropped just as the page was opened.
    browser.cdp("Network.enable", json!({})).await;
    browser.cdp("Network.setBlockedURLs", json!({ "urls": ["*/workers-*.wasm"] })).await;
    browser.link("Workers").await.click().await.expect("Workers can be clicked");
    let alert = browser.alert("This page could not be opened").await;
    let text = alert.text().await.expect("the alert's text");
    assert!(text.contains("could not be downloaded"), "says what failed: {text}");

    browser.cdp("Network.setBlockedURLs", json!({ "urls": [] })).await;
    browser.button("Try again").await.click().await.expect("Try again can be clicked");
    browser.heading("Workers").await;
    browser.wait_gone("//*[@role='alert'][contains(., 'could not be opened')]", "the failure").await;

    // The rest of the app was never affected.
    browser.link("Jobs").await.click().await.expect("Jobs can be clicked");
    browser.wait_xpath("//tr[contains(@class, 'job-row')]", "the job rows again").await;
    browser.close().await;
}
