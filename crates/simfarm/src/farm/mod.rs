//! The farm's state: jobs, tasks, workers and tags, kept in memory behind one lock
//! ([`SharedFarm`]). Every change goes through methods of [`Farm`]: jobs in [`jobs`], their status
//! rules in [`state_machine`], last-rendered images in [`last_rendered`], handing out work in [`scheduler`], tasks in [`tasks`], workers and their tags
//! in [`workers`]. They emit the live updates, in order, while the lock is held.

mod blocklist;
pub mod events;
mod jobs;
mod last_rendered;
mod scheduler;
pub mod seeded_failures;
mod state_machine;
mod tasks;
mod workers;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use flamenco_api::{
    EventJobUpdate, FarmStatus, Job, JobStatus, TaskStatus, WorkerStatus, WorkerStatusChangeRequest,
    WorkerTag,
};
use tokio::sync::mpsc::UnboundedSender;

pub use blocklist::BLOCKLIST_THRESHOLD;
pub use events::LiveEvent;
pub use last_rendered::job_files_base;
pub use scheduler::{Assignment, Outcome};

use crate::clock::Rng;
use crate::render::thumbnail::Thumbnails;
use crate::render::Work;

/// The farm, shared between the HTTP handlers, the simulated workers and the live updates.
pub type SharedFarm = Arc<Mutex<Farm>>;

