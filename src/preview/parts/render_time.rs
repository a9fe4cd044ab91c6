//! The render-time overlay: each placed tile tinted by how long Blender took to render it (from
//! its header), fastest dark and cool, slowest bright and warm; its title names the time and, on
//! a job's preview, the worker that rendered it. The switch and the legend sit in the side panel.

use leptos::prelude::*;

use crate::preview::controller::{timed_tiles, Preview, TimedTile, RAMP};

/// The section: the "Render time" switch and the legend from the fastest to the slowest tile.
#[component]
pub fn RenderTimePanel(preview: Preview) -> impl IntoView {
    let render = preview.measure.render;
    let span = Memo::new(move |_| render.seconds.with(|seconds| timed_tiles(seconds, &Default::default()).1));
    view! {
        <details class="inspector-section render-time-panel" open>
            <summary>
                <h3>"Tile render times"</h3>
            </summary>
            <div class="field-row">
                <input
                    id="render-time-overlay"
                    type="checkbox"
                    prop:checked=move || render.show.get()
                    disabled=move || span.with(Option::is_none)
                    on:change:target=move |ev| render.show.set(ev.target().checked())
                />
                <label for="render-time-overlay">"Render time"</label>
            </div>
            {move || match span.get() {
                Some((min, max)) => view! { <Legend min max /> }.into_any(),
                None => view! { <p class="muted">"No placed tile's header holds a render time yet."</p> }.into_any(),
            }}
        </details>
    }
}

/// The ramp from the fastest tile's time to the slowest's.
#[component]
fn Legend(
    /// The fastest tile's seconds.
    min: f64,
    /// The slowest tile's seconds.
    max: f64,
) -> impl IntoView {
    let steps = RAMP.iter().map(|colour| view! { <span class="ramp-step" style:background=*colour></span> });
    view! {
        <div class="render-time-legend">
            <span class="mono">{format!("{min:.2} s")}</span>
            <span class="ramp" aria-hidden="true">{steps.collect_view()}</span>
            <span class="mono">{format!("{max:.2} s")}</span>
        </div>
    }
}

/// The tinted tiles over the image, when the switch is on.
#[component]
pub fn RenderTimeOverlay(preview: Preview) -> impl IntoView {
    let render = preview.measure.render;
    let view_box = move || preview.image_view_box();
    let grid = move || preview.plan.with(|p| p.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.grid));
    let tiles = move || render.seconds.with(|s| render.workers.with(|w| timed_tiles(s, w).0));
    view! {
        <Show when=move || render.show.get()>
            <svg class="render-time-overlay" viewBox=view_box preserveAspectRatio="none" role="group" aria-label="Render time of each tile">
                <For
                    each=tiles
                    key=|t| (t.tile, t.step, t.seconds.to_bits(), t.worker.clone())
                    children=move |timed| {
                        let rect = grid().map(|g| g.core(timed.tile));
                        rect.map(|r| view! { <TimedShape timed rect=r preview /> })
                    }
                />
            </svg>
        </Show>
    }
}

/// One tinted tile; its title is its tooltip and accessible name.
#[component]
fn TimedShape(
    /// The tile, its time and step of the ramp.
    timed: TimedTile,
    /// Where it lies, in image pixels.
    rect: tilemerge::Rect,
    /// Where the hovered tile's line goes.
    preview: Preview,
) -> impl IntoView {
    let description = timed.description();
    let hover = description.clone();
    let hovered = preview.viewing.hovered;
    view! {
        <rect
            role="img"
            class="render-time-tile"
            data-tile=timed.tile.file_name()
            data-seconds=timed.seconds.to_string()
            data-step=timed.step
            data-worker=timed.worker.clone().unwrap_or_default()
            x=rect.x
            y=rect.y
            width=rect.width
            height=rect.height
            fill=RAMP.get(timed.step).copied().unwrap_or(RAMP[0])
            on:pointerenter=move |_| hovered.set(Some(hover.clone()))
            on:pointerleave=move |_| hovered.set(None)
        >
            <title>{description}</title>
        </rect>
    }
}
