//! Benchmark: the first load of the jobs page, served as in production (the release build behind the
//! documented nginx site, gzip'd) in front of simfarm with 100 and 10,000 jobs, in headless Chromium
//! with a cold and a warm cache, the CPU at 1x and 4x slowdown, the network unthrottled and at
//! 10 Mbit/s with 40 ms round trips. Prints bytes over the wire by kind, job-list requests, time to
//! the first rows and the longest main-thread task, each time against the floor: downloading and
//! `JSON.parse`-ing the same job list alone, in the same browser under the same conditions.
//!
//! Run with `scripts/bench-load` (it builds the app and simfarm first).

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use support::load::{self, LoadBench, Network};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut cells = Vec::new();
    for jobs in [100, 10_000] {
        let bench = LoadBench::start(jobs).await;
        for cpu_slowdown in [1, 4] {
            for network in [Network::Unthrottled, Network::Throttled] {
                let measured = bench.measure(cpu_slowdown, network).await;
                eprint!("{}", load::table(&measured));
                cells.extend(measured);
            }
        }
        bench.close().await;
    }
    println!(
        "Bytes are bodies as sent (gzip'd), from nginx's log: code = wasm, JS, CSS, HTML; data = /api/;"
    );
    println!("other = farmdeck.json. First rows: navigation start to the frame after the first job row");
    println!(
        "appeared. Longest task: 0 when none passed 50 ms. x floor: against downloading and JSON.parse-ing"
    );
    println!("the job list alone under the same conditions.\n");
    print!("{}", load::table(&cells));
    println!();
    print!("{}", load::markdown(&cells));
}
