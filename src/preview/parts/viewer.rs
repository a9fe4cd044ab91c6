//! The merged image: pass and exposure, and the canvas the workers' pixels are drawn on.

use leptos::prelude::*;

use super::SeamOverlay;
use crate::preview::controller::Preview;

/// The pass selector, exposure and the canvas.
#[component]
pub fn Viewer(preview: Preview) -> impl IntoView {
    // A new pass or exposure is drawn again by the workers.
    Effect::new(move |_| {
        preview.pass.track();
        preview.exposure.track();
        preview.render();
    });
    let passes = move || preview.passes.get().0;
    view! {
        <div class="preview-view">
            <div class="toolbar">
                <label for="preview-pass">"View layer / pass"</label>
                <select
                    id="preview-pass"
                    disabled=move || preview.passes.with(|p| p.0.is_empty())
                    prop:value=move || preview.pass.get().unwrap_or_default()
                    on:change:target=move |ev| preview.pass.set(Some(ev.target().value()))
                >
                    <For each=passes key=|p| p.clone() let(pass)>
                        <option value=pass.clone()>{pass.clone()}</option>
                    </For>
                </select>
                <label for="preview-exposure">"Exposure (stops)"</label>
                <input
                    id="preview-exposure"
                    type="number"
                    step="0.5"
                    prop:value=move || preview.exposure.get().to_string()
                    on:change:target=move |ev| {
                        if let Ok(stops) = ev.target().value().parse::<f32>() {
                            preview.exposure.set(stops);
                        }
                    }
                />
            </div>
            // The lead's zoom/pan viewport ("preview-stack") takes the overlay in; until then this
            // frame lays it over the image.
            <div class="seam-frame">
                <canvas class="preview-canvas" node_ref=preview.canvas aria-label="Merged image"></canvas>
                <SeamOverlay preview />
            </div>
        </div>
    }
}
