//! `/manager`: the Manager's settings file in a form. It is loaded once and then left to the
//! person editing it: a reload after a reconnect only replaces an untouched form, and otherwise
//! offers the Manager's version. Nothing is sent until every field checks out.

use leptos::prelude::*;
use leptos_router::components::A;

use super::form::ConfigForm;
use super::model::{ConfigDraft, ConfigFile, Problem};
use super::resolved::ResolvedVariables;
use crate::api::ApiFailure;
use crate::live::use_live;
use crate::manager::use_manager;

/// What became of the last attempt to save.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Invalid(Vec<Problem>),
    Saved,
    Refused(String),
}

/// The form's state, shared by its parts.
#[derive(Clone, Copy)]
pub struct FormState {
    /// What the form shows; `None` until the file first loaded.
    pub draft: RwSignal<Option<ConfigDraft>>,
    /// The file as last loaded or saved, to tell whether the form holds edits.
    pub base: RwSignal<Option<ConfigDraft>>,
    /// A newer file from the Manager that arrived while the form held edits.
    pub remote: RwSignal<Option<ConfigDraft>>,
    pub outcome: RwSignal<Option<Outcome>>,
    /// Bumped on each save, so the resolved variables are fetched again.
    pub saves: RwSignal<u32>,
}

impl FormState {
    pub fn problems(&self) -> Vec<Problem> {
        self.outcome.with(|outcome| match outcome {
            Some(Outcome::Invalid(problems)) => problems.clone(),
            _ => Vec::new(),
        })
    }

    /// Changes the form; once a save was refused for problems, they are checked again as the
    /// person fixes them.
    pub fn edit(&self, change: impl FnOnce(&mut ConfigDraft)) {
        self.draft.update(|draft| {
            if let Some(draft) = draft {
                change(draft);
            }
        });
        if matches!(self.outcome.get_untracked(), Some(Outcome::Invalid(_))) {
            let problems =
                self.draft.with_untracked(|d| d.as_ref().map(ConfigDraft::problems).unwrap_or_default());
            self.outcome.set((!problems.is_empty()).then_some(Outcome::Invalid(problems)));
        }
    }

    /// A file fetched from the Manager: shown at once unless the form holds edits.
    fn arrived(&self, fetched: ConfigDraft) {
        let edited =
            self.draft.with_untracked(|draft| draft.is_some() && *draft != self.base.get_untracked());
        if edited {
            if self.base.with_untracked(|base| base.as_ref() != Some(&fetched)) {
                self.remote.set(Some(fetched));
            }
            return;
        }
        if self.draft.with_untracked(|draft| draft.as_ref() != Some(&fetched)) {
            self.draft.set(Some(fetched.clone()));
        }
        self.base.set(Some(fetched));
    }

    /// Replaces the form with the Manager's newer version (the edits go).
    pub fn take_remote(&self) {
        if let Some(remote) = self.remote.get_untracked() {
            self.draft.set(Some(remote.clone()));
            self.base.set(Some(remote));
            self.remote.set(None);
            self.outcome.set(None);
        }
    }
}

/// The page.
#[component]
pub fn ManagerSettingsPage() -> impl IntoView {
    let client = use_manager().client;
    let live = use_live();
    let state = FormState {
        draft: RwSignal::new(None),
        base: RwSignal::new(None),
        remote: RwSignal::new(None),
        outcome: RwSignal::new(None),
        saves: RwSignal::new(0),
    };
    let load_error = RwSignal::new(None::<String>);
    {
        let client = client.clone();
        Effect::new(move |_| {
            live.epoch().track();
            let client = client.clone();
            leptos::task::spawn_local(async move {
                match client.fetch_configuration_file().await {
                    Ok(file) => {
                        load_error.try_set(None);
                        state.arrived(ConfigDraft::from_file(&file));
                    }
                    Err(failure) => _ = load_error.try_set(Some(failure.to_string())),
                }
            });
        });
    }
    let save = Action::new_local(move |file: &ConfigFile| {
        let client = client.clone();
        let file = file.clone();
        async move { client.update_configuration_file(&file).await.map(|()| file) }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(file)) => {
            let saved = ConfigDraft::from_file(&file);
            state.draft.set(Some(saved.clone()));
            state.base.set(Some(saved));
            state.outcome.set(Some(Outcome::Saved));
            state.saves.update(|n| *n += 1);
        }
        Some(Err(failure)) => state.outcome.set(Some(Outcome::Refused(refusal(&failure)))),
        None => {}
    });
    let submit = move || {
        let checked = state.draft.with_untracked(|draft| draft.as_ref().map(ConfigDraft::to_file));
        match checked {
            Some(Ok(file)) => {
                state.outcome.set(None);
                save.dispatch(file);
            }
            Some(Err(problems)) => state.outcome.set(Some(Outcome::Invalid(problems))),
            None => {}
        }
    };
    view! {
        <section class="page manager-settings-page">
            <h1>"Manager settings"</h1>
            <p class="muted">
                "The Manager's settings file (flamenco-manager.yaml). The Manager reads it when it starts: saved changes apply after a restart. Farmdeck's own settings in this browser are under "
                <A href="/settings">"Settings"</A>"."
            </p>
            <p class="muted">
                "To choose the shared storage folder and Blender with the Manager checking both, run the "
                <A href="/setup">"Setup Assistant"</A>"."
            </p>
            {move || load_error.get().map(|message| view! { <p role="alert" class="field-error">{format!("Could not load the settings file: {message}")}</p> })}
            <Show when=move || state.draft.with(Option::is_some) fallback=move || view! { <p class="muted">"Loading the settings file…"</p> }>
                <crate::read_only::Frozen><ConfigForm state submit=Callback::new(move |()| submit()) pending=save.pending() /></crate::read_only::Frozen>
            </Show>
            <ResolvedVariables saves=state.saves />
        </section>
    }
}

/// The Manager's refusal as the person reads it.
fn refusal(failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Manager { status, error } => {
            format!("The Manager refused the settings ({status}): {error}")
        }
        other => format!("The settings were not saved: {other}"),
    }
}
