//! The image in its viewport: the canvas and the overlays in one stack that is zoomed and panned
//! together with a CSS transform, so the overlays stay in image pixels.

use leptos::prelude::*;
use web_sys::{KeyboardEvent, PointerEvent, WheelEvent};

use super::tile_overlay::{ProbeMark, TileOverlay};
use crate::preview::controller::Preview;
use crate::preview::view::{wheel_factor, Gesture, Step, Transform};

/// The viewport: wheel and pinch zoom, drag pans, the pointer moves the probe and a click pins it;
/// with the keyboard, arrows move the probe and `+`, `-`, `0`, `1` zoom.
#[component]
pub fn Viewport(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    let gesture = StoredValue::new(Gesture::default());
    let size = move || {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => (plan.grid.image.width, plan.grid.image.height),
            _ => (0, 0),
        })
    };
    // Viewport coordinates of a pointer.
    let local = move |ev: &PointerEvent| {
        let rect = viewing.viewport.get_untracked().map(|v| v.get_bounding_client_rect());
        let (left, top) = rect.map_or((0.0, 0.0), |r| (r.left(), r.top()));
        (f64::from(ev.client_x()) - left, f64::from(ev.client_y()) - top)
    };
    let on_down = move |ev: PointerEvent| {
        if let Some(viewport) = viewing.viewport.get_untracked() {
            // Keeps the drag going when the pointer leaves the viewport; failing only loses that.
            let _ = viewport.set_pointer_capture(ev.pointer_id());
        }
        let (x, y) = local(&ev);
        gesture.update_value(|g| g.press(ev.pointer_id(), x, y));
    };
    let on_move = move |ev: PointerEvent| {
        let (x, y) = local(&ev);
        let step = gesture.try_update_value(|g| g.move_to(ev.pointer_id(), x, y)).unwrap_or(Step::Hover);
        match step {
            Step::Hover if !viewing.pinned.get_untracked() => {
                if let Some((px, py)) =
                    preview.pixel_under(f64::from(ev.client_x()), f64::from(ev.client_y()))
                {
                    preview.probe_at(px, py, false);
                }
            }
            Step::Hover => {}
            Step::Pan { dx, dy } => preview.change_view(|t, image, view| t.pan(dx, dy, image, view)),
            Step::Pinch { factor, x, y, dx, dy } => preview
                .change_view(|t, image, view| t.pan(dx, dy, image, view).zoom_at(factor, x, y, image, view)),
        }
    };
    let on_up = move |ev: PointerEvent| {
        let click = gesture.try_update_value(|g| g.release(ev.pointer_id())).unwrap_or(false);
        if click {
            if let Some((px, py)) = preview.pixel_under(f64::from(ev.client_x()), f64::from(ev.client_y())) {
                preview.probe_at(px, py, true);
            }
        }
    };
    let on_cancel = move |ev: PointerEvent| {
        gesture.update_value(|g| {
            g.release(ev.pointer_id());
        });
    };
    let on_wheel = move |ev: WheelEvent| {
        // The page must not scroll while the image zooms.
        ev.prevent_default();
        let rect = viewing.viewport.get_untracked().map(|v| v.get_bounding_client_rect());
        let (left, top) = rect.map_or((0.0, 0.0), |r| (r.left(), r.top()));
        let (x, y) = (f64::from(ev.client_x()) - left, f64::from(ev.client_y()) - top);
        let factor = wheel_factor(ev.delta_y(), ev.delta_mode());
        preview.change_view(|t, image, view| t.zoom_at(factor, x, y, image, view));
    };
    let on_key = move |ev: KeyboardEvent| {
        let step = if ev.shift_key() { 10 } else { 1 };
        let centre = |factor: f64| {
            preview.change_view(|t: Transform, image, view| {
                t.zoom_at(factor, view.width / 2.0, view.height / 2.0, image, view)
            })
        };
        match ev.key().as_str() {
            "ArrowLeft" => preview.nudge_probe(-step, 0),
            "ArrowRight" => preview.nudge_probe(step, 0),
            "ArrowUp" => preview.nudge_probe(0, -step),
            "ArrowDown" => preview.nudge_probe(0, step),
            "+" | "=" => centre(1.25),
            "-" => centre(0.8),
            "0" => preview.fit(),
            "1" => preview.one_to_one(),
            _ => return,
        }
        ev.prevent_default();
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
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=on_cancel
            on:wheel=on_wheel
            on:keydown=on_key
        >
            <p id="preview-viewport-keys" class="visually-hidden">
                "Arrow keys move the pixel probe (with Shift, ten pixels); plus and minus zoom, 0 fits, 1 shows pixels 1:1."
            </p>
            <div
                class="preview-stack"
                class:pixelated=move || viewing.transform.get().magnified()
                style:width=move || format!("{}px", size().0)
                style:height=move || format!("{}px", size().1)
                style:transform=move || viewing.transform.get().css()
            >
                <canvas class="preview-canvas" node_ref=preview.canvas aria-label="Merged image"></canvas>
                // Overlays: absolutely positioned children at image size (the seam map goes here too).
                <Show when=move || viewing.show_grid.get()>
                    <TileOverlay preview />
                </Show>
                <ProbeMark preview />
            </div>
        </div>
    }
}
