//! The hosting the README documents, run for real: Debian's nginx with `docs/hosting/nginx.conf` in
//! front of simfarm, the dashboard served from that one origin.

use std::process::Stdio;

use flamenco_api::JobStatus;
use tokio::process::Command;

use crate::support::{dist_dir, free_port, workspace_root, Browser, FarmApi, Simfarm, PATIENCE};

/// nginx running the documented configuration with its three marked values filled in.
struct Nginx {
    url: String,
    _process: tokio::process::Child,
    _dir: tempfile::TempDir,
}

impl Nginx {
    async fn start(manager_url: &str) -> Nginx {
        let documented = std::fs::read_to_string(workspace_root().join("docs/hosting/nginx.conf"))
            .expect("the documented nginx.conf");
        let port = free_port();
        let config = documented
            .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
            .replace("/srv/farmdeck/dist", &dist_dir().display().to_string())
            .replace("http://manager.lan:8080", manager_url);
        assert_ne!(config, documented, "the documented file still has the values to replace");
        let dir = tempfile::tempdir().expect("a folder for nginx");
        std::fs::write(dir.path().join("nginx.conf"), config).expect("writing nginx.conf");
        std::fs::copy("/etc/nginx/mime.types", dir.path().join("mime.types"))
            .expect("Debian's mime.types (apt-get install nginx-light)");
        let pid = dir.path().join("nginx.pid");
        let process = Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .args(["-e", "stderr", "-g"])
            // One process and no workers: when the test ends, killing it leaves nothing behind that
            // could hold the test's output open.
            .arg(format!("daemon off; master_process off; pid {};", pid.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("nginx starts (scripts/test installs it)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while reqwest::get(&url).await.is_err() {
            assert!(tokio::time::Instant::now() < deadline, "nginx did not come up on {url}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Nginx { url, _process: process, _dir: dir }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_nginx_configuration_serves_the_app_in_front_of_the_manager() {
    let farm = Simfarm::start(&[
        "--name",
        "Behind nginx",
        "--workers",
        "1",
        "--task-seconds",
        "0.3",
        "--failure-rate",
        "0",
    ])
    .await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job("Proxied job", 2)).await;
    let nginx = Nginx::start(&farm.url).await;

    let browser = Browser::start().await;
    // A deep link typed into the address bar loads the app, which then talks to the Manager through
    // nginx: the API, live updates over the WebSocket upgrade, and the job's files.
    browser.open(&format!("{}/jobs/{}", nginx.url, job.id)).await;
    browser.text("Behind nginx").await;
    browser.heading("Proxied job").await;
    browser.wait_xpath("//*[@role='status'][contains(normalize-space(),'Live')]", "the live indicator").await;
    api.wait_for_status(&job.id, JobStatus::Completed, PATIENCE).await;
    browser
        .wait_xpath(
            "//span[contains(@class,'status-badge')][normalize-space()='completed']",
            "the job completing live",
        )
        .await;
    let image = browser.wait_xpath("//img[@alt='Last rendered image']", "the last-rendered image").await;
    let loaded = browser
        .client
        .execute(
            "return arguments[0].complete && arguments[0].naturalWidth > 0;",
            vec![serde_json::to_value(&image).expect("element")],
        )
        .await
        .expect("script");
    assert_eq!(loaded, serde_json::Value::Bool(true), "the image came through /job-files/");
    browser.close().await;
}
