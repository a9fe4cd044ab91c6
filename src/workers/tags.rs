//! A worker's tags as checkboxes, saved together. What a person ticks is a draft kept apart from what
//! the Manager says, so live updates of the worker never undo a tick that is not saved yet.

use std::collections::BTreeSet;

use leptos::prelude::*;

use leptos_router::components::A;

use crate::manager::use_manager;
use crate::tags::use_worker_tags;
use crate::ui::load_state::LoadState;

/// The tags ticked on screen: the Manager's, or a person's unsaved choice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagDraft {
    chosen: Option<BTreeSet<String>>,
}

impl TagDraft {
    /// The tag ids to show ticked, given the tags the Manager has for the worker.
    pub fn shown(&self, saved: &BTreeSet<String>) -> BTreeSet<String> {
        self.chosen.clone().unwrap_or_else(|| saved.clone())
    }

    /// Ticks or unticks one tag, starting the draft from the Manager's tags.
    pub fn set(&mut self, saved: &BTreeSet<String>, id: &str, on: bool) {
        let chosen = self.chosen.get_or_insert_with(|| saved.clone());
        if on {
            chosen.insert(id.to_owned());
        } else {
            chosen.remove(id);
        }
    }

    /// Whether what is ticked differs from what the Manager has.
    pub fn is_unsaved(&self, saved: &BTreeSet<String>) -> bool {
        self.chosen.as_ref().is_some_and(|chosen| chosen != saved)
    }

    /// Called when the Manager's tags change: a draft they now match is done with. A draft they do
    /// not match is kept, so an update about something else never undoes a tick.
    pub fn settle(&mut self, saved: &BTreeSet<String>) -> bool {
        if self.chosen.as_ref() == Some(saved) {
            self.chosen = None;
            true
        } else {
            false
        }
    }
}

/// Tag membership of one worker. `saved` is the Manager's current tag ids for it; `on_saved` is
/// called after a successful save so that the worker is fetched again.
#[component]
pub fn WorkerTags(
    worker_id: String,
    #[prop(into)] saved: Signal<BTreeSet<String>>,
    on_saved: impl Fn() + 'static,
) -> impl IntoView {
    let client = use_manager().client;
    let store = use_worker_tags();
    let draft = RwSignal::new(TagDraft::default());
    Effect::new(move |_| saved.with(|saved| draft.maybe_update(|draft| draft.settle(saved))));
    let message = RwSignal::new(None::<(bool, String)>);
    let save = Action::new_local(move |ids: &Vec<String>| {
        let client = client.clone();
        let worker_id = worker_id.clone();
        let ids = ids.clone();
        async move {
            match client.set_worker_tags(&worker_id, ids).await {
                Ok(()) => (true, "Tags saved.".to_owned()),
                Err(failure) => (false, format!("Tags not saved: {failure}")),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = save.value().get() {
            if outcome.0 {
                on_saved();
            }
            message.set(Some(outcome));
        }
    });
    // The shared tags: one created, renamed or deleted elsewhere shows here at once, and a box's tick
    // is the draft's, so it stays.
    let ids = Memo::new(move |_| {
        store.tags.with(|tags| tags.iter().filter_map(|tag| tag.id.clone()).collect::<Vec<_>>())
    });
    let problem = move || match store.state.get() {
        LoadState::Stale(failure) => Some(format!("Tags may be out of date: {failure}")),
        _ => None,
    };
    let boxes = move || {
        if ids.with(Vec::is_empty) && store.state.with(|state| matches!(state, LoadState::Fresh)) {
            Some(
                view! { <p class="muted">"The Manager has no worker tags. "<A href="/tags">"Create one"</A></p> },
            )
        } else {
            None
        }
    };
    let unsaved = move || saved.with(|saved| draft.with(|draft| draft.is_unsaved(saved)));
    let dispatch = move |_| {
        let ids = saved.with_untracked(|saved| draft.with_untracked(|draft| draft.shown(saved)));
        save.dispatch(ids.into_iter().collect());
    };
    view! {
        <fieldset class="worker-tags">
            <legend>"Tags"</legend>
            {boxes}
            <For each=move || ids.get() key=|id| id.clone() let:id>
                <TagBox id draft saved />
            </For>
            {move || problem().map(|text| view! { <p class="field-error">{text}</p> })}
            <button type="button" disabled=move || save.pending().get() on:click=dispatch>"Save tags"</button>
            {move || unsaved().then(|| view! { <span class="muted">" Unsaved changes"</span> })}
            <p class="action-report" role="status" class:problem=move || message.get().is_some_and(|(ok, _)| !ok)>{move || message.get().map(|(_, text)| text)}</p>
        </fieldset>
    }
}

/// One tag's checkbox.
#[component]
fn TagBox(id: String, draft: RwSignal<TagDraft>, saved: Signal<BTreeSet<String>>) -> impl IntoView {
    let store = use_worker_tags();
    let name = {
        let id = id.clone();
        move || store.name_of(&id)
    };
    let checked = {
        let id = id.clone();
        move || saved.with(|saved| draft.with(|draft| draft.shown(saved).contains(&id)))
    };
    let toggle = move |event: leptos::ev::Event| {
        let on = event_target_checked(&event);
        saved.with_untracked(|saved| draft.update(|draft| draft.set(saved, &id, on)));
    };
    view! { <label class="tag"><input type="checkbox" prop:checked=checked on:change=toggle />{name}</label> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|id| id.to_string()).collect()
    }

    #[test]
    fn a_tick_survives_updates_that_do_not_touch_the_tags() {
        let saved = ids(&["a"]);
        let mut draft = TagDraft::default();
        assert_eq!(draft.shown(&saved), ids(&["a"]));
        draft.set(&saved, "b", true);
        assert!(draft.is_unsaved(&saved));
        assert!(!draft.settle(&saved), "the worker changed, not its tags: the tick stays");
        assert_eq!(draft.shown(&saved), ids(&["a", "b"]));
    }

    #[test]
    fn a_draft_the_manager_now_has_is_done_with() {
        let mut draft = TagDraft::default();
        draft.set(&ids(&["a"]), "a", false);
        assert_eq!(draft.shown(&ids(&["a"])), ids(&[]));
        assert!(draft.settle(&ids(&[])), "saved");
        assert_eq!(draft, TagDraft::default());
        assert_eq!(draft.shown(&ids(&["c"])), ids(&["c"]), "later changes by others show");
    }
}
