//! What the end-to-end tests start: Chromium through chromedriver, simfarm, or a plain static server.

mod browser;
pub mod cockpit;
mod farm;
pub mod fault_proxy;
mod hosting;
// The 16K run is examples/bench_preview_big.rs; the tests run it on a small set.
#[allow(dead_code)]
pub mod levels_bench;
// The benchmark's whole matrix runs in examples/bench_load.rs; the tests run one cell of it.
#[allow(dead_code)]
pub mod load;
pub mod observe;
mod servers;
pub mod soak;
pub mod submit_form;
mod windows;

pub use browser::{xpath_literal, Browser, PATIENCE};
pub use farm::FarmApi;
pub use fault_proxy::FaultProxy;
pub use hosting::{documented_config, fill_in, installed_dist, nginx_site, LoggedRequest, Nginx, Server};
pub use servers::{free_port, Simfarm, StaticSite};

use std::path::PathBuf;

/// The workspace root (this package's directory).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The release build of the app: `$FARMDECK_DIST`, or `dist/` as `trunk build --release` leaves it.
pub fn dist_dir() -> PathBuf {
    let dist =
        std::env::var_os("FARMDECK_DIST").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dist.join("index.html").is_file(),
        "no built app at {}: run scripts/test (it builds the app with trunk first)",
        dist.display()
    );
    dist
}
