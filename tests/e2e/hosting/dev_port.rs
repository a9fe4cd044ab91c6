//! The dashboard's files alone on port 8081, the one other origin the Manager's CORS rule admits,
//! served by Caddy with `docs/hosting/Caddyfile-8081` and a `farmdeck.json` naming the Manager: the
//! browser talks to simfarm across origins, as it would to a real Manager.

use super::caching::{check_caching, Api};
use super::caddy::Caddy;
use super::{documented, fill_in, hosted_farm, installed_dist, manager_json, use_the_dashboard, Storage};
use crate::support::PATIENCE;

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_port_8081_site_serves_the_dashboard_beside_the_manager() {
    let farm = hosted_farm("Beside port 8081").await;
    let (_app, dist) = installed_dist(&manager_json(&farm));
    let manager = farm.url.trim_start_matches("http://");
    let caddyfile = fill_in(
        &documented("Caddyfile-8081"),
        &[("/srv/farmdeck/dist", &dist.display().to_string()), ("farm.lan:8080", manager)],
    );
    // The port is not the test's to choose: the Manager admits http://localhost:8081 and no other.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while std::net::TcpListener::bind("0.0.0.0:8081").is_err() {
        assert!(tokio::time::Instant::now() < deadline, "port 8081 is taken by another program");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let caddy = Caddy::start(&caddyfile, "http://localhost:8081".to_owned()).await;
    // Checked here rather than in a test of its own: two tests would take turns on port 8081.
    check_caching(&caddy.server.url, &dist, Api::Elsewhere).await;
    use_the_dashboard(&caddy.server.url, &farm, "Beside port 8081", Storage::Elsewhere).await;
}
