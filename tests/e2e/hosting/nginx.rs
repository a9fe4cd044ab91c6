//! `docs/hosting/nginx-site.conf` installed as the README says: the site file, its marked values
//! filled in, in the `sites-enabled/` folder of Debian's own `nginx.conf` (only its paths moved into
//! the test's folder), in front of simfarm.

use std::path::Path;

use tokio::process::Command;

use super::{
    documented, fill_in, hosted_farm, installed_dist, storage_json, storage_path, use_the_dashboard, Server,
    Storage,
};
use crate::support::free_port;

/// Debian's `/etc/nginx/nginx.conf` with what it writes and includes moved into `dir`; everything
/// else (`include /etc/nginx/mime.types`, the `http {}` block the site files land in) as shipped.
fn debian_main_config(dir: &Path) -> String {
    let debian = std::fs::read_to_string("/etc/nginx/nginx.conf")
        .expect("Debian's /etc/nginx/nginx.conf (scripts/setup.sh installs nginx-light)");
    let dir = dir.display();
    let moved = [
        ("pid /run/nginx.pid;", format!("pid {dir}/nginx.pid;")),
        ("error_log /var/log/nginx/error.log;", format!("error_log {dir}/error.log;")),
        ("access_log /var/log/nginx/access.log;", format!("access_log {dir}/access.log;")),
        ("include /etc/nginx/conf.d/*.conf;", format!("include {dir}/conf.d/*.conf;")),
        ("include /etc/nginx/sites-enabled/*;", format!("include {dir}/sites-enabled/*;")),
    ];
    moved.iter().fold(debian, |config, (from, to)| {
        assert!(config.contains(from), "Debian's nginx.conf no longer has `{from}`");
        config.replace(from, to)
    })
}

/// nginx with Debian's main configuration and the documented site file as its only site.
async fn start_nginx(site_file: &str) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a folder for nginx");
    std::fs::create_dir_all(dir.path().join("conf.d")).expect("conf.d");
    std::fs::create_dir_all(dir.path().join("sites-enabled")).expect("sites-enabled");
    std::fs::write(dir.path().join("nginx.conf"), debian_main_config(dir.path())).expect("nginx.conf");
    std::fs::write(dir.path().join("sites-enabled/farmdeck"), site_file).expect("the site file");
    let port = site_file
        .lines()
        .find_map(|line| line.trim().strip_prefix("listen 127.0.0.1:"))
        .and_then(|rest| rest.split(';').next())
        .expect("the filled-in listen address")
        .to_owned();
    let mut command = Command::new("/usr/sbin/nginx");
    // Debian's prefix stays (its nginx.conf loads modules relative to it); every path the test
    // moved is absolute.
    command
        .arg("-c")
        .arg(dir.path().join("nginx.conf"))
        .arg("-e")
        .arg(dir.path().join("startup.log"))
        // One process and no workers: when the test ends, killing it leaves nothing behind.
        .args(["-g", "daemon off; master_process off;"]);
    let server =
        Server::start(command, format!("http://127.0.0.1:{port}"), dir.path().join("stderr.log")).await;
    (server, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_nginx_site_serves_the_dashboard_in_front_of_the_manager() {
    let farm = hosted_farm("Behind nginx").await;
    let (_app, dist) = installed_dist(&storage_json(&farm));
    let port = free_port();
    let manager = farm.url.trim_start_matches("http://");
    let site_file = fill_in(
        &documented("nginx-site.conf"),
        &[
            ("manager.lan:8080", manager),
            ("listen 80;", &format!("listen 127.0.0.1:{port};")),
            ("/srv/farmdeck/dist", &dist.display().to_string()),
            ("/mnt/render/", &storage_path(&farm)),
        ],
    );
    let (nginx, _dir) = start_nginx(&site_file).await;
    use_the_dashboard(&nginx.url, &farm, "Behind nginx", Storage::Served).await;
}
