//! Whether the Manager still needs its Setup Assistant, asked once when the app starts (after the
//! job list's first rows, when it opens on them).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::manager::use_manager;
use crate::ui::first_rows::use_first_rows;

/// Whether the Manager is on its first run; `None` until it answered (or when it could not).
#[derive(Clone, Copy)]
pub struct FirstRun(pub RwSignal<Option<bool>>);

/// Asks the Manager once whether it was set up, for the banner and the assistant to share.
pub fn provide_first_run() -> FirstRun {
    let first_run = FirstRun(RwSignal::new(None));
    provide_context(first_run);
    let client = use_manager().client;
    // The banner is no reason to hold back the job list: ask once its first rows are shown.
    let first_rows = use_first_rows();
    let asked = StoredValue::new(false);
    Effect::new(move |_| {
        if !first_rows.is_open() || asked.get_value() {
            return;
        }
        asked.set_value(true);
        let client = client.clone();
        spawn_local(async move {
            // A Manager that cannot answer is reported by the Manager banner already.
            if let Ok(configuration) = client.fetch_configuration().await {
                first_run.0.try_set(Some(configuration.is_first_run));
            }
        });
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
