//! Benchmark: the job list with 10,000 jobs, against the same page with 100 jobs measured in the
//! same run. Prints the time from opening the jobs page to the first rows painted, the time to apply
//! a burst of 1,000 live job updates, and how many job rows exist in the page.
//!
//! Run with `scripts/bench-dashboard` (it builds the app and simfarm first).

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;
use support::{Browser, Simfarm};

/// What one run measured.
struct Figures {
    jobs: usize,
    first_rows_ms: f64,
    burst_ms: f64,
    rows_in_page: u64,
}

/// Resolves, after the next paint, with `performance.now()` once a job row exists.
const FIRST_ROWS_PAINTED: &str = r#"
const done = arguments[arguments.length - 1];
const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));
if (document.querySelector('tr.job-row')) { painted(); return; }
new MutationObserver((_, observer) => {
  if (document.querySelector('tr.job-row')) { observer.disconnect(); painted(); }
}).observe(document.body, { childList: true, subtree: true });
"#;

/// Resolves, after the next paint, with `performance.now()` once `target` live events were applied.
const EVENTS_APPLIED: &str = r#"
const [target, done] = [arguments[0], arguments[arguments.length - 1]];
const applied = () => Number(document.querySelector('[data-applied-events]')?.dataset.appliedEvents ?? 0);
const check = () => applied() >= target
  ? requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())))
  : setTimeout(check, 5);
check();
"#;

/// Runs an asynchronous script (one that calls its last argument) and reads the number it gives.
async fn number(browser: &Browser, script: &str, args: Vec<Value>) -> f64 {
    let value = browser.client.execute_async(script, args).await.expect("the page answers");
    value.as_f64().unwrap_or_else(|| panic!("a number, not {value}"))
}

/// Evaluates an expression in the page and reads the number it gives.
async fn evaluate(browser: &Browser, expression: &str) -> f64 {
    let value =
        browser.client.execute(&format!("return {expression};"), vec![]).await.expect("the page answers");
    value.as_f64().unwrap_or_else(|| panic!("a number, not {value}"))
}

async fn measure(jobs: usize) -> Figures {
    let seed = jobs.to_string();
    let farm = Simfarm::start(&["--seed-jobs", &seed, "--workers", "0"]).await;
    let browser = Browser::start().await;
    let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(120)), None, None);
    browser.client.update_timeouts(timeouts).await.expect("script timeout");
    browser.open(&format!("{}/jobs", farm.url)).await;
    let first_rows_ms = number(&browser, FIRST_ROWS_PAINTED, vec![]).await;
    eprintln!("{jobs} jobs: first rows after {first_rows_ms:.0} ms");

    // Wait for the live connection, then send 1,000 priority changes: each is a `/jobs` event.
    browser.wait_xpath("//*[@role='status'][contains(normalize-space(),'Live')]", "the live indicator").await;
    let http = reqwest::Client::new();
    let listed: flamenco_api::JobsQueryResult = http
        .get(format!("{}/api/v3/jobs", farm.url))
        .send()
        .await
        .expect("jobs")
        .json()
        .await
        .expect("a job list");
    let targets: Vec<String> = listed.jobs.iter().cycle().take(1000).map(|job| job.id.clone()).collect();
    let applied_before =
        evaluate(&browser, "Number(document.querySelector('[data-applied-events]').dataset.appliedEvents)")
            .await;
    let started = evaluate(&browser, "performance.now()").await;
    let requests = targets.iter().enumerate().map(|(index, id)| {
        let http = http.clone();
        let url = format!("{}/api/v3/jobs/{id}/setpriority", farm.url);
        async move {
            let response = http.post(url).json(&serde_json::json!({"priority": index % 100})).send().await;
            assert!(response.map(|r| r.status().is_success()).unwrap_or(false), "setpriority accepted");
        }
    });
    futures::future::join_all(requests).await;
    eprintln!("{jobs} jobs: 1,000 priority changes sent, {applied_before} events applied before");
    let finished = number(&browser, EVENTS_APPLIED, vec![Value::from(applied_before + 1000.0)]).await;
    let rows = browser.client.find_all(Locator::Css("tr.job-row")).await.expect("rows").len() as u64;
    browser.close().await;
    Figures { jobs, first_rows_ms, burst_ms: finished - started, rows_in_page: rows }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let baseline = measure(100).await;
    let large = measure(10_000).await;
    println!("{:>8} {:>18} {:>22} {:>14}", "jobs", "first rows (ms)", "1,000 updates (ms)", "rows in page");
    for figures in [&baseline, &large] {
        println!(
            "{:>8} {:>18.0} {:>22.0} {:>14}",
            figures.jobs, figures.first_rows_ms, figures.burst_ms, figures.rows_in_page
        );
    }
    println!(
        "ratio 10,000 / 100 jobs: first rows {:.2}x, burst {:.2}x (1.00x would mean the list size costs nothing)",
        large.first_rows_ms / baseline.first_rows_ms,
        large.burst_ms / baseline.burst_ms
    );
}
