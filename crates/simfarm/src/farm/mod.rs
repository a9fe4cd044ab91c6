//! The farm's state: jobs, tasks, workers and tags, kept in memory behind one lock
//! ([`SharedFarm`]). Every change goes through methods of [`Farm`]: jobs here, their status rules in
//! [`state_machine`], handing out work in [`scheduler`], tasks in [`tasks`], workers and their tags
//! in [`workers`]. They emit the live updates, in order, while the lock is held.

mod blocklist;
pub mod events;
mod scheduler;
mod state_machine;
mod tasks;
mod workers;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use flamenco_api::{
    EventJobUpdate, EventLastRenderedUpdate, FarmStatus, Job, JobLastRenderedImageInfo, JobStatus,
    SubmittedJob, TaskStatus, TaskSummary, TaskWorker, WorkerStatus, WorkerStatusChangeRequest, WorkerTag,
};
use tokio::sync::mpsc::UnboundedSender;

pub use blocklist::BLOCKLIST_THRESHOLD;
pub use events::LiveEvent;
pub use scheduler::{Assignment, Outcome};

use crate::clock::{self, Rng};
use crate::jobtypes::CompiledJob;
use crate::render::thumbnail::{Thumbnails, SPECS};
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
/// A task log is kept to this size; older text is dropped (the simulated logs are chatty).
const LOG_KEEP_BYTES: usize = 256 * 1024;

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

    // ---- Jobs ----

    /// Stores a compiled job and its tasks, as `initial_status` (default `queued`) says.
    pub fn store_job(&mut self, id: String, submitted: SubmittedJob, compiled: CompiledJob) -> Job {
        let now = clock::now();
        let status = submitted.initial_status.clone().unwrap_or(JobStatus::Queued);
        let mut task_ids = Vec::with_capacity(compiled.tasks.len());
        let ids: Vec<String> = compiled.tasks.iter().map(|_| self.rng.uuid()).collect();
        let mut steps_total = 0;
        for (index, (authored, task_id)) in compiled.tasks.into_iter().zip(&ids).enumerate() {
            let steps = authored.commands.iter().map(|command| command.total_step_count.max(1)).sum::<i64>();
            steps_total += steps;
            let depends_on = authored.depends_on.iter().filter_map(|&dep| ids.get(dep).cloned()).collect();
            self.tasks.insert(
                task_id.clone(),
                TaskRec {
                    id: task_id.clone(),
                    job_id: id.clone(),
                    name: authored.name,
                    index_in_job: index as i32 + 1,
                    status: TaskStatus::Queued,
                    priority: authored.priority,
                    task_type: authored.task_type,
                    activity: String::new(),
                    commands: authored.commands,
                    steps_completed: 0,
                    steps_total: steps,
                    created: now.clone(),
                    updated: now.clone(),
                    worker: None,
                    last_touched: None,
                    failed_by: Vec::new(),
                    depends_on,
                    log: String::new(),
                    work: authored.work,
                },
            );
            task_ids.push(task_id.clone());
        }
        // The Manager keeps the job type's etag to itself: job JSON has no `type_etag`.
        let job = Job {
            id: id.clone(),
            name: submitted.name,
            job_type: submitted.job_type,
            type_etag: None,
            priority: submitted.priority,
            settings: Some(go_numbers(compiled.settings)),
            metadata: Some(submitted.metadata.unwrap_or_default()),
            submitter_platform: submitted.submitter_platform,
            storage: submitted.storage,
            worker_tag: submitted.worker_tag.filter(|tag| !tag.is_empty()),
            initial_status: None,
            created: now.clone(),
            updated: now,
            status: status.clone(),
            activity: String::new(),
            steps_completed: 0,
            steps_total: 0,
            delete_requested_at: None,
        };
        self.count_status(None, &status, &id);
        self.jobs.insert(id.clone(), JobRec { job: job.clone(), task_ids, planned_steps: steps_total });
        self.job_order.push(id);
        let mut event = job_event(&job);
        event.previous_status = None;
        self.emit(LiveEvent::Job(event));
        job
    }

    /// Keeps the per-status counts and the runnable set in step with a job's status.
    fn count_status(&mut self, old: Option<&JobStatus>, new: &JobStatus, job_id: &str) {
        if let Some(old) = old {
            if let Some(count) = self.status_counts.get_mut(old.as_str()) {
                *count = count.saturating_sub(1);
            }
        }
        *self.status_counts.entry(new.as_str().to_owned()).or_default() += 1;
        if matches!(new, JobStatus::Queued | JobStatus::Active) {
            self.runnable_jobs.insert(job_id.to_owned());
        } else {
            self.runnable_jobs.remove(job_id);
        }
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.get(id).map(|rec| &rec.job)
    }

    /// All jobs in creation order, borrowed: listing 10,000 jobs copies none of them.
    pub fn jobs(&self) -> impl Iterator<Item = &Job> {
        self.job_order.iter().filter_map(|id| self.jobs.get(id).map(|rec| &rec.job))
    }

    pub fn job_count(&self) -> usize {
        self.jobs.len()
    }

    /// The summaries of a job's tasks, in index order; empty for an unknown job (as Flamenco).
    pub fn task_summaries(&self, job_id: &str) -> Vec<TaskSummary> {
        let Some(rec) = self.jobs.get(job_id) else { return Vec::new() };
        rec.task_ids.iter().filter_map(|id| self.tasks.get(id)).map(|task| self.task_summary(task)).collect()
    }

    fn task_summary(&self, task: &TaskRec) -> TaskSummary {
        TaskSummary {
            id: task.id.clone(),
            name: task.name.clone(),
            status: task.status.clone(),
            index_in_job: task.index_in_job,
            priority: task.priority,
            task_type: task.task_type.clone(),
            updated: task.updated.clone(),
            worker: Some(self.task_worker_or_unassigned(task.worker.as_deref())),
            steps_completed: task.steps_completed,
            steps_total: task.steps_total,
        }
    }

    /// The Manager sends a task's `worker` even when no worker has it: with empty strings.
    fn task_worker_or_unassigned(&self, worker_id: Option<&str>) -> TaskWorker {
        worker_id.and_then(|id| self.task_worker(id)).unwrap_or_else(|| TaskWorker {
            id: String::new(),
            name: String::new(),
            address: String::new(),
        })
    }

    fn task_worker(&self, worker_id: &str) -> Option<TaskWorker> {
        self.worker(worker_id).map(|worker| TaskWorker {
            id: worker.id.clone(),
            name: worker.name.clone(),
            address: worker.ip_address.clone(),
        })
    }

    /// Changes a job's priority and tells the clients.
    pub fn set_job_priority(&mut self, job_id: &str, priority: i32) -> bool {
        let Some(rec) = self.jobs.get_mut(job_id) else { return false };
        // The Manager leaves `updated` alone here.
        rec.job.priority = priority;
        let event = job_event(&rec.job);
        self.emit(LiveEvent::Job(event));
        true
    }

    /// Limits a job to the workers of a tag (`None`: any worker) and tells the clients.
    pub fn set_job_tag(&mut self, job_id: &str, tag_id: Option<String>) -> bool {
        let Some(rec) = self.jobs.get_mut(job_id) else { return false };
        rec.job.worker_tag = tag_id;
        rec.job.updated = clock::now();
        let event = job_event(&rec.job);
        self.emit(LiveEvent::Job(event));
        true
    }

    /// Marks a job for deletion; [`Farm::delete_job`] removes it later, as Flamenco's job deleter.
    pub fn request_job_deletion(&mut self, job_id: &str) -> bool {
        let Some(rec) = self.jobs.get_mut(job_id) else { return false };
        let now = clock::now();
        rec.job.delete_requested_at = Some(now.clone());
        rec.job.updated = now;
        let event = job_event(&rec.job);
        self.emit(LiveEvent::Job(event));
        true
    }

    /// Removes a job marked for deletion, with its tasks, logs and thumbnails. Its running tasks
    /// simply vanish from under their workers, as in Flamenco.
    pub fn delete_job(&mut self, job_id: &str) {
        let Some(rec) = self.jobs.remove(job_id) else { return };
        if let Some(count) = self.status_counts.get_mut(rec.job.status.as_str()) {
            *count = count.saturating_sub(1);
        }
        self.runnable_jobs.remove(job_id);
        self.job_order.retain(|id| id != job_id);
        for task_id in &rec.task_ids {
            self.tasks.remove(task_id);
        }
        for worker in &mut self.workers {
            if worker.task.as_ref().is_some_and(|task| rec.task_ids.contains(task)) {
                worker.task = None;
            }
        }
        self.thumbnails.remove(job_id);
        self.blocklists.remove(job_id);
        if self.last_rendered_job.as_deref() == Some(job_id) {
            self.last_rendered_job = None;
        }
        // Flamenco sends only the id and `was_deleted`; the other fields go out as Go's zero values.
        self.emit(LiveEvent::Job(EventJobUpdate {
            id: job_id.to_owned(),
            name: None,
            updated: "0001-01-01T00:00:00Z".into(),
            status: JobStatus::Unknown(String::new()),
            previous_status: None,
            job_type: String::new(),
            priority: 0,
            refresh_tasks: false,
            steps_completed: 0,
            steps_total: 0,
            delete_requested_at: None,
            was_deleted: Some(true),
        }));
    }

    /// Puts a stored job straight into a state, for seeding: its tasks get `task_status(index)`,
    /// their steps follow (full when completed), and the job gets `status`. No events: nobody is
    /// connected while the farm is seeded.
    pub fn seed_state(&mut self, job_id: &str, status: JobStatus, task_status: impl Fn(usize) -> TaskStatus) {
        let Some(rec) = self.jobs.get(job_id) else { return };
        let task_ids = rec.task_ids.clone();
        let old = rec.job.status.clone();
        let mut steps = 0;
        for (index, task_id) in task_ids.iter().enumerate() {
            let Some(task) = self.tasks.get_mut(task_id) else { continue };
            task.status = task_status(index);
            task.steps_completed = if task.status == TaskStatus::Completed { task.steps_total } else { 0 };
            if task.status != TaskStatus::Queued {
                task.activity = format!("Task is {}", task.status);
            }
            steps += task.steps_completed;
        }
        if let Some(rec) = self.jobs.get_mut(job_id) {
            if ran_before(&status) {
                rec.job.steps_total = rec.planned_steps;
            }
            rec.job.status = status.clone();
            rec.job.steps_completed = steps;
            rec.job.activity = format!("Changed to status \"{status}\": seeded");
        }
        self.count_status(Some(&old), &status, job_id);
    }

    // ---- Last-rendered images ----

    /// Where the last-rendered images of a job are served, as Flamenco lays out its job storage.
    pub fn last_rendered_info(&self, job_id: &str) -> Option<JobLastRenderedImageInfo> {
        self.thumbnails.get(job_id)?;
        Some(last_rendered_info(job_id))
    }

    /// The job whose image was rendered last, on the whole farm.
    pub fn last_rendered_job(&self) -> Option<&str> {
        self.last_rendered_job.as_deref()
    }

    pub fn thumbnails(&self, job_id: &str) -> Option<Arc<Thumbnails>> {
        self.thumbnails.get(job_id).cloned()
    }

    /// Stores a job's new last-rendered image and tells the clients.
    pub fn set_last_rendered(&mut self, job_id: &str, thumbnails: Thumbnails) {
        if !self.jobs.contains_key(job_id) || thumbnails.files.is_empty() {
            return;
        }
        self.thumbnails.insert(job_id.to_owned(), Arc::new(thumbnails));
        self.last_rendered_job = Some(job_id.to_owned());
        self.emit(LiveEvent::LastRendered(EventLastRenderedUpdate {
            job_id: job_id.to_owned(),
            thumbnail: last_rendered_info(job_id),
        }));
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

/// Whether a job in this status has run (and so shows its real `steps_total`), for seeding.
fn ran_before(status: &JobStatus) -> bool {
    !matches!(status, JobStatus::Queued | JobStatus::Paused | JobStatus::UnderConstruction)
}

/// Settings as the Manager stores them (Go `float64`s): a whole number comes back as an integer,
/// `24.0` as `24`.
fn go_numbers(settings: flamenco_api::JobSettings) -> flamenco_api::JobSettings {
    fn whole(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Number(number) => match number.as_f64() {
                Some(float)
                    if number.is_f64() && float.fract() == 0.0 && float.abs() < 9_007_199_254_740_992.0 =>
                {
                    serde_json::Value::from(float as i64)
                }
                _ => serde_json::Value::Number(number),
            },
            serde_json::Value::Array(items) => items.into_iter().map(whole).collect(),
            serde_json::Value::Object(map) => {
                serde_json::Value::Object(map.into_iter().map(|(k, v)| (k, whole(v))).collect())
            }
            other => other,
        }
    }
    settings.into_iter().map(|(key, value)| (key, whole(value))).collect()
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

/// Flamenco's job storage layout: `/job-files/job-<first 4 of id>/<id>`.
pub fn job_files_base(job_id: &str) -> String {
    let prefix: String = job_id.chars().take(4).collect();
    format!("/job-files/job-{prefix}/{job_id}")
}

fn last_rendered_info(job_id: &str) -> JobLastRenderedImageInfo {
    JobLastRenderedImageInfo {
        base: job_files_base(job_id),
        suffixes: SPECS.iter().map(|(name, _, _)| (*name).to_owned()).collect(),
    }
}
