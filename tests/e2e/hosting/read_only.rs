//! `docs/hosting/nginx-read-only.conf` installed as the README says, in front of simfarm: the
//! dashboard behind it is read-only and live, and the proxy refuses every write whatever sends it.

use std::path::Path;

use flamenco_api::JobStatus;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{
    documented, fill_in, hosted_farm, installed_dist, job_badge, paused_single_image_job, storage_json,
    storage_path, LIVE,
};
use crate::support::{free_port, Browser, FarmApi, Nginx, Simfarm};

/// The banner a read-only dashboard shows.
const BANNER: &str = "Read-only: this screen shows the farm and cannot change it.";

/// nginx with the documented read-only site file in front of `farm`, serving the app in `dist`.
async fn documented_read_only_nginx(farm: &Simfarm, dist: &Path) -> Nginx {
    let root = storage_path(farm);
    let site_file = fill_in(
        &documented("nginx-read-only.conf"),
        &[
            ("manager.lan:8080", farm.url.trim_start_matches("http://")),
            ("listen 8082;", &format!("listen 127.0.0.1:{};", free_port())),
            ("/srv/farmdeck/dist", &dist.display().to_string()),
            ("\"path\": \"/mnt/render/\"", &format!("\"path\": \"{root}\"")),
            ("alias /mnt/render/;", &format!("alias {root};")),
        ],
    );
    Nginx::start(&site_file).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_read_only_nginx_site_shows_the_farm_live_and_refuses_every_change() {
    let farm = hosted_farm("Read-only wall").await;
    // The installed app's own farmdeck.json is the full dashboard's: the site answers with its own.
    let (_app, dist) = installed_dist(&storage_json(&farm));
    let nginx = documented_read_only_nginx(&farm, &dist).await;
    let site = nginx.server.url.clone();
    super::csp::check_security_headers(&site).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&paused_single_image_job(&farm)).await;

    // Reads pass; a write of any method is refused by the proxy and changes nothing.
    let http = reqwest::Client::new();
    let job_url = format!("{site}/api/v3/jobs/{}", job.id);
    for method in [Method::GET, Method::HEAD] {
        let answer = http.request(method.clone(), &job_url).send().await.expect("nginx answers");
        assert_eq!(answer.status(), StatusCode::OK, "{method} {job_url} passes");
    }
    let writes = [
        (Method::POST, format!("{job_url}/setstatus"), json!({"status": "queued", "reason": "test"})),
        (Method::POST, format!("{job_url}/setpriority"), json!({"priority": 1})),
        (Method::DELETE, job_url.clone(), json!(null)),
        (Method::PUT, format!("{site}/api/v3/configuration/file"), json!({})),
        (Method::POST, format!("{site}/api/v3/jobs"), json!({})),
    ];
    for (method, url, body) in writes {
        let answer = http.request(method.clone(), &url).json(&body).send().await.expect("nginx answers");
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{method} {url} is refused");
    }
    let after = api.job(&job.id).await;
    assert_eq!((after.status, after.priority), (JobStatus::Paused, job.priority), "the job is as it was");

    // The dashboard through it: read-only, and live over the WebSocket.
    let browser = Browser::start().await;
    browser.open(&format!("{site}/jobs/{}", job.id)).await;
    browser.text(BANNER).await;
    browser.wait_xpath(&job_badge("paused"), "the paused job, read through the proxy").await;
    browser.wait_xpath(LIVE, "live updates on through the proxy").await;
    for action in ["Pause", "Resume", "Requeue", "Cancel", "Delete"] {
        let xpath = format!("//button[normalize-space()='{action}']");
        assert!(!browser.shown_now(&xpath).await, "no {action} button on a read-only screen");
    }
    let resumed = http
        .post(format!("{}/api/v3/jobs/{}/setstatus", farm.url, job.id))
        .json(&json!({"status": "queued", "reason": "the wrangler resumes it elsewhere"}))
        .send()
        .await
        .expect("simfarm answers");
    assert_eq!(resumed.status(), StatusCode::NO_CONTENT);
    browser.wait_xpath(&job_badge("completed"), "the job completing, shown live").await;
    super::csp::assert_no_csp_violation(&browser, "the read-only dashboard").await;
    browser.close().await;
}
