//! Which task ran on which worker when. The Manager keeps no history of runs and its task records
//! have no start time, so the runs are pieced together here: from `/task` events seen while the page
//! is open (a task going into `active` starts a run, leaving it ends the run), from fetched task
//! lists (a finished task's `updated` is its end; its start is inferred as in the Problems view),
//! and from what this browser kept of earlier visits.

use std::collections::{BTreeMap, HashMap, HashSet};

use flamenco_api::{EventTaskUpdate, TaskStatus, TaskSummary};
use serde::{Deserialize, Serialize};

use super::window::duration_text;
use crate::problems::rules::{run_start, timestamp_ms};

/// How long runs are kept: the longest window the page offers.
pub const KEEP_MS: f64 = 12.0 * 3_600_000.0;

/// Two ends this close together (the event's and the task list's clock) are the same end.
const SAME_END_MS: f64 = 2_000.0;

/// How a run ended, or that it still runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunOutcome {
    Running,
    Completed,
    Failed,
    SoftFailed,
    Canceled,
    /// Given back to the queue (requeued, or its worker went away and the Manager requeued it).
    Requeued,
    Paused,
    /// Ended without the task saying how: its worker went offline, or another worker took it.
    Interrupted,
}

impl RunOutcome {
    /// How a run ended when its task left `active` for `status`.
    pub fn after(status: &TaskStatus) -> RunOutcome {
        match status {
            TaskStatus::Active => RunOutcome::Running,
            TaskStatus::Completed => RunOutcome::Completed,
            TaskStatus::Failed => RunOutcome::Failed,
            TaskStatus::SoftFailed => RunOutcome::SoftFailed,
            TaskStatus::Canceled => RunOutcome::Canceled,
            TaskStatus::Queued => RunOutcome::Requeued,
            TaskStatus::Paused => RunOutcome::Paused,
            _ => RunOutcome::Interrupted,
        }
    }

    /// The task status whose colour the bar takes (`status-<this>` in main.css).
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Running => "active",
            RunOutcome::Completed => "completed",
            RunOutcome::Failed => "failed",
            RunOutcome::SoftFailed => "soft-failed",
            RunOutcome::Canceled => "canceled",
            RunOutcome::Requeued => "queued",
            RunOutcome::Paused => "paused",
            RunOutcome::Interrupted => "unknown",
        }
    }

    /// In words, for the bar's name.
    pub fn label(self) -> &'static str {
        match self {
            RunOutcome::Running => "running",
            RunOutcome::Completed => "completed",
            RunOutcome::Failed => "failed",
            RunOutcome::SoftFailed => "soft-failed",
            RunOutcome::Canceled => "canceled",
            RunOutcome::Requeued => "requeued",
            RunOutcome::Paused => "paused",
            RunOutcome::Interrupted => "interrupted",
        }
    }
}

/// Where a run's start comes from: the page says which starts are guesses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartSource {
    /// Neither seen nor inferable: the run is drawn as a mark at its end.
    Unknown,
    /// The same worker's previous finish in the job (a worker starts its next task right away).
    Inferred,
    /// A `/task` event into `active` was seen.
    Seen,
}

/// One run of a task on a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRun {
    pub task_id: String,
    pub task_name: String,
    pub job_id: String,
    pub job_name: String,
    pub worker_id: String,
    pub worker_name: String,
    pub start_ms: f64,
    pub end_ms: Option<f64>,
    pub outcome: RunOutcome,
    pub start: StartSource,
}

impl TaskRun {
    /// Names the run for good: a run's task and start never change.
    pub fn key(&self) -> String {
        format!("{}@{}", self.task_id, self.start_ms.round() as i64)
    }

    /// When it ended, or `now_ms` while it runs.
    pub fn end_or(&self, now_ms: f64) -> f64 {
        self.end_ms.unwrap_or(now_ms).max(self.start_ms)
    }

    /// The run in words, for its bar's name and tooltip, e.g. `render-0003 of job "Shot" on
    /// blade-01: 10:01:02 to 10:01:05 (3.0 s), completed`; `clock` writes a time of day.
    pub fn describe(&self, now_ms: f64, clock: &dyn Fn(f64) -> String) -> String {
        let head = format!("{} of job \"{}\" on {}", self.task_name, self.job_name, self.worker_name);
        let duration = duration_text(self.end_or(now_ms) - self.start_ms);
        let end = self.end_ms.map(clock).unwrap_or_else(|| "now".to_owned());
        let times = match self.start {
            StartSource::Seen => format!("{} to {end} ({duration})", clock(self.start_ms)),
            StartSource::Inferred => format!("about {} to {end} (about {duration})", clock(self.start_ms)),
            StartSource::Unknown => format!("ended {end}, start unknown"),
        };
        format!("{head}: {times}, {}", self.outcome.label())
    }

