//! The soak: a busy farm (simfarm's workers on one-second tasks with failures, and a driver that
//! keeps requeueing finished jobs so the workers never run dry) watched by one browser with four
//! windows open: the job list, a job with its tasks, the workers page and a rendering job's merge
//! preview. Each sample reads, per window, the JS heap and the DOM's node count (after a garbage
//! collection) and the WebAssembly memory, and times an event: a job's priority changed through the
//! API until its row in the list shows it. Used by `examples/soak.rs` (`scripts/soak`) and, briefly,
//! by its smoke test.

use std::fmt::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::wd::WindowHandle;
use flamenco_api::{Job, JobStatus, JobsQueryResult, SubmittedJob};
use serde_json::{json, Value};

use super::{Browser, FarmApi, Simfarm, PATIENCE};

/// Keeps each window's WebAssembly memory where a sample can read it: the app's start script
/// announces its instance with `TrunkApplicationStarted`.
const KEEP_WASM_MEMORY: &str =
    "addEventListener('TrunkApplicationStarted', event => { window.__soakWasm = event.detail.wasm; });";

/// One window of the soak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    JobList,
    JobTasks,
    Workers,
    Preview,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::JobList, Pane::JobTasks, Pane::Workers, Pane::Preview];

    pub fn name(self) -> &'static str {
        match self {
            Pane::JobList => "job list",
            Pane::JobTasks => "job + tasks",
            Pane::Workers => "workers",
            Pane::Preview => "preview",
        }
    }
}

/// What one window measured at one moment.
#[derive(Debug, Clone)]
pub struct PaneSample {
    pub pane: Pane,
    pub heap_mb: f64,
    /// WebAssembly memory: it only ever grows, so this is the high-water mark.
    pub wasm_mb: f64,
    /// What the app's heap holds now, within that memory (`farmdeck::heap`).
    pub in_use_mb: f64,
    pub dom_nodes: f64,
}

/// One sample of every window, and the event's delay.
#[derive(Debug, Clone)]
pub struct Sample {
    pub minutes: f64,
    pub panes: Vec<PaneSample>,
    /// From the priority change sent to the frame its row showed it.
    pub event_ms: f64,
    /// The machine's one-minute load average, which says whether the farm and the browser had the
    /// CPU they wanted (NaN where `/proc/loadavg` is missing).
    pub load: f64,
}

/// A farm under load and a browser watching it.
pub struct Soak {
    farm: Simfarm,
    browser: Browser,
    windows: Vec<(Pane, WindowHandle)>,
    driving: Arc<AtomicBool>,
    started: Instant,
}

/// A 512 x 256 px single image in 64 px tiles: 32 render tasks, then the merge.
fn tiles_job() -> SubmittedJob {
    let settings = json!({
        "tile_size_x": 64, "tile_size_y": 64, "frame": 1,
        "resolution_x": 512, "resolution_y": 256, "resolution_scale": 100,
        "format": "OPEN_EXR_MULTILAYER", "image_file_extension": ".exr",
        "render_output_root": "/render/soak", "add_path_components": 0,
        "render_output_path": "/render/soak/poster/{timestamp}/tiles",
        "blendfile": "/render/scenes/still.blend",
    });
    FarmApi::single_image_job("soak poster", settings)
}

