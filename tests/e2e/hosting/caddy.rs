//! Caddy running a documented Caddyfile as Debian's caddy service does, and `docs/hosting/Caddyfile`
//! so in front of simfarm.

use std::path::Path;

use tokio::process::Command;

use super::caching::{check_caching, Api};
use super::{
    documented, fill_in, hosted_farm, installed_dist, storage_json, storage_path, use_the_dashboard, Server,
    Storage,
};
use crate::support::{free_port, Simfarm};

/// A Caddy process and its folder.
pub(super) struct Caddy {
    pub(super) server: Server,
    _dir: tempfile::TempDir,
}

impl Caddy {
    /// Runs `caddyfile` and waits until `url` answers. Caddy's own adapter turns it into the JSON
    /// that `caddy run --config .../Caddyfile` (Debian's service) would run, with one change that is
    /// not the Caddyfile's: no admin endpoint, which Caddy 2.6 otherwise always opens on
    /// 127.0.0.1:2019, where two tests (or a Caddy installed on the machine) would collide.
    pub(super) async fn start(caddyfile: &str, url: String) -> Caddy {
        let dir = tempfile::tempdir().expect("a folder for Caddy");
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("Caddyfile"), caddyfile).expect("writing the Caddyfile");
        let adapted = std::process::Command::new("caddy")
            .args(["adapt", "--adapter", "caddyfile", "--config"])
            .arg(path("Caddyfile"))
            .output()
            .expect("caddy runs (scripts/setup.sh installs it)");
        let warnings = String::from_utf8_lossy(&adapted.stderr);
        assert!(adapted.status.success(), "Caddy cannot read the Caddyfile: {warnings}");
        assert!(!warnings.contains("\"level\":\"warn\""), "Caddy warns about the Caddyfile: {warnings}");
        let mut config: serde_json::Value = serde_json::from_slice(&adapted.stdout).expect("Caddy's JSON");
        config["admin"] = serde_json::json!({"disabled": true});
        std::fs::write(path("caddy.json"), config.to_string()).expect("writing caddy.json");
        let mut command = Command::new("caddy");
        command
            .args(["run", "--config"])
            .arg(path("caddy.json"))
            .current_dir(dir.path())
            // Where Caddy keeps its state, instead of the user's home.
            .env("HOME", path("home"))
            .env("XDG_DATA_HOME", path("data"))
            .env("XDG_CONFIG_HOME", path("config"));
        let server = Server::start(command, url, path("caddy.log")).await;
        Caddy { server, _dir: dir }
    }
}

/// Caddy with the documented Caddyfile in front of `farm`, serving the app installed in `dist`.
async fn documented_caddy(farm: &Simfarm, dist: &Path) -> Caddy {
    let port = free_port();
    let caddyfile = fill_in(
        &documented("Caddyfile"),
        &[
            (":80 {", &format!(":{port} {{")),
            ("manager.lan:8080", farm.url.trim_start_matches("http://")),
            ("/mnt/render", storage_path(farm).trim_end_matches('/')),
            ("/srv/farmdeck/dist", &dist.display().to_string()),
        ],
    );
    Caddy::start(&caddyfile, format!("http://127.0.0.1:{port}")).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_caddyfile_serves_the_dashboard_in_front_of_the_manager() {
    let farm = hosted_farm("Behind Caddy").await;
    let (_app, dist) = installed_dist(&storage_json(&farm));
    let caddy = documented_caddy(&farm, &dist).await;
    use_the_dashboard(&caddy.server.url, &farm, "Behind Caddy", Storage::Served).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_caddyfile_caches_hashed_files_for_good_and_gzips() {
    let farm = hosted_farm("Behind Caddy").await;
    let (_app, dist) = installed_dist(&storage_json(&farm));
    let caddy = documented_caddy(&farm, &dist).await;
    check_caching(&caddy.server.url, &dist, Api::Forwarded).await;
}
