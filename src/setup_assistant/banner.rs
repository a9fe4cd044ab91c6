//! Whether the Manager still needs its Setup Assistant, asked once when the app starts.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::manager::use_manager;

/// Whether the Manager is on its first run; `None` until it answered (or when it could not).
#[derive(Clone, Copy)]
pub struct FirstRun(pub RwSignal<Option<bool>>);

/// Asks the Manager once whether it was set up, for the banner and the assistant to share.
pub fn provide_first_run() -> FirstRun {
    let first_run = FirstRun(RwSignal::new(None));
    provide_context(first_run);
    let client = use_manager().client;
    spawn_local(async move {
        // A Manager that cannot answer is reported by the Manager banner already.
        if let Ok(configuration) = client.fetch_configuration().await {
            first_run.0.set(Some(configuration.is_first_run));
        }
    });
    first_run
}

/// Says that the Manager was never set up, with the way to do it.
#[component]
pub fn FirstRunBanner() -> impl IntoView {
    let first_run = expect_context::<FirstRun>().0;
    view! {
        <Show when=move || first_run.get() == Some(true)>
            <div class="first-run-banner" role="status">
                "This Manager has not been set up yet: it needs a shared storage folder and a Blender. "
                <A href="/setup">"Set up the Manager"</A>
            </div>
        </Show>
    }
}
