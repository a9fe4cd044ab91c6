//! The Problems view's data, followed live: the tasks of the active jobs only (each fetched once,
//! then kept by its `/task` events, a few fetches at a time), and the full records of the workers
//! that are offline or in error. Everything else comes from the shared jobs store.

use std::collections::{BTreeMap, HashMap};

use flamenco_api::{SubscriptionType, Worker, WorkerStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::rules::{dropped_out, STUCK_RULE};
use super::watch::JobWatch;
use crate::api::ManagerClient;
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
use crate::tasks::fetch_queue::CONCURRENT_FETCHES;
use crate::tasks::follow::{follow_jobs, use_running_jobs, TaskFetcher};
use crate::tasks::table::TaskEventEffect;

type Watches = RwSignal<HashMap<String, JobWatch>>;

fn gone_away(status: &WorkerStatus) -> bool {
    matches!(status, WorkerStatus::Offline | WorkerStatus::Error)
}

/// What the page reads.
#[derive(Clone, Copy)]
pub struct ProblemsData {
    /// The followed jobs, id to name, in a stable order.
    pub active: Memo<BTreeMap<String, String>>,
    pub watches: RwSignal<HashMap<String, JobWatch>>,
    /// Offline and error workers that dropped out while working.
    pub dropped: RwSignal<BTreeMap<String, Worker>>,
    pub workers_loaded: RwSignal<bool>,
    /// The last fetch that failed, in words.
    pub failure: RwSignal<Option<String>>,
}

/// Follows the active jobs: a watch for each, dropped when it stops; their tasks fetched once
/// each, and again after a reconnection.
fn follow_active_jobs(active: Memo<BTreeMap<String, String>>, fetcher: TaskFetcher, watches: Watches) {
    follow_jobs(active, move |change, followed| {
        watches.update(|watches| {
            for id in &change.removed {
                watches.remove(id);
            }
            for id in &change.added {
                watches.insert(id.clone(), JobWatch::default());
            }
        });
        change.removed.iter().for_each(|id| fetcher.forget(id));
        for id in change.to_fetch(followed) {
            fetcher.request(id);
        }
    });
}

/// Fetches a worker's full record and keeps it when it dropped out while working.
fn check_worker(client: ManagerClient, id: String, dropped: RwSignal<BTreeMap<String, Worker>>) {
    spawn_local(async move {
        if let Ok(worker) = client.fetch_worker(&id).await {
            dropped.update(|dropped| {
                if dropped_out(&worker) {
                    dropped.insert(id, worker);
                } else {
                    dropped.remove(&id);
                }
            });
        }
    });
}

/// Keeps the status of a dropped worker's task current, so the page says where that task is now.
fn follow_dropped_task(dropped: RwSignal<BTreeMap<String, Worker>>, update: &flamenco_api::EventTaskUpdate) {
    let names_it = |worker: &Worker| worker.task.as_ref().is_some_and(|task| task.id == update.id);
    if !dropped.with_untracked(|dropped| dropped.values().any(names_it)) {
        return;
    }
    dropped.update(|dropped| {
        for task in dropped.values_mut().filter_map(|worker| worker.task.as_mut()) {
            if task.id == update.id {
                task.status = update.status.clone();
            }
        }
    });
}

/// Fetches the worker list once per connection and the records of those that went away.
fn follow_workers(data: ProblemsData, client: ManagerClient) {
    let live = use_live();
    use_subscription(SubscriptionType::AllWorkers, || None);
    Effect::new(move |_| {
        live.epoch().track();
        let client = client.clone();
        spawn_local(async move {
            let workers = match client.fetch_workers().await {
                Ok(workers) => workers,
                Err(failure) => {
                    data.failure.set(Some(format!("The workers could not be fetched: {failure}")));
                    return;
                }
            };
            let away: Vec<String> = workers
                .into_iter()
                .filter(|worker| gone_away(&worker.status))
                .map(|worker| worker.id)
                .collect();
            let mut found = BTreeMap::new();
            for ids in away.chunks(CONCURRENT_FETCHES * 2) {
                let fetched = futures::future::join_all(ids.iter().map(|id| client.fetch_worker(id))).await;
                found.extend(
                    fetched
                        .into_iter()
                        .flatten()
                        .filter(dropped_out)
                        .map(|worker| (worker.id.clone(), worker)),
                );
            }
            data.dropped.set(found);
            data.workers_loaded.set(true);
        });
    });
}

/// Sets up the Problems view's data for as long as the calling component lives.
pub fn use_problems_data() -> ProblemsData {
    let client = use_manager().client;
    let active = use_running_jobs();
    let data = ProblemsData {
        active,
        watches: RwSignal::new(HashMap::new()),
        dropped: RwSignal::new(BTreeMap::new()),
        workers_loaded: RwSignal::new(false),
        failure: RwSignal::new(None),
    };
    let fetcher = TaskFetcher::new(client.clone(), move |job_id, result| match result {
        Ok(tasks) => data.watches.update(|watches| {
            if let Some(watch) = watches.get_mut(&job_id) {
                watch.replace(job_id.clone(), tasks, &STUCK_RULE);
            }
        }),
        Err(failure) => {
            data.failure.set(Some(format!("The tasks of job {job_id} could not be fetched: {failure}")))
        }
    });
    follow_active_jobs(active, fetcher, data.watches);
    follow_workers(data, client.clone());
    use_live_event(move |event| match event {
        LiveEvent::TaskUpdate(update) => {
            let effect = data.watches.try_maybe_update(|watches| match watches.get_mut(&update.job_id) {
                Some(watch) if watch.loaded => {
                    let effect = watch.apply(update, &STUCK_RULE);
                    (effect == TaskEventEffect::Updated, Some(effect))
                }
                _ => (false, None),
            });
            if effect.flatten() == Some(TaskEventEffect::Unknown) {
                fetcher.request(&update.job_id);
            }
            follow_dropped_task(data.dropped, update);
        }
        LiveEvent::JobUpdate(update)
            if update.refresh_tasks
                && data.watches.with_untracked(|watches| watches.contains_key(&update.id)) =>
        {
            fetcher.request(&update.id);
        }
        LiveEvent::WorkerUpdate(update) => {
            if update.deleted_at.is_some() {
                data.dropped.update(|dropped| {
                    dropped.remove(&update.id);
                });
            } else if gone_away(&update.status) {
                check_worker(client.clone(), update.id.clone(), data.dropped);
            } else if data.dropped.with_untracked(|dropped| dropped.contains_key(&update.id)) {
                data.dropped.update(|dropped| {
                    dropped.remove(&update.id);
                });
            }
        }
        _ => {}
    });
    data
}
