//! Picking the tile files: a file or folder input, or files or a folder dropped on the zone
//! around them.

use leptos::prelude::*;

use crate::preview::controller::Preview;

/// The file and folder inputs and the drop zone.
#[component]
pub fn FilePicker(preview: Preview) -> impl IntoView {
    let over = RwSignal::new(false);
    // `webkitdirectory` (picking a folder, in every current browser) is no attribute Leptos knows.
    let folder = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder.get() {
            // Without it the input picks files, which the other input does too.
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
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
                if let Some(transfer) = ev.data_transfer() {
                    preview.drop_transfer(transfer);
                }
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
            <label for="preview-folder">"Tile folder"</label>
            <input
                id="preview-folder"
                type="file"
                node_ref=folder
                on:change:target=move |ev| preview.pick_folder(ev.target().files())
            />
            <p class="muted">
                "Or drop the tiles (" <code>"<x0>-<y0>-<x1>-<y1>.exr"</code> ") or their folder here."
            </p>
        </div>
    }
}
