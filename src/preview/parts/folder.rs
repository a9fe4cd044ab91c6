//! Loading the tiles from a folder URL (an autoindex listing, or a JSON array of names).

use leptos::prelude::*;

use crate::preview::controller::Preview;

/// The folder URL field and its Load button.
#[component]
pub fn FolderUrl(preview: Preview) -> impl IntoView {
    let url = RwSignal::new(String::new());
    view! {
        <form
            class="toolbar folder-url"
            on:submit=move |ev| {
                // The page stays; the listing is fetched in the background.
                ev.prevent_default();
                preview.load_folder(url.get_untracked());
            }
        >
            <label for="preview-folder-url">"Folder URL"</label>
            <input
                id="preview-folder-url"
                class="mono"
                type="url"
                placeholder="https://files.example/render/shot/tiles/"
                prop:value=move || url.get()
                on:input:target=move |ev| url.set(ev.target().value())
            />
            <button type="submit">"Load"</button>
        </form>
    }
}
