//! The wrangler's views on a big, busy farm: simfarm with thousands of jobs, a job that failed in
//! several ways and many workers rendering, in headless Chromium. For each view it measures the time
//! from navigating to it (inside the running app, as a click on a link does) to the frame after it
//! first showed its data, and to the frame after it is complete (every task it needs was read);
//! then, while the workers' live updates keep arriving, the longest main-thread task. The job list
//! is measured the same way in the same run, as the baseline. Used by `scripts/bench-cockpit` and,
//! on a small farm, by its smoke test.

use std::fmt::Write;
use std::time::Duration;

use serde_json::{json, Value};

use super::{Browser, FarmApi, Simfarm, PATIENCE};

/// The failing job's failures: four causes, as `--failing-job` takes them.
const FAILURES: &str = "segfault=80,gpu-memory=60,missing-file=40,python=20";
/// The name simfarm gives the job `--failing-job` seeds.
const FAILING_JOB: &str = "sh010 lighting (failing)";
/// How long each view is watched under live updates.
const LIVE_WINDOW: Duration = Duration::from_secs(5);

/// Installed once: records every long task (over 50 ms) with its start, from navigation start.
const LONG_TASKS: &str = r#"
if (!window.__cockpit) {
  window.__cockpit = { longTasks: [] };
  new PerformanceObserver(list => {
    for (const task of list.getEntries()) window.__cockpit.longTasks.push([task.startTime, task.duration]);
  }).observe({ type: 'longtask', buffered: true });
}
"#;

/// Navigates inside the app (the router follows `popstate`, as for a link) and watches, every 5 ms,
/// for `ready` (a CSS selector) and then for `complete` (a JS expression), each time noting the
/// frame after it held.
const NAVIGATE: &str = r#"
const [path, ready, complete] = arguments;
const state = window.__cockpit;
const started = performance.now();
Object.assign(state, { started, shown: null, complete: null });
const painted = key => requestAnimationFrame(() => requestAnimationFrame(() => { state[key] = performance.now() - started; }));
let shownAsked = false;
const watch = () => {
  if (!shownAsked && document.querySelector(ready)) { shownAsked = true; painted('shown'); }
  if (shownAsked && new Function('return (' + complete + ');')()) { painted('complete'); return; }
  setTimeout(watch, 5);
};
history.pushState(null, '', path);
dispatchEvent(new PopStateEvent('popstate', { state: null }));
watch();
"#;

/// One view of the cockpit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The baseline: the job list, the page every visit starts on.
    JobList,
    Problems,
    /// The failure triage of a job with four causes of failure.
    Triage,
    Timeline,
}

impl View {
    pub const ALL: [View; 4] = [View::JobList, View::Problems, View::Triage, View::Timeline];

    pub fn name(self) -> &'static str {
        match self {
            View::JobList => "job list (baseline)",
            View::Problems => "Problems",
            View::Triage => "failure triage",
            View::Timeline => "worker timeline",
        }
    }

    /// A CSS selector that matches once the view shows its data.
    fn ready(self) -> &'static str {
        match self {
            View::JobList => "tr.job-row",
            View::Problems => "li.problem",
            View::Triage => "li.failure-group",
            View::Timeline => "a.run-bar",
        }
    }

    /// A JS expression that holds once the view has read all it needs.
    fn complete(self) -> &'static str {
        match self {
            // The timeline's bars grow as task lists come in; its first bars are what is timed.
            View::JobList | View::Timeline => "true",
            View::Problems => {
                "!document.querySelector('.problems-page').textContent.includes('Looking for problems')"
            }
            View::Triage => {
                "!(document.querySelector('.failures-summary')?.textContent ?? 'reading').includes('reading')"
            }
        }
    }
}

/// What one view measured.
#[derive(Debug, Clone)]
pub struct ViewFigures {
    pub view: View,
    pub shown_ms: f64,
    pub complete_ms: f64,
    /// The longest main-thread task while the view was built.
    pub build_longest_task_ms: f64,
    /// The longest main-thread task during the live window after it (0 when none passed 50 ms).
    pub live_longest_task_ms: f64,
    pub live_long_tasks: usize,
}

/// A farm and a browser with the app open on it.
pub struct CockpitBench {
    farm: Simfarm,
    browser: Browser,
    failing_job_id: String,
    pub jobs: usize,
    pub workers: usize,
}

