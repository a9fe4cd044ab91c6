//! Pages whose features are still to come: each says what it will hold.

use leptos::prelude::*;
use leptos_router::components::A;

/// A page heading and one line on what the page is for.
#[component]
fn PageIntro(
    /// The page's heading.
    title: &'static str,
    /// What the page will let the user do.
    purpose: &'static str,
) -> impl IntoView {
    view! {
        <section class="page">
            <h1>{title}</h1>
            <p class="muted">{purpose}</p>
        </section>
    }
}

#[component]
pub fn SubmitPage() -> impl IntoView {
    view! { <PageIntro title="Submit a job" purpose="Submit any job type the Manager knows, queued or paused." /> }
}

#[component]
pub fn PreviewPage() -> impl IntoView {
    view! { <PageIntro title="Merge preview" purpose="Stitch a single-image job's tiles in the browser." /> }
}

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
