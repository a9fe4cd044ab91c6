//! The documented hosts' Content-Security-Policy and the headers beside it, and the app working
//! fully under them: behind nginx, every page and feature is used and the browser's console (where
//! Chromium reports a violation, the page's and its workers') reports none.

use std::collections::HashMap;

use super::{hosted_farm, installed_dist, storage_json, TILES};
use crate::preview::tiles_in_state;
use crate::support::{Browser, FarmApi};

/// The sources each directive must allow at least, and `script-src` exactly: nothing inline, no
/// `eval`, only the app's files and the compiling of WebAssembly.
const REQUIRED: &[(&str, &[&str])] = &[
    ("default-src", &["'self'"]),
    ("script-src", &["'self'", "'wasm-unsafe-eval'"]),
    ("style-src", &["'self'"]),
    ("img-src", &["'self'", "blob:", "data:"]),
    ("connect-src", &["'self'"]),
    ("worker-src", &["'self'", "blob:"]),
    ("object-src", &["'none'"]),
    ("frame-ancestors", &["'none'"]),
];

/// What a policy allows, directive by directive.
fn directives(policy: &str) -> HashMap<&str, Vec<&str>> {
    policy
        .split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace();
            Some((words.next()?, words.collect()))
        })
        .collect()
}

/// Checks the policy, `nosniff` and `same-origin` on the app's page, a deep link and the preview
/// worker's script (a worker runs under the policy of its own script's answer).
pub(super) async fn check_security_headers(site: &str) {
    let http = reqwest::Client::new();
    for path in ["/", "/jobs/some-job", "/preview_worker_loader.js"] {
        let response = http.get(format!("{site}{path}")).send().await.expect("the host answers");
        let header = |name: &str| {
            response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or("").to_owned()
        };
        let policy = header("content-security-policy");
        let allowed = directives(&policy);
        for (directive, sources) in REQUIRED {
            let given = allowed.get(directive).cloned().unwrap_or_default();
            for source in *sources {
                assert!(given.contains(source), "{path}: {directive} allows {source} (policy: `{policy}`)");
            }
            if *directive == "script-src" || directive.ends_with("-ancestors") {
                assert_eq!(
                    given.len(),
                    sources.len(),
                    "{path}: {directive} allows no more (policy: `{policy}`)"
                );
            }
        }
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
    }
}

/// The policy violations the console reported since the last look.
pub(super) async fn csp_violations(browser: &Browser) -> Vec<String> {
    browser
        .console_messages()
        .await
        .into_iter()
        .map(|(_, text)| text)
        .filter(|text| text.contains("Content Security Policy") || text.contains("Content-Security-Policy"))
        .collect()
}

/// Fails naming every violation reported while doing `what`.
pub(super) async fn assert_no_csp_violation(browser: &Browser, what: &str) {
    let violations = csp_violations(browser).await;
    assert!(violations.is_empty(), "{what} broke the policy:\n{}", violations.join("\n"));
}

/// The check above sees a violation, the page's and a worker's: an image from another origin, and a
/// worker's request to another origin, are refused and reported.
async fn a_violation_is_seen(browser: &Browser) {
    browser
        .client
        .execute(
            "const img = document.createElement('img'); img.src = 'http://192.0.2.1/page-canary.png'; \
             document.body.append(img); \
             const code = \"fetch('http://192.0.2.1/worker-canary').catch(() => {})\"; \
             new Worker(URL.createObjectURL(new Blob([code], {type: 'text/javascript'}))); return null;",
            vec![],
        )
        .await
        .expect("script");
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    let mut seen = Vec::new();
    loop {
        seen.extend(csp_violations(browser).await);
        let reported = |canary: &str| seen.iter().any(|text| text.contains(canary));
        if reported("page-canary.png") && reported("worker-canary") {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "the refused requests were not reported: {seen:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_the_documented_nginx_every_page_works_under_its_policy_without_a_violation() {
    let farm = hosted_farm("Behind nginx").await;
    let (_app, dist) = installed_dist(&storage_json(&farm));
    let nginx = super::nginx::documented_nginx(&farm, &dist).await;
    let site = nginx.server.url.clone();
    check_security_headers(&site).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&super::paused_single_image_job(&farm)).await;
    api.set_status(&job.id, flamenco_api::JobStatus::Requeueing, "the policy test renders it").await;
    api.wait_for_status(&job.id, flamenco_api::JobStatus::Completed, std::time::Duration::from_secs(60))
        .await;

    let browser = Browser::start().await;
    browser.open(&format!("{site}/jobs")).await;
    browser.link(super::JOB_NAME).await;
    a_violation_is_seen(&browser).await;
    use_every_page(&browser, &site, &job.id).await;
    assert_no_csp_violation(&browser, "using every page").await;
    browser.close().await;
}

/// Opens each page of the app, as a link or an address would, and uses what runs code beyond the
/// page itself: the job and task panes, a task's log, the merge preview (its workers decode the
/// tiles' WebAssembly, draw from blob: URLs, export a file), the submit form's job types.
async fn use_every_page(browser: &Browser, site: &str, job_id: &str) {
    browser.open(&format!("{site}/jobs/{job_id}")).await;
    browser.link("Preview merge").await;
    let task = browser.wait_xpath("//a[contains(@href,'/tasks/')]", "a task of the job").await;
    task.click().await.expect("the task opens");
    browser.wait_xpath("//section[@aria-label='Task log']", "the task's log").await;
    assert_no_csp_violation(browser, "the job and task panes").await;

    browser.open(&format!("{site}/jobs/{job_id}/preview")).await;
    browser.heading("Merge preview").await;
    browser.wait_xpath(&tiles_in_state("placed", TILES), "every tile decoded by the workers").await;
    browser.button("Export EXR").await.click().await.expect("the merge can be exported");
    browser.wait_xpath("//a[@data-export-url]", "the exported file").await;
    assert_no_csp_violation(browser, "the merge preview").await;

    let pages = [
        ("/workers", "Workers"),
        ("/tags", "Worker tags"),
        ("/submit", "Submit a job"),
        ("/submit/simple-blender-render", "Submit: Simple Blender Render"),
        ("/preview", "Merge preview"),
        ("/settings", "Storage mappings"),
        ("/last-rendered", "Last rendered"),
        ("/notifications", "Notifications"),
        ("/manager", "Manager settings"),
        ("/problems", "Problems"),
        ("/timeline", "Timeline"),
    ];
    for (path, heading) in pages {
        browser.open(&format!("{site}{path}")).await;
        browser.heading(heading).await;
        assert_no_csp_violation(browser, path).await;
    }
}
