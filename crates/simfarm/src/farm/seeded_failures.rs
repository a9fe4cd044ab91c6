//! `--failing-job`: a job whose tasks failed with known kinds of failure, in known numbers, so that
//! failure triage can be tested without waiting for chance.

use flamenco_api::{JobBlocklistEntry, JobStatus, TaskStatus};

use super::{Farm, BLOCKLIST_THRESHOLD, TASK_FAIL_AFTER_SOFT_FAILS};
use crate::clock::{self, Rng};
use crate::failures::{failure, FailurePlan};

/// Tasks before the failing ones that completed.
pub const COMPLETED_BEFORE: usize = 2;
/// Tasks after the failing ones: one completed, the rest canceled when the job failed.
pub const AFTER: usize = 3;

impl Farm {
    /// Makes the stored job `job_id` (at least `COMPLETED_BEFORE + plan.failing() + AFTER` tasks of
    /// one frame each) a job that failed: its failing tasks were each failed by
    /// [`TASK_FAIL_AFTER_SOFT_FAILS`] workers, as the Manager hard-fails them, with logs and
    /// activities as real Workers report them; workers that failed enough of them are blocklisted.
    pub fn seed_failures(&mut self, job_id: &str, plan: &FailurePlan) {
        let kinds = plan.kinds_in_order();
        let first_failing = COMPLETED_BEFORE;
        let end_failing = first_failing + kinds.len();
        self.seed_state(job_id, JobStatus::Failed, |index| match index {
            i if i < first_failing || i == end_failing => TaskStatus::Completed,
            i if i < end_failing => TaskStatus::Failed,
            _ => TaskStatus::Canceled,
        });
        let Some(task_ids) = self.jobs.get(job_id).map(|rec| rec.task_ids.clone()) else { return };
        let workers: Vec<(String, String)> =
            self.workers.iter().map(|worker| (worker.id.clone(), worker.name.clone())).collect();
        let mut rng = Rng::new(self.rng.next_u64());
        let mut slot = 0;
        for (offset, kind) in kinds.into_iter().enumerate() {
            let Some(task_id) = task_ids.get(first_failing + offset) else { break };
            let runs = TASK_FAIL_AFTER_SOFT_FAILS.min(workers.len());
            for run in 0..runs {
                let (worker_id, worker_name) = &workers[slot % workers.len()];
                slot += 1;
                let failure = failure(kind, &mut rng, (first_failing + offset) as i64 + 1);
                self.write_task_log(task_id, &format!("task assigned to worker {worker_name} ({worker_id})"));
                for line in &failure.log_lines {
                    self.write_task_log(task_id, line);
                }
                self.write_task_log(task_id, &failure.activity());
                let failed = run + 1;
                let left = TASK_FAIL_AFTER_SOFT_FAILS.saturating_sub(failed);
                let manager_line = if left == 0 || run + 1 == runs {
                    format!(
                        "Task failed by {failed} {}, Manager will mark it as hard failure",
                        workers_word(failed)
                    )
                } else {
                    format!(
                        "Task failed by {failed} {}, Manager will mark it as soft failure. {left} more {} will cause hard failure.",
                        workers_word(failed),
                        if left == 1 { "failure" } else { "failures" }
                    )
                };
                self.write_task_log(task_id, &manager_line);
                if let Some(task) = self.tasks.get_mut(task_id) {
                    task.failed_by.push(worker_id.clone());
                    task.worker = Some(worker_id.clone());
                    task.last_touched = Some(clock::now());
                    task.activity = failure.activity();
                }
            }
        }
        self.seed_blocklist(job_id, &task_ids, &workers);
    }

    /// Blocklists the workers that failed enough of the job's tasks, as the Manager would have.
    fn seed_blocklist(&mut self, job_id: &str, task_ids: &[String], workers: &[(String, String)]) {
        for (worker_id, worker_name) in workers {
            let failed = task_ids
                .iter()
                .filter_map(|id| self.tasks.get(id))
                .filter(|task| task.task_type == "blender" && task.failed_by.contains(worker_id))
                .count();
            if failed >= BLOCKLIST_THRESHOLD {
                self.blocklists.entry(job_id.to_owned()).or_default().push(JobBlocklistEntry {
                    worker_id: worker_id.clone(),
                    task_type: "blender".into(),
                    worker_name: Some(worker_name.clone()),
                });
            }
        }
    }
}

fn workers_word(count: usize) -> &'static str {
    if count == 1 {
        "worker"
    } else {
        "workers"
    }
}
