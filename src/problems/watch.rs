//! One active job as the Problems view follows it: its tasks (fetched, then kept by `/task`
//! events), the starts and failures seen live, and what that says, worked out once per change so
//! that the page's clock ticks cost nothing per task.

use std::collections::HashMap;

use flamenco_api::{EventTaskUpdate, TaskStatus, TaskSummary};

use super::rules::{finished_durations, median, run_start, timestamp_ms, Failure, StuckRule};
use crate::tasks::table::{TaskEventEffect, TaskTable};

/// A task that is running, with when it started.
#[derive(Clone, Debug, PartialEq)]
pub struct RunningTask {
    pub task_id: String,
    pub task_name: String,
    pub worker_name: String,
    pub started_ms: f64,
}

/// What one job's tasks say about problems.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobAnalysis {
    /// The median duration of its finished tasks, once there are enough of them.
    pub median_ms: Option<f64>,
    pub finished_samples: usize,
    pub running: Vec<RunningTask>,
    pub failed: usize,
    pub soft_failed: usize,
}

impl JobAnalysis {
    /// The running tasks past the rule's threshold, with how long each has run.
    pub fn stuck(&self, rule: &StuckRule, now_ms: f64) -> Vec<(&RunningTask, f64)> {
        let Some(median_ms) = self.median_ms else { return Vec::new() };
        let threshold = rule.threshold_ms(median_ms);
        self.running
            .iter()
            .map(|task| (task, now_ms - task.started_ms))
            .filter(|(_, running_ms)| *running_ms > threshold)
            .collect()
    }
}

/// One followed job.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobWatch {
    pub tasks: TaskTable,
    /// Task starts seen live (a `/task` event into `active`).
    started: HashMap<String, f64>,
    /// Failures seen, by task and worker: a soft-failed task that another worker then runs no
    /// longer names the worker that failed it.
    failures: HashMap<(String, String), Failure>,
    pub analysis: JobAnalysis,
    /// Whether the tasks were fetched at least once.
    pub loaded: bool,
}

impl JobWatch {
    /// Takes a freshly fetched task list.
    pub fn replace(&mut self, job_id: String, tasks: Vec<TaskSummary>, rule: &StuckRule) {
        for task in &tasks {
            self.note_failure(
                &task.id,
                &task.status,
                task.worker.as_ref().map(|w| (&w.id, &w.name)),
                &task.updated,
            );
        }
        self.tasks = TaskTable::new(job_id, tasks);
        self.loaded = true;
        self.analyse(rule);
    }

    /// Applies a `/task` event; `Unknown` asks for the list to be fetched again.
    pub fn apply(&mut self, event: &EventTaskUpdate, rule: &StuckRule) -> TaskEventEffect {
        let effect = self.tasks.apply(event);
        if effect != TaskEventEffect::Updated {
            return effect;
        }
        // Progress and activity events of a running task come without `previous_status`: only a
        // change into `active` is a start, or every progress event would restart the stuck clock.
        let starting = event.previous_status.as_ref().is_some_and(|previous| *previous != TaskStatus::Active);
        if event.status == TaskStatus::Active && starting {
            if let Some(at) = timestamp_ms(&event.updated) {
                self.started.insert(event.id.clone(), at);
            }
        }
        let worker = event.worker.as_ref().map(|worker| (&worker.uuid, &worker.name));
        self.note_failure(&event.id, &event.status, worker, &event.updated);
        self.analyse(rule);
        effect
    }

    /// Every failure seen on this job.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        self.failures.values()
    }

    fn note_failure(
        &mut self,
        task_id: &str,
        status: &TaskStatus,
        worker: Option<(&String, &String)>,
        at: &str,
    ) {
        if !matches!(status, TaskStatus::Failed | TaskStatus::SoftFailed) {
            return;
        }
        let (Some((worker_id, worker_name)), Some(at_ms)) = (worker, timestamp_ms(at)) else { return };
        if worker_id.is_empty() {
            return;
        }
        self.failures.entry((task_id.to_owned(), worker_id.clone())).or_insert_with(|| Failure {
            worker_id: worker_id.clone(),
            worker_name: worker_name.clone(),
            at_ms,
        });
    }

    fn analyse(&mut self, rule: &StuckRule) {
        let tasks = self.tasks.tasks();
        let durations = finished_durations(tasks, &self.started);
        let finished_samples = durations.len();
        let median_ms = if finished_samples >= rule.min_samples { median(durations) } else { None };
        let running = tasks
            .iter()
            .filter(|task| task.status == TaskStatus::Active)
            .filter_map(|task| {
                Some(RunningTask {
                    task_id: task.id.clone(),
                    task_name: task.name.clone(),
                    worker_name: task.worker.as_ref().map(|worker| worker.name.clone()).unwrap_or_default(),
                    started_ms: run_start(task, tasks, &self.started)?,
                })
            })
            .collect();
        let count = |status: TaskStatus| tasks.iter().filter(|task| task.status == status).count();
        self.analysis = JobAnalysis {
            median_ms,
            finished_samples,
            running,
            failed: count(TaskStatus::Failed),
            soft_failed: count(TaskStatus::SoftFailed),
        };
    }
}

