//! What the page does while it loads and runs, observed from inside it: when the first job row came,
//! its long tasks, and the Web Workers it created.

use serde_json::{json, Value};

use super::Browser;

/// Installed before any script of the page runs: when the first job row came (a MutationObserver's
/// timestamp), the page's long tasks, and how many Web Workers it created.
pub const OBSERVERS: &str = r#"
    window.__firstRow = null;
    window.__longTasks = [];
    window.__workersCreated = 0;
    new MutationObserver(() => {
        if (window.__firstRow === null && document.querySelector('tr.job-row')) {
            window.__firstRow = performance.now();
        }
    }).observe(document, { childList: true, subtree: true });
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask', buffered: true });
    const PageWorker = window.Worker;
    window.Worker = class extends PageWorker {
        constructor(...args) { super(...args); window.__workersCreated += 1; }
    };
"#;

/// A browser whose pages carry [`OBSERVERS`] from their first moment.
pub async fn observed_browser() -> Browser {
    let browser = Browser::start().await;
    browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": OBSERVERS })).await;
    browser
}

/// Runs `source` in the page and returns what it returned.
pub async fn script(browser: &Browser, source: &str) -> Value {
    browser.client.execute(source, vec![]).await.unwrap_or_else(|error| panic!("{source}: {error}"))
}
