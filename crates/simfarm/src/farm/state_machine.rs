//! Flamenco's job and task state machine (its `task_state_machine` package): how a task's new
//! status moves its job, and how a job's new status moves its tasks.

use flamenco_api::{JobStatus, TaskStatus};

use super::{job_event, Farm, LiveEvent};
use crate::clock;

/// A job fails once this share of its tasks (in percent) has failed.
const TASK_FAIL_JOB_PERCENTAGE: usize = 10;

impl Farm {
    /// Changes one task's status and lets its job follow.
    pub fn task_status_change(&mut self, task_id: &str, new: TaskStatus) {
        if let Some(job_id) = self.task_status_change_only(task_id, new.clone()) {
            self.update_job_after_task_status_change(&job_id, &new);
        }
    }

    /// Changes a task's status, logs it and tells the job's subscribers; returns the task's job.
    fn task_status_change_only(&mut self, task_id: &str, new: TaskStatus) -> Option<String> {
        let task = self.tasks.get_mut(task_id)?;
        let old = std::mem::replace(&mut task.status, new.clone());
        task.updated = clock::now();
        let mut delta = 0;
        if old != new {
            match new {
                // Completing means completing; queueing means starting over.
                TaskStatus::Completed => {
                    delta = task.steps_total - task.steps_completed;
                    task.steps_completed = task.steps_total;
                }
                TaskStatus::Queued => {
                    delta = -task.steps_completed;
                    task.steps_completed = 0;
                }
                _ => {}
            }
        }
        let job_id = task.job_id.clone();
        self.add_job_steps(&job_id, delta);
        if old != new {
            self.write_task_log(task_id, &format!("task changed status {old} -> {new}"));
        }
        let task = self.tasks.get(task_id)?;
        let event = self.task_event(task, Some(old));
        self.emit(LiveEvent::Task(event));
        Some(job_id)
    }

    fn update_job_after_task_status_change(&mut self, job_id: &str, task_status: &TaskStatus) {
        let Some(job_status) = self.job(job_id).map(|job| job.status.clone()) else { return };
        match task_status {
            TaskStatus::Queued => self.job_status_if_a_then_b(
                job_id,
                JobStatus::Completed,
                JobStatus::Requeueing,
                "task was queued",
            ),
            TaskStatus::Paused => {
                if self.is_job_pausing_complete(job_id) {
                    self.job_status_change(job_id, JobStatus::Paused, "last task got paused");
                }
            }
            TaskStatus::Canceled => {
                let (runnable, _) = self
                    .count_tasks(job_id, &[TaskStatus::Active, TaskStatus::Queued, TaskStatus::SoftFailed]);
                if runnable == 0 {
                    self.job_status_change(
                        job_id,
                        JobStatus::Canceled,
                        "canceled task was last runnable task of job, canceling job",
                    );
                } else if self.is_job_pausing_complete(job_id) {
                    self.job_status_change(
                        job_id,
                        JobStatus::Paused,
                        "no more active tasks after task cancellation",
                    );
                }
            }
            TaskStatus::Failed => {
                let (failed, total) = self.count_tasks(job_id, &[TaskStatus::Failed]);
                if total == 0 {
                    return;
                }
                if failed * 100 / total >= TASK_FAIL_JOB_PERCENTAGE {
                    self.job_status_change(job_id, JobStatus::Failed, "too many tasks failed");
                } else if self.is_job_pausing_complete(job_id) {
                    self.job_status_change(
                        job_id,
                        JobStatus::Paused,
                        "no more active tasks after task failure",
                    );
                } else {
                    self.job_status_if_a_then_b(
                        job_id,
                        JobStatus::Queued,
                        JobStatus::Active,
                        "task failed, but not enough to fail the job",
                    );
                }
            }
            TaskStatus::Active | TaskStatus::SoftFailed => {
                // Flamenco makes the job active even when it was pausing.
                if !matches!(job_status, JobStatus::Active | JobStatus::CancelRequested) {
                    self.job_status_change(job_id, JobStatus::Active, &format!("task became {task_status}"));
                }
            }
            TaskStatus::Completed => {
                let (completed, total) = self.count_tasks(job_id, &[TaskStatus::Completed]);
                if completed == total {
                    self.job_status_change(job_id, JobStatus::Completed, "all tasks completed");
                } else if self.is_job_pausing_complete(job_id) {
                    self.job_status_change(
                        job_id,
                        JobStatus::Paused,
                        "no more active tasks after task completion",
                    );
                } else {
                    self.job_status_if_a_then_b(
                        job_id,
                        JobStatus::Queued,
                        JobStatus::Active,
                        "no more tasks to do",
                    );
                }
            }
            TaskStatus::Unknown(_) => {}
        }
    }