impl Soak {
    /// Starts simfarm with `workers` workers on one-second tasks (5 % failing) and `jobs` seeded
    /// jobs, the two watched jobs, the driver, and the browser with its four windows.
    pub async fn start(workers: usize, jobs: usize) -> Soak {
        let (workers_arg, jobs_arg) = (workers.to_string(), jobs.to_string());
        let farm = Simfarm::start(&[
            "--workers",
            &workers_arg,
            "--seed-jobs",
            &jobs_arg,
            "--task-seconds",
            "1",
            "--failure-rate",
            "0.05",
            "--seed",
            "30",
        ])
        .await;
        let api = FarmApi::new(&farm.url);
        let tasks_job = api.submit(&FarmApi::frames_job("soak shot", 120)).await;
        let preview_job = api.submit(&tiles_job()).await;
        let driving = Arc::new(AtomicBool::new(true));
        tokio::spawn(drive(farm.url.clone(), Arc::clone(&driving)));

        let browser = Browser::start().await;
        // A page under a burst may take a while to answer a script; the figures are the point.
        let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(300)), None, None);
        browser.client.update_timeouts(timeouts).await.expect("script timeout");
        let paths = [
            (Pane::JobList, "/jobs".to_owned()),
            (Pane::JobTasks, format!("/jobs/{}", tasks_job.id)),
            (Pane::Workers, "/workers".to_owned()),
            (Pane::Preview, format!("/jobs/{}/preview", preview_job.id)),
        ];
        let mut windows = Vec::new();
        for (index, (pane, path)) in paths.into_iter().enumerate() {
            let window =
                if index == 0 { browser.current_window().await } else { browser.open_window().await };
            browser.cdp("Page.enable", json!({})).await;
            browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({"source": KEEP_WASM_MEMORY})).await;
            browser.open(&format!("{}{path}", farm.url)).await;
            windows.push((pane, window));
        }
        browser.switch_to(&windows[0].1).await;
        browser.wait_xpath("//tr[contains(@class,'job-row')]", "the job list").await;
        Soak { farm, browser, windows, driving, started: Instant::now() }
    }

    /// Samples every window and times one event.
    pub async fn sample(&mut self) -> Sample {
        let mut panes = Vec::new();
        for (pane, window) in &self.windows {
            self.browser.switch_to(window).await;
            self.browser.cdp("HeapProfiler.collectGarbage", json!({})).await;
            let heap = self.browser.cdp("Runtime.getHeapUsage", json!({})).await;
            let dom = self.browser.cdp("Memory.getDOMCounters", json!({})).await;
            let wasm = self
                .browser
                .client
                .execute(
                    "return window.__soakWasm ? window.__soakWasm.memory.buffer.byteLength : null;",
                    vec![],
                )
                .await
                .expect("the page answers");
            let in_use = self
                .browser
                .client
                .execute(
                    "const app = window.wasmBindings; return app && app.heapInUse ? app.heapInUse() : null;",
                    vec![],
                )
                .await
                .expect("the page answers");
            let mb = |bytes: Option<f64>| bytes.unwrap_or(f64::NAN) / 1_048_576.0;
            panes.push(PaneSample {
                pane: *pane,
                heap_mb: mb(heap["usedSize"].as_f64()),
                wasm_mb: mb(wasm.as_f64()),
                in_use_mb: mb(in_use.as_f64()),
                dom_nodes: dom["nodes"].as_f64().unwrap_or(f64::NAN),
            });
        }
        self.browser.switch_to(&self.windows[0].1).await;
        let event_ms = self.time_an_event().await;
        Sample { minutes: self.started.elapsed().as_secs_f64() / 60.0, panes, event_ms, load: load_average() }
    }

    /// Changes the priority of the first job on screen and waits for its row to show it.
    async fn time_an_event(&self) -> f64 {
        let href = self
            .browser
            .client
            .execute(
                "return document.querySelector('tr.job-row td.col-name a').getAttribute('href');",
                vec![],
            )
            .await
            .expect("a job row");
        let id = href.as_str().and_then(|href| href.rsplit('/').next()).expect("a job link").to_owned();
        let current = FarmApi::new(&self.farm.url).job(&id).await.priority;
        let priority = if current == 7 { 8 } else { 7 };
        let watch = "const [id, priority, done] = arguments;
            const shows = () => Array.from(document.querySelectorAll('tr.job-row')).some(row =>
                row.querySelector(`a[href$='/${id}']`) && row.querySelector('.col-priority').textContent.trim() === String(priority));
            const look = () => shows() ? requestAnimationFrame(() => done(true)) : setTimeout(look, 2);
            look();";
        let sent = Instant::now();
        let url = format!("{}/api/v3/jobs/{id}/setpriority", self.farm.url);
        let change = reqwest::Client::new().post(&url).json(&json!({"priority": priority})).send();
        let (changed, shown) =
            tokio::join!(change, self.browser.client.execute_async(watch, vec![json!(id), json!(priority)]));
        assert!(changed.map(|r| r.status().is_success()).unwrap_or(false), "the priority change was refused");
        shown.expect("the row showed the change");
        sent.elapsed().as_secs_f64() * 1000.0
    }

    /// Stops the driver, lets the farm finish what it has (so nothing changes while the rows are
    /// read), and checks every job row and task row on screen against the API.
    pub async fn check_screen_against_api(&self) {
        self.driving.store(false, Ordering::SeqCst);
        let api = FarmApi::new(&self.farm.url);
        let deadline = tokio::time::Instant::now() + PATIENCE * 4;
        while api
            .jobs()
            .await
            .iter()
            .any(|job| matches!(job.status, JobStatus::Active | JobStatus::Queued | JobStatus::Requeueing))
        {
            assert!(tokio::time::Instant::now() < deadline, "the farm did not settle");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // The last events may still be on their way to a window: the screen must come to equal
        // the API, and stay wrong past the patience only if an update was lost.
        let settled = tokio::time::Instant::now() + PATIENCE;
        let (jobs, tasks) = loop {
            let (jobs, tasks, wrong) = self.screen_against_api(&api).await;
            if wrong.is_empty() {
                break (jobs, tasks);
            }
            assert!(tokio::time::Instant::now() < settled, "the screen differs from the Manager: {wrong:?}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        println!("soak: {jobs} job rows and {tasks} task rows on screen equal the Manager's");
    }

    /// Reads every job row and task row on screen: how many there are, and each that differs
    /// from what the API says.
    async fn screen_against_api(&self, api: &FarmApi) -> (usize, usize, Vec<String>) {
        let rows = "return Array.from(document.querySelectorAll(arguments[0])).map(row => [
            row.querySelector(arguments[1]).getAttribute('href').split('/').pop(),
            row.querySelector('.status-badge').textContent.trim(),
            arguments[2] ? row.querySelector(arguments[2]).textContent.trim() : '']);";
        self.browser.switch_to(&self.windows[0].1).await;
        let jobs: Vec<(String, String, String)> =
            read(&self.browser, rows, json!(["tr.job-row", "td.col-name a", "td.col-priority"])).await;
        let listed: Vec<Job> = api.jobs().await;
        assert!(!jobs.is_empty(), "the job list shows rows");
        let mut wrong = Vec::new();
        for (id, status, priority) in &jobs {
            match listed.iter().find(|job| &job.id == id) {
                None => wrong.push(format!("job {id} on screen is not the Manager's")),
                Some(job)
                    if (status.as_str(), priority.clone())
                        != (job.status.as_str(), job.priority.to_string()) =>
                {
                    wrong.push(format!(
                        "job {id}: {status} {priority} on screen, {} {} in the API",
                        job.status.as_str(),
                        job.priority
                    ))
                }
                Some(_) => {}
            }
        }
        self.browser.switch_to(&self.windows[1].1).await;
        let tasks: Vec<(String, String, String)> = read(
            &self.browser,
            rows,
            json!(["tr:has(> td > a[href*='/tasks/'])", "a[href*='/tasks/']", null]),
        )
        .await;
        let job_id = self.browser.path().await.split('/').nth(2).unwrap_or_default().to_owned();
        let known = api.tasks(&job_id).await;
        assert!(!tasks.is_empty(), "the job shows its tasks");
        for (id, status, _) in &tasks {
            match known.iter().find(|task| &task.id == id) {
                None => wrong.push(format!("task {id} on screen is not the job's")),
                Some(task) if status != task.status.as_str() => {
                    wrong.push(format!("task {id}: {status} on screen, {} in the API", task.status.as_str()))
                }
                Some(_) => {}
            }
        }
        (jobs.len(), tasks.len(), wrong)
    }

    pub async fn close(self) {
        self.driving.store(false, Ordering::SeqCst);
        self.browser.close().await;
        drop(self.farm);
    }
}

