//! The first load of the jobs page as a person gets it: the release build behind the documented nginx
//! site (gzip'd, cached as the site says) in front of simfarm, opened in Chromium under emulated CPU
//! and network conditions with a cold or a warm cache. Measures bytes over the wire by kind (from
//! nginx's own log), the job-list requests, the time to the first rows painted and the longest
//! main-thread task, against the floor: the time the same browser needs just to download and
//! `JSON.parse` the same job list. Used by `scripts/bench-load` and, one cell, by its smoke test.

use std::time::Duration;

use serde_json::{json, Value};

use super::{
    documented_config, installed_dist, nginx_site, Browser, LoggedRequest, Nginx, Simfarm, PATIENCE,
};

/// The request `ManagerClient::fetch_jobs` makes for the job list.
pub const JOB_LIST: &str = "/api/v3/jobs";

/// Installed in every document before its own scripts run: records the long tasks and the time the
/// first job row was painted (the frame after it appeared), both from navigation start.
const OBSERVERS: &str = r#"
window.__loadBench = { firstRows: null, longTasks: [] };
try {
  new PerformanceObserver(list => {
    for (const task of list.getEntries()) window.__loadBench.longTasks.push([task.startTime, task.duration]);
  }).observe({ type: 'longtask', buffered: true });
} catch (error) {}
const painted = () => requestAnimationFrame(() => { window.__loadBench.firstRows = performance.now(); });
const rowsObserver = new MutationObserver(() => {
  if (document.querySelector('tr.job-row')) { rowsObserver.disconnect(); painted(); }
});
rowsObserver.observe(document, { childList: true, subtree: true });
"#;

/// Resolves with the time the first rows were painted, once they were.
const FIRST_ROWS: &str = r#"
const done = arguments[arguments.length - 1];
const check = () => window.__loadBench && window.__loadBench.firstRows !== null
  ? done(window.__loadBench.firstRows)
  : setTimeout(check, 25);
check();
"#;

/// Resolves with `[milliseconds, jobs]`: the job list fetched past every cache and parsed.
const FLOOR: &str = r#"
const [url, done] = [arguments[0], arguments[arguments.length - 1]];
const started = performance.now();
fetch(url, { cache: 'no-store' })
  .then(response => response.text())
  .then(text => { const list = JSON.parse(text); done([performance.now() - started, list.jobs.length]); })
  .catch(error => done(String(error)));
"#;

/// The browser's HTTP cache when the page is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// Emptied first, as on a first visit.
    Cold,
    /// As the visit before left it.
    Warm,
}

/// Chrome's network emulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Unthrottled,
    /// 10 Mbit/s each way, 40 ms round trips: a farm's Wi-Fi or a good mobile link.
    Throttled,
}

impl Network {
    fn conditions(self) -> Value {
        match self {
            Network::Unthrottled => {
                json!({"offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
            }
            Network::Throttled => json!({
                "offline": false, "latency": 40,
                "downloadThroughput": 10_000_000 / 8, "uploadThroughput": 10_000_000 / 8,
            }),
        }
    }
}

/// What a request's body was, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The app's files: wasm, JS, CSS and the HTML (a deep link is answered with index.html).
    Code,
    /// The Manager's answers under `/api/`.
    Data,
    /// Anything else: farmdeck.json.
    Other,
    /// The live channel, which stays open (its log line lands when it closes).
    Live,
}

impl Kind {
    fn of(request: &LoggedRequest) -> Kind {
        let path = request.path();
        if path.starts_with("/api/") {
            Kind::Data
        } else if path.starts_with("/socket.io/") {
            Kind::Live
        } else if path.ends_with(".json") {
            Kind::Other
        } else {
            Kind::Code
        }
    }
}

/// What one visit of the jobs page measured. Bytes are bodies as sent (gzip'd where they were).
#[derive(Debug, Clone)]
pub struct Visit {
    pub cache: Cache,
    pub code_bytes: u64,
    pub data_bytes: u64,
    pub other_bytes: u64,
    pub list_requests: usize,
    pub first_rows_ms: f64,
    /// The longest main-thread task until the page was quiet; 0 when none passed 50 ms.
    pub longest_task_ms: f64,
}

impl Visit {
    fn new(cache: Cache, requests: &[LoggedRequest], first_rows_ms: f64, longest_task_ms: f64) -> Visit {
        let bytes = |kind: Kind| -> u64 {
            requests
                .iter()
                .filter(|request| Kind::of(request) == kind)
                .map(|request| request.body_bytes)
                .sum()
        };
        Visit {
            cache,
            code_bytes: bytes(Kind::Code),
            data_bytes: bytes(Kind::Data),
            other_bytes: bytes(Kind::Other),
            list_requests: requests
                .iter()
                .filter(|request| request.method == "GET" && request.path() == JOB_LIST)
                .count(),
            first_rows_ms,
            longest_task_ms,
        }
    }
}

/// One cell of the benchmark's matrix: a visit under given conditions, and the floor under the same.
#[derive(Debug, Clone)]
pub struct Cell {
    pub jobs: usize,
    pub cpu_slowdown: u32,
    pub network: Network,
    pub visit: Visit,
    /// Download and `JSON.parse` of the job list alone, in ms (the median of three).
    pub floor_ms: f64,
}

impl Cell {
    pub fn first_rows_ratio(&self) -> f64 {
        self.visit.first_rows_ms / self.floor_ms
    }

