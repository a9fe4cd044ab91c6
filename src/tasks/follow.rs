//! Following the tasks of a changing set of jobs, for the views that look across jobs (Problems,
//! Timeline): a `job` subscription for each followed job, so its `/task` events arrive, and the
//! task lists fetched through a [`FetchQueue`], a few at a time.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use flamenco_api::{JobStatus, SubscriptionType, TaskSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::fetch_queue::FetchQueue;
use crate::api::{ApiFailure, ManagerClient};
use crate::live::{use_live, SubscriptionGuard};

/// Jobs whose tasks may be running: the ones to follow live.
pub fn may_run_tasks(status: &JobStatus) -> bool {
    matches!(status, JobStatus::Active | JobStatus::PauseRequested | JobStatus::CancelRequested)
}

/// The jobs whose tasks may be running and that are not being deleted, id to name, in a stable
/// order: what both the Problems view and the timeline follow.
pub fn use_running_jobs() -> Memo<BTreeMap<String, String>> {
    let jobs = crate::jobs::use_jobs();
    Memo::new(move |_| {
        jobs.table.with(|table| {
            table
                .iter()
                .filter(|job| may_run_tasks(&job.status) && job.delete_requested_at.is_none())
                .map(|job| (job.id.clone(), job.name.clone()))
                .collect::<BTreeMap<_, _>>()
        })
    })
}

/// What a fetch of one job's tasks gives its owner.
type Deliver = Rc<dyn Fn(String, Result<Vec<TaskSummary>, ApiFailure>)>;

/// Fetches task lists through the queue and hands each answer to its owner.
#[derive(Clone, Copy)]
pub struct TaskFetcher {
    client: StoredValue<ManagerClient>,
    queue: StoredValue<FetchQueue>,
    deliver: StoredValue<Deliver, LocalStorage>,
}

impl TaskFetcher {
    /// A fetcher whose answers go to `deliver` (with the job's id).
    pub fn new(
        client: ManagerClient,
        deliver: impl Fn(String, Result<Vec<TaskSummary>, ApiFailure>) + 'static,
    ) -> Self {
        TaskFetcher {
            client: StoredValue::new(client),
            queue: StoredValue::new(FetchQueue::default()),
            deliver: StoredValue::new_local(Rc::new(deliver)),
        }
    }

    /// Asks for a job's tasks; a job already waiting keeps its place.
    pub fn request(self, job_id: &str) {
        self.queue.update_value(|queue| queue.push(job_id));
        self.pump();
    }

    /// Drops a waiting request (the job is no longer followed).
    pub fn forget(self, job_id: &str) {
        self.queue.update_value(|queue| queue.remove(job_id));
    }

    fn pump(self) {
        while let Some(job_id) = self.queue.try_update_value(FetchQueue::start_next).flatten() {
            let client = self.client.get_value();
            spawn_local(async move {
                let result = client.fetch_job_tasks(&job_id).await;
                self.queue.update_value(FetchQueue::finished);
                if let Some(deliver) = self.deliver.try_get_value() {
                    deliver(job_id, result);
                    self.pump();
                }
            });
        }
    }
}

/// How the followed jobs changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowChange {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// The connection came back: events were missed, so every followed job is fetched again.
    pub reconnected: bool,
}

impl FollowChange {
    /// The jobs whose tasks must be fetched now.
    pub fn to_fetch<'a>(&'a self, followed: &'a BTreeMap<String, String>) -> Vec<&'a String> {
        if self.reconnected {
            followed.keys().collect()
        } else {
            self.added.iter().collect()
        }
    }
}

/// Holds a `job` subscription for each job in `jobs` (id to name) for as long as the calling
/// component lives, and tells `on_change` which jobs came and went (with the jobs now followed).
pub fn follow_jobs(
    jobs: Memo<BTreeMap<String, String>>,
    on_change: impl Fn(&FollowChange, &BTreeMap<String, String>) + 'static,
) {
    let live = use_live();
    let subscriptions = StoredValue::new_local(HashMap::<String, SubscriptionGuard>::new());
    let last_epoch = StoredValue::new(None::<u64>);
    Effect::new(move |_| {
        let epoch = live.epoch().get();
        let reconnected =
            last_epoch.try_update_value(|last| last.replace(epoch) != Some(epoch)).unwrap_or(false);
        jobs.with(|followed| {
            let change = subscriptions
                .try_update_value(|guards| {
                    let added: Vec<String> =
                        followed.keys().filter(|id| !guards.contains_key(*id)).cloned().collect();
                    let removed: Vec<String> =
                        guards.keys().filter(|id| !followed.contains_key(*id)).cloned().collect();
                    for id in &added {
                        guards.insert(id.clone(), live.subscribe(SubscriptionType::Job, Some(id.clone())));
                    }
                    let released: Vec<SubscriptionGuard> =
                        removed.iter().filter_map(|id| guards.remove(id)).collect();
                    (FollowChange { added, removed, reconnected }, released)
                })
                .map(|(change, released)| {
                    drop(released); // outside the lock: releasing calls into the connection
                    change
                });
            let Some(change) = change else { return };
            if change.added.is_empty() && change.removed.is_empty() && !change.reconnected {
                return;
            }
            on_change(&change, followed);
        });
    });
    on_cleanup(move || {
        let guards = subscriptions.try_update_value(std::mem::take);
        drop(guards);
    });
}