#[cfg(test)]
mod tests {
    use flamenco_api::AssignedWorker;

    use super::*;
    use crate::problems::rules::tests::{at, task};
    use crate::problems::rules::STUCK_RULE;

    fn event(
        id: &str,
        status: TaskStatus,
        previous: TaskStatus,
        worker: &str,
        updated: &str,
    ) -> EventTaskUpdate {
        EventTaskUpdate {
            id: id.into(),
            job_id: "j1".into(),
            worker: Some(AssignedWorker { name: format!("{worker}-name"), uuid: worker.into() }),
            name: format!("render-{id}"),
            updated: updated.into(),
            status,
            previous_status: Some(previous),
            activity: String::new(),
            steps_completed: 0,
            steps_total: 1,
        }
    }

    fn watched() -> JobWatch {
        let mut watch = JobWatch::default();
        let tasks = vec![
            task("a", TaskStatus::Completed, Some("w1"), &at(10)),
            task("b", TaskStatus::Completed, Some("w1"), &at(20)),
            task("c", TaskStatus::Completed, Some("w1"), &at(30)),
            task("d", TaskStatus::Completed, Some("w1"), &at(40)),
            task("e", TaskStatus::Active, Some("w1"), &at(41)),
            task("f", TaskStatus::Queued, None, &at(0)),
        ];
        watch.replace("j1".into(), tasks, &STUCK_RULE);
        watch
    }

    #[test]
    fn a_task_running_far_longer_than_the_median_is_stuck() {
        let watch = watched();
        assert_eq!(watch.analysis.median_ms, Some(10_000.0));
        let start = timestamp_ms(&at(40)).unwrap_or_default();
        assert!(watch.analysis.stuck(&STUCK_RULE, start + 29_000.0).is_empty(), "within 3x the median");
        let stuck = watch.analysis.stuck(&STUCK_RULE, start + 31_000.0);
        assert_eq!(stuck.len(), 1);
        assert_eq!(stuck[0].0.task_name, "render-e");
        assert_eq!(stuck[0].1, 31_000.0);
    }

    #[test]
    fn too_few_finished_tasks_say_nothing() {
        let mut watch = JobWatch::default();
        let tasks = vec![
            task("a", TaskStatus::Completed, Some("w1"), &at(10)),
            task("b", TaskStatus::Completed, Some("w1"), &at(20)),
            task("e", TaskStatus::Active, Some("w1"), &at(21)),
        ];
        watch.replace("j1".into(), tasks, &STUCK_RULE);
        assert_eq!(watch.analysis.median_ms, None);
        assert!(watch.analysis.stuck(&STUCK_RULE, 1e15).is_empty());
    }

    #[test]
    fn events_record_starts_failures_and_counts() {
        let mut watch = watched();
        let requeued = event("f", TaskStatus::Active, TaskStatus::Queued, "w2", &at(50));
        assert_eq!(watch.apply(&requeued, &STUCK_RULE), TaskEventEffect::Updated);
        let running =
            watch.analysis.running.iter().find(|task| task.task_id == "f").map(|task| task.started_ms);
        assert_eq!(running, timestamp_ms(&at(50)));
        // Progress of the running task (no `previous_status`) does not restart its clock.
        let progress = EventTaskUpdate {
            previous_status: None,
            ..event("f", TaskStatus::Active, TaskStatus::Active, "w2", &at(53))
        };
        watch.apply(&progress, &STUCK_RULE);
        let running =
            watch.analysis.running.iter().find(|task| task.task_id == "f").map(|task| task.started_ms);
        assert_eq!(running, timestamp_ms(&at(50)), "a progress event is no start");

        let failed = event("f", TaskStatus::SoftFailed, TaskStatus::Active, "w2", &at(55));
        watch.apply(&failed, &STUCK_RULE);
        assert_eq!(watch.analysis.soft_failed, 1);
        // Another worker picks it up: the failure by w2 is still known.
        watch.apply(&event("f", TaskStatus::Active, TaskStatus::SoftFailed, "w1", &at(56)), &STUCK_RULE);
        let failures: Vec<&str> = watch.failures().map(|failure| failure.worker_id.as_str()).collect();
        assert_eq!(failures, vec!["w2"]);
        assert_eq!(watch.analysis.soft_failed, 0);

        let stranger = event("zz", TaskStatus::Active, TaskStatus::Queued, "w1", &at(60));
        assert_eq!(watch.apply(&stranger, &STUCK_RULE), TaskEventEffect::Unknown);
    }
}
