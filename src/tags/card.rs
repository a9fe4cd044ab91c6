//! One tag on the Tags page: its name, description and workers, edited in place or deleted after a
//! confirmation. The card reads its tag from the shared store by id, so a rename by another client
//! shows at once while this card's own edit or confirmation stays as it is.

use flamenco_api::WorkerTag;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;

use super::members::Membership;
use super::rules::{check_name, TagEdit};
use super::use_worker_tags;
use crate::manager::use_manager;

/// What the card is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
enum CardMode {
    Showing,
    Editing(TagEdit),
    ConfirmingDelete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CardDoing {
    Showing,
    Editing,
    ConfirmingDelete,
}

#[component]
pub fn TagCard(id: String, membership: RwSignal<Membership>) -> impl IntoView {
    let store = use_worker_tags();
    let tag = {
        let id = id.clone();
        Memo::new(move |_| {
            store.tags.with(|tags| tags.iter().find(|tag| tag.id.as_deref() == Some(id.as_str())).cloned())
        })
    };
    let mode = RwSignal::new(CardMode::Showing);
    let report = RwSignal::new(None::<(bool, String)>);
    let name =
        Memo::new(move |_| tag.with(|tag| tag.as_ref().map(|tag| tag.name.clone()).unwrap_or_default()));
    let description = Memo::new(move |_| {
        tag.with(|tag| tag.as_ref().and_then(|tag| tag.description.clone()).filter(|text| !text.is_empty()))
    });
    let members = {
        let id = id.clone();
        Memo::new(move |_| membership.with(|membership| membership.members(&id)))
    };
    // The body is rebuilt only when the card changes what it does, not on every keystroke of an edit.
    let doing = Memo::new(move |_| {
        mode.with(|mode| match mode {
            CardMode::Showing => CardDoing::Showing,
            CardMode::Editing(_) => CardDoing::Editing,
            CardMode::ConfirmingDelete => CardDoing::ConfirmingDelete,
        })
    });
    let body = {
        let id = id.clone();
        move || {
            match doing.get() {
            CardDoing::Editing => view! { <TagEditor id=id.clone() tag mode report /> }.into_any(),
            CardDoing::ConfirmingDelete => {
                view! { <TagDeleteConfirmation id=id.clone() name members mode report /> }.into_any()
            }
            CardDoing::Showing => view! {
                <div class="tag-actions">
                    <button type="button" on:click=move |_| {
                        if let Some(tag) = tag.get_untracked() {
                            report.set(None);
                            mode.set(CardMode::Editing(TagEdit::begin(&tag)));
                        }
                    }>"Edit"</button>
                    <button type="button" class="danger" on:click=move |_| { report.set(None); mode.set(CardMode::ConfirmingDelete); }>"Delete"</button>
                </div>
            }
            .into_any(),
        }
        }
    };
    view! {
        <article class="tag-card" aria-label=move || format!("Tag {}", name.get())>
            <h2>{name}</h2>
            <p class="tag-description">{move || description.get().unwrap_or_else(|| "No description.".to_owned())}</p>
            <TagMembers members />
            <crate::read_only::Writable>{body}</crate::read_only::Writable>
            <p class="action-report" role="status" class:problem=move || report.get().is_some_and(|(ok, _)| !ok)>{move || report.get().map(|(_, text)| text)}</p>
        </article>
    }
}

/// The workers in the tag, each linking to its pane.
#[component]
fn TagMembers(members: Memo<Vec<super::members::Member>>) -> impl IntoView {
    let list = move || {
        let members = members.get();
        if members.is_empty() {
            view! { <span class="muted">"none"</span> }.into_any()
        } else {
            members
                .into_iter()
                .map(|member| view! { <li><A href=format!("/workers/{}", member.id)>{member.name}</A></li> })
                .collect_view()
                .into_any()
        }
    };
    view! {
        <div class="tag-members">
            <span class="muted">"Workers: "</span>
            <ul class="inline-list">{list}</ul>
        </div>
    }
}

/// Name and description edited in place. The typed text is this editor's own: live changes of the
/// tag by others are pointed out, never typed over.
#[component]
fn TagEditor(
    id: String,
    tag: Memo<Option<WorkerTag>>,
    mode: RwSignal<CardMode>,
    report: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let store = use_worker_tags();
    let client = use_manager().client;
    let problem = RwSignal::new(None::<String>);
    let error_id = format!("tag-name-error-{id}");
    let edit = move || match mode.get() {
        CardMode::Editing(edit) => Some(edit),
        _ => None,
    };
    let update_form = move |change: &dyn Fn(&mut TagEdit)| {
        mode.update(|mode| {
            if let CardMode::Editing(edit) = mode {
                change(edit);
            }
        })
    };
    let save = Action::new_local(move |tag: &WorkerTag| {
        let client = client.clone();
        let tag = tag.clone();
        async move {
            let outcome = client.update_worker_tag(tag.id.as_deref().unwrap_or_default(), &tag).await;
            (tag.name, outcome)
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some((name, Ok(()))) => {
            mode.set(CardMode::Showing);
            report.set(Some((true, format!("Tag “{name}” saved."))));
            store.refresh();
        }
        Some((name, Err(failure))) => {
            report.set(Some((false, format!("The tag “{name}” was not saved: {failure}"))))
        }
        None => {}
    });
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(edit) = edit() else { return };
        match store.tags.with_untracked(|tags| check_name(&edit.form.name, tags, Some(&id))) {
            Ok(name) => {
                problem.set(None);
                save.dispatch(edit.form.to_update(&id, name));
            }
            Err(refused) => problem.set(Some(refused.message())),
        }
    };
    let changed_meanwhile = move || {
        let now = tag.get()?;
        let edit = edit()?;
        edit.changed_meanwhile(&now).then(|| {
            format!(
                "Changed by someone else while you edit: now “{}”, {}. Saving replaces it with what you typed.",
                now.name,
                now.description.filter(|text| !text.is_empty()).unwrap_or_else(|| "no description".to_owned())
            )
        })
    };
    view! {
        <form class="tag-editor" on:submit=on_submit>
            <label>"Name"
                <input type="text" prop:value=move || edit().map(|edit| edit.form.name).unwrap_or_default()
                    aria-invalid=move || problem.get().is_some().to_string()
                    aria-describedby=error_id.clone()
                    on:input:target=move |event| { let value = event.target().value(); update_form(&|edit| edit.form.name = value.clone()); } />
            </label>
            <label>"Description"
                <input type="text" prop:value=move || edit().map(|edit| edit.form.description).unwrap_or_default()
                    on:input:target=move |event| { let value = event.target().value(); update_form(&|edit| edit.form.description = value.clone()); } />
            </label>
            <p id=error_id class="field-error" role="alert">{move || problem.get()}</p>
            {move || changed_meanwhile().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <div class="tag-actions">
                <button type="submit" disabled=move || save.pending().get()>"Save"</button>
                <button type="button" on:click=move |_| mode.set(CardMode::Showing)>"Cancel"</button>
            </div>
        </form>
    }
}

/// The names of the jobs limited to tag `tag_id`.
fn jobs_using(jobs: &[flamenco_api::Job], tag_id: &str) -> Vec<String> {
    jobs.iter().filter(|job| job.worker_tag.as_deref() == Some(tag_id)).map(|job| job.name.clone()).collect()
}

/// What deleting the tag does, said before it is done.
/// `jobs` is `None` when they could not be looked up.
pub fn deletion_consequences(name: &str, workers: &[String], jobs: Option<&[String]>) -> String {
    let workers = match workers.len() {
        0 => "No worker is in it.".to_owned(),
        1 => format!("Worker {} leaves it.", workers[0]),
        count => format!("Its {count} workers leave it: {}.", workers.join(", ")),
    };
    let jobs = match jobs.map(<[String]>::len) {
        None => "The Manager also removes it from every job limited to it.".to_owned(),
        Some(0) => "No job is limited to it.".to_owned(),
        Some(count) => format!(
            "The Manager also removes it from the {count} job{} limited to it, which may then run on any worker: {}.",
            if count == 1 { "" } else { "s" },
            jobs.unwrap_or_default().join(", ")
        ),
    };
    format!("Delete the tag “{name}”? {workers} {jobs}")
}

#[component]
fn TagDeleteConfirmation(
    id: String,
    name: Memo<String>,
    members: Memo<Vec<super::members::Member>>,
    mode: RwSignal<CardMode>,
    report: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let client = use_manager().client;
    let store = use_worker_tags();
    // Job events do not carry the worker tag: ask the Manager which jobs use it when asked to delete.
    let jobs = {
        let client = client.clone();
        let id = id.clone();
        LocalResource::new(move || {
            let client = client.clone();
            let id = id.clone();
            async move { client.fetch_jobs().await.map(|jobs| jobs_using(&jobs, &id)) }
        })
    };
    let question = move || {
        let workers: Vec<String> = members.with(|members| members.iter().map(|m| m.name.clone()).collect());
        match jobs.get() {
            None => format!("Delete the tag “{}”? Checking which jobs use it…", name.get()),
            Some(Ok(jobs)) => deletion_consequences(&name.get(), &workers, Some(&jobs)),
            Some(Err(failure)) => format!(
                "{} (Which jobs use it could not be checked: {failure})",
                deletion_consequences(&name.get(), &workers, None)
            ),
        }
    };
    let delete = Action::new_local(move |_: &()| {
        let client = client.clone();
        let id = id.clone();
        async move { client.delete_worker_tag(&id).await }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => store.refresh(),
        Some(Err(failure)) => {
            mode.set(CardMode::Showing);
            report
                .set(Some((false, format!("The tag “{}” was not deleted: {failure}", name.get_untracked()))));
        }
        None => {}
    });
    view! {
        <div class="confirmation" role="alertdialog" aria-label="Delete tag">
            <p>{question}</p>
            <button type="button" class="danger" disabled=move || delete.pending().get() on:click=move |_| { delete.dispatch(()); }>"Delete tag"</button>
            <button type="button" on:click=move |_| mode.set(CardMode::Showing)>"Cancel"</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_says_which_workers_and_jobs_lose_the_tag() {
        let text = deletion_consequences("GPU", &["otter".into()], Some(&["shot 1".into(), "shot 2".into()]));
        assert!(text.starts_with("Delete the tag “GPU”?"), "{text}");
        assert!(text.contains("Worker otter leaves it."), "{text}");
        assert!(text.contains("removes it from the 2 jobs limited to it"), "{text}");
        assert!(text.contains("shot 1, shot 2"), "{text}");
        let none = deletion_consequences("CPU", &[], Some(&[]));
        assert!(none.contains("No worker is in it. No job is limited to it."), "{none}");
        let unknown = deletion_consequences("CPU", &[], None);
        assert!(unknown.contains("removes it from every job limited to it"), "{unknown}");
    }
}
