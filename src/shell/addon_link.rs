//! The link to the Blender add-on the Manager hands out, as Flamenco's own web app offers it: the
//! add-on is how artists submit from Blender, and it must match this Manager's version.

use leptos::prelude::*;

use crate::manager::use_manager;

/// "Get the Blender add-on", served by the Manager itself at `/flamenco-addon.zip`.
#[component]
pub fn AddonLink() -> impl IntoView {
    let href = use_manager().client.url("/flamenco-addon.zip");
    view! {
        <a class="addon-link" href=href download="flamenco-addon.zip">
            "Get the Blender add-on"
        </a>
    }
}