    /// Whether two records describe the same run of a task (one seen live, one from a task list
    /// or from storage): the same worker, and both still running or ending together.
    fn same_run(&self, other: &TaskRun) -> bool {
        self.task_id == other.task_id
            && self.worker_id == other.worker_id
            && match (self.end_ms, other.end_ms) {
                (Some(a), Some(b)) => (a - b).abs() <= SAME_END_MS,
                (None, None) => true,
                _ => false,
            }
    }
}

/// What changed since the store last wrote: runs to write and keys to delete.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub put: Vec<TaskRun>,
    pub delete: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.put.is_empty() && self.delete.is_empty()
    }
}

/// Every run known, by key, with indexes by task and by worker.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    runs: HashMap<String, TaskRun>,
    by_task: HashMap<String, Vec<String>>,
    by_worker: HashMap<String, Vec<String>>,
    changed: HashSet<String>,
    deleted: HashSet<String>,
}

impl Timeline {
    pub fn run(&self, key: &str) -> Option<&TaskRun> {
        self.runs.get(key)
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The runs of one worker, in no particular order.
    pub fn runs_of<'a>(&'a self, worker_id: &str) -> impl Iterator<Item = &'a TaskRun> + 'a {
        let keys = self.by_worker.get(worker_id).map(Vec::as_slice).unwrap_or_default();
        keys.iter().filter_map(|key| self.runs.get(key))
    }

    /// Every worker that has runs, id to the name its latest run gave it.
    pub fn workers(&self) -> BTreeMap<String, String> {
        let mut latest: HashMap<&str, &TaskRun> = HashMap::new();
        for run in self.runs.values() {
            let entry = latest.entry(&run.worker_id).or_insert(run);
            if run.start_ms > entry.start_ms {
                *entry = run;
            }
        }
        latest.into_iter().map(|(id, run)| (id.to_owned(), run.worker_name.clone())).collect()
    }

    /// Takes runs kept from an earlier visit; returns whether any was new.
    pub fn restore(&mut self, runs: Vec<TaskRun>) -> bool {
        let mut any = false;
        for run in runs {
            any |= self.merge(run, false);
        }
        any
    }

    /// Applies a `/task` event of the job `job_name`; returns whether a run changed (progress
    /// updates of a running task change nothing).
    pub fn record(&mut self, event: &EventTaskUpdate, job_name: &str) -> bool {
        let Some(at) = timestamp_ms(&event.updated) else { return false };
        let worker = event.worker.as_ref().filter(|worker| !worker.uuid.is_empty());
        let open = self.open_run(&event.id);
        if event.status == TaskStatus::Active {
            let Some(worker) = worker else { return false };
            // Progress and activity updates come without a previous status (or with `active`).
            let started_now =
                event.previous_status.as_ref().is_some_and(|previous| *previous != TaskStatus::Active);
            if let Some(key) = open {
                let same_worker = self.runs.get(&key).is_some_and(|run| run.worker_id == worker.uuid);
                if same_worker && !started_now {
                    return false;
                }
                self.end_run(&key, at, RunOutcome::Interrupted);
            }
            let start = if started_now { StartSource::Seen } else { StartSource::Inferred };
            let run = TaskRun {
                task_id: event.id.clone(),
                task_name: event.name.clone(),
                job_id: event.job_id.clone(),
                job_name: job_name.to_owned(),
                worker_id: worker.uuid.clone(),
                worker_name: worker.name.clone(),
                start_ms: at,
                end_ms: None,
                outcome: RunOutcome::Running,
                start,
            };
            return self.merge(run, true);
        }
        let outcome = RunOutcome::after(&event.status);
        match (open, worker) {
            (Some(key), _) => {
                self.end_run(&key, at, outcome);
                true
            }
            // The start was missed (the job was followed too late): the worker's previous finish
            // in this job, if one is known, else a mark at the end.
            (None, Some(worker))
                if matches!(outcome, RunOutcome::Completed | RunOutcome::Failed | RunOutcome::SoftFailed) =>
            {
                let previous = self
                    .runs_of(&worker.uuid)
                    .filter(|run| run.job_id == event.job_id)
                    .filter_map(|run| run.end_ms)
                    .filter(|&end| end < at)
                    .reduce(f64::max);
                let run = TaskRun {
                    task_id: event.id.clone(),
                    task_name: event.name.clone(),
                    job_id: event.job_id.clone(),
                    job_name: job_name.to_owned(),
                    worker_id: worker.uuid.clone(),
                    worker_name: worker.name.clone(),
                    start_ms: previous.unwrap_or(at),
                    end_ms: Some(at),
                    outcome,
                    start: if previous.is_some() { StartSource::Inferred } else { StartSource::Unknown },
                };
                self.merge(run, true)
            }
            (None, _) => false,
        }
    }

