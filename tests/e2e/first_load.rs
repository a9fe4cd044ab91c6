//! The first load of the job list: rows that do not wait for a WebSocket that hangs, the rows before
//! anything they do not need, and a job pane with thousands of tasks that stays light while its
//! tasks change (that one in `tests/e2e_alone`). (One list fetch per load and per reconnect:
//! `jobs::the_job_list_is_fetched_…`.)

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::observe::{observed_browser, script};
use crate::support::{Browser, Simfarm, PATIENCE};

/// Milliseconds from the page's start to its first job row, waiting for it.
async fn first_row_at(browser: &Browser) -> f64 {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(at) = script(browser, "return window.__firstRow;").await.as_f64() {
            return at;
        }
        if tokio::time::Instant::now() > deadline {
            let shot = browser.screenshot("no job row").await;
            panic!("no job row within {PATIENCE:?} (screenshot: {shot})");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every request the page made: its path and when it started (ms from the page's start).
async fn requests(browser: &Browser) -> Vec<(String, f64)> {
    let entries = script(
        browser,
        "return performance.getEntriesByType('resource')
            .map(entry => [new URL(entry.name).pathname, entry.startTime]);",
    )
    .await;
    serde_json::from_value(entries).expect("a list of [path, start]")
}

/// The header's live indicator saying that updates arrive.
const LIVE: &str = "//*[@role='status'][normalize-space()='Live updates on']";

/// A proxy in front of simfarm that passes every HTTP request but holds WebSocket requests open
/// without an answer, like a proxy that neither upgrades nor refuses them.
struct HangingSocketProxy {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl HangingSocketProxy {
    async fn start(target: SocketAddr) -> HangingSocketProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let url = format!("http://{}", listener.local_addr().expect("a bound address"));
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(pass_or_hang(client, target));
            }
        });
        HangingSocketProxy { url, task }
    }
}

impl Drop for HangingSocketProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pass_or_hang(mut client: tokio::net::TcpStream, target: SocketAddr) {
    let mut head = Vec::new();
    let mut buffer = [0_u8; 4096];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        match client.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
    }
    if String::from_utf8_lossy(&head).to_ascii_lowercase().contains("upgrade: websocket") {
        // Hold the connection, say nothing.
        tokio::time::sleep(Duration::from_secs(300)).await;
        return;
    }
    let Ok(mut server) = tokio::net::TcpStream::connect(target).await else { return };
    if server.write_all(&head).await.is_ok() {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_do_not_wait_for_a_websocket_that_hangs() {
    let farm = Simfarm::start(&["--seed-jobs", "50", "--workers", "0"]).await;
    let address: SocketAddr = farm.url.trim_start_matches("http://").parse().expect("simfarm's address");
    let proxy = HangingSocketProxy::start(address).await;
    let browser = observed_browser().await;
    browser.open(&format!("{}/jobs", proxy.url)).await;
    let first_row = first_row_at(&browser).await;
    // The socket.io handshake gives up after 10 s; the rows must come long before that.
    assert!(first_row < 6000.0, "the first row came {first_row:.0} ms after the page started");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(browser.requests_to("/api/v3/jobs").await, 1, "one list fetch while the socket hangs");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_rows_come_before_anything_they_do_not_need() {
    let farm = Simfarm::start(&["--seed-jobs", "300", "--workers", "2", "--first-run"]).await;
    let browser = observed_browser().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    let first_row = first_row_at(&browser).await;
    // What waited for the rows still comes: the farm status, the first-run banner, the tag names.
    browser
        .wait_xpath("//span[contains(@class,'farm-status')][not(contains(.,'…'))]", "the farm status")
        .await;
    browser.link("Set up the Manager").await;
    browser.wait_xpath(LIVE, "the live indicator").await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    let requests = requests(&browser).await;
    let starts = |path: &str| -> Vec<f64> {
        requests.iter().filter(|(p, _)| p == path).map(|(_, start)| *start).collect()
    };
    let jobs = starts("/api/v3/jobs");
    assert_eq!(jobs.len(), 1, "one list fetch: {requests:?}");
    let waited = [
        ("/api/v3/status", true),
        ("/api/v3/worker-mgt/tags", true),
        ("/api/v3/configuration", true),
        ("/api/v3/worker-mgt/workers", true),
        ("/api/v3/jobs/types", false),
    ];
    for (path, expected) in waited {
        let at = starts(path);
        if expected {
            assert_eq!(at.len(), 1, "{path} asked for once on this load: {requests:?}");
        }
        for start in at {
            assert!(start > jobs[0], "{path} at {start:.0} ms went before the job list at {:.0} ms", jobs[0]);
            assert!(
                start > first_row,
                "{path} at {start:.0} ms went before the first row at {first_row:.0} ms"
            );
        }
    }
    assert!(starts("/preview_worker_loader.js").is_empty(), "the preview worker's code was fetched");
    assert_eq!(
        script(&browser, "return window.__workersCreated;").await,
        json!(0),
        "a Web Worker was started"
    );
    browser.close().await;
}
