//! The farm's worker tags, shared by every page that shows or picks a tag: fetched once per live
//! connection, then kept current by `/workertags` events, so that a tag id is shown by its name
//! everywhere and a rename shows at once.

use flamenco_api::{EventWorkerTagUpdate, SubscriptionType, WorkerTag};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ManagerClient;
use crate::live::{fetch_once_per_connection, use_live, LiveEvent};
use crate::manager::use_manager;
use crate::ui::first_rows::use_first_rows;
use crate::ui::load_state::LoadState;

/// The shared list of worker tags.
#[derive(Clone, Copy)]
pub struct WorkerTagsStore {
    /// Every tag the Manager has, in its order.
    pub tags: RwSignal<Vec<WorkerTag>>,
    pub state: RwSignal<LoadState>,
    client: StoredValue<ManagerClient>,
}

impl WorkerTagsStore {
    /// The tag's name, or its id when the Manager has no such tag (deleted, or not loaded yet).
    pub fn name_of(&self, tag_id: &str) -> String {
        self.tags.with(|tags| tag_name(tags, tag_id))
    }

    /// Fetches every tag again, e.g. after a change this page made, without waiting for its event.
    pub fn refresh(&self) {
        let store = *self;
        let client = self.client.get_value();
        spawn_local(async move {
            match client.fetch_worker_tags().await {
                Ok(tags) => {
                    store.tags.set(tags);
                    store.state.set(LoadState::Fresh);
                }
                Err(failure) => store.state.set(LoadState::failed(failure)),
            }
        });
    }

    fn apply(&self, event: &EventWorkerTagUpdate) {
        self.tags.update(|tags| apply_tag_event(tags, event));
    }
}

/// A tag's name from a list; its id when the list has no such tag.
pub fn tag_name(tags: &[WorkerTag], tag_id: &str) -> String {
    tags.iter()
        .find(|tag| tag.id.as_deref() == Some(tag_id))
        .map_or_else(|| tag_id.to_owned(), |tag| tag.name.clone())
}

/// Applies a `/workertags` event: a deleted tag goes, a new one is added, a changed one replaced.
pub fn apply_tag_event(tags: &mut Vec<WorkerTag>, event: &EventWorkerTagUpdate) {
    let Some(id) = event.tag.id.as_deref() else { return };
    let position = tags.iter().position(|tag| tag.id.as_deref() == Some(id));
    match (event.was_deleted == Some(true), position) {
        (true, Some(index)) => {
            tags.remove(index);
        }
        (true, None) => {}
        (false, Some(index)) => tags[index] = event.tag.clone(),
        (false, None) => tags.push(event.tag.clone()),
    }
}

/// Creates the store, subscribes to tag updates, and fetches the tags after every (re)connection.
pub fn provide_worker_tags() -> WorkerTagsStore {
    let store = WorkerTagsStore {
        tags: RwSignal::new(Vec::new()),
        state: RwSignal::new(LoadState::Loading),
        client: StoredValue::new(use_manager().client),
    };
    provide_context(store);
    let live = use_live();
    let subscription = live.subscribe(SubscriptionType::AllWorkerTags, None);
    let listener = live.on_event(move |event| {
        if let LiveEvent::WorkerTagUpdate(update) = event {
            store.apply(update);
        }
    });
    // The app lives as long as the page: keep the subscription and listener with the store.
    StoredValue::new_local((subscription, listener));
    // Tags only name the job list's tag column: they wait for its first rows.
    let first_rows = use_first_rows();
    fetch_once_per_connection(live, move || first_rows.is_open(), move || store.refresh());
    store
}

/// The shared worker tags (provided by the app).
pub fn use_worker_tags() -> WorkerTagsStore {
    expect_context::<WorkerTagsStore>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: &str, name: &str) -> WorkerTag {
        WorkerTag { id: Some(id.into()), name: name.into(), description: None }
    }

    #[test]
    fn an_unknown_id_is_shown_as_itself() {
        let tags = vec![tag("a", "GPU")];
        assert_eq!(tag_name(&tags, "a"), "GPU");
        assert_eq!(tag_name(&tags, "b"), "b");
    }

    #[test]
    fn events_add_rename_and_delete() {
        let mut tags = vec![tag("a", "GPU")];
        apply_tag_event(&mut tags, &EventWorkerTagUpdate { tag: tag("b", "CPU"), was_deleted: None });
        apply_tag_event(&mut tags, &EventWorkerTagUpdate { tag: tag("a", "Big GPU"), was_deleted: None });
        assert_eq!(tags, vec![tag("a", "Big GPU"), tag("b", "CPU")]);
        apply_tag_event(
            &mut tags,
            &EventWorkerTagUpdate { tag: tag("a", "Big GPU"), was_deleted: Some(true) },
        );
        assert_eq!(tags, vec![tag("b", "CPU")]);
    }
}
