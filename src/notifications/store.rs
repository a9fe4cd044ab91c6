//! The app-wide notification history: every live job, worker and tag event goes through
//! [`History`], which keeps only the changes. What exists is learned from the shared stores' first
//! fetch (and a worker list fetched once per connection), so connecting never floods the list.

use flamenco_api::SubscriptionType;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::history::History;
use crate::api::ManagerClient;
use crate::jobs::use_jobs;
use crate::live::{use_live, LiveEvent};
use crate::manager::use_manager;
use crate::tags::use_worker_tags;
use crate::ui::first_rows::use_first_rows;
use crate::ui::load_state::LoadState;

/// The shared history (provided by the app).
#[derive(Clone, Copy)]
pub struct NotificationsStore {
    pub history: RwSignal<History>,
    client: StoredValue<ManagerClient>,
}

impl NotificationsStore {
    /// How many notices came since the list was last looked at.
    pub fn unread(&self) -> Signal<usize> {
        let history = self.history;
        Signal::derive(move || history.with(History::unread))
    }

    fn handle(&self, event: &LiveEvent) {
        let now = js_sys::Date::now();
        match event {
            LiveEvent::JobUpdate(update) => {
                let made = self.history.try_update(|history| history.job_event(update, now)).flatten();
                let is_change = update.was_deleted != Some(true);
                if let (Some(notice), true) = (made, is_change) {
                    self.fetch_activity(notice, update.id.clone());
                }
            }
            LiveEvent::WorkerUpdate(update) => {
                self.history.update(|history| {
                    history.worker_event(update, now);
                });
            }
            LiveEvent::WorkerTagUpdate(update) => {
                self.history.update(|history| {
                    history.tag_event(update, now);
                });
            }
            _ => {}
        }
    }

    /// The job's activity says why it changed ("no more workers left", the reason given): the
    /// event does not carry it, so it is fetched for the notice.
    fn fetch_activity(&self, notice: u64, job_id: String) {
        let store = *self;
        let client = self.client.get_value();
        spawn_local(async move {
            if let Ok(job) = client.fetch_job(&job_id).await {
                store.history.try_update(|history| history.set_detail(notice, job.activity));
            }
        });
    }

    fn learn_workers(&self) {
        let store = *self;
        let client = self.client.get_value();
        spawn_local(async move {
            if let Ok(workers) = client.fetch_workers().await {
                store.history.try_update(|history| {
                    history.know_workers(workers.iter().map(|w| (w.id.as_str(), w.name.as_str(), &w.status)))
                });
            }
        });
    }
}

/// Creates the store; call in `App` after the jobs and tags stores.
pub fn provide_notifications() -> NotificationsStore {
    let store = NotificationsStore {
        history: RwSignal::new(History::default()),
        client: StoredValue::new(use_manager().client),
    };
    provide_context(store);
    let live = use_live();
    let subscriptions =
        [SubscriptionType::AllJobs, SubscriptionType::AllWorkers, SubscriptionType::AllWorkerTags]
            .map(|kind| live.subscribe(kind, None));
    let listener = live.on_event(move |event| store.handle(event));
    // The app lives as long as the page: keep the subscriptions and listener with the store.
    StoredValue::new_local((subscriptions, listener));

    // Learning what exists is for notices to come: it waits for the job list's first rows.
    let first_rows = use_first_rows();
    let jobs = use_jobs();
    Effect::new(move |_| {
        if first_rows.is_open() && jobs.state.get() == LoadState::Fresh {
            jobs.table.with_untracked(|table| {
                store.history.update(|history| {
                    history
                        .know_jobs(table.iter().map(|job| (job.id.as_str(), job.name.as_str(), &job.status)))
                })
            });
        }
    });
    let tags = use_worker_tags();
    Effect::new(move |_| {
        if tags.state.get() == LoadState::Fresh {
            tags.tags.with_untracked(|tags| {
                store.history.update(|history| {
                    history.know_tags(
                        tags.iter().filter_map(|tag| Some((tag.id.as_deref()?, tag.name.as_str()))),
                    )
                })
            });
        }
    });
    Effect::new(move |_| {
        if first_rows.is_open() && live.epoch().get() > 0 {
            store.learn_workers();
        }
    });
    store
}

/// The shared notification history.
pub fn use_notifications() -> NotificationsStore {
    expect_context::<NotificationsStore>()
}
