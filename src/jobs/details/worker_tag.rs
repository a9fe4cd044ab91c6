//! The worker tag of a job: shown by name, changed with a select and Save (`setJobTag`). What the
//! person picked is a draft apart from the job, so live updates and tag renames never reset it.

use flamenco_api::{Job, WorkerTag};
use leptos::prelude::*;

use crate::api::ManagerClient;
use crate::manager::use_manager;
use crate::tags::use_worker_tags;

/// The value of the select for "no tag".
const ANY: &str = "";

/// Which workers may run a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagChoice {
    AnyWorker,
    Tag(String),
}

impl TagChoice {
    pub fn of(job: &Job) -> TagChoice {
        match job.worker_tag.as_deref().filter(|tag| !tag.is_empty()) {
            Some(tag) => TagChoice::Tag(tag.to_owned()),
            None => TagChoice::AnyWorker,
        }
    }

    /// From the select's value.
    pub fn from_value(value: &str) -> TagChoice {
        if value == ANY {
            TagChoice::AnyWorker
        } else {
            TagChoice::Tag(value.to_owned())
        }
    }

    pub fn value(&self) -> String {
        match self {
            TagChoice::AnyWorker => ANY.to_owned(),
            TagChoice::Tag(id) => id.clone(),
        }
    }

    /// The tag id to send; `None` clears the tag.
    pub fn tag_id(&self) -> Option<String> {
        match self {
            TagChoice::AnyWorker => None,
            TagChoice::Tag(id) => Some(id.clone()),
        }
    }

    /// What a person reads: the tag's name, its id only when the Manager has no such tag.
    pub fn label(&self, tags: &[WorkerTag]) -> String {
        match self {
            TagChoice::AnyWorker => "Any worker".to_owned(),
            TagChoice::Tag(id) => tags
                .iter()
                .find(|tag| tag.id.as_deref() == Some(id.as_str()))
                .map_or_else(|| id.clone(), |tag| tag.name.clone()),
        }
    }
}

/// The select's options: "Any worker", every tag by name, and the current tag even if it is gone.
pub fn tag_options(tags: &[WorkerTag], current: &TagChoice) -> Vec<(String, String)> {
    let mut options = vec![(ANY.to_owned(), "Any worker".to_owned())];
    options.extend(tags.iter().filter_map(|tag| tag.id.clone().map(|id| (id, tag.name.clone()))));
    if let TagChoice::Tag(id) = current {
        if !options.iter().any(|(value, _)| value == id) {
            options.push((id.clone(), format!("{id} (no longer exists)")));
        }
    }
    options
}

/// The `<option>`s of a worker-tag select, `selected` marked.
pub fn tag_option_views(selected: TagChoice) -> impl IntoView {
    let tags = use_worker_tags();
    tags.tags
        .with(|tags| tag_options(tags, &selected))
        .into_iter()
        .map(|(value, label)| {
            let is_selected = value == selected.value();
            view! { <option value=value selected=is_selected>{label}</option> }
        })
        .collect_view()
}

/// Sets the tag, then fetches the job again: job events do not carry the tag.
pub async fn set_tag_and_fetch(
    client: ManagerClient,
    job_id: String,
    choice: TagChoice,
) -> Result<Job, String> {
    client.set_job_tag(&job_id, choice.tag_id()).await.map_err(|failure| failure.to_string())?;
    client.fetch_job(&job_id).await.map_err(|failure| failure.to_string())
}

/// The job's tag with a select and a Save button.
#[component]
pub fn JobWorkerTag(job_id: String, job: Memo<Option<Job>>) -> impl IntoView {
    let tags = use_worker_tags();
    let store = crate::jobs::use_jobs();
    let client = use_manager().client;
    let current =
        Memo::new(move |_| job.with(|job| job.as_ref().map(TagChoice::of)).unwrap_or(TagChoice::AnyWorker));
    // `None` while the person has not picked anything: the select then follows the job.
    let draft = RwSignal::new(None::<TagChoice>);
    let shown = Memo::new(move |_| draft.get().unwrap_or_else(|| current.get()));
    let save = Action::new_local(move |choice: &TagChoice| {
        set_tag_and_fetch(client.clone(), job_id.clone(), choice.clone())
    });
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| match save.value().get() {
        Some(Ok(job)) => {
            store.upsert(job);
            draft.set(None);
            problem.set(None);
        }
        Some(Err(message)) => problem.set(Some(format!("The worker tag was not changed: {message}"))),
        None => {}
    });
    let options = move || tag_option_views(shown.get());
    let unchanged = move || draft.get().is_none_or(|draft| draft == current.get());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Some(choice) = draft.get_untracked() {
            save.dispatch(choice);
        }
    };
    view! {
        <span class="tag-name">{move || tags.tags.with(|tags| current.get().label(tags))}</span>
        <crate::read_only::Writable><form class="job-tag-editor" on:submit=on_submit>
            // Not wrapped: a label around a select would also read out every option.
            <label for="job-tag-select">"Change worker tag"</label>
            <select
                    id="job-tag-select"
                    prop:value=move || shown.get().value()
                    on:change:target=move |event| draft.set(Some(TagChoice::from_value(&event.target().value())))
                >
                    {options}
            </select>
            <button type="submit" disabled=move || unchanged() || save.pending().get()>"Save tag"</button>
            {move || problem.get().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
        </form></crate::read_only::Writable>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: &str, name: &str) -> WorkerTag {
        WorkerTag { id: Some(id.into()), name: name.into(), description: None }
    }

    #[test]
    fn a_choice_round_trips_through_the_select_value() {
        for choice in [TagChoice::AnyWorker, TagChoice::Tag("t1".into())] {
            assert_eq!(TagChoice::from_value(&choice.value()), choice);
        }
        assert_eq!(TagChoice::AnyWorker.tag_id(), None);
    }

    #[test]
    fn tags_are_named_and_a_vanished_tag_still_shows() {
        let tags = [tag("t1", "GPU"), tag("t2", "Linux")];
        assert_eq!(TagChoice::Tag("t1".into()).label(&tags), "GPU");
        assert_eq!(TagChoice::AnyWorker.label(&tags), "Any worker");
        let options = tag_options(&tags, &TagChoice::Tag("gone".into()));
        let labels: Vec<&str> = options.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(labels, ["Any worker", "GPU", "Linux", "gone (no longer exists)"]);
        assert_eq!(tag_options(&tags, &TagChoice::Tag("t2".into())).len(), 3);
    }

    #[test]
    fn an_empty_tag_is_any_worker() {
        let mut job = crate::jobs::table::tests::job("j", "J", flamenco_api::JobStatus::Queued, "t");
        job.worker_tag = Some(String::new());
        assert_eq!(TagChoice::of(&job), TagChoice::AnyWorker);
    }
}
