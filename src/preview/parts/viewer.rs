//! The merged image: one compact toolbar, the zoomable viewport with the tile grid over the
//! canvas (it takes the room the page has), and the hovered tile's line.

use leptos::prelude::*;

use super::levels::LevelsNote;
use super::view_toolbar::{ViewToolbar, ZoomBar};
use super::viewport::Viewport;
use crate::preview::controller::Preview;

/// Everything about looking at the merged image.
#[component]
pub fn Viewer(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    // A new pass, channel or exposure is drawn again by the workers.
    Effect::new(move |_| {
        preview.pass.track();
        preview.exposure.track();
        viewing.channel.track();
        preview.render();
    });
    // A new image is fitted to the viewport.
    let image = Memo::new(move |_| {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => Some(plan.grid.image),
            _ => None,
        })
    });
    Effect::new(move |_| {
        if image.get().is_some() {
            preview.fit();
        }
    });
    // A view of a frame held as levels gets its detail once it rests.
    Effect::new(move |_| {
        viewing.transform.track();
        preview.view_changed();
    });
    // The probe reads again where it is, for the pass on screen.
    Effect::new(move |_| {
        viewing.probe.track();
        preview.pass.track();
        preview.request_probe();
    });
    // A fitted view stays fitted when the window changes; a zoomed one stays in bounds.
    let resized = window_event_listener(leptos::ev::resize, move |_| preview.refit());
    on_cleanup(move || resized.remove());
    let hovered = move || {
        viewing.hovered.get().unwrap_or_else(|| "Wheel or pinch to zoom, drag to pan, click to pin the probe; point at a tile for its name and state."
            .to_string())
    };
    view! {
        <div class="preview-view">
            <div class="viewer-toolbar">
                <ViewToolbar preview />
                <ZoomBar preview />
            </div>
            <LevelsNote preview />
            <Viewport preview />
            <p class="tile-hover muted">{hovered}</p>
        </div>
    }
}
