//! Handing tasks to workers, and what workers report back: the Manager's side of its worker API,
//! called directly by the simulated workers.

use std::cmp::Reverse;

use flamenco_api::{JobStatus, TaskStatus, WorkerStatus};

use super::blocklist::BlocklistVerdict;
use super::{job_event, Farm, LiveEvent, TASK_FAIL_AFTER_SOFT_FAILS};
use crate::clock;
use crate::render::Work;

/// A task handed to a worker.
#[derive(Clone, Debug)]
pub struct Assignment {
    pub task_id: String,
    pub job_id: String,
    pub task_name: String,
    pub steps_total: i64,
    pub work: Work,
}

/// Order of preference among runnable tasks: job priority, task priority, then the oldest job
/// (by creation time, then id for ties) and the lowest task index.
type SchedulingKey<'a> = (i32, i32, Reverse<&'a str>, Reverse<&'a str>, Reverse<i32>);

/// How a worker's run of a task ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    Completed,
    Failed(String),
}

impl Farm {
    /// A worker checks in: it is seen, and acts on a requested status change (a lazy one only once
    /// it has no task). Returns its status afterwards; `None` once it has been deleted.
    pub fn worker_check_in(&mut self, worker_id: &str) -> Option<WorkerStatus> {
        let now = clock::now();
        let worker = self.worker_mut(worker_id)?;
        worker.last_seen = Some(now.clone());
        let change = match &worker.status_change {
            Some(change) if !change.is_lazy || worker.task.is_none() => change.clone(),
            _ => return Some(worker.status.clone()),
        };
        let previous = std::mem::replace(&mut worker.status, change.status.clone());
        worker.status_change = None;
        worker.updated = now;
        let task = worker.task.clone();
        if change.status != WorkerStatus::Awake {
            if let Some(task_id) = task {
                self.return_task_of_worker(&task_id, &format!("worker changed status to {}", change.status));
            }
        }
        if let Some(mut event) = self.worker_event(worker_id) {
            event.previous_status = Some(previous);
            self.emit(LiveEvent::Worker(event));
        }
        Some(change.status)
    }

    /// Sets a worker's own status (signing on, going offline) and tells the clients.
    pub fn worker_set_status(&mut self, worker_id: &str, status: WorkerStatus) {
        let Some(worker) = self.worker_mut(worker_id) else { return };
        let previous = std::mem::replace(&mut worker.status, status);
        worker.updated = clock::now();
        worker.last_seen = Some(worker.updated.clone());
        if let Some(mut event) = self.worker_event(worker_id) {
            event.previous_status = Some(previous);
            self.emit(LiveEvent::Worker(event));
        }
    }

    /// Picks the task this worker should run next, like Flamenco's scheduler: a `queued` or
    /// `soft-failed` task of a `queued` or `active` job not marked for deletion, whose dependencies
    /// are completed, of a type the worker supports, in the job's worker tag if it has one, not
    /// already failed by this worker; highest job priority first, then task priority, then the
    /// oldest job. The task becomes `active`, which makes its job `active`.
    pub fn schedule(&mut self, worker_id: &str) -> Option<Assignment> {
        let worker = self.worker(worker_id)?;
        if worker.status != WorkerStatus::Awake || worker.task.is_some() {
            return None;
        }
        let mut best: Option<(SchedulingKey, &str)> = None;
        for job_id in &self.runnable_jobs {
            let Some(rec) = self.jobs.get(job_id) else { continue };
            let job = &rec.job;
            if job.delete_requested_at.is_some()
                || !matches!(job.status, JobStatus::Queued | JobStatus::Active)
            {
                continue;
            }
            if job.worker_tag.as_ref().is_some_and(|tag| !worker.tag_ids.contains(tag)) {
                continue;
            }
            for task_id in &rec.task_ids {
                let Some(task) = self.tasks.get(task_id) else { continue };
                if !matches!(task.status, TaskStatus::Queued | TaskStatus::SoftFailed)
                    || !worker.supported_task_types.contains(&task.task_type)
                    || task.failed_by.contains(&worker.id)
                    || self.is_blocklisted(job_id, &worker.id, &task.task_type)
                    || !task
                        .depends_on
                        .iter()
                        .all(|dep| self.tasks.get(dep).is_some_and(|dep| dep.status == TaskStatus::Completed))
                {
                    continue;
                }
                let key = (
                    job.priority,
                    task.priority,
                    Reverse(job.created.as_str()),
                    Reverse(job.id.as_str()),
                    Reverse(task.index_in_job),
                );
                if best.as_ref().is_none_or(|(best_key, _)| key > *best_key) {
                    best = Some((key, task_id.as_str()));
                }
            }
        }
        let task_id = best?.1.to_owned();
        let worker_name = worker.name.clone();
        let now = clock::now();
        let task = self.tasks.get_mut(&task_id)?;
        task.worker = Some(worker_id.to_owned());
        task.last_touched = Some(now);
        let assignment = Assignment {
            task_id: task_id.clone(),
            job_id: task.job_id.clone(),
            task_name: task.name.clone(),
            steps_total: task.steps_total,
            work: task.work.clone(),
        };
        if let Some(worker) = self.worker_mut(worker_id) {
            worker.task = Some(task_id.clone());
            worker.last_task = Some(task_id.clone());
        }
        // The Manager tells the clients about the worker on every assignment, so a busy farm sends
        // worker updates continuously.
        if let Some(event) = self.worker_event(worker_id) {
            self.emit(LiveEvent::Worker(event));
        }
        self.write_task_log(&task_id, &format!("task assigned to worker {worker_name} ({worker_id})"));
        self.task_status_change(&task_id, TaskStatus::Active);
        Some(assignment)
    }

