//! How far the merge is, with Cancel.

use leptos::prelude::*;

use crate::preview::controller::{ExportState, Preview};
use crate::preview::model::{FrameFigures, Progress};

/// The progress bar: tiles decoded of those sent, and bytes.
#[component]
pub fn MergeProgress(preview: Preview) -> impl IntoView {
    let progress = Memo::new(move |_| {
        preview.plan.with(|plan| match plan {
            Some(Ok(plan)) => plan.progress(),
            _ => Progress::default(),
        })
    });
    let percent = move || {
        let p = progress.get();
        if p.tiles_total == 0 {
            0.0
        } else {
            100.0 * p.tiles_done as f64 / p.tiles_total as f64
        }
    };
    // Cancel stops the workers, so it also stops an export being written.
    let exporting = move || preview.export.with(|e| *e == ExportState::Working);
    let running = move || preview.live.get() && (!progress.get().is_finished() || exporting());
    view! {
        <div class="merge-progress">
            <div
                class="progress merge-bar"
                role="progressbar"
                aria-label="Tiles decoded"
                aria-valuemin="0"
                aria-valuemax=move || progress.get().tiles_total
                aria-valuenow=move || progress.get().tiles_done
                aria-valuetext=move || progress.get().text()
            >
                <span class="progress-fill" style:width=move || format!("{:.0}%", percent())></span>
            </div>
            <span class="merge-progress-text">{move || progress.get().text()}</span>
            <button type="button" class="danger small" disabled=move || !running() on:click=move |_| preview.stop()>
                "Cancel"
            </button>
            {move || preview.frame.get().map(|frame| view! { <FrameLine frame /> })}
        </div>
    }
}

/// How long the full frame took and the memory it needed (the benchmark reads the `data-*`,
/// with where the time went).
#[component]
fn FrameLine(
    /// The figures of the first full frame.
    frame: FrameFigures,
) -> impl IntoView {
    let ms = |v: f64| format!("{v:.1}");
    let t = frame.times;
    view! {
        <span
            class="muted merge-figures"
            data-frame-ms=frame.millis.round().to_string()
            data-first-tile-ms=t.first_tile.map(ms).unwrap_or_default()
            data-placed-ms=ms(t.all_placed)
            data-read-ms=ms(t.reading)
            data-worker-tile-ms=ms(t.worker_tiles)
            data-worker-render-ms=ms(t.worker_render)
            data-draw-ms=ms(t.drawing)
            data-workers=frame.workers.to_string()
            data-worker-peak-bytes=frame.worker_bytes.to_string()
            data-page-wasm-bytes=frame.page_bytes.to_string()
        >
            {frame.text()}
        </span>
    }
}
