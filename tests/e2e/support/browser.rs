//! Headless Chromium driven through chromedriver, with lookups by role and label as people find things.

use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

use super::free_port;

/// How long a test waits for something to appear before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// One Chromium session. Dropping it ends chromedriver and the browser.
pub struct Browser {
    pub client: Client,
    /// chromedriver's address, for the commands fantoccini has no method for.
    driver_url: String,
    _driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium (flags from ../shared/TOOLCHAIN.md).
    pub async fn start() -> Browser {
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start {chromedriver} (run scripts/test to install it): {error}")
            });
        let profile = tempfile::tempdir().expect("a temporary browser profile");
        let capabilities = serde_json::json!({
            // The console is kept for `console_messages` (violations of a Content-Security-Policy,
            // the page's and its workers', are reported there).
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a JSON object literal"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(error) if tokio::time::Instant::now() > deadline => {
                    panic!("chromedriver on {url} did not start a session: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser { client, driver_url: url, _driver: driver, _profile: profile }
    }

    /// Sends a Chrome DevTools Protocol command to the page's target through chromedriver
    /// (`goog/cdp/execute`) and returns its result.
    pub async fn cdp(&self, command: &str, params: serde_json::Value) -> serde_json::Value {
        let session = self.client.session_id().await.ok().flatten().expect("a WebDriver session");
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let response = reqwest::Client::new()
            .post(&url)
            .json(&serde_json::json!({"cmd": command, "params": params}))
            .send()
            .await
            .unwrap_or_else(|error| panic!("chromedriver refused {command}: {error}"));
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        assert!(status.is_success(), "{command} failed ({status}): {body}");
        body["value"].clone()
    }

    /// What the browser's console received since the last call: (level, text), e.g. `("SEVERE",
    /// "http://…/ - Refused to load …")`. chromedriver hands each message out once.
    pub async fn console_messages(&self) -> Vec<(String, String)> {
        let session = self.client.session_id().await.ok().flatten().expect("a WebDriver session");
        let url = format!("{}/session/{session}/se/log", self.driver_url);
        let response = reqwest::Client::new()
            .post(&url)
            .json(&serde_json::json!({"type": "browser"}))
            .send()
            .await
            .unwrap_or_else(|error| panic!("chromedriver did not hand out the console: {error}"));
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let entries = body["value"].as_array().cloned().unwrap_or_default();
        entries
            .iter()
            .map(|entry| {
                let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
                (text("level"), text("message"))
            })
            .collect()
    }

    /// Lets the page save downloads without asking, into a folder of this browser's profile, and
    /// returns that folder.
    pub async fn allow_downloads(&self) -> std::path::PathBuf {
        let folder = self._profile.path().join("downloads");
        std::fs::create_dir_all(&folder).expect("a downloads folder");
        let path = folder.display().to_string();
        self.cdp("Page.setDownloadBehavior", serde_json::json!({"behavior": "allow", "downloadPath": path}))
            .await;
        folder
    }

    /// Waits until the file `name` is completely saved in `folder` and reads it.
    pub async fn downloaded(&self, folder: &std::path::Path, name: &str) -> Vec<u8> {
        let (file, partial) = (folder.join(name), folder.join(format!("{name}.crdownload")));
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !file.exists() || partial.exists() {
            assert!(tokio::time::Instant::now() < deadline, "{name} was not downloaded within {PATIENCE:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::fs::read(&file).unwrap_or_else(|error| panic!("cannot read the downloaded {name}: {error}"))
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|error| panic!("cannot open {url}: {error}"));
    }

    /// Waits for an element matching an XPath expression.
    pub async fn wait_xpath(&self, xpath: &str, what: &str) -> Element {
        match self.client.wait().at_most(PATIENCE).for_element(Locator::XPath(xpath)).await {
            Ok(element) => element,
            Err(error) => {
                let shot = self.screenshot(what).await;
                panic!("{what} did not appear within {PATIENCE:?} (screenshot: {shot}): {error}")
            }
        }
    }

    /// Saves what the page shows to `target/e2e-failures/`, for a failure message to point at.
    pub async fn screenshot(&self, what: &str) -> String {
        self.screenshot_into("target/e2e-failures", what).await
    }

    /// Saves what the page shows to `target/screenshots/`, for a person to look at the pages at
    /// the sizes the tests set.
    pub async fn save_screenshot(&self, what: &str) -> String {
        self.screenshot_into("target/screenshots", what).await
    }

    async fn screenshot_into(&self, folder: &str, what: &str) -> String {
        let name: String =
            what.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' }).take(80).collect();
        let dir = super::workspace_root().join(folder);
        let path = dir.join(format!("{name}.png"));
        let Ok(png) = self.client.screenshot().await else { return "none".to_owned() };
        match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, png)) {
            Ok(()) => path.display().to_string(),
            Err(_) => "none".to_owned(),
        }
    }

    /// A `<button>` by its visible name.
    pub async fn button(&self, name: &str) -> Element {
        self.wait_xpath(
            &format!("//button[normalize-space()={}]", xpath_literal(name)),
            &format!("button \"{name}\""),
        )
        .await
    }

    /// A link by its visible name.
    pub async fn link(&self, name: &str) -> Element {
        self.wait_xpath(
            &format!("//a[normalize-space()={}]", xpath_literal(name)),
            &format!("link \"{name}\""),
        )
        .await
    }

    /// A heading (h1-h6) whose text contains `text`.
    pub async fn heading(&self, text: &str) -> Element {
        self.wait_xpath(
            &format!("//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6][contains(normalize-space(), {})]", xpath_literal(text)),
            &format!("heading \"{text}\""),
        )
        .await
    }

    /// An element with `role="alert"` whose text contains `text`.
    pub async fn alert(&self, text: &str) -> Element {
        self.wait_xpath(
            &format!("//*[@role='alert'][contains(normalize-space(), {})]", xpath_literal(text)),
            &format!("alert \"{text}\""),
        )
        .await
    }

    /// Waits until some element's own text contains `text`.
    pub async fn text(&self, text: &str) -> Element {
        self.wait_xpath(
            &format!("//*[contains(text(), {})]", xpath_literal(text)),
            &format!("text \"{text}\""),
        )
        .await
    }

    /// The input, select or textarea whose `<label>` says exactly `label` (the label wrapping the
    /// control, or pointing at it with `for=`).
    pub async fn field(&self, label: &str) -> Element {
        self.wait_xpath(&field_xpath(label), &format!("field \"{label}\"")).await
    }

    /// Types `value` into the field labelled `label`, replacing what it held (an input event follows
    /// even for an empty value, as when a person deletes the text).
    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.field(label).await;
        field.clear().await.unwrap_or_else(|error| panic!("cannot clear \"{label}\": {error}"));
        let keys = if value.is_empty() { " \u{E003}".to_owned() } else { value.to_owned() };
        field.send_keys(&keys).await.unwrap_or_else(|error| panic!("cannot type into \"{label}\": {error}"));
    }

    /// Unfolds the `<details>` section whose summary says `title`, as a person clicks it open
    /// (an open one stays open).
    pub async fn unfold(&self, title: &str) {
        let summary = self
            .wait_xpath(
                &format!("//details/summary[contains(normalize-space(), {})]", xpath_literal(title)),
                &format!("the section \"{title}\""),
            )
            .await;
        let open = self
            .client
            .find(Locator::XPath(&format!(
                "//details[@open]/summary[contains(normalize-space(), {})]",
                xpath_literal(title)
            )))
            .await
            .is_ok();
        if !open {
            summary.click().await.unwrap_or_else(|error| panic!("cannot unfold \"{title}\": {error}"));
        }
    }

    /// Scrolls `element` to the middle of the window, as a person brings what they look at into
    /// view before pointing at it.
    pub async fn centre(&self, element: &Element) {
        let element = serde_json::to_value(element).expect("an element reference");
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'})", vec![element])
            .await
            .expect("the page scrolls");
    }

    /// The current value of the field labelled `label`.
    pub async fn field_value(&self, label: &str) -> String {
        let field = self.field(label).await;
        field.prop("value").await.ok().flatten().unwrap_or_default()
    }

    /// Waits for the error message shown at the field labelled `label` (the element its
    /// `aria-describedby` names) to contain `text`.
    pub async fn field_error(&self, label: &str, text: &str) -> Element {
        self.wait_xpath(
            &format!(
                "//*[@id=({})/@aria-describedby][contains(normalize-space(), {})]",
                field_xpath(label),
                xpath_literal(text)
            ),
            &format!("error \"{text}\" at field \"{label}\""),
        )
        .await
    }

    /// Waits until no element matches `xpath`.
    pub async fn wait_gone(&self, xpath: &str, what: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !self
            .client
            .find_all(Locator::XPath(xpath))
            .await
            .map(|found| found.is_empty())
            .unwrap_or(false)
        {
            if tokio::time::Instant::now() > deadline {
                let shot = self.screenshot(what).await;
                panic!("{what} is still there after {PATIENCE:?} (screenshot: {shot})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The page's path and query, as the address bar shows them.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Whether something on the page matches `xpath` right now (without waiting for it).
    pub async fn shown_now(&self, xpath: &str) -> bool {
        !self.client.find_all(Locator::XPath(xpath)).await.expect("lookup").is_empty()
    }

    /// Lets the page record every request it makes, not only the first 250.
    pub async fn record_all_requests(&self) {
        self.client
            .execute("performance.setResourceTimingBufferSize(1000000);", vec![])
            .await
            .expect("the script runs");
    }

    /// How many requests the page has made to `path` (the query left out), from the browser's own
    /// record of them (resource timing).
    pub async fn requests_to(&self, path: &str) -> u64 {
        let script = "return performance.getEntriesByType('resource')
            .filter(entry => new URL(entry.name).pathname === arguments[0]).length;";
        let value = self
            .client
            .execute(script, vec![serde_json::Value::String(path.to_owned())])
            .await
            .expect("the script runs");
        value.as_u64().unwrap_or_else(|| panic!("no count: {value}"))
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver dies with its `Child`, but a browser it started outlives it when a test fails
        // before `close()`: left running, each keeps a core busy for the rest of the test run.
        let profile = format!("--user-data-dir={}", self._profile.path().display());
        let _ = std::process::Command::new("pkill")
            .args(["-KILL", "-f", "--", &profile])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Quotes text for XPath 1.0, which has no escape character.
pub fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// XPath for the form control labelled `label`.
pub fn field_xpath(label: &str) -> String {
    let label = xpath_literal(label);
    let control = "*[self::input or self::select or self::textarea]";
    format!("(//label[normalize-space()={label}]//{control} | //{control}[@id=//label[normalize-space()={label}]/@for])")
}
