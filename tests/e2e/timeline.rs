//! The worker timeline (`/timeline`) against simfarm: the page is open while a job runs, shows each
//! worker's tasks as bars named after them, states utilisation that matches those bars, opens a
//! task from its bar, and keeps the bars over a reload, also once the job is deleted and the Manager
//! can no longer tell (only the browser's IndexedDB knows them then).

use std::collections::BTreeMap;
use std::time::Duration;

use fantoccini::Locator;
use flamenco_api::JobStatus;

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm};

/// The bar links in the row of the worker named `worker`.
fn bars_of(worker: &str) -> String {
    format!("//li[div/a[normalize-space()={}]]//*[@role='group']//a[@aria-label]", xpath_literal(worker))
}

/// The bar of `task` in the row of `worker`.
fn bar_of(worker: &str, task: &str) -> String {
    format!("{}[starts-with(@aria-label, {})]", bars_of(worker), xpath_literal(&format!("{task} of job ")))
}

/// A duration as the page writes it: "5.2 s", "3 min 4 s", "1 h 2 min"; in seconds.
fn seconds(text: &str) -> f64 {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut total = 0.0;
    for pair in words.chunks(2) {
        let value: f64 = pair[0].parse().unwrap_or_else(|_| panic!("a number in {text:?}"));
        total += value
            * match pair.get(1).copied() {
                Some("s") => 1.0,
                Some("min") => 60.0,
                Some("h") => 3600.0,
                other => panic!("unit {other:?} in {text:?}"),
            };
    }
    total
}

/// The duration a bar's name states: "... 10:01:02 to 10:01:05 (3.0 s), completed".
fn bar_seconds(label: &str) -> f64 {
    let inside = label.rsplit_once('(').and_then(|(_, rest)| rest.split_once(')')).map(|(inside, _)| inside);
    seconds(inside.unwrap_or_else(|| panic!("a duration in {label:?}")).trim_start_matches("about "))
}

/// The accessible names of a worker's bars, in order.
async fn bar_labels(browser: &Browser, worker: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for bar in browser.client.find_all(Locator::XPath(&bars_of(worker))).await.expect("bars") {
        labels.push(bar.attr("aria-label").await.ok().flatten().unwrap_or_default());
    }
    labels
}

/// Waits until every task a worker ran shows as a finished bar in its row.
async fn wait_for_bars(browser: &Browser, runs: &BTreeMap<String, Vec<String>>) {
    for (worker, tasks) in runs {
        for task in tasks {
            let finished = format!("{}[contains(@aria-label, ', completed')]", bar_of(worker, task));
            browser.wait_xpath(&finished, &format!("the bar of {task} on {worker}")).await;
        }
    }
}