    /// Whether the worker may go on with the task: it must still be `active` and theirs. When it
    /// may not (cancelled, requeued, deleted), the worker lets go of it.
    pub fn may_keep_running(&mut self, worker_id: &str, task_id: &str) -> bool {
        let ok = self.tasks.get(task_id).is_some_and(|task| {
            task.status == TaskStatus::Active && task.worker.as_deref() == Some(worker_id)
        });
        if !ok {
            if let Some(worker) = self.worker_mut(worker_id) {
                if worker.task.as_deref() == Some(task_id) {
                    worker.task = None;
                }
            }
        }
        ok
    }

    /// A worker reports progress: steps done so far and a log line. Returns whether it may go on.
    pub fn task_progress(&mut self, worker_id: &str, task_id: &str, steps_completed: i64, log: &str) -> bool {
        if !self.may_keep_running(worker_id, task_id) {
            return false;
        }
        let now = clock::now();
        let Some(task) = self.tasks.get_mut(task_id) else { return false };
        let steps = steps_completed.clamp(0, task.steps_total);
        let delta = steps - task.steps_completed;
        task.steps_completed = steps;
        task.last_touched = Some(now.clone());
        task.updated = now;
        let job_id = task.job_id.clone();
        if !log.is_empty() {
            self.write_task_log(task_id, log);
        }
        if delta != 0 {
            self.add_job_steps(&job_id, delta);
            if let Some(task) = self.tasks.get(task_id) {
                let event = self.task_event(task, None);
                self.emit(LiveEvent::Task(event));
            }
            if let Some(job) = self.job(&job_id) {
                self.emit(LiveEvent::Job(job_event(job)));
            }
        }
        if let Some(worker) = self.worker_mut(worker_id) {
            worker.last_seen = Some(clock::now());
        }
        true
    }

    /// A worker is done with a task. A failure first goes through the job's blocklist rules (which
    /// may fail the job when nobody is left for the task type), then soft-fails the task (another
    /// worker will try) until [`TASK_FAIL_AFTER_SOFT_FAILS`] workers have failed it; when no other
    /// worker could run it the whole job fails, as in Flamenco.
    pub fn task_done(&mut self, worker_id: &str, task_id: &str, outcome: Outcome) {
        if !self.may_keep_running(worker_id, task_id) {
            return;
        }
        if let Some(worker) = self.worker_mut(worker_id) {
            worker.task = None;
        }
        match outcome {
            Outcome::Completed => self.task_status_change(task_id, TaskStatus::Completed),
            Outcome::Failed(message) => {
                self.write_task_log(task_id, &message);
                let Some(task) = self.tasks.get_mut(task_id) else { return };
                if !task.failed_by.iter().any(|id| id == worker_id) {
                    task.failed_by.push(worker_id.to_owned());
                }
                let failures = task.failed_by.len();
                let task_type = task.task_type.clone();
                let job_id = task.job_id.clone();
                if self.apply_blocklist_rules(worker_id, task_id) == BlocklistVerdict::NoWorkersLeft {
                    return;
                }
                let capable = self
                    .workers
                    .iter()
                    .filter(|worker| worker.status != WorkerStatus::Offline)
                    .filter(|worker| worker.supported_task_types.contains(&task_type))
                    .count();
                let (status, activity) = if failures >= TASK_FAIL_AFTER_SOFT_FAILS {
                    (
                        TaskStatus::Failed,
                        format!("Task failed by {failures} workers, Manager will mark it as hard failure"),
                    )
                } else {
                    (
                        TaskStatus::SoftFailed,
                        format!("Task failed by {failures} worker(s), Manager will mark it as soft failure"),
                    )
                };
                if let Some(task) = self.tasks.get_mut(task_id) {
                    task.activity = activity;
                }
                if capable <= 1 && status == TaskStatus::SoftFailed {
                    // No other worker can run it: the Manager fails the job at once.
                    self.task_status_change(task_id, TaskStatus::Failed);
                    self.job_status_change(
                        &job_id,
                        JobStatus::Failed,
                        "no worker is able to run a failed task",
                    );
                } else {
                    self.task_status_change(task_id, status);
                }
            }
        }
    }
}
