//! The app's frame: header, navigation, and the Manager being there or not.

use crate::support::{free_port, Browser, Simfarm, StaticSite};

#[tokio::test(flavor = "multi_thread")]
async fn without_a_manager_the_app_says_it_cannot_reach_it_and_offers_a_retry() {
    let site = StaticSite::start().await;
    let browser = Browser::start().await;
    browser.open(&site.url).await;

    browser.link("Farmdeck").await;
    for page in ["Jobs", "Workers", "Submit", "Preview"] {
        browser.link(page).await;
    }
    let alert = browser.alert("Cannot reach the Manager at").await;
    let text = alert.text().await.expect("the alert's text");
    assert!(text.contains(&site.url), "the alert names the Manager's URL: {text}");
    browser.button("Retry now").await.click().await.expect("Retry can be clicked");
    browser.alert("Cannot reach the Manager at").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_manager_query_parameter_points_the_app_elsewhere() {
    let site = StaticSite::start().await;
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let browser = Browser::start().await;
    browser.open(&format!("{}/workers?manager={nowhere}", site.url)).await;
    let alert = browser.alert("Cannot reach the Manager at").await;
    let text = alert.text().await.expect("the alert's text");
    assert!(text.contains(&nowhere), "the alert names the configured Manager: {text}");
    assert!(text.contains("?manager="), "the alert says where the address came from: {text}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_simfarm_the_header_shows_the_managers_name_and_version_and_navigation_works() {
    let farm = Simfarm::start(&["--name", "Render Cave"]).await;
    let browser = Browser::start().await;
    browser.open(&farm.url).await;
    browser.text("Render Cave").await;
    browser.text("Flamenco ").await;
    assert_eq!(browser.path().await, "/jobs", "the start page is the job list");

    browser.link("Workers").await.click().await.expect("the Workers link can be clicked");
    browser.heading("Workers").await;
    assert_eq!(browser.path().await, "/workers");
    browser.client.back().await.expect("history back");
    browser.heading("Jobs").await;
    browser.wait_gone("//*[@role='alert']", "the unreachable alert").await;
    browser.close().await;
}