/// "Utilisation of blade-01: 0.2 %, busy 6.1 s of 57 min 3 s" read as (percent, busy, elapsed).
async fn utilisation(browser: &Browser, worker: &str) -> (f64, f64, f64) {
    let xpath = format!(
        "//li[div/a[normalize-space()={}]]//*[starts-with(@aria-label, 'Utilisation of ')]",
        xpath_literal(worker)
    );
    let label = browser.wait_xpath(&xpath, "a worker's utilisation").await.attr("aria-label").await;
    let label = label.ok().flatten().unwrap_or_default();
    let (_, rest) = label.split_once(": ").unwrap_or_else(|| panic!("{label:?}"));
    let (percent, rest) = rest.split_once(" %, busy ").unwrap_or_else(|| panic!("{label:?}"));
    let (busy, elapsed) = rest.split_once(" of ").unwrap_or_else(|| panic!("{label:?}"));
    (percent.parse().unwrap_or_else(|_| panic!("{label:?}")), seconds(busy), seconds(elapsed))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_timeline_shows_a_workers_tasks_and_keeps_them_over_a_reload() {
    let farm = Simfarm::start(&["--workers", "2", "--task-seconds", "2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Timeline").await.click().await.expect("the Timeline link opens the page");
    browser.heading("Timeline").await;
    browser.text("Runs are kept in this browser").await;

    let job = api.submit(&FarmApi::frames_job("timeline shot", 6)).await;
    browser
        .wait_xpath("//*[@role='group']//a[contains(@aria-label, ', running')]", "a running task's bar")
        .await;
    api.wait_for_status(&job.id, JobStatus::Completed, Duration::from_secs(60)).await;

    // Which worker ran which task, as the Manager says.
    let tasks = api.tasks(&job.id).await;
    let mut runs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for task in &tasks {
        let worker =
            task.worker.as_ref().map(|worker| worker.name.clone()).expect("a finished task names its worker");
        runs.entry(worker).or_default().push(task.name.clone());
    }
    wait_for_bars(&browser, &runs).await;
    let mut before = BTreeMap::new();
    for (worker, tasks) in &runs {
        let labels = bar_labels(&browser, worker).await;
        assert_eq!(labels.len(), tasks.len(), "{worker} ran {tasks:?}, its row shows {labels:?}");
        // The first task may have started before the page followed the job; later starts were seen.
        let seen = labels.iter().filter(|label| !label.contains("about") && !label.contains("start unknown"));
        assert!(seen.count() >= labels.len() - 1, "starts were seen live: {labels:?}");
        assert!(labels.iter().all(|label| label.contains("of job \"timeline shot\"")), "{labels:?}");

        // Utilisation: the busy time is the bars' durations, the percentage that time of the window.
        let (percent, busy, elapsed) = utilisation(&browser, worker).await;
        let bars: f64 = labels.iter().map(|label| bar_seconds(label)).sum();
        assert!(
            (busy - bars).abs() <= 0.1 * labels.len() as f64,
            "busy {busy} s, bars {bars} s ({labels:?})"
        );
        let n = tasks.len() as f64;
        assert!(busy >= 1.5 * n && busy <= 4.0 * n, "{n} tasks of about 2 s, busy {busy} s");
        assert!((percent - busy / elapsed * 100.0).abs() <= 0.1, "{percent} % for {busy} s of {elapsed} s");
        before.insert(worker.clone(), labels);
    }

    // A longer window still shows them.
    browser.field("Show").await.select_by_value("4h").await.expect("the 4 hours window");
    let (worker, worker_tasks) = runs.iter().next().expect("a worker ran tasks");
    browser.wait_xpath(&bar_of(worker, &worker_tasks[0]), "a bar in the 4 hours window").await;
    assert_eq!(&bar_labels(&browser, worker).await, &before[worker]);

    // The bar names its task on hover and opens it (the latest bar: short runs overlap at this
    // scale, and the latest is drawn on top).
    browser.field("Show").await.select_by_value("15m").await.expect("the 15 minutes window");
    let bars = browser.client.find_all(Locator::XPath(&bars_of(worker))).await.expect("bars");
    let bar = bars.last().expect("a bar").clone();
    let tooltip = bar.attr("title").await.ok().flatten().unwrap_or_default();
    let task = tasks
        .iter()
        .find(|task| tooltip.starts_with(&format!("{} of job ", task.name)))
        .unwrap_or_else(|| panic!("the tooltip {tooltip:?} names a task of the job"));
    for part in ["timeline shot", worker.as_str(), "completed"] {
        assert!(tooltip.contains(part), "the tooltip {tooltip:?} names {part:?}");
    }
    bar.click().await.expect("the bar is a link");
    browser.heading(&task.name).await;
    assert_eq!(browser.path().await, format!("/jobs/{}/tasks/{}", job.id, task.id));

    // A fresh load: the same bars, with the starts that were seen live (the Manager has none).
    browser.open(&format!("{}/timeline", farm.url)).await;
    wait_for_bars(&browser, &runs).await;
    for (worker, labels) in &before {
        assert_eq!(&bar_labels(&browser, worker).await, labels, "after a reload");
    }

    // The job is deleted: the Manager no longer knows these runs, the browser does.
    let response = reqwest::Client::new()
        .delete(format!("{}/api/v3/jobs/{}", farm.url, job.id))
        .send()
        .await
        .expect("simfarm answers");
    assert!(response.status().is_success(), "deleting the job: {}", response.status());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{}/api/v3/jobs/{}", farm.url, job.id)).await.expect("answer").status() != 404
    {
        assert!(tokio::time::Instant::now() < deadline, "the job goes away");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    browser.client.refresh().await.expect("the page reloads");
    browser.heading("Timeline").await;
    wait_for_bars(&browser, &runs).await;
    for (worker, labels) in &before {
        assert_eq!(
            &bar_labels(&browser, worker).await,
            labels,
            "after the job was deleted and the page reloaded"
        );
    }
    let (percent, _, _) = utilisation(&browser, worker).await;
    assert!(percent > 0.0, "the kept runs still count towards utilisation");
    browser.close().await;
}

/// Installed before the page's scripts: IndexedDB refuses, as in a browser where storage is turned off.
const NO_INDEXEDDB: &str = r#"
    Object.defineProperty(window, 'indexedDB', {
        configurable: true,
        get() { throw new DOMException('storage is turned off in this test', 'SecurityError'); },
    });
"#;

#[tokio::test(flavor = "multi_thread")]
async fn without_indexeddb_the_timeline_says_so_and_follows_the_farm_without_rebuilding_rows() {
    let farm = Simfarm::start(&["--workers", "2", "--task-seconds", "2", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": NO_INDEXEDDB })).await;
    browser.open(&format!("{}/timeline", farm.url)).await;
    browser.heading("Timeline").await;
    browser
        .wait_xpath(
            "//*[@role='status'][contains(., 'This browser cannot keep the timeline') and contains(., 'storage is turned off in this test')]",
            "the notice that history is not kept",
        )
        .await;
    browser.wait_xpath("//li[contains(@class, 'timeline-row')][2]", "both workers' rows").await;
    // Rows and bars are marked; live updates must change them in place, not build new ones.
    let mark_rows = "document.querySelectorAll('li.timeline-row').forEach(row => row.__kept = true);";
    browser.client.execute(mark_rows, vec![]).await.expect("the rows are marked");

    let job = api.submit(&FarmApi::frames_job("unkept shot", 6)).await;
    let running = browser
        .wait_xpath("//*[@role='group']//a[contains(@aria-label, ', running')]", "a running task's bar")
        .await;
    let label = running.attr("aria-label").await.ok().flatten().unwrap_or_default();
    let task = label.split(" of job ").next().unwrap_or_default().to_owned();
    browser
        .client
        .execute("arguments[0].__kept = true;", vec![serde_json::to_value(&running).expect("an element")])
        .await
        .expect("the bar is marked");
    api.wait_for_status(&job.id, JobStatus::Completed, Duration::from_secs(60)).await;

    let finished = format!(
        "//*[@role='group']//a[starts-with(@aria-label, {})][contains(@aria-label, ', completed')]",
        xpath_literal(&format!("{task} of job "))
    );
    browser.wait_xpath(&finished, "the running bar, finished").await;
    let kept = browser
        .client
        .execute(
            "const rows = [...document.querySelectorAll('li.timeline-row')];
             const bar = document.evaluate(arguments[0], document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
             return [rows.length, rows.filter(row => row.__kept).length, !!(bar && bar.__kept)];",
            vec![serde_json::Value::String(finished.clone())],
        )
        .await
        .expect("the marks are read");
    assert_eq!(kept, serde_json::json!([2, 2, true]), "rows and the bar stayed the same elements");
    browser.close().await;
}
