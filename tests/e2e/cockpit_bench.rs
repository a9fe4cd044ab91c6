//! `scripts/bench-cockpit` on a small farm, through the same code: every view is reached, shows its
//! data and completes. Asserts what does not depend on timing; the times are only printed.

use crate::support::cockpit::{table, CockpitBench, View};

#[tokio::test(flavor = "multi_thread")]
async fn the_cockpit_benchmark_reaches_and_completes_every_view() {
    let bench = CockpitBench::start(60, 4).await;
    let mut figures = Vec::new();
    for view in View::ALL {
        figures.push(bench.measure(view).await);
    }
    eprint!("{}", table(bench.jobs, bench.workers, &figures));
    bench.close().await;
    for f in &figures {
        assert!(f.shown_ms > 0.0 && f.shown_ms <= f.complete_ms, "shown, then complete: {f:?}");
        for figure in [f.build_longest_task_ms, f.live_longest_task_ms] {
            assert!(figure.is_finite() && figure >= 0.0, "a figure that means something: {f:?}");
        }
    }
    let views: Vec<View> = figures.iter().map(|f| f.view).collect();
    assert_eq!(views, View::ALL, "every view was measured");
}
