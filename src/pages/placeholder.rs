//! Pages that belong to no feature: the one for an unknown address.

use leptos::prelude::*;
use leptos_router::components::A;

/// Shown for an address the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h1>"Page not found"</h1>
            <p><A href="/jobs">"Go to the jobs"</A></p>
        </section>
    }
}
