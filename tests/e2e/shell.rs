//! The app's frame: header, navigation, and the Manager being there or not.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::{free_port, xpath_literal, Browser, FarmApi, Simfarm, StaticSite};

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
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_now_reaches_a_manager_that_has_come_back_at_once() {
    // The app served on the address where the Manager will run, by a plain file server that has
    // no API (it answers 404, like a proxy whose Manager is down): the same origin, so no CORS.
    let address = format!("127.0.0.1:{}", free_port());
    let port = address.rsplit(':').next().unwrap_or_default().to_owned();
    let mut files = tokio::process::Command::new("python3")
        .args(["-m", "http.server", "--bind", "127.0.0.1", &port, "-d"])
        .arg(crate::support::dist_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 serves the app's files");
    let browser = Browser::start().await;
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    while reqwest::get(format!("http://{address}/")).await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "the file server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.open(&format!("http://{address}/")).await;
    let alert = "//*[@role='alert'][contains(normalize-space(), 'Cannot reach the Manager at')]";
    browser.wait_xpath(alert, "the unreachable alert").await;
    // The app asks again by itself 5 s after each failure: the Manager comes back and Retry is
    // clicked well within those 5 s of the alert, so only Retry can make the alert go in time.
    let failed_at = tokio::time::Instant::now();
    let _ = files.kill().await;
    let _ = files.wait().await;
    let farm = Simfarm::start_at(&address, &["--workers", "0", "--name", "Came back"]).await;
    browser.button("Retry now").await.click().await.expect("Retry can be clicked");
    let clicked_after = failed_at.elapsed();
    assert!(
        clicked_after < Duration::from_millis(2500),
        "Retry was clicked {clicked_after:?} after the alert"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1500);
    while !browser.client.find_all(Locator::XPath(alert)).await.expect("lookup").is_empty() {
        if tokio::time::Instant::now() > deadline {
            let shot = browser.screenshot("retry-did-nothing").await;
            panic!(
                "the alert is still there 1.5 s after Retry reached a running Manager (screenshot: {shot})"
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.text("Came back").await;
    drop(farm);
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
    let version = FarmApi::new(&farm.url).version().await;
    assert!(!version.version.trim().is_empty(), "simfarm reports a version: {version:?}");
    browser
        .wait_xpath(
            &format!("//*[normalize-space()={}]", xpath_literal(&format!("Flamenco {}", version.version))),
            "the Manager's version in the header",
        )
        .await;
    assert_eq!(browser.path().await, "/jobs", "the start page is the job list");

    browser.link("Workers").await.click().await.expect("the Workers link can be clicked");
    browser.heading("Workers").await;
    assert_eq!(browser.path().await, "/workers");
    browser.client.back().await.expect("history back");
    browser.heading("Jobs").await;
    browser.wait_gone("//*[@role='alert']", "the unreachable alert").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_an_origin_the_managers_cors_rule_refuses_the_app_says_why_and_does_not_claim_live() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    FarmApi::new(&farm.url).submit(&FarmApi::frames_job("Behind CORS", 1)).await;
    // The dashboard on another port of the same host: the Manager serves its requests without the
    // headers that would let the page read the answers, and its WebSocket takes any origin.
    let site = StaticSite::start().await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs?manager={}", site.url, farm.url)).await;
    browser.alert("Cannot reach the Manager at").await;

    // The live channel connects within moments whatever the origin; for a while after the alert,
    // the header must never say it is live.
    let label = "//*[contains(@class,'live-indicator')]//*[contains(@class,'live-label')]";
    let until = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut seen = Vec::new();
    while tokio::time::Instant::now() < until {
        if let Ok(element) = browser.client.find(Locator::XPath(label)).await {
            let text = element.text().await.unwrap_or_default();
            assert_ne!(text.trim(), "Live", "the header claims Live while every API call fails");
            seen.push(text);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    seen.dedup();
    let spoken = "//*[contains(@class,'live-indicator')]//*[@role='status']";
    let spoken = browser.wait_xpath(spoken, "the spoken live state").await.text().await.unwrap_or_default();
    assert_ne!(spoken.trim(), "Live updates on", "the header's status claims live updates ({seen:?})");

    // What is wrong and how to fix it: the CORS rule, port 8081, or the Manager's own origin.
    let alert = browser.alert("CORS").await.text().await.expect("the alert's text");
    for needed in ["8081", "reverse proxy", &farm.url] {
        assert!(alert.contains(needed), "the alert names {needed:?}: {alert}");
    }
    // Nothing was ever loaded: there is nothing "from before" to show.
    browser.text("The jobs could not be loaded").await;
    assert!(
        browser
            .client
            .find_all(Locator::XPath("//*[contains(normalize-space(),'Showing jobs from before')]"))
            .await
            .expect("lookup")
            .is_empty(),
        "no jobs were loaded before"
    );
    assert!(
        browser
            .client
            .find_all(Locator::XPath("//*[contains(text(),'No jobs match')]"))
            .await
            .expect("lookup")
            .is_empty(),
        "an unreadable list is not an empty one"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_farmdeck_json_the_settings_page_says_so() {
    // The static host answers every unknown path, /farmdeck.json too, with index.html.
    let site = StaticSite::start().await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/settings", site.url)).await;
    browser.heading("Storage mappings").await;
    browser.text("No farmdeck.json was found").await;
    assert!(
        browser
            .client
            .find_all(Locator::XPath("//*[contains(text(),'The defaults from farmdeck.json')]"))
            .await
            .expect("lookup")
            .is_empty(),
        "no defaults came from a farmdeck.json"
    );
    browser.close().await;

    // simfarm serves one: its defaults are named as such.
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/settings", farm.url)).await;
    browser.text("The defaults from farmdeck.json").await;
    browser.close().await;
}