    /// Takes a fetched task list of a job: finished tasks whose run ended after `since_ms` and
    /// running tasks become runs unless already known; runs that the list says ended (an event
    /// was missed) are ended. Returns whether a run changed.
    pub fn backfill(&mut self, job: (&str, &str), tasks: &[TaskSummary], since_ms: f64) -> bool {
        let seen: HashMap<String, f64> = tasks
            .iter()
            .flat_map(|task| self.runs_of_task(&task.id))
            .filter(|run| run.start == StartSource::Seen)
            .map(|run| (run.task_id.clone(), run.start_ms))
            .collect();
        let mut changed = false;
        for task in tasks {
            let Some(worker) = task.worker.as_ref().filter(|worker| !worker.id.is_empty()) else { continue };
            let Some(updated) = timestamp_ms(&task.updated) else { continue };
            let outcome = RunOutcome::after(&task.status);
            if let Some(key) = self.open_run(&task.id) {
                if outcome != RunOutcome::Running {
                    self.end_run(&key, updated, outcome);
                    changed = true;
                }
                continue;
            }
            let ran = matches!(
                outcome,
                RunOutcome::Running | RunOutcome::Completed | RunOutcome::Failed | RunOutcome::SoftFailed
            );
            if !ran || (outcome != RunOutcome::Running && updated < since_ms) {
                continue;
            }
            let Some(start_ms) = run_start(task, tasks, &seen) else { continue };
            let start = if seen.contains_key(&task.id) {
                StartSource::Seen
            } else if start_ms < updated || outcome == RunOutcome::Running {
                StartSource::Inferred
            } else {
                StartSource::Unknown
            };
            let run = TaskRun {
                task_id: task.id.clone(),
                task_name: task.name.clone(),
                job_id: job.0.to_owned(),
                job_name: job.1.to_owned(),
                worker_id: worker.id.clone(),
                worker_name: worker.name.clone(),
                start_ms,
                end_ms: (outcome != RunOutcome::Running).then_some(updated),
                outcome,
                start,
            };
            changed |= self.merge(run, true);
        }
        changed
    }

    /// A worker went away (offline, error, asleep): whatever it was running stopped at `at_ms`.
    pub fn worker_stopped(&mut self, worker_id: &str, at_ms: f64) -> bool {
        let open: Vec<String> =
            self.runs_of(worker_id).filter(|run| run.end_ms.is_none()).map(TaskRun::key).collect();
        for key in &open {
            self.end_run(key, at_ms, RunOutcome::Interrupted);
        }
        !open.is_empty()
    }

    /// Forgets runs that ended more than [`KEEP_MS`] before `now_ms`, and runs said to be running
    /// that started that long ago (kept from a visit during which their job went away); returns
    /// whether any went.
    pub fn prune(&mut self, now_ms: f64) -> bool {
        let old: Vec<String> = self
            .runs
            .iter()
            .filter(|(_, run)| run.end_ms.unwrap_or(run.start_ms) < now_ms - KEEP_MS)
            .map(|(key, _)| key.clone())
            .collect();
        for key in &old {
            self.remove(key);
        }
        !old.is_empty()
    }

    /// What changed since the last call, for the store.
    pub fn take_changes(&mut self) -> Changes {
        let put = self.changed.drain().filter_map(|key| self.runs.get(&key).cloned()).collect();
        Changes { put, delete: self.deleted.drain().collect() }
    }

    fn runs_of_task<'a>(&'a self, task_id: &str) -> impl Iterator<Item = &'a TaskRun> + 'a {
        let keys = self.by_task.get(task_id).map(Vec::as_slice).unwrap_or_default();
        keys.iter().filter_map(|key| self.runs.get(key))
    }

    fn open_run(&self, task_id: &str) -> Option<String> {
        self.runs_of_task(task_id).find(|run| run.end_ms.is_none()).map(TaskRun::key)
    }

    fn end_run(&mut self, key: &str, at_ms: f64, outcome: RunOutcome) {
        if let Some(run) = self.runs.get_mut(key) {
            run.end_ms = Some(at_ms.max(run.start_ms));
            run.outcome = outcome;
            self.changed.insert(key.to_owned());
        }
    }

    /// Adds a run unless it is already known; a record that knows more (an end, a start seen
    /// rather than inferred) replaces the other. `changed` marks it for the store.
    fn merge(&mut self, run: TaskRun, changed: bool) -> bool {
        let existing = self.runs_of_task(&run.task_id).find(|known| known.same_run(&run)).map(TaskRun::key);
        if let Some(key) = existing {
            let better = self.runs.get(&key).is_some_and(|known| run.start > known.start);
            if !better {
                return false;
            }
            self.remove(&key);
        }
        let key = run.key();
        if self.runs.contains_key(&key) {
            return false;
        }
        self.by_task.entry(run.task_id.clone()).or_default().push(key.clone());
        self.by_worker.entry(run.worker_id.clone()).or_default().push(key.clone());
        self.runs.insert(key.clone(), run);
        self.deleted.remove(&key);
        if changed {
            self.changed.insert(key);
        }
        true
    }

    fn remove(&mut self, key: &str) {
        let Some(run) = self.runs.remove(key) else { return };
        for index in
            [self.by_task.get_mut(&run.task_id), self.by_worker.get_mut(&run.worker_id)].into_iter().flatten()
        {
            index.retain(|known| known != key);
        }
        self.changed.remove(key);
        self.deleted.insert(key.to_owned());
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