async fn read(browser: &Browser, script: &str, args: Value) -> Vec<(String, String, String)> {
    let args = args.as_array().cloned().unwrap_or_default();
    let value = browser.client.execute(script, args).await.expect("the rows can be read");
    serde_json::from_value(value).expect("rows of three strings")
}

/// Keeps the workers busy: every 2 s, requeues up to 60 finished jobs (the watched ones
/// included, so the tasks pane and the preview keep changing).
async fn drive(url: String, driving: Arc<AtomicBool>) {
    let http = reqwest::Client::new();
    while driving.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let Ok(answer) = http.get(format!("{url}/api/v3/jobs")).send().await else { continue };
        let Ok(listed) = answer.json::<JobsQueryResult>().await else { continue };
        let finished =
            listed.jobs.iter().filter(|job| matches!(job.status, JobStatus::Completed | JobStatus::Failed));
        for job in finished.take(60) {
            let change = json!({"status": "requeueing", "reason": "the soak keeps the farm busy"});
            let _ = http.post(format!("{url}/api/v3/jobs/{}/setstatus", job.id)).json(&change).send().await;
        }
    }
}

/// The one-minute load average, from `/proc/loadavg`.
fn load_average() -> f64 {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().and_then(|load| load.parse().ok()).unwrap_or(f64::NAN)
}

