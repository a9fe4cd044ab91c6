//! `docs/hosting/nginx-site.conf` installed as the README says: the site file, its marked values
//! filled in, in the `sites-enabled/` folder of Debian's own `nginx.conf` (only its paths moved into
//! the test's folder), in front of simfarm.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::caching::{check_caching, is_hashed, Api};
use super::{
    documented, hosted_farm, installed_dist, storage_json, storage_path, use_the_dashboard, Storage,
};
use crate::support::{nginx_site, Browser, LoggedRequest, Nginx, Simfarm};

/// nginx with the documented site file in front of `farm`, serving the app installed in `dist`.
pub(super) async fn documented_nginx(farm: &Simfarm, dist: &Path) -> Nginx {
    let manager = farm.url.trim_start_matches("http://");
    let site_file = nginx_site(&documented("nginx-site.conf"), manager, dist, &storage_path(farm));
    Nginx::start(&site_file).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_nginx_site_serves_the_dashboard_in_front_of_the_manager() {
    let farm = hosted_farm("Behind nginx").await;
    let (_app, dist) = installed_dist(&storage_json(&farm));
    let nginx = documented_nginx(&farm, &dist).await;
    use_the_dashboard(&nginx.server.url, &farm, "Behind nginx", Storage::Served).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_nginx_site_caches_hashed_files_for_good_and_gzips() {
    let farm = hosted_farm("Behind nginx").await;
    let (_app, dist) = installed_dist(&storage_json(&farm));
    let nginx = documented_nginx(&farm, &dist).await;
    check_caching(&nginx.server.url, &dist, Api::Forwarded).await;
}

/// Dates every file of the installed app a week back, as on a host where the build has been up for
/// a while: a browser would guess such a file fresh for hours unless told to ask.
fn deployed_a_week_ago(dist: &Path) {
    let week_ago = SystemTime::now() - Duration::from_secs(7 * 24 * 3600);
    for entry in std::fs::read_dir(dist).expect("the installed app").flatten() {
        if !entry.file_type().map(|kind| kind.is_file()).unwrap_or(false) {
            continue;
        }
        let file = std::fs::File::options().write(true).open(entry.path()).expect("an installed file");
        file.set_modified(week_ago).expect("dating the file");
    }
}

/// Opens the jobs page and waits for its rows; returns what nginx served meanwhile.
async fn visit_jobs_page(browser: &Browser, nginx: &Nginx) -> Vec<LoggedRequest> {
    let before = nginx.requests().len();
    browser.open("about:blank").await;
    browser.open(&format!("{}/jobs", nginx.server.url)).await;
    browser.wait_xpath("//tr[contains(@class,'job-row')]", "the job list's rows").await;
    // After the rows the app fetches the job pane's code in the background: wait until it is in,
    // and nothing new was asked for a moment, so each visit's requests are its own.
    browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             let seen = -1;
             const settled = () => {
               const entries = performance.getEntriesByType('resource');
               const jobPane = entries.some(entry => /job_pane-[0-9a-f]+\\.wasm$/.test(entry.name));
               if (jobPane && entries.length === seen) { done(true); return; }
               seen = entries.length;
               setTimeout(settled, 300);
             };
             settled();",
            vec![],
        )
        .await
        .expect("the background downloads end");
    nginx.requests().split_off(before)
}

fn is_api(request: &LoggedRequest) -> bool {
    request.path().starts_with("/api/") || request.path().starts_with("/socket.io/")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_visit_behind_the_documented_nginx_site_downloads_only_the_managers_data() {
    let farm = Simfarm::start(&["--name", "Behind nginx", "--seed-jobs", "30", "--workers", "0"]).await;
    let (_app, dist) = installed_dist(&storage_json(&farm));
    deployed_a_week_ago(&dist);
    let nginx = documented_nginx(&farm, &dist).await;
    let browser = Browser::start().await;

    let first = visit_jobs_page(&browser, &nginx).await;
    let wasm = first
        .iter()
        .find(|request| request.path().ends_with("_bg.wasm") && is_hashed(request.path()))
        .unwrap_or_else(|| panic!("the first visit downloads the app's wasm: {first:#?}"));
    let wasm_size =
        std::fs::metadata(dist.join(wasm.path().trim_start_matches('/'))).expect("the wasm").len();
    assert!(wasm.body_bytes < wasm_size, "the wasm went over the wire gzip'd: {wasm:?}, {wasm_size} on disk");

    let second = visit_jobs_page(&browser, &nginx).await;
    let (api, files): (Vec<_>, Vec<_>) = second.iter().partition(|request| is_api(request));
    assert!(
        api.iter().any(|request| request.path() == "/api/v3/jobs"
            && request.status == 200
            && request.body_bytes > 0),
        "the second visit fetches the job list: {api:#?}"
    );
    let hashed: Vec<_> = files.iter().filter(|request| is_hashed(request.path())).collect();
    assert!(hashed.is_empty(), "hashed files come from the browser's cache without asking: {hashed:#?}");
    let downloaded: Vec<_> =
        files.iter().filter(|request| request.status != 304 || request.body_bytes > 0).collect();
    assert!(downloaded.is_empty(), "only the Manager's data goes over the wire again: {downloaded:#?}");
    assert!(
        files.iter().any(|request| request.path() == "/jobs"),
        "the page itself (index.html) is asked for again, and answered 304: {files:#?}"
    );

    // The browser's own account: every piece of code came from its cache or cost a 304.
    let code_transferred = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')
                .filter(entry => /\\.(wasm|js|css)$/.test(new URL(entry.name).pathname))
                .filter(entry => entry.transferSize > 0 && entry.responseStatus !== 304)
                .map(entry => entry.name + ': ' + entry.transferSize);",
            vec![],
        )
        .await
        .expect("the page answers");
    assert_eq!(code_transferred, serde_json::json!([]), "code downloaded again on the second visit");
    browser.close().await;
}