    pub fn longest_task_ratio(&self) -> f64 {
        self.visit.longest_task_ms / self.floor_ms
    }
}

/// A farm of `jobs` jobs behind the documented nginx site, and one Chromium to open it.
pub struct LoadBench {
    pub jobs: usize,
    browser: Browser,
    nginx: Nginx,
    _farm: Simfarm,
    _app: tempfile::TempDir,
}

impl LoadBench {
    pub async fn start(jobs: usize) -> LoadBench {
        let seed = jobs.to_string();
        let farm = Simfarm::start(&["--seed-jobs", &seed, "--workers", "0"]).await;
        let render_root = format!("{}/", farm.render_root().display());
        let farmdeck_json = json!({"storage_mappings": [{"path": render_root, "url": "/render/"}]});
        let (app, dist) = installed_dist(&farmdeck_json.to_string());
        let manager = farm.url.trim_start_matches("http://");
        let site_file = nginx_site(&documented_config("nginx-site.conf"), manager, &dist, &render_root);
        let nginx = Nginx::start(&site_file).await;
        let browser = Browser::start().await;
        let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(300)), None, None);
        browser.client.update_timeouts(timeouts).await.expect("script timeout");
        browser.cdp("Network.enable", json!({})).await;
        browser.cdp("Page.enable", json!({})).await;
        browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({"source": OBSERVERS})).await;
        LoadBench { jobs, browser, nginx, _farm: farm, _app: app }
    }

    fn site(&self) -> &str {
        &self.nginx.server.url
    }

    /// Opens a tiny page of the site without the app: the same origin, so the conditions and the
    /// connection are those the app gets.
    async fn open_blank(&self) {
        self.browser.open(&format!("{}/farmdeck.json", self.site())).await;
    }

    async fn emulate(&self, cpu_slowdown: u32, network: Network) {
        self.browser.cdp("Emulation.setCPUThrottlingRate", json!({"rate": cpu_slowdown})).await;
        self.browser.cdp("Network.emulateNetworkConditions", network.conditions()).await;
    }

    /// Opens the jobs page with the browser's cache as `cache` says, and measures it.
    async fn visit(&self, cache: Cache) -> Visit {
        self.open_blank().await;
        if cache == Cache::Cold {
            self.browser.cdp("Network.clearBrowserCache", json!({})).await;
        }
        let before = self.nginx.requests().len();
        self.browser.open(&format!("{}/jobs", self.site())).await;
        let first_rows =
            self.browser.client.execute_async(FIRST_ROWS, vec![]).await.expect("the page answers");
        let first_rows_ms = first_rows.as_f64().unwrap_or_else(|| panic!("a time, not {first_rows}"));
        self.wait_until_quiet().await;
        let tasks = self
            .browser
            .client
            .execute("return window.__loadBench.longTasks.map(task => task[1]);", vec![])
            .await
            .expect("the page answers");
        let longest_task_ms = tasks
            .as_array()
            .map(|tasks| tasks.iter().filter_map(Value::as_f64).fold(0.0, f64::max))
            .unwrap_or_else(|| panic!("long tasks, not {tasks}"));
        let requests = self.nginx.requests().split_off(before);
        Visit::new(cache, &requests, first_rows_ms, longest_task_ms)
    }

    /// Waits until nginx has answered nothing new for a second: the page has loaded what it loads.
    async fn wait_until_quiet(&self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut seen = self.nginx.requests().len();
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = self.nginx.requests().len();
            if now == seen || tokio::time::Instant::now() > deadline {
                return;
            }
            seen = now;
        }
    }

    /// The floor: the job list fetched past the cache and parsed in a page without the app, under
    /// the conditions set; the median of three.
    async fn floor(&self) -> f64 {
        self.open_blank().await;
        let mut times = Vec::new();
        for _ in 0..3 {
            let answer = self
                .browser
                .client
                .execute_async(FLOOR, vec![Value::from(JOB_LIST)])
                .await
                .expect("the page answers");
            let time = answer[0].as_f64().unwrap_or_else(|| panic!("a time, not {answer}"));
            assert_eq!(answer[1].as_u64(), Some(self.jobs as u64), "the whole job list: {answer}");
            times.push(time);
        }
        times.sort_by(f64::total_cmp);
        times[1]
    }

    /// A cold visit, then a warm one, and the floor, all under the same conditions.
    pub async fn measure(&self, cpu_slowdown: u32, network: Network) -> [Cell; 2] {
        self.emulate(cpu_slowdown, network).await;
        let cold = self.visit(Cache::Cold).await;
        let warm = self.visit(Cache::Warm).await;
        let floor_ms = self.floor().await;
        self.emulate(1, Network::Unthrottled).await;
        [cold, warm].map(|visit| Cell { jobs: self.jobs, cpu_slowdown, network, visit, floor_ms })
    }

    pub async fn close(self) {
        self.browser.close().await;
    }
}

