//! B in the viewport: its layer over A in the zoomed stack (cut at the wipe's divider, or shown
//! whole by the toggle), the difference picture, the divider itself, and the side-by-side pane
//! that shows B with A's zoom and pan.

use leptos::prelude::*;
use web_sys::{KeyboardEvent, PointerEvent};

use crate::preview::controller::{CompareMode, Preview};

/// B's layer and the difference's, in the stack over A (kept when hidden: their pixels stay).
#[component]
pub fn CompareLayers(preview: Preview) -> impl IntoView {
    let compare = preview.compare;
    let shown = move |mode: CompareMode| compare.active() && compare.mode.get() == mode;
    let b_shown = move || shown(CompareMode::Wipe) || (shown(CompareMode::Toggle) && compare.show_b.get());
    // Right of the divider is B; image pixels, since the stack is zoomed as a whole.
    let clip = move || shown(CompareMode::Wipe).then(|| format!("inset(0 0 0 {:.3}px)", preview.wipe_at()));
    view! {
        <canvas
            class="compare-layer"
            class:hidden=move || !b_shown()
            style:clip-path=clip
            node_ref=compare.other_canvas
            aria-label="Compared image (B)"
        ></canvas>
        <canvas
            class="compare-layer"
            class:hidden=move || !shown(CompareMode::Difference)
            node_ref=compare.difference_canvas
            aria-label="Difference of A and B"
        ></canvas>
    }
}

/// The wipe's divider: dragged with the pointer, moved by the arrow keys (Shift: ten pixels).
#[component]
pub fn WipeDivider(preview: Preview) -> impl IntoView {
    let compare = preview.compare;
    let viewing = preview.viewing;
    let dragging = StoredValue::new(false);
    let width = move || {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => plan.grid.image.width,
            _ => 0,
        })
    };
    let left = move || {
        let t = viewing.transform.get();
        format!("{:.3}px", t.to_screen(preview.wipe_at(), 0.0).0)
    };
    let on_down = move |ev: PointerEvent| {
        // The viewport must not pan or pin the probe.
        ev.stop_propagation();
        ev.prevent_default();
        if let Some(target) =
            ev.current_target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        {
            // Keeps the drag when the pointer leaves the handle; failing only loses that.
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        dragging.set_value(true);
        preview.drag_wipe(f64::from(ev.client_x()));
    };
    let on_move = move |ev: PointerEvent| {
        ev.stop_propagation();
        if dragging.get_value() {
            preview.drag_wipe(f64::from(ev.client_x()));
        }
    };
    let on_up = move |ev: PointerEvent| {
        ev.stop_propagation();
        dragging.set_value(false);
    };
    let on_key = move |ev: KeyboardEvent| {
        let step = if ev.shift_key() { 10.0 } else { 1.0 };
        let at = preview.wipe_at();
        let to = match ev.key().as_str() {
            "ArrowLeft" | "ArrowDown" => at - step,
            "ArrowRight" | "ArrowUp" => at + step,
            "Home" => 0.0,
            "End" => f64::from(width()),
            _ => return,
        };
        // The image's own keys (the probe's arrows) must not also see it.
        ev.prevent_default();
        ev.stop_propagation();
        preview.move_wipe(to.round());
    };
    view! {
        <Show when=move || compare.active() && compare.mode.get() == CompareMode::Wipe>
            <div
                class="wipe-divider"
                style:left=left
                tabindex="0"
                role="slider"
                aria-label="Wipe position"
                aria-orientation="horizontal"
                aria-valuemin="0"
                aria-valuemax=move || width().to_string()
                aria-valuenow=move || format!("{:.0}", preview.wipe_at())
                aria-valuetext=move || format!("{:.0} px from the left", preview.wipe_at())
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:keydown=on_key
            >
                <span class="wipe-handle" aria-hidden="true"></span>
            </div>
        </Show>
    }
}

/// The right half of the viewport in side-by-side mode: B with A's zoom and pan (one transform,
/// so the two stay linked whatever the user does).
#[component]
pub fn SidePane(preview: Preview) -> impl IntoView {
    let compare = preview.compare;
    let viewing = preview.viewing;
    let side = move || compare.active() && compare.mode.get() == CompareMode::SideBySide;
    // Entering side by side, the image is fitted to its half so both halves show it whole;
    // leaving it, to the whole viewport again.
    Effect::new(move |was: Option<bool>| {
        let now = side();
        match was {
            Some(was) if was != now => preview.fit(),
            None if now => preview.fit(),
            _ => {}
        }
        now
    });
    let size = move || {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => (plan.grid.image.width, plan.grid.image.height),
            _ => (0, 0),
        })
    };
    view! {
        <div class="compare-side-pane" class:hidden=move || !side() aria-label="B, side by side" role="img">
            <div
                class="preview-stack"
                class:pixelated=move || viewing.transform.get().magnified()
                style:width=move || format!("{}px", size().0)
                style:height=move || format!("{}px", size().1)
                style:transform=move || viewing.transform.get().css()
            >
                <canvas class="compare-layer" node_ref=compare.side_canvas></canvas>
            </div>
        </div>
    }
}
