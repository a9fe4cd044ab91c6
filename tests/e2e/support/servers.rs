//! The servers a test puts behind the browser.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{dist_dir, workspace_root};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free local port");
    listener.local_addr().expect("a bound address").port()
}

/// The built app served as plain static files, with no Manager behind it, like a host that serves
/// the dashboard on port 8081 next to a Manager.
pub struct StaticSite {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl StaticSite {
    pub async fn start() -> StaticSite {
        let dist = dist_dir();
        let index = dist.join("index.html");
        let service =
            tower_http::services::ServeDir::new(&dist).fallback(tower_http::services::ServeFile::new(index));
        let app = axum::Router::new().fallback_service(service);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let address = listener.local_addr().expect("a bound address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        StaticSite { url: format!("http://{address}"), task }
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A simfarm process serving the built app on its own origin, as a Manager behind a proxy would.
pub struct Simfarm {
    pub url: String,
    address: SocketAddr,
    args: Vec<String>,
    child: Child,
    renders: tempfile::TempDir,
}

impl Simfarm {
    /// The simfarm binary: `$SIMFARM_BIN`, or the debug build `scripts/test` makes.
    fn binary() -> PathBuf {
        let binary = std::env::var_os("SIMFARM_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target/debug/simfarm"));
        assert!(binary.is_file(), "no simfarm binary at {}: run scripts/test", binary.display());
        binary
    }

    /// Starts simfarm on a free port with `args` on top of serving the app.
    pub async fn start(args: &[&str]) -> Simfarm {
        let renders = tempfile::tempdir().expect("a temporary render root");
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        let (child, address) = spawn(&args, "127.0.0.1:0", renders.path()).await;
        Simfarm { url: format!("http://{address}"), address, args, child, renders }
    }

    /// Starts simfarm on `address` (`127.0.0.1:<port>`), e.g. a Manager the page was told about
    /// before it was running.
    pub async fn start_at(address: &str, args: &[&str]) -> Simfarm {
        let renders = tempfile::tempdir().expect("a temporary render root");
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        let (child, address) = spawn(&args, address, renders.path()).await;
        Simfarm { url: format!("http://{address}"), address, args, child, renders }
    }

    /// Where this simfarm writes its render output.
    pub fn render_root(&self) -> &Path {
        self.renders.path()
    }

    /// Stops the process, as when a Manager goes down.
    pub async fn stop(&mut self) {
        let _ = self.child.kill().await;
        let _ = self.child.wait().await;
    }

    /// Starts a fresh farm again on the same address (the Manager coming back).
    pub async fn restart(&mut self) {
        self.stop().await;
        let address = self.address.to_string();
        let (child, _) = spawn(&self.args, &address, self.renders.path()).await;
        self.child = child;
    }
}

async fn spawn(args: &[String], listen: &str, render_root: &Path) -> (Child, SocketAddr) {
    let binary = Simfarm::binary();
    let mut child = Command::new(&binary)
        .args(["--listen", listen, "--serve-app"])
        .arg(dist_dir())
        .arg("--render-root")
        .arg(render_root)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let stdout = child.stdout.take().expect("simfarm's stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let address = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("simfarm: listening on http://") {
                return url.trim().parse::<SocketAddr>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .expect("simfarm prints `simfarm: listening on http://<addr>` when it is ready");
    // Keep draining stdout so simfarm never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}
