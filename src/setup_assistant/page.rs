//! `/setup`: the Setup Assistant's page, its three steps and the save.

use flamenco_api::BlenderPathCheckResult;
use leptos::prelude::*;
use leptos_router::components::A;

use super::banner::FirstRun;
use super::model::SetupDraft;
use super::steps::{BlenderStep, StorageStep};
use crate::api::ApiFailure;
use crate::manager::use_manager;

/// The Setup Assistant.
#[component]
pub fn SetupPage() -> impl IntoView {
    if crate::read_only::use_read_only() {
        return view! { <crate::read_only::ReadOnlyPage title="Set up the Manager" /> }.into_any();
    }
    let draft = RwSignal::new(SetupDraft::default());
    let client = use_manager().client;
    let found = LocalResource::new(move || {
        let client = client.clone();
        async move { client.find_blender().await }
    });
    let first_run = expect_context::<FirstRun>().0;
    let intro = move || {
        match first_run.get() {
        Some(false) => "This Manager is set up already: saving here replaces its shared storage folder and Blender.",
        _ => "Flamenco needs a folder every Worker can reach (the shared storage) and a way to start Blender. The Manager checks both on its own machine.",
    }
    };
    view! {
        <section class="page setup-page">
            <h1>"Set up the Manager"</h1>
            <p class="muted">{intro}</p>
            <StorageStep draft />
            <BlenderStep draft found />
            <SaveStep draft found />
        </section>
    }
    .into_any()
}

/// The Blenders the Manager found by itself, or why it could not say.
pub type FoundBlenders = LocalResource<Result<Vec<BlenderPathCheckResult>, ApiFailure>>;

/// The found list as it stands (empty while loading or when it failed).
pub fn found_now(found: FoundBlenders) -> Vec<BlenderPathCheckResult> {
    found.get().and_then(Result::ok).unwrap_or_default()
}

/// What is still missing, and the button that saves when nothing is.
#[component]
fn SaveStep(
    /// The assistant's state.
    draft: RwSignal<SetupDraft>,
    /// The Blenders the Manager found.
    found: FoundBlenders,
) -> impl IntoView {
    let client = use_manager().client;
    let first_run = expect_context::<FirstRun>().0;
    let save = Action::new_local(move |setup: &flamenco_api::SetupAssistantConfig| {
        let client = client.clone();
        let setup = setup.clone();
        async move { client.save_setup_assistant(&setup).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            first_run.set(Some(false));
        }
    });
    let readiness = Memo::new(move |_| draft.with(|draft| draft.ready(&found_now(found))));
    let on_save = move |_| {
        if let Ok(setup) = readiness.get_untracked() {
            save.dispatch(setup);
        }
    };
    let missing = move || readiness.get().err();
    let outcome = move || {
        match save.value().get() {
        Some(Ok(())) => view! {
            <p role="status" class="setup-saved">
                "Saved. The Manager restarts with these settings. " <A href="/jobs">"Go to the jobs"</A>
            </p>
        }
        .into_any(),
        Some(Err(failure)) => {
            view! { <p role="alert" class="field-error">{format!("The Manager did not save it: {failure}")}</p> }.into_any()
        }
        None => ().into_any(),
    }
    };
    view! {
        <section class="setup-step" aria-labelledby="setup-save">
            <h2 id="setup-save">"3. Save"</h2>
            {move || missing().map(|why| view! { <p class="muted">{why}</p> })}
            <button
                type="button"
                class="primary"
                disabled=move || readiness.get().is_err() || save.pending().get()
                on:click=on_save
            >
                "Save and restart the Manager"
            </button>
            {outcome}
        </section>
    }
}
