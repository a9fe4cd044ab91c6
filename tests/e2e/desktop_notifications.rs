//! Desktop notifications with two Farmdeck tabs open on one farm: a belled job's completion is
//! shown on the desktop exactly once, whichever tab holds the notifier lock.
//!
//! The permission is granted for real (CDP `Browser.grantPermissions`) after the page asked for it
//! with a click, and each window counts the notifications the page really constructs: a script added
//! before the app loads wraps `window.Notification` and records each one that was created.

use std::time::Duration;

use fantoccini::wd::WindowHandle;
use flamenco_api::JobStatus;
use serde_json::{json, Value};

use crate::support::{Browser, FarmApi, Simfarm, PATIENCE};

/// Records every notification the page creates, in `window.shownNotifications`.
const OBSERVER: &str = r#"
(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.shownNotifications = [];
  class Observed extends Real {
    constructor(title, options) {
      super(title, options);
      window.shownNotifications.push({ title, body: (options && options.body) || "" });
    }
  }
  window.Notification = Observed;
})();
"#;

/// Makes the window commands go to count the notifications its pages create.
async fn observe_notifications(browser: &Browser) {
    browser.cdp("Page.enable", json!({})).await;
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": OBSERVER })).await;
}

/// The notifications shown so far in each window, as "title: body".
async fn shown(browser: &Browser, windows: &[&WindowHandle]) -> Vec<String> {
    let mut all = Vec::new();
    for window in windows {
        browser.switch_to(window).await;
        let list = browser
            .client
            .execute("return window.shownNotifications || [];", vec![])
            .await
            .expect("the script runs");
        for item in list.as_array().into_iter().flatten() {
            all.push(format!("{}: {}", text(&item["title"]), text(&item["body"])));
        }
    }
    all
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_belled_jobs_completion_notifies_once_with_two_tabs_open() {
    let farm =
        Simfarm::start(&["--workers", "2", "--task-seconds", "0.3", "--failure-rate", "0", "--seed", "14"])
            .await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    browser
        .cdp("Browser.grantPermissions", json!({ "permissions": ["notifications"], "origin": farm.url }))
        .await;

    // The first tab: desktop notifications are asked for with a click.
    let first = browser.current_window().await;
    observe_notifications(&browser).await;
    browser.open(&format!("{}/notifications", farm.url)).await;
    browser.button("Allow desktop notifications").await.click().await.expect("the button can be clicked");
    browser.button("Turn off desktop notifications").await;
    browser.text("Desktop notifications are on.").await;

    // The second tab shares the choice.
    let second = browser.open_window().await;
    observe_notifications(&browser).await;
    browser.open(&format!("{}/notifications", farm.url)).await;
    browser.button("Turn off desktop notifications").await;

    let mut submitted = FarmApi::frames_job("Bell test", 6);
    submitted.initial_status = Some(JobStatus::Paused);
    let job = api.submit(&submitted).await;

    // The bell is rung in the first tab (the lock may move to the second tab as this one reloads).
    browser.switch_to(&first).await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.heading("Bell test").await;
    browser.button("Notify me about this job").await.click().await.expect("the bell can be clicked");
    browser
        .wait_xpath(
            "//button[normalize-space()='Notify me about this job'][@aria-pressed='true']",
            "the bell on",
        )
        .await;
    browser.field("it completes").await;
    // The choice survives a reload and reaches the other tab at once.
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser
        .wait_xpath(
            "//button[normalize-space()='Notify me about this job'][@aria-pressed='true']",
            "the bell kept",
        )
        .await;
    browser.switch_to(&second).await;
    browser
        .wait_xpath(
            &format!("//ul[@class='belled-jobs']//a[@href='/jobs/{}']", job.id),
            "the bell in the other tab",
        )
        .await;
    browser.switch_to(&first).await;
    assert!(
        !browser.shown_now("//*[contains(., 'Desktop notifications are off')]").await,
        "the pane knows desktop notifications are on"
    );

    let resumed = reqwest::Client::new()
        .post(format!("{}/api/v3/jobs/{}/setstatus", farm.url, job.id))
        .json(&json!({"status": "queued", "reason": "the notification test resumes it"}))
        .send()
        .await
        .expect("simfarm answers");
    assert_eq!(resumed.status(), reqwest::StatusCode::NO_CONTENT, "resuming the job");
    api.wait_for_status(&job.id, JobStatus::Completed, PATIENCE).await;

    let deadline = tokio::time::Instant::now() + PATIENCE;
    while shown(&browser, &[&first, &second]).await.is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A second tab's notification would follow within moments of the first.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let notifications = shown(&browser, &[&first, &second]).await;
    assert_eq!(
        notifications,
        vec!["Job completed: Bell test completed.".to_owned()],
        "exactly one desktop notification across both tabs"
    );
    browser.close().await;
}
