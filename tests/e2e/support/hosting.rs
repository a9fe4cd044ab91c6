//! The documented hosting set up as the README tells a person to: a web server process, the marked
//! values of a documented configuration filled in, and Debian's nginx with the documented site file.
//! Shared by the hosting tests and the load benchmark, which measures the app as it is served.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use super::{dist_dir, free_port, workspace_root, PATIENCE};

/// A web server process, killed when dropped, its log kept for failure messages.
pub struct Server {
    pub url: String,
    process: Child,
}

impl Server {
    /// Runs `command` and waits until `url` answers.
    pub async fn start(mut command: Command, url: String, log: PathBuf) -> Server {
        let log_file = std::fs::File::create(&log).expect("a log file");
        let mut process = command
            .stdout(Stdio::null())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {command:?} (run scripts/setup.sh): {error}"));
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while reqwest::get(&url).await.is_err() {
            if let Ok(Some(status)) = process.try_wait() {
                panic!("{command:?} ended ({status}): {}", std::fs::read_to_string(&log).unwrap_or_default());
            }
            assert!(tokio::time::Instant::now() < deadline, "nothing answered on {url}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { url, process }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.process.start_kill();
    }
}

/// A documented configuration with its marked values filled in, and nothing else changed. A value
/// is marked by a `# REPLACE` comment at the end of its line or on the line just above it; `values`
/// pairs each documented value with what replaces it. Every marked line must be filled in, and
/// every value must be found on a marked line: an unmarked copy of a value stays as printed, so a
/// configuration that needs one changed fails its test.
pub fn fill_in(documented: &str, values: &[(&str, &str)]) -> String {
    let mut used = vec![0; values.len()];
    let mut marked_above = false;
    let mut lines = Vec::new();
    for line in documented.lines() {
        let trimmed = line.trim_start();
        let is_comment = trimmed.starts_with('#');
        let marked = marked_above || (!is_comment && line.contains("# REPLACE"));
        marked_above = is_comment && trimmed.starts_with("# REPLACE");
        if !marked {
            lines.push(line.to_owned());
            continue;
        }
        let mut filled = line.to_owned();
        for (index, (from, to)) in values.iter().enumerate() {
            if filled.contains(from) {
                filled = filled.replace(from, to);
                used[index] += 1;
            }
        }
        assert_ne!(filled, line, "the marked line `{line}` has none of the values a test fills in");
        lines.push(filled);
    }
    for ((from, _), count) in values.iter().zip(used) {
        assert_eq!(count, 1, "`{from}` is not on exactly one marked line");
    }
    lines.join("\n") + "\n"
}

/// A file of `docs/hosting/`, as printed.
pub fn documented_config(name: &str) -> String {
    let path = workspace_root().join("docs/hosting").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// `docs/hosting/nginx-site.conf` (its text as `documented`) filled in: listening on a free local
/// port, serving `dist`, forwarding to the Manager at `manager` (`host:port`) and serving
/// `render_root` (ending in `/`).
pub fn nginx_site(documented: &str, manager: &str, dist: &Path, render_root: &str) -> String {
    let port = free_port();
    fill_in(
        documented,
        &[
            ("manager.lan:8080", manager),
            ("listen 80;", &format!("listen 127.0.0.1:{port};")),
            ("/srv/farmdeck/dist", &dist.display().to_string()),
            ("/mnt/render/", render_root),
        ],
    )
}

/// A copy of the built app, as a person puts `dist/` on the host, with a `farmdeck.json` beside
/// `index.html`. Returns the folder holding `dist/`.
pub fn installed_dist(farmdeck_json: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a folder for the installed app");
    let dist = dir.path().join("dist");
    copy_dir(&dist_dir(), &dist);
    std::fs::write(dist.join("farmdeck.json"), farmdeck_json).expect("writing farmdeck.json");
    (dir, dist)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating a folder");
    for entry in std::fs::read_dir(from).expect("reading the built app") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copying the built app");
        }
    }
}

/// Debian's `/etc/nginx/nginx.conf` with what it writes and includes moved into `dir`; everything
/// else (`include /etc/nginx/mime.types`, `gzip on`, the `http {}` block the site files land in) as
/// shipped.
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

/// nginx with Debian's main configuration and a site file as its only site.
pub struct Nginx {
    pub server: Server,
    dir: tempfile::TempDir,
}

impl Nginx {
    pub async fn start(site_file: &str) -> Nginx {
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
        Nginx { server, dir }
    }

    /// Every request nginx answered so far, from its access log (Debian's `combined` format).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        let log = std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
        log.lines().filter_map(LoggedRequest::parse).collect()
    }
}

/// One line of nginx's access log: what was asked and what went back over the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// The path and query asked for.
    pub target: String,
    pub status: u16,
    /// The body as sent (compressed, when it was).
    pub body_bytes: u64,
}

impl LoggedRequest {
    /// Reads `127.0.0.1 - - [date] "GET /path HTTP/1.1" 200 1234 "referer" "agent"`.
    fn parse(line: &str) -> Option<LoggedRequest> {
        let (_, rest) = line.split_once("] \"")?;
        let (request, rest) = rest.split_once("\" ")?;
        let mut request = request.split(' ');
        let method = request.next()?.to_owned();
        let target = request.next()?.to_owned();
        let mut figures = rest.split(' ');
        let status = figures.next()?.parse().ok()?;
        let body_bytes = figures.next()?.parse().ok()?;
        Some(LoggedRequest { method, target, status, body_bytes })
    }

    /// The path asked for, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or(&self.target)
    }
}

#[test]
fn an_access_log_line_is_read() {
    let line = r#"127.0.0.1 - - [30/Nov/2026:22:30:01 +0000] "GET /api/v3/jobs?x=1 HTTP/1.1" 200 4312 "http://127.0.0.1:1/jobs" "Mozilla/5.0 (X11)""#;
    let request = LoggedRequest::parse(line).expect("a request");
    assert_eq!(
        request,
        LoggedRequest {
            method: "GET".into(),
            target: "/api/v3/jobs?x=1".into(),
            status: 200,
            body_bytes: 4312
        }
    );
    assert_eq!(request.path(), "/api/v3/jobs");
    assert_eq!(LoggedRequest::parse("garbage"), None);
}