    fn job_status_if_a_then_b(&mut self, job_id: &str, if_status: JobStatus, then: JobStatus, reason: &str) {
        if self.job(job_id).is_some_and(|job| job.status == if_status) {
            self.job_status_change(job_id, then, reason);
        }
    }

    fn is_job_pausing_complete(&self, job_id: &str) -> bool {
        self.job(job_id).is_some_and(|job| job.status == JobStatus::PauseRequested)
            && self.count_tasks(job_id, &[TaskStatus::Active]).0 == 0
    }

    /// Tasks of the job in any of `statuses`, and all its tasks.
    fn count_tasks(&self, job_id: &str, statuses: &[TaskStatus]) -> (usize, usize) {
        let Some(rec) = self.jobs.get(job_id) else { return (0, 0) };
        let matching = rec
            .task_ids
            .iter()
            .filter_map(|id| self.tasks.get(id))
            .filter(|task| statuses.contains(&task.status))
            .count();
        (matching, rec.task_ids.len())
    }

    /// Changes a job's status, then follows the statuses that change leads to
    /// (`cancel-requested` -> `canceled`, `requeueing` -> `queued`, ...).
    pub fn job_status_change(&mut self, job_id: &str, new: JobStatus, reason: &str) {
        let mut next = Some(new);
        while let Some(status) = next {
            let Some(rec) = self.jobs.get_mut(job_id) else { return };
            if rec.job.status == status {
                return;
            }
            rec.job.activity = format!("Changed to status \"{status}\": {reason}");
            next = self.job_status_set(job_id, status);
        }
    }

    fn job_status_set(&mut self, job_id: &str, new: JobStatus) -> Option<JobStatus> {
        let rec = self.jobs.get_mut(job_id)?;
        let old = std::mem::replace(&mut rec.job.status, new.clone());
        // The Manager leaves `updated` alone on status changes, and shows the job's real
        // `steps_total` from its first run on.
        if new == JobStatus::Active && rec.job.steps_total == 0 {
            rec.job.steps_total = rec.planned_steps;
        }
        self.count_status(Some(&old), &new, job_id);
        let (following, mass_update) = self.update_tasks_after_job_status_change(job_id, &old);
        let rec = self.jobs.get(job_id)?;
        let mut event = job_event(&rec.job);
        event.previous_status = Some(old);
        event.refresh_tasks = mass_update;
        self.emit(LiveEvent::Job(event));
        following
    }

    fn update_tasks_after_job_status_change(
        &mut self,
        job_id: &str,
        old: &JobStatus,
    ) -> (Option<JobStatus>, bool) {
        let Some(status) = self.job(job_id).map(|job| job.status.clone()) else { return (None, false) };
        match status {
            JobStatus::CancelRequested | JobStatus::Failed => {
                let message = format!("Manager cancelled this task because the job got status \"{status}\".");
                self.mass_update_tasks(
                    job_id,
                    Some(&[TaskStatus::Active, TaskStatus::Queued, TaskStatus::SoftFailed]),
                    TaskStatus::Canceled,
                    &message,
                );
                let following = (status == JobStatus::CancelRequested).then_some(JobStatus::Canceled);
                (following, true)
            }
            JobStatus::PauseRequested => {
                let message = format!("Manager paused this task because the job got status \"{status}\".");
                self.mass_update_tasks(
                    job_id,
                    Some(&[TaskStatus::Queued, TaskStatus::SoftFailed]),
                    TaskStatus::Paused,
                    &message,
                );
                let following = if self.is_job_pausing_complete(job_id) {
                    JobStatus::Paused
                } else {
                    JobStatus::PauseRequested
                };
                (Some(following), true)
            }
            JobStatus::Requeueing => {
                let message =
                    format!("Queued because job transitioned status from \"{old}\" to \"{status}\"");
                match old {
                    JobStatus::UnderConstruction => return (None, true),
                    JobStatus::Completed => {
                        self.mass_update_tasks(job_id, None, TaskStatus::Queued, &message)
                    }
                    _ => self.mass_update_tasks(
                        job_id,
                        Some(&[
                            TaskStatus::Canceled,
                            TaskStatus::Failed,
                            TaskStatus::Paused,
                            TaskStatus::SoftFailed,
                        ]),
                        TaskStatus::Queued,
                        &message,
                    ),
                }
                (Some(JobStatus::Queued), true)
            }
            JobStatus::Queued => {
                let (completed, total) = self.count_tasks(job_id, &[TaskStatus::Completed]);
                ((completed == total).then_some(JobStatus::Completed), true)
            }
            _ => (None, false),
        }
    }

