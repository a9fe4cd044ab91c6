//! Job blocklists, as the Manager keeps them: a worker that failed too many tasks of one type on a
//! job is no longer given tasks of that type on that job, until someone removes the entry.

use flamenco_api::{JobBlocklistEntry, JobStatus, TaskStatus, WorkerStatus};

use super::Farm;

/// How many failed tasks of one type on one job blocklist a worker: the Manager's default
/// `blocklist_threshold` (the settings file says the same; the simulated workers report to the farm
/// directly, without the HTTP state that holds that file).
pub const BLOCKLIST_THRESHOLD: usize = 3;

/// What became of a failure once the blocklist rules were applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlocklistVerdict {
    /// The worker stays allowed; the task soft- or hard-fails as usual.
    NotBlocked,
    /// The worker was blocklisted and other workers can still run the task.
    Blocked,
    /// The worker was blocklisted and nobody is left to run tasks of this type: the job fails.
    NoWorkersLeft,
}

impl Farm {
    /// The blocklist of a job, in the order the entries were added.
    pub fn blocklist(&self, job_id: &str) -> Vec<JobBlocklistEntry> {
        self.blocklists.get(job_id).cloned().unwrap_or_default()
    }

    /// Removes the given (worker, task type) pairs from a job's blocklist; others are left alone.
    pub fn remove_from_blocklist(&mut self, job_id: &str, remove: &[(String, String)]) {
        if let Some(entries) = self.blocklists.get_mut(job_id) {
            entries.retain(|entry| {
                !remove
                    .iter()
                    .any(|(worker, task_type)| &entry.worker_id == worker && &entry.task_type == task_type)
            });
            if entries.is_empty() {
                self.blocklists.remove(job_id);
            }
        }
    }

    pub(crate) fn is_blocklisted(&self, job_id: &str, worker_id: &str, task_type: &str) -> bool {
        self.blocklists.get(job_id).is_some_and(|entries| {
            entries.iter().any(|entry| entry.worker_id == worker_id && entry.task_type == task_type)
        })
    }

    /// How many tasks of this job and type the worker has failed (those it is on the failure list of).
    fn failures_of_worker(&self, job_id: &str, worker_id: &str, task_type: &str) -> usize {
        let Some(rec) = self.jobs.get(job_id) else { return 0 };
        rec.task_ids
            .iter()
            .filter_map(|id| self.tasks.get(id))
            .filter(|task| task.task_type == task_type && task.failed_by.iter().any(|w| w == worker_id))
            .count()
    }

    /// The workers that could still run this task: not blocklisted for its type on its job, able
    /// to run the type, in the job's tag if it has one, and not among those that failed it.
    fn workers_left_for(&self, task_id: &str) -> usize {
        let Some(task) = self.tasks.get(task_id) else { return 0 };
        let tag = self.job(&task.job_id).and_then(|job| job.worker_tag.clone());
        self.workers
            .iter()
            .filter(|worker| worker.status != WorkerStatus::Offline)
            .filter(|worker| worker.supported_task_types.contains(&task.task_type))
            .filter(|worker| tag.as_ref().is_none_or(|tag| worker.tag_ids.contains(tag)))
            .filter(|worker| !self.is_blocklisted(&task.job_id, &worker.id, &task.task_type))
            .filter(|worker| !task.failed_by.contains(&worker.id))
            .count()
    }

    /// Applies the blocklist rules after `worker_id` failed `task_id` (already on its failure list):
    /// at [`BLOCKLIST_THRESHOLD`] failed tasks of the type the worker is blocklisted and the tasks of
    /// the job it hard-failed go back in the queue; when that leaves nobody for the task, the task
    /// and the job fail.
    pub(crate) fn apply_blocklist_rules(&mut self, worker_id: &str, task_id: &str) -> BlocklistVerdict {
        let Some(task) = self.tasks.get(task_id) else { return BlocklistVerdict::NotBlocked };
        let (job_id, task_type) = (task.job_id.clone(), task.task_type.clone());
        if self.failures_of_worker(&job_id, worker_id, &task_type) < BLOCKLIST_THRESHOLD
            || self.is_blocklisted(&job_id, worker_id, &task_type)
        {
            return BlocklistVerdict::NotBlocked;
        }
        let worker_name = self.worker(worker_id).map(|worker| worker.name.clone()).unwrap_or_default();
        self.blocklists.entry(job_id.clone()).or_default().push(JobBlocklistEntry {
            worker_id: worker_id.to_owned(),
            task_type: task_type.clone(),
            worker_name: Some(worker_name.clone()),
        });
        self.requeue_hard_failed_tasks_of(&job_id, worker_id, &task_type, &worker_name);
        if self.workers_left_for(task_id) > 0 {
            return BlocklistVerdict::Blocked;
        }
        self.write_task_log(
            task_id,
            &format!(
                "Task failed by worker {worker_name} ({worker_id}), Manager will fail the entire job as \
                 there are no more workers left for tasks of type \"{task_type}\"."
            ),
        );
        // The job fails first, so that its reason is this one and not the failed-task percentage.
        self.job_status_change(
            &job_id,
            JobStatus::Failed,
            &format!("no more workers left to run tasks of type \"{task_type}\""),
        );
        self.task_status_change(task_id, TaskStatus::Failed);
        BlocklistVerdict::NoWorkersLeft
    }

    fn requeue_hard_failed_tasks_of(&mut self, job_id: &str, worker_id: &str, task_type: &str, name: &str) {
        let Some(rec) = self.jobs.get(job_id) else { return };
        let hard_failed: Vec<String> = rec
            .task_ids
            .iter()
            .filter(|id| {
                self.tasks.get(*id).is_some_and(|task| {
                    task.status == TaskStatus::Failed
                        && task.task_type == task_type
                        && task.failed_by.iter().any(|w| w == worker_id)
                })
            })
            .cloned()
            .collect();
        let reason = format!("worker {name} was blocked from tasks of type \"{task_type}\"");
        for task_id in hard_failed {
            if let Some(task) = self.tasks.get_mut(&task_id) {
                task.activity = reason.clone();
            }
            self.write_task_log(&task_id, &reason);
            self.task_status_change(&task_id, TaskStatus::Queued);
        }
    }
}
