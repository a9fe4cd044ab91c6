//! Benchmark: the wrangler's views (Problems, a job's failure triage, the worker timeline) on a farm
//! of 10,000 jobs with 100 workers rendering, against the job list measured in the same run. Prints
//! for each view the time to show its data and to complete it, and the longest main-thread task while
//! it was built and during 5 s of live updates after.
//!
//! Run with `scripts/bench-cockpit` (it builds the app and simfarm first).

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use support::cockpit::{self, CockpitBench, View};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let (jobs, workers) = (10_000, 100);
    let bench = CockpitBench::start(jobs, workers).await;
    let mut figures = Vec::new();
    for view in View::ALL {
        figures.push(bench.measure(view).await);
        eprint!("{}", cockpit::table(jobs, workers, &figures));
    }
    bench.close().await;
    println!("Shown: navigation inside the app to the frame after the view first showed its data.");
    println!("Complete: to the frame after it read all it needs (triage: every failed task's failure;");
    println!("Problems: the tasks of every active job). x list: complete against the job list's. Longest");
    println!(
        "task: main-thread tasks over 50 ms while it was built; live: during 5 s of live updates after.\n"
    );
    print!("{}", cockpit::table(jobs, workers, &figures));
}