const HEADERS: [&str; 12] = [
    "jobs",
    "cache",
    "CPU",
    "network",
    "code (B)",
    "data (B)",
    "other (B)",
    "list requests",
    "first rows (ms)",
    "x floor",
    "longest task (ms)",
    "x floor",
];

fn columns(cell: &Cell) -> [String; 12] {
    let visit = &cell.visit;
    [
        cell.jobs.to_string(),
        format!("{:?}", visit.cache).to_lowercase(),
        format!("{}x", cell.cpu_slowdown),
        match cell.network {
            Network::Unthrottled => "unthrottled".to_owned(),
            Network::Throttled => "10 Mbit/s, 40 ms".to_owned(),
        },
        visit.code_bytes.to_string(),
        visit.data_bytes.to_string(),
        visit.other_bytes.to_string(),
        visit.list_requests.to_string(),
        format!("{:.0}", visit.first_rows_ms),
        format!("{:.2}", cell.first_rows_ratio()),
        format!("{:.0}", visit.longest_task_ms),
        format!("{:.2}", cell.longest_task_ratio()),
    ]
}

/// The figures as a plain table, each cell's floor after it.
pub fn table(cells: &[Cell]) -> String {
    let mut rows = vec![HEADERS.map(str::to_owned).to_vec()];
    rows.extend(cells.iter().map(|cell| columns(cell).to_vec()));
    let widths: Vec<usize> = (0..HEADERS.len())
        .map(|column| rows.iter().map(|row| row[column].len()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for (row, cell) in rows.iter().zip(std::iter::once(None).chain(cells.iter().map(Some))) {
        let line: Vec<String> =
            row.iter().zip(&widths).map(|(value, width)| format!("{value:>width$}")).collect();
        text.push_str(&line.join("  "));
        match cell {
            Some(cell) => text.push_str(&format!("  (floor {:.0} ms)\n", cell.floor_ms)),
            None => text.push('\n'),
        }
    }
    text
}

/// The figures as a Markdown table, ready for the README.
pub fn markdown(cells: &[Cell]) -> String {
    let mut text = format!("| {} | floor (ms) |\n", HEADERS.join(" | "));
    text.push_str(&format!("|{}\n", "---|".repeat(HEADERS.len() + 1)));
    for cell in cells {
        text.push_str(&format!("| {} | {:.0} |\n", columns(cell).join(" | "), cell.floor_ms));
    }
    text
}
