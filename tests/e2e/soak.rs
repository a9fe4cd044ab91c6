//! `scripts/soak` on a small farm for a few samples, through the same code: every window is
//! measured, events reach their rows, and the screen equals the API at the end. The figures are
//! only printed; their flatness is the long run's to show.

use std::time::Duration;

use crate::support::soak::{table, Pane, Soak};

#[tokio::test(flavor = "multi_thread")]
async fn the_soak_samples_every_window_and_the_screen_equals_the_api_at_the_end() {
    let mut soak = Soak::start(6, 40).await;
    let mut samples = Vec::new();
    for _ in 0..3 {
        samples.push(soak.sample().await);
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    eprint!("{}", table(6, 40, &samples));
    soak.check_screen_against_api().await;
    soak.close().await;
    for sample in &samples {
        let panes: Vec<Pane> = sample.panes.iter().map(|pane| pane.pane).collect();
        assert_eq!(panes, Pane::ALL, "every window sampled");
        for pane in &sample.panes {
            for figure in [pane.heap_mb, pane.wasm_mb, pane.in_use_mb, pane.dom_nodes] {
                assert!(figure.is_finite() && figure > 0.0, "a figure that means something: {pane:?}");
            }
        }
        assert!(sample.event_ms > 0.0 && sample.event_ms < 10_000.0, "the event reached its row: {sample:?}");
    }
}
