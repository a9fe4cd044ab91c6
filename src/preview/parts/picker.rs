//! Picking the tile files: a file input, or files dropped on the zone around it.

use leptos::prelude::*;

use crate::preview::controller::Preview;

/// The file input and drop zone.
#[component]
pub fn FilePicker(preview: Preview) -> impl IntoView {
    let over = RwSignal::new(false);
    view! {
        <div
            class="drop-zone"
            class:drop-over=move || over.get()
            on:dragover=move |ev| {
                // Without this the browser opens the dropped file instead.
                ev.prevent_default();
                over.set(true);
            }
            on:dragleave=move |_| over.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                over.set(false);
                preview.pick(ev.data_transfer().and_then(|d| d.files()));
            }
        >
            <label for="preview-files">"Tile files"</label>
            <input
                id="preview-files"
                type="file"
                multiple
                accept=".exr"
                on:change:target=move |ev| preview.pick(ev.target().files())
            />
            <p class="muted">"Or drop the tiles (" <code>"<x0>-<y0>-<x1>-<y1>.exr"</code> ") here."</p>
        </div>
    }
}