/// Least-squares slope of `values` over `minutes`, per hour.
fn slope_per_hour(minutes: &[f64], values: &[f64]) -> f64 {
    let n = minutes.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (mx, my) = (minutes.iter().sum::<f64>() / n, values.iter().sum::<f64>() / n);
    let sxy: f64 = minutes.iter().zip(values).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = minutes.iter().map(|x| (x - mx).powi(2)).sum();
    if sxx == 0.0 {
        0.0
    } else {
        sxy / sxx * 60.0
    }
}

/// One figure of a window's sample.
type Figure = fn(&PaneSample) -> f64;

/// The samples as a table, then each figure's first and last value and its slope per hour.
pub fn table(workers: usize, jobs: usize, samples: &[Sample]) -> String {
    let mut out = format!("\nSoak: {workers} workers, {jobs} seeded jobs, one-second tasks, 5 % failing\n");
    let _ = writeln!(
        out,
        "{:>6}  {:<12} {:>9} {:>9} {:>9} {:>9}  {:>9} {:>5}",
        "minute", "window", "JS heap", "wasm", "in use", "DOM nodes", "event", "load"
    );
    for sample in samples {
        for (index, pane) in sample.panes.iter().enumerate() {
            let (event, load) = if index == 0 {
                (format!("{:.0} ms", sample.event_ms), format!("{:.1}", sample.load))
            } else {
                (String::new(), String::new())
            };
            let _ = writeln!(
                out,
                "{:>6.1}  {:<12} {:>6.1} MB {:>6.1} MB {:>6.1} MB {:>9.0}  {:>9} {:>5}",
                sample.minutes,
                pane.pane.name(),
                pane.heap_mb,
                pane.wasm_mb,
                pane.in_use_mb,
                pane.dom_nodes,
                event,
                load
            );
        }
    }
    let minutes: Vec<f64> = samples.iter().map(|s| s.minutes).collect();
    let _ = writeln!(
        out,
        "\n{:<12} {:<10} {:>10} {:>10} {:>12}",
        "window", "figure", "first", "last", "per hour"
    );
    for pane in Pane::ALL {
        let figures: [(&str, Figure); 4] = [
            ("JS heap MB", |p| p.heap_mb),
            ("wasm MB", |p| p.wasm_mb),
            ("in use MB", |p| p.in_use_mb),
            ("DOM nodes", |p| p.dom_nodes),
        ];
        for (name, get) in figures {
            let values: Vec<f64> =
                samples.iter().filter_map(|s| s.panes.iter().find(|p| p.pane == pane).map(get)).collect();
            let (first, last) =
                (values.first().copied().unwrap_or(0.0), values.last().copied().unwrap_or(0.0));
            let slope = slope_per_hour(&minutes, &values);
            let _ =
                writeln!(out, "{:<12} {:<10} {first:>10.1} {last:>10.1} {slope:>+12.1}", pane.name(), name);
        }
    }
    let events: Vec<f64> = samples.iter().map(|s| s.event_ms).collect();
    let _ = writeln!(
        out,
        "{:<12} {:<10} {:>10.0} {:>10.0} {:>+12.1}",
        "job list",
        "event ms",
        events.first().copied().unwrap_or(0.0),
        events.last().copied().unwrap_or(0.0),
        slope_per_hour(&minutes, &events)
    );
    out
}

#[test]
fn the_slope_of_a_line_is_its_rise_per_hour() {
    assert_eq!(slope_per_hour(&[0.0, 30.0, 60.0], &[10.0, 15.0, 20.0]), 10.0);
    assert_eq!(slope_per_hour(&[0.0, 1.0], &[5.0, 5.0]), 0.0);
    assert_eq!(slope_per_hour(&[3.0], &[1.0]), 0.0);
}