/// Locks the farm. A panic while the lock was held would poison it; the state is still usable
/// (every change is applied whole or not at all by the code holding it), so the guard is taken.
pub fn lock(farm: &SharedFarm) -> MutexGuard<'_, Farm> {
    farm.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How many failures turn a task from `soft-failed` into `failed` (Flamenco's default).
pub const TASK_FAIL_AFTER_SOFT_FAILS: usize = 3;
/// Maximum bytes `logtail` returns, like Flamenco.
const LOG_TAIL_BYTES: usize = 2048;
/// A task log is kept to this size; older text is dropped (the simulated logs are chatty). Room for
/// a Worker's 1 MB line whole, as the Manager's log file keeps it.
const LOG_KEEP_BYTES: usize = 4 * 1024 * 1024;

/// A job and the ids of its tasks, in index order.
pub struct JobRec {
    pub job: Job,
    pub task_ids: Vec<String>,
    /// The steps of all its tasks. The Manager shows `steps_total` 0 until the job first runs.
    pub planned_steps: i64,
}

/// A task with what the Manager keeps about it.
pub struct TaskRec {
    pub id: String,
    pub job_id: String,
    pub name: String,
    pub index_in_job: i32,
    pub status: TaskStatus,
    pub priority: i32,
    pub task_type: String,
    pub activity: String,
    pub commands: Vec<flamenco_api::Command>,
    pub steps_completed: i64,
    pub steps_total: i64,
    pub created: String,
    pub updated: String,
    /// The worker it was last assigned to.
    pub worker: Option<String>,
    pub last_touched: Option<String>,
    /// Workers that failed it; cleared when it is requeued by hand.
    pub failed_by: Vec<String>,
    pub depends_on: Vec<String>,
    pub log: String,
    pub work: Work,
}

/// A worker as the Manager knows it.
pub struct WorkerRec {
    pub id: String,
    pub name: String,
    pub status: WorkerStatus,
    pub status_change: Option<WorkerStatusChangeRequest>,
    pub last_seen: Option<String>,
    pub updated: String,
    pub version: String,
    pub can_restart: bool,
    pub ip_address: String,
    pub platform: String,
    pub supported_task_types: Vec<String>,
    /// The task it is working on.
    pub task: Option<String>,
    /// The last task it was given, kept after the task ends: the Manager's worker `task` is this
    /// one, also while the worker is idle or asleep.
    pub last_task: Option<String>,
    pub tag_ids: Vec<String>,
}

/// Settings of the farm that do not change while it runs.
#[derive(Clone, Debug)]
pub struct FarmOptions {
    /// The Manager's name.
    pub name: String,
    pub seed: u64,
}

/// Everything the Manager knows.
pub struct Farm {
    pub options: FarmOptions,
    pub rng: Rng,
    jobs: HashMap<String, JobRec>,
    /// Job ids in creation order: the order of `GET /api/v3/jobs`.
    job_order: Vec<String>,
    tasks: HashMap<String, TaskRec>,
    workers: Vec<WorkerRec>,
    tags: Vec<WorkerTag>,
    /// Jobs per status, kept up to date so that the farm status needs no scan of all jobs.
    status_counts: HashMap<String, usize>,
    /// Jobs whose tasks may be handed out (`queued` or `active`).
    runnable_jobs: HashSet<String>,
    thumbnails: HashMap<String, Arc<Thumbnails>>,
    sleep_schedules: HashMap<String, serde_json::Value>,
    /// Per job, the workers blocked from a task type on it ([`blocklist`]).
    blocklists: HashMap<String, Vec<flamenco_api::JobBlocklistEntry>>,
    last_rendered_job: Option<String>,
    events: Option<UnboundedSender<LiveEvent>>,
}

impl Farm {
    /// An empty farm; `events` receives every live update, in order.
    pub fn new(options: FarmOptions, events: Option<UnboundedSender<LiveEvent>>) -> Farm {
        Farm {
            rng: Rng::new(options.seed),
            options,
            jobs: HashMap::new(),
            job_order: Vec::new(),
            tasks: HashMap::new(),
            workers: Vec::new(),
            tags: Vec::new(),
            status_counts: HashMap::new(),
            runnable_jobs: HashSet::new(),
            thumbnails: HashMap::new(),
            sleep_schedules: HashMap::new(),
            blocklists: HashMap::new(),
            last_rendered_job: None,
            events,
        }
    }

    /// Sends a live update to the socket.io clients.
    pub fn emit(&self, event: LiveEvent) {
        if let Some(sender) = &self.events {
            // A closed channel means nobody listens any more (shutdown): nothing to do.
            let _ = sender.send(event);
        }
    }

    // ---- The farm as a whole ----

    /// The farm's status, by Flamenco's rules.
    pub fn farm_status(&self) -> FarmStatus {
        let count =
            |status: &WorkerStatus| self.workers.iter().filter(|worker| &worker.status == status).count();
        let all_down = self
            .workers
            .iter()
            .all(|worker| matches!(worker.status, WorkerStatus::Offline | WorkerStatus::Error));
        if self.workers.is_empty() || all_down {
            return FarmStatus::Inoperative;
        }
        let jobs = |status: &str| self.status_counts.get(status).copied().unwrap_or(0);
        let any_active = jobs("active") > 0;
        let work_available = any_active || jobs("queued") > 0;
        let any_awake = count(&WorkerStatus::Awake) > 0;
        let all_asleep = !any_awake && count(&WorkerStatus::Asleep) > 0;
        match () {
            _ if any_active && any_awake => FarmStatus::Active,
            _ if work_available => FarmStatus::Waiting,
            _ if all_asleep => FarmStatus::Asleep,
            _ => FarmStatus::Idle,
        }
    }

    /// Checks the farm's internal consistency; used by tests after storms of requests.
    pub fn check_invariants(&self) -> Result<(), String> {
        if self.job_order.len() != self.jobs.len() {
            return Err(format!("{} jobs listed, {} stored", self.job_order.len(), self.jobs.len()));
        }
        let mut counted: HashMap<String, usize> = HashMap::new();
        for rec in self.jobs.values() {
            *counted.entry(rec.job.status.as_str().to_owned()).or_default() += 1;
            let steps: i64 =
                rec.task_ids.iter().filter_map(|id| self.tasks.get(id)).map(|t| t.steps_completed).sum();
            if steps != rec.job.steps_completed {
                return Err(format!(
                    "job {} counts {} steps, its tasks {steps}",
                    rec.job.id, rec.job.steps_completed
                ));
            }
            if rec.job.status == JobStatus::Completed
                && rec
                    .task_ids
                    .iter()
                    .any(|id| self.tasks.get(id).is_some_and(|t| t.status != TaskStatus::Completed))
            {
                return Err(format!("job {} is completed with unfinished tasks", rec.job.id));
            }
        }
        for (status, count) in &self.status_counts {
            if counted.get(status).copied().unwrap_or(0) != *count {
                return Err(format!("status count of {status} is {count}, jobs say otherwise"));
            }
        }
        for worker in &self.workers {
            if let Some(task_id) = &worker.task {
                if let Some(task) = self.tasks.get(task_id) {
                    if task.worker.as_deref() != Some(worker.id.as_str()) {
                        return Err(format!(
                            "worker {} holds task {task_id} assigned elsewhere",
                            worker.name
                        ));
                    }
                }
            }
        }
        let active = self.tasks.values().filter(|t| t.status == TaskStatus::Active).count();
        let busy = self.workers.iter().filter(|w| w.task.is_some()).count();
        if active > busy {
            return Err(format!("{active} active tasks but only {busy} busy workers"));
        }
        Ok(())
    }
}

/// The live update for a job's current state.
pub(crate) fn job_event(job: &Job) -> EventJobUpdate {
    EventJobUpdate {
        id: job.id.clone(),
        name: Some(job.name.clone()),
        updated: job.updated.clone(),
        status: job.status.clone(),
        previous_status: None,
        job_type: job.job_type.clone(),
        priority: job.priority,
        refresh_tasks: false,
        steps_completed: job.steps_completed,
        steps_total: job.steps_total,
        delete_requested_at: job.delete_requested_at.clone(),
        was_deleted: None,
    }
}
