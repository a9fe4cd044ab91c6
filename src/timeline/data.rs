//! The timeline's data while the page is open: the runs (kept in IndexedDB, filled in from the
//! task lists of running jobs and of jobs that changed within the kept window, then followed by
//! `/task` events) and the workers (their list once per connection, then `/workers` events).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use flamenco_api::{SubscriptionType, WorkerStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::{Timeline, KEEP_MS};
use super::store::RunStore;
use crate::api::{ApiFailure, ManagerClient};
use crate::jobs::{use_jobs, JobsStore};
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
use crate::problems::rules::timestamp_ms;
use crate::tasks::follow::{follow_jobs, may_run_tasks, use_running_jobs, TaskFetcher};

/// Changes are written this long after the first one, together: a busy farm changes runs every
/// second, and one transaction per event would be wasteful.
const SAVE_DELAY: Duration = Duration::from_millis(1500);

/// Whether this browser keeps the timeline over a reload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum History {
    Opening,
    Kept,
    /// Why not (private window, storage turned off or full): the timeline still works live.
    NotKept(String),
}

/// A worker as its row shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerInfo {
    pub name: String,
    pub status: WorkerStatus,
}

/// What the page reads.
#[derive(Clone, Copy)]
pub struct TimelineData {
    pub timeline: RwSignal<Timeline>,
    pub workers: RwSignal<BTreeMap<String, WorkerInfo>>,
    pub workers_loaded: RwSignal<bool>,
    pub history: RwSignal<History>,
    /// The last fetch that failed, in words.
    pub failure: RwSignal<Option<String>>,
    store: StoredValue<Option<RunStore>, LocalStorage>,
    save_scheduled: StoredValue<bool>,
}

impl TimelineData {
    /// Applies `change` to the runs; when it changed something, the page follows and the store
    /// writes it soon.
    fn change(self, change: impl FnOnce(&mut Timeline) -> bool) {
        let changed = self.timeline.try_maybe_update(|timeline| {
            let changed = change(timeline);
            (changed, changed)
        });
        if changed == Some(true) {
            self.schedule_save();
        }
    }

    fn schedule_save(self) {
        let has_store = self.store.try_with_value(Option::is_some).unwrap_or(false);
        if !has_store
            || self.save_scheduled.try_update_value(|scheduled| std::mem::replace(scheduled, true))
                != Some(false)
        {
            return;
        }
        set_timeout(move || self.save_now(), SAVE_DELAY);
    }

    /// Writes what changed (and forgets runs past the kept window) at once.
    fn save_now(self) {
        self.save_scheduled.try_set_value(false);
        let now = js_sys::Date::now();
        self.timeline.try_maybe_update(|timeline| {
            let pruned = timeline.prune(now);
            (pruned, ())
        });
        let Some(store) = self.store.try_get_value().flatten() else { return };
        let Some(changes) = self.timeline.try_update_untracked(Timeline::take_changes) else { return };
        if changes.is_empty() {
            return;
        }
        let history = self.history;
        spawn_local(async move {
            if let Err(error) = store.write(&changes).await {
                history.try_set(History::NotKept(error.to_string()));
            }
        });
    }

    /// Opens the browser's store, takes the runs kept there and writes what happened meanwhile.
    fn open_history(self, manager_url: String) {
        spawn_local(async move {
            let opened = match RunStore::open(&manager_url).await {
                Ok(store) => store.load().await.map(|runs| (store, runs)),
                Err(error) => Err(error),
            };
            match opened {
                Ok((store, runs)) => {
                    self.change(|timeline| timeline.restore(runs));
                    self.store.try_set_value(Some(store));
                    self.history.try_set(History::Kept);
                    self.save_now();
                }
                Err(error) => {
                    self.history.try_set(History::NotKept(error.to_string()));
                }
            }
        });
    }
}

fn job_name(jobs: JobsStore, job_id: &str) -> String {
    jobs.table.with_untracked(|table| table.get(job_id).map(|job| job.name.clone())).unwrap_or_default()
}

