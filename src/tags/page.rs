//! The Tags page (`/tags`): the farm's worker tags with the workers in each; create, rename, describe
//! and delete them. Everything follows `/workertags` and `/workers` events in place, so an edit in
//! progress survives tags created, renamed or deleted by other clients.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::card::TagCard;
use super::members::use_membership;
use super::rules::{check_name, NameProblem, TagForm};
use super::use_worker_tags;
use crate::api::ApiFailure;
use crate::manager::use_manager;
use crate::ui::load_state::LoadState;

/// The page at `/tags`.
#[component]
pub fn TagsPage() -> impl IntoView {
    let store = use_worker_tags();
    let (membership, workers_problem) = use_membership();
    let ids = Memo::new(move |_| {
        store.tags.with(|tags| tags.iter().filter_map(|tag| tag.id.clone()).collect::<Vec<_>>())
    });
    let load_problem = move || match store.state.get() {
        LoadState::Stale(failure) => Some(format!("Showing tags from before: {failure}")),
        _ => None,
    };
    let empty = move || {
        (ids.with(Vec::is_empty) && store.state.with(|state| matches!(state, LoadState::Fresh)))
            .then(|| view! { <p class="muted">"The farm has no worker tags yet."</p> })
    };
    view! {
        <section class="pane tags-page" aria-label="Worker tags">
            <h1>"Worker tags"</h1>
            <p class="muted">"A job limited to a tag runs only on the workers in it. Workers join tags in their pane on the Workers page."</p>
            {move || load_problem().map(|text| view! { <p class="stale-notice" role="status">{text}</p> })}
            {move || workers_problem.get().map(|text| view! { <p class="stale-notice" role="status">{text}</p> })}
            <crate::read_only::Writable><CreateTagForm /></crate::read_only::Writable>
            {empty}
            <div class="tag-list">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <TagCard id membership />
                </For>
            </div>
        </section>
    }
}

/// What a refused creation means to a person: a 500 for a name that looked free is most likely
/// another client creating the same name a moment before.
pub fn refusal_message(name: &str, failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Manager { status: 500, .. } => format!(
            "The Manager refused the tag “{name}” ({failure}). Another client may have just created a tag with this name: check the list and choose another name."
        ),
        _ => format!("The tag “{name}” was not saved: {failure}"),
    }
}

/// Name and description of a new tag. A duplicate or empty name is refused here, before the Manager
/// is asked.
#[component]
fn CreateTagForm() -> impl IntoView {
    let store = use_worker_tags();
    let client = use_manager().client;
    let form = RwSignal::new(TagForm::default());
    let problem = RwSignal::new(None::<NameProblem>);
    let report = RwSignal::new(None::<(bool, String)>);
    let create = Action::new_local(move |tag: &flamenco_api::WorkerTag| {
        let client = client.clone();
        let tag = tag.clone();
        async move {
            let outcome = client.create_worker_tag(&tag).await;
            (tag.name, outcome)
        }
    });
    Effect::new(move |_| match create.value().get() {
        Some((name, Ok(_))) => {
            form.set(TagForm::default());
            report.set(Some((true, format!("Tag “{name}” created."))));
            store.refresh();
        }
        Some((name, Err(failure))) => report.set(Some((false, refusal_message(&name, &failure)))),
        None => {}
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let typed = form.get_untracked();
        match store.tags.with_untracked(|tags| check_name(&typed.name, tags, None)) {
            Ok(name) => {
                problem.set(None);
                report.set(None);
                create.dispatch(typed.to_new_tag(name));
            }
            Err(refused) => problem.set(Some(refused)),
        }
    };
    // A name that becomes free or taken while it is typed (tags change live) is re-checked.
    let shown_problem = move || {
        problem
            .get()
            .and_then(|_| form.with(|form| store.tags.with(|tags| check_name(&form.name, tags, None).err())))
    };
    view! {
        <form class="tag-create" on:submit=on_submit>
            <h2>"New tag"</h2>
            <div class="field-row">
                <label>"New tag name"
                    <input type="text" required prop:value=move || form.with(|form| form.name.clone())
                        aria-invalid=move || shown_problem().is_some().to_string()
                        aria-describedby="new-tag-name-error"
                        on:input:target=move |event| form.update(|form| form.name = event.target().value()) />
                </label>
                <label>"New tag description"
                    <input type="text" prop:value=move || form.with(|form| form.description.clone())
                        on:input:target=move |event| form.update(|form| form.description = event.target().value()) />
                </label>
                <button type="submit" disabled=move || create.pending().get()>"Create tag"</button>
            </div>
            <p id="new-tag-name-error" class="field-error" role="alert">{move || shown_problem().map(|problem| problem.message())}</p>
            <p class="action-report" role="status" class:problem=move || report.get().is_some_and(|(ok, _)| !ok)>{move || report.get().map(|(_, text)| text)}</p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use flamenco_api::ManagerError;

    use super::*;

    #[test]
    fn a_500_on_create_points_at_a_race_with_another_client() {
        let failure = ApiFailure::Manager {
            status: 500,
            error: ManagerError::from_body(500, r#"{"code":500,"message":"error creating worker tag"}"#),
        };
        let text = refusal_message("GPU", &failure);
        assert!(text.contains("refused the tag “GPU”"), "{text}");
        assert!(text.contains("error creating worker tag"), "{text}");
        assert!(text.contains("Another client"), "{text}");
    }
}
