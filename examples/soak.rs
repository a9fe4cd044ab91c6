//! The soak (`scripts/soak`): a busy farm (100 workers on one-second tasks, 5 % failing, 2,000
//! jobs, finished jobs requeued all along) watched for 30 minutes by one browser with the job list,
//! a job with its tasks, the workers page and a rendering job's merge preview open. Every minute
//! it samples each window's JS heap, WebAssembly memory and DOM nodes and times an event to its
//! row; it prints them with their slope per hour, then checks every job and task row on screen
//! against the API. `SOAK_MINUTES`, `SOAK_WORKERS` and `SOAK_JOBS` change the run.

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::time::Duration;

use support::soak::{table, Soak};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let (minutes, workers, jobs) =
        (setting("SOAK_MINUTES", 30), setting("SOAK_WORKERS", 100), setting("SOAK_JOBS", 2000));
    let mut soak = Soak::start(workers, jobs).await;
    // Samples on the minute for `minutes` minutes of wall time: on a machine the farm saturates, a
    // sample can take longer than a minute, and the run still ends on time (the next is taken at once).
    let end = tokio::time::Instant::now() + Duration::from_secs(60 * minutes as u64);
    let mut samples = vec![soak.sample().await];
    let mut next = tokio::time::Instant::now() + Duration::from_secs(60);
    while next <= end {
        tokio::time::sleep_until(next).await;
        samples.push(soak.sample().await);
        next = (next + Duration::from_secs(60)).max(tokio::time::Instant::now());
        eprint!("{}", table(workers, jobs, &samples));
    }
    soak.check_screen_against_api().await;
    soak.close().await;
    println!("JS heap and DOM nodes after a garbage collection, per window; wasm: the app's WebAssembly");
    println!("memory; event: a job's priority changed through the API to the frame its row showed it.");
    print!("{}", table(workers, jobs, &samples));
}
