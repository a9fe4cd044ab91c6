//! The jobs the whole app shares: fetched once per connection, then kept current by live events,
//! applied in small batches so that a burst of updates costs one re-render, not one each.

use std::time::Duration;

use flamenco_api::{EventJobUpdate, Job, SubscriptionType};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::selection::Selection;
use super::table::JobTable;
use crate::api::ManagerClient;
use crate::live::{fetch_once_per_connection, use_live, LiveEvent};
use crate::manager::use_manager;
use crate::ui::load_state::LoadState;
use crate::ui::yield_now::yield_now;

/// How long live job events are gathered before they are applied together.
const EVENT_BATCH_WINDOW: Duration = Duration::from_millis(60);

/// How long to wait before fetching the list again after `failures` failed fetches in a row:
/// 2 s, doubling up to 30 s. A list cut off mid-answer is fetched again without a reconnect.
pub fn retry_delay(failures: u32) -> Duration {
    let seconds = 2_u64.saturating_mul(1 << failures.saturating_sub(1).min(4));
    Duration::from_secs(seconds.min(30))
}

/// The shared job data and the list's selection.
#[derive(Clone, Copy)]
pub struct JobsStore {
    pub table: RwSignal<JobTable>,
    pub state: RwSignal<LoadState>,
    pub selection: RwSignal<Selection>,
    /// Whether the list was ever fetched: before that, a failed fetch has nothing "from before".
    pub ever_loaded: RwSignal<bool>,
    /// How many live job events have been applied since the page opened (the benchmark reads it).
    pub applied_events: RwSignal<u64>,
    /// After a failed fetch: how long until the list is fetched again by itself.
    pub retry_in: RwSignal<Option<Duration>>,
    /// Fetches started, so that a retry is dropped when another fetch came first.
    fetches: StoredValue<u64>,
    /// Failed fetches in a row.
    failures: StoredValue<u32>,
    pending_events: StoredValue<Vec<EventJobUpdate>, LocalStorage>,
    client: StoredValue<ManagerClient>,
}

impl JobsStore {
    /// Stores a job fetched on its own, e.g. for its details.
    pub fn upsert(&self, job: Job) {
        self.table.update(|table| table.upsert(job));
    }

    /// Queues a live event; the batch is applied shortly after the first event of it.
    fn enqueue(&self, event: EventJobUpdate) {
        let first_of_batch = self.pending_events.try_update_value(|pending| {
            pending.push(event);
            pending.len() == 1
        });
        if first_of_batch == Some(true) {
            let store = *self;
            set_timeout(move || store.flush_events(), EVENT_BATCH_WINDOW);
        }
    }

    fn flush_events(&self) {
        let events = self.pending_events.try_update_value(std::mem::take).unwrap_or_default();
        if events.is_empty() {
            return;
        }
        self.table.update(|table| {
            for event in &events {
                table.apply(event);
            }
        });
        self.applied_events.update(|applied| *applied += events.len() as u64);
        self.selection.update(|selection| {
            let table = self.table.read_untracked();
            selection.retain(|id| table.get(id).is_some());
        });
    }

    /// Fetches every job, replacing the table; on failure the table stays and is marked stale.
    fn refresh(&self) {
        let store = *self;
        let client = self.client.get_value();
        store.state.update(|state| {
            if !matches!(state, LoadState::Loading) {
                *state = LoadState::Refreshing;
            }
        });
        let Some(fetch) = store.fetches.try_update_value(|fetches| {
            *fetches += 1;
            *fetches
        }) else {
            return;
        };
        spawn_local(async move {
            match client.fetch_jobs().await {
                Ok(jobs) => {
                    // Building the table, showing it and freeing the one it replaces are separate
                    // tasks, so that with 10,000 jobs none of them holds the page for long.
                    let fresh = JobTable::from_jobs(jobs);
                    yield_now().await;
                    let Some(replaced) = store.table.try_update(|table| std::mem::replace(table, fresh))
                    else {
                        return;
                    };
                    store.state.set(LoadState::Fresh);
                    store.ever_loaded.set(true);
                    store.failures.set_value(0);
                    store.retry_in.set(None);
                    yield_now().await;
                    drop(replaced);
                }
                Err(failure) => {
                    store.state.set(LoadState::failed(failure));
                    store.retry_later(fetch);
                }
            }
        });
    }
}

impl JobsStore {
    /// Fetches again after a backoff, unless another fetch (a reconnect's) started after `fetch`.
    fn retry_later(&self, fetch: u64) {
        let store = *self;
        let Some(failures) = store.failures.try_update_value(|failures| {
            *failures = failures.saturating_add(1);
            *failures
        }) else {
            return;
        };
        let delay = retry_delay(failures);
        store.retry_in.set(Some(delay));
        set_timeout(
            move || {
                if store.fetches.try_get_value() == Some(fetch) {
                    store.refresh();
                }
            },
            delay,
        );
    }
}

/// Creates the store, subscribes to all job updates, and re-fetches after every (re)connection.
pub fn provide_jobs_store() -> JobsStore {
    let store = JobsStore {
        table: RwSignal::new(JobTable::default()),
        state: RwSignal::new(LoadState::Loading),
        selection: RwSignal::new(Selection::default()),
        ever_loaded: RwSignal::new(false),
        applied_events: RwSignal::new(0),
        retry_in: RwSignal::new(None),
        fetches: StoredValue::new(0),
        failures: StoredValue::new(0),
        pending_events: StoredValue::new_local(Vec::new()),
        client: StoredValue::new(use_manager().client),
    };
    provide_context(store);
    let live = use_live();
    let subscription = live.subscribe(SubscriptionType::AllJobs, None);
    let listener = live.on_event(move |event| {
        if let LiveEvent::JobUpdate(update) = event {
            store.enqueue(update.clone());
        }
    });
    // The app lives as long as the page: keep the subscription and listener with the store.
    StoredValue::new_local((subscription, listener));
    fetch_once_per_connection(live, || true, move || store.refresh());
    store
}

/// The shared job store (provided by the app).
pub fn use_jobs() -> JobsStore {
    expect_context::<JobsStore>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_list_is_fetched_again_sooner_first_then_every_half_minute() {
        let delays: Vec<u64> = (1..=8).map(|failures| retry_delay(failures).as_secs()).collect();
        assert_eq!(delays, [2, 4, 8, 16, 30, 30, 30, 30]);
        assert_eq!(retry_delay(0).as_secs(), 2);
        assert_eq!(retry_delay(u32::MAX).as_secs(), 30);
    }
}