impl CockpitBench {
    /// Starts simfarm with `jobs` seeded jobs, the failing job and `workers` workers on tasks long
    /// enough to stay busy for the whole run, and opens the job list.
    pub async fn start(jobs: usize, workers: usize) -> CockpitBench {
        let (jobs_arg, workers_arg) = (jobs.to_string(), workers.to_string());
        let farm = Simfarm::start(&[
            "--seed-jobs",
            &jobs_arg,
            "--workers",
            &workers_arg,
            "--task-seconds",
            "4",
            "--failing-job",
            FAILURES,
            "--seed",
            "14",
        ])
        .await;
        let listed = FarmApi::new(&farm.url).jobs().await;
        let failing_job_id = listed
            .iter()
            .find(|job| job.name == FAILING_JOB)
            .map(|job| job.id.clone())
            .expect("simfarm seeds the failing job");
        let browser = Browser::start().await;
        browser.open(&format!("{}/jobs", farm.url)).await;
        browser.wait_xpath("//tr[contains(@class,'job-row')]", "the job list").await;
        browser.client.execute(LONG_TASKS, vec![]).await.expect("the page runs the observer");
        CockpitBench { farm, browser, failing_job_id, jobs, workers }
    }

    fn path(&self, view: View) -> String {
        match view {
            View::JobList => "/jobs".to_owned(),
            View::Problems => "/problems".to_owned(),
            View::Triage => format!("/jobs/{}", self.failing_job_id),
            View::Timeline => "/timeline".to_owned(),
        }
    }

    /// Opens `view` from a page that is not it and measures it.
    pub async fn measure(&self, view: View) -> ViewFigures {
        // The job list is measured coming from another page, so that it is built anew.
        let away = if view == View::JobList { "/workers" } else { "/jobs" };
        self.browser
            .client
            .execute(NAVIGATE, vec![json!(away), json!("body"), json!("true")])
            .await
            .expect("navigates");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let args = vec![json!(self.path(view)), json!(view.ready()), json!(view.complete())];
        self.browser.client.execute(NAVIGATE, args).await.expect("the page navigates");
        let deadline = tokio::time::Instant::now() + PATIENCE * 4;
        let (started, shown_ms, complete_ms) = loop {
            let state = self.state().await;
            let number = |key: &str| state.get(key).and_then(Value::as_f64);
            if let (Some(started), Some(shown), Some(complete)) =
                (number("started"), number("shown"), number("complete"))
            {
                break (started, shown, complete);
            }
            assert!(tokio::time::Instant::now() < deadline, "{} was not shown: {state}", view.name());
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let build_longest_task_ms = self.longest_task(started, started + complete_ms).await.0;
        let live_from = started + complete_ms;
        tokio::time::sleep(LIVE_WINDOW).await;
        let live_to = live_from + LIVE_WINDOW.as_secs_f64() * 1000.0;
        let (live_longest_task_ms, live_long_tasks) = self.longest_task(live_from, live_to).await;
        ViewFigures {
            view,
            shown_ms,
            complete_ms,
            build_longest_task_ms,
            live_longest_task_ms,
            live_long_tasks,
        }
    }

    async fn state(&self) -> Value {
        self.browser
            .client
            .execute("return { started: window.__cockpit.started, shown: window.__cockpit.shown, complete: window.__cockpit.complete };", vec![])
            .await
            .expect("the page answers")
    }

    /// The longest task and the number of long tasks that started between `from` and `to`.
    async fn longest_task(&self, from: f64, to: f64) -> (f64, usize) {
        let tasks = self
            .browser
            .client
            .execute("return window.__cockpit.longTasks;", vec![])
            .await
            .expect("the page answers");
        let within: Vec<f64> = tasks
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|task| Some((task.get(0)?.as_f64()?, task.get(1)?.as_f64()?)))
            .filter(|(start, _)| (from..to).contains(start))
            .map(|(_, duration)| duration)
            .collect();
        (within.iter().copied().fold(0.0, f64::max), within.len())
    }

    pub async fn close(self) {
        self.browser.close().await;
        drop(self.farm);
    }
}

/// The figures as a table, each time also against the job list's of the same run.
pub fn table(jobs: usize, workers: usize, figures: &[ViewFigures]) -> String {
    let baseline = figures.iter().find(|figures| figures.view == View::JobList).map(|f| f.complete_ms);
    let ratio = |ms: f64| {
        baseline.filter(|base| *base > 0.0).map_or("-".to_owned(), |base| format!("{:.2}x", ms / base))
    };
    let mut out = format!("{jobs} jobs, {workers} workers busy\n");
    let _ = writeln!(
        out,
        "{:<22} {:>10} {:>12} {:>9} {:>14} {:>13} {:>10}",
        "view", "shown ms", "complete ms", "x list", "longest task", "live longest", "live >50ms"
    );
    for f in figures {
        let _ = writeln!(
            out,
            "{:<22} {:>10.0} {:>12.0} {:>9} {:>14.0} {:>13.0} {:>10}",
            f.view.name(),
            f.shown_ms,
            f.complete_ms,
            ratio(f.complete_ms),
            f.build_longest_task_ms,
            f.live_longest_task_ms,
            f.live_long_tasks
        );
    }
    out
}