/// Fetches the task lists of running jobs (followed live) and of jobs that changed within the kept
/// window (once per change of theirs).
fn follow_job_tasks(data: TimelineData, client: ManagerClient) {
    let jobs = use_jobs();
    let fetcher = TaskFetcher::new(client, move |job_id, result| match result {
        Ok(tasks) => {
            let name = job_name(jobs, &job_id);
            let since = js_sys::Date::now() - KEEP_MS;
            data.change(|timeline| timeline.backfill((&job_id, &name), &tasks, since));
        }
        // A job deleted meanwhile has nothing more to say.
        Err(ApiFailure::Manager { status: 404, .. }) => {}
        Err(failure) => {
            data.failure.set(Some(format!("The tasks of job {job_id} could not be fetched: {failure}")))
        }
    });
    let running = use_running_jobs();
    follow_jobs(running, move |change, followed| {
        change.to_fetch(followed).into_iter().for_each(|id| fetcher.request(id));
        // A job that stopped: its last tasks' ends, in case their events raced the job's own.
        change.removed.iter().for_each(|id| fetcher.request(id));
    });
    // Each job's `updated` as last looked at: a job is looked at again only when it changes, so
    // that 10,000 old jobs cost a lookup each per update of the list, not a timestamp parse.
    let looked_at = StoredValue::new(HashMap::<String, String>::new());
    Effect::new(move |_| {
        let since = js_sys::Date::now() - KEEP_MS;
        let mut wanted = Vec::new();
        jobs.table.with(|table| {
            looked_at.update_value(|looked_at| {
                for job in table
                    .iter()
                    .filter(|job| !may_run_tasks(&job.status) && job.delete_requested_at.is_none())
                {
                    if looked_at.get(&job.id) == Some(&job.updated) {
                        continue;
                    }
                    looked_at.insert(job.id.clone(), job.updated.clone());
                    if timestamp_ms(&job.updated).is_some_and(|at| at >= since) {
                        wanted.push(job.id.clone());
                    }
                }
            })
        });
        wanted.iter().for_each(|id| fetcher.request(id));
    });
    use_live_event(move |event| match event {
        LiveEvent::TaskUpdate(update) => {
            let name = job_name(jobs, &update.job_id);
            data.change(|timeline| timeline.record(update, &name));
        }
        LiveEvent::JobUpdate(update)
            if update.refresh_tasks && running.with_untracked(|running| running.contains_key(&update.id)) =>
        {
            fetcher.request(&update.id);
        }
        _ => {}
    });
}

/// Whether a worker in this status is not running anything.
fn stopped(status: &WorkerStatus) -> bool {
    matches!(status, WorkerStatus::Offline | WorkerStatus::Error | WorkerStatus::Asleep)
}

/// The worker list once per connection, then its `/workers` events.
fn follow_workers(data: TimelineData, client: ManagerClient) {
    let live = use_live();
    use_subscription(SubscriptionType::AllWorkers, || None);
    Effect::new(move |_| {
        live.epoch().track();
        let client = client.clone();
        spawn_local(async move {
            match client.fetch_workers().await {
                Ok(workers) => {
                    let workers = workers
                        .into_iter()
                        .map(|worker| (worker.id, WorkerInfo { name: worker.name, status: worker.status }))
                        .collect();
                    data.workers.try_set(workers);
                    data.workers_loaded.try_set(true);
                }
                Err(failure) => {
                    data.failure.try_set(Some(format!("The workers could not be fetched: {failure}")));
                }
            }
        });
    });
    use_live_event(move |event| {
        let LiveEvent::WorkerUpdate(update) = event else { return };
        if update.deleted_at.is_some() {
            data.workers.update(|workers| {
                workers.remove(&update.id);
            });
            return;
        }
        let info = WorkerInfo { name: update.name.clone(), status: update.status.clone() };
        // Busy farms send these every second: only a real change reaches the rows.
        data.workers
            .maybe_update(|workers| workers.insert(update.id.clone(), info.clone()).as_ref() != Some(&info));
        if stopped(&update.status) {
            let at = timestamp_ms(&update.updated).unwrap_or_else(js_sys::Date::now);
            data.change(|timeline| timeline.worker_stopped(&update.id, at));
        }
    });
}

/// Sets up the timeline's data for as long as the calling component lives.
pub fn use_timeline_data() -> TimelineData {
    let client = use_manager().client;
    let data = TimelineData {
        timeline: RwSignal::new(Timeline::default()),
        workers: RwSignal::new(BTreeMap::new()),
        workers_loaded: RwSignal::new(false),
        history: RwSignal::new(History::Opening),
        failure: RwSignal::new(None),
        store: StoredValue::new_local(None),
        save_scheduled: StoredValue::new(false),
    };
    data.open_history(client.base_url().to_owned());
    follow_job_tasks(data, client.clone());
    follow_workers(data, client);
    // What changed in the last moments is written when the page goes (a reload, another page).
    let handle = window_event_listener(leptos::ev::pagehide, move |_| data.save_now());
    on_cleanup(move || {
        handle.remove();
        data.save_now();
    });
    data
}
