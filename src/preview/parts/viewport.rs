//! The image in its viewport: the canvas and the overlays in one stack that is zoomed and panned
//! together with a CSS transform, so the overlays stay in image pixels.

use leptos::prelude::*;
use web_sys::{PointerEvent, WheelEvent};

use super::levels::DetailLayer;
use super::rect_stats::RectMark;
use super::render_time::RenderTimeOverlay;
use super::tile_overlay::{ProbeMark, TileOverlay};
use super::wipe::{CompareLayers, SidePane, WipeDivider};
use super::SeamOverlay;
use crate::preview::controller::Preview;

/// The viewport: wheel and pinch zoom, drag pans, the pointer moves the probe and a click pins it;
/// with the keyboard, arrows move the probe and `+`, `-`, `0`, `1` zoom.
#[component]
pub fn Viewport(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    let size = move || {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => (plan.grid.image.width, plan.grid.image.height),
            _ => (0, 0),
        })
    };
    let at = |ev: &PointerEvent| (ev.pointer_id(), f64::from(ev.client_x()), f64::from(ev.client_y()));
    let on_down = move |ev: PointerEvent| {
        if let Some(viewport) = viewing.viewport.get_untracked() {
            // Keeps the drag going when the pointer leaves the viewport; failing only loses that.
            let _ = viewport.set_pointer_capture(ev.pointer_id());
        }
        let (id, x, y) = at(&ev);
        preview.pointer_down(id, x, y);
    };
    let on_wheel = move |ev: WheelEvent| {
        // The page must not scroll while the image zooms.
        ev.prevent_default();
        preview.wheel(f64::from(ev.client_x()), f64::from(ev.client_y()), ev.delta_y(), ev.delta_mode());
    };
    view! {
        <div
            class="preview-viewport"
            node_ref=viewing.viewport
            tabindex="0"
            role="group"
            aria-label="Image view"
            aria-describedby="preview-viewport-keys"
            on:pointerdown=on_down
            on:pointermove=move |ev| {
                let (id, x, y) = at(&ev);
                preview.pointer_move(id, x, y);
            }
            on:pointerup=move |ev| {
                let (id, x, y) = at(&ev);
                preview.pointer_up(id, x, y, false);
            }
            on:pointercancel=move |ev| {
                let (id, x, y) = at(&ev);
                preview.pointer_up(id, x, y, true);
            }
            on:wheel=on_wheel
            on:keydown=move |ev| {
                if preview.key(&ev.key(), ev.shift_key()) {
                    // The page's own shortcuts (`c` cancels a job) must not also see it.
                    ev.prevent_default();
                    ev.stop_propagation();
                }
            }
        >
            <p id="preview-viewport-keys" class="visually-hidden">
                "Arrow keys move the pixel probe (with Shift, ten pixels); plus and minus zoom, 0 fits, 1 shows pixels 1:1; e and Shift-E change the exposure; ] and [ step through the passes, c and Shift-C through the channels; t toggles A and B of a comparison."
            </p>
            <div
                class="preview-stack"
                class:pixelated=move || viewing.transform.get().magnified()
                style:width=move || format!("{}px", size().0)
                style:height=move || format!("{}px", size().1)
                style:transform=move || viewing.transform.get().css()
            >
                <canvas class="preview-canvas" node_ref=preview.canvas aria-label="Merged image"></canvas>
                <DetailLayer preview />
                <CompareLayers preview />
                // Overlays: absolutely positioned children at image size.
                <SeamOverlay preview />
                <Show when=move || viewing.show_grid.get()>
                    <TileOverlay preview />
                </Show>
                <RenderTimeOverlay preview />
                <RectMark preview />
                <ProbeMark preview />
            </div>
            <SidePane preview />
            <WipeDivider preview />
        </div>
    }
}