    /// Sets the status of all the job's tasks in `from` (all tasks when `None`), without a live
    /// update per task: the job update that follows carries `refresh_tasks`.
    fn mass_update_tasks(
        &mut self,
        job_id: &str,
        from: Option<&[TaskStatus]>,
        to: TaskStatus,
        activity: &str,
    ) {
        let Some(rec) = self.jobs.get(job_id) else { return };
        let now = clock::now();
        for task_id in &rec.task_ids {
            let Some(task) = self.tasks.get_mut(task_id) else { continue };
            if from.is_some_and(|from| !from.contains(&task.status)) {
                continue;
            }
            task.status = to.clone();
            task.activity = activity.to_owned();
            task.updated = now.clone();
            if to == TaskStatus::Queued {
                task.steps_completed = 0;
            }
        }
        self.recompute_job_steps(job_id);
    }

    pub(crate) fn add_job_steps(&mut self, job_id: &str, delta: i64) {
        if let Some(rec) = self.jobs.get_mut(job_id) {
            rec.job.steps_completed += delta;
        }
    }

    fn recompute_job_steps(&mut self, job_id: &str) {
        let Some(rec) = self.jobs.get(job_id) else { return };
        let steps =
            rec.task_ids.iter().filter_map(|id| self.tasks.get(id)).map(|task| task.steps_completed).sum();
        if let Some(rec) = self.jobs.get_mut(job_id) {
            rec.job.steps_completed = steps;
        }
    }

    /// Gives a worker's task back: `paused` when its job is pausing or paused, else `queued`.
    pub fn return_task_of_worker(&mut self, task_id: &str, reason: &str) {
        let Some(task) = self.tasks.get(task_id) else { return };
        let pausing = self
            .job(&task.job_id)
            .is_some_and(|job| matches!(job.status, JobStatus::PauseRequested | JobStatus::Paused));
        let target = if pausing { TaskStatus::Paused } else { TaskStatus::Queued };
        let activity = format!("Task was {target} by Manager because {reason}");
        if let Some(worker_id) = task.worker.clone() {
            if let Some(worker) = self.worker_mut(&worker_id) {
                if worker.task.as_deref() == Some(task_id) {
                    worker.task = None;
                }
            }
        }
        if let Some(task) = self.tasks.get_mut(task_id) {
            task.activity = activity.clone();
        }
        self.task_status_change(task_id, target);
        self.write_task_log(task_id, &activity);
    }

    /// A person's task status change (`POST /api/v3/tasks/{id}/setstatus`): the reason becomes the
    /// task's activity; requeueing clears the list of workers that failed it.
    pub fn set_task_status(&mut self, task_id: &str, status: TaskStatus, reason: &str) -> bool {
        let Some(task) = self.tasks.get_mut(task_id) else { return false };
        task.activity = reason.to_owned();
        self.task_status_change(task_id, status.clone());
        if status == TaskStatus::Queued {
            if let Some(task) = self.tasks.get_mut(task_id) {
                task.failed_by.clear();
            }
        }
        true
    }

    /// A person's job status change (`POST /api/v3/jobs/{id}/setstatus`). The Manager accepts any
    /// status; requeueing clears the failure lists of the job's tasks.
    pub fn set_job_status(&mut self, job_id: &str, status: JobStatus, reason: &str) -> bool {
        if !self.jobs.contains_key(job_id) {
            return false;
        }
        self.job_status_change(job_id, status.clone(), reason);
        if status == JobStatus::Requeueing {
            if let Some(rec) = self.jobs.get(job_id) {
                for task_id in rec.task_ids.clone() {
                    if let Some(task) = self.tasks.get_mut(&task_id) {
                        task.failed_by.clear();
                    }
                }
            }
        }
        true
    }
}
