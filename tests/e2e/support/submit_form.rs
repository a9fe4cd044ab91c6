//! The submit form as a person uses it: open a job type's form, find its submit button, and wait
//! for the new job's page.

use std::time::Duration;

use fantoccini::elements::Element;

use super::{Browser, Simfarm, PATIENCE};

/// Opens the form of `job_type` (its label) from the Submit page's list of job types.
pub async fn open_form(browser: &Browser, farm: &Simfarm, job_type: &str) {
    browser.open(&format!("{}/submit", farm.url)).await;
    browser.link(job_type).await.click().await.expect("the job type opens");
    browser.heading(&format!("Submit: {job_type}")).await;
}

/// The form's submit button, whatever it says is left to do.
pub async fn submit_button(browser: &Browser) -> Element {
    browser
        .wait_xpath(
            "//form//button[@type='submit'][starts-with(normalize-space(), 'Submit job')]",
            "the submit button",
        )
        .await
}

/// Waits until the browser shows a job's page and returns the job's id. If it never does, the
/// failure quotes the form's refusal when there is one.
pub async fn wait_for_job_page(browser: &Browser) -> String {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let path = browser.path().await;
        if let Some(id) = path.strip_prefix("/jobs/").filter(|id| !id.is_empty()) {
            return id.split(['/', '?']).next().unwrap_or_default().to_owned();
        }
        if tokio::time::Instant::now() > deadline {
            let refusal = "//form//*[@role='alert']";
            let said = match browser.shown_now(refusal).await {
                true => browser.wait_xpath(refusal, "the refusal").await.text().await.unwrap_or_default(),
                false => "no refusal on the form".to_owned(),
            };
            let shot = browser.screenshot("the new job's page").await;
            panic!("the browser stayed at {path}: {said} (screenshot: {shot})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A Flamenco timestamp as job types put it in paths: `2006-01-02_150405`.
pub fn is_path_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 17
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'_',
            _ => b.is_ascii_digit(),
        })
}
