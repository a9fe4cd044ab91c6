//! One job's tasks, kept current by `/task` events.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use flamenco_api::{EventTaskUpdate, TaskStatus, TaskSummary, TaskWorker};

use super::assigned::{real_assigned_worker, summary_with_real_worker};

/// The tasks of one job, in the job's order, indexed by id: a job may have thousands of tasks and
/// a busy farm sends an event for one of them many times a second.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskTable {
    pub job_id: String,
    tasks: Vec<TaskSummary>,
    /// Where each task is in `tasks`.
    positions: HashMap<String, usize>,
}

/// What applying a task event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskEventEffect {
    Updated,
    /// The event is about a task this table does not have: fetch the list again.
    Unknown,
    /// The event belongs to another job.
    Ignored,
}

impl TaskTable {
    pub fn new(job_id: String, tasks: Vec<TaskSummary>) -> Self {
        let mut tasks: Vec<TaskSummary> = tasks.into_iter().map(summary_with_real_worker).collect();
        tasks.sort_by_key(|task| task.index_in_job);
        let positions =
            tasks.iter().enumerate().map(|(position, task)| (task.id.clone(), position)).collect();
        TaskTable { job_id, tasks, positions }
    }

    pub fn tasks(&self) -> &[TaskSummary] {
        &self.tasks
    }

    pub fn get(&self, id: &str) -> Option<&TaskSummary> {
        self.positions.get(id).and_then(|&position| self.tasks.get(position))
    }

    pub fn apply(&mut self, event: &EventTaskUpdate) -> TaskEventEffect {
        if event.job_id != self.job_id {
            return TaskEventEffect::Ignored;
        }
        let Some(task) = self.positions.get(&event.id).and_then(|&position| self.tasks.get_mut(position))
        else {
            return TaskEventEffect::Unknown;
        };
        task.name.clone_from(&event.name);
        task.status = event.status.clone();
        task.updated.clone_from(&event.updated);
        task.steps_completed = event.steps_completed;
        task.steps_total = event.steps_total;
        task.worker = real_assigned_worker(event.worker.as_ref()).map(|worker| TaskWorker {
            id: worker.uuid.clone(),
            name: worker.name.clone(),
            // Events do not carry the address; keep the one we had for the same worker.
            address: task
                .worker
                .as_ref()
                .filter(|known| known.id == worker.uuid)
                .map(|known| known.address.clone())
                .unwrap_or_default(),
        });
        TaskEventEffect::Updated
    }

    pub fn counts_by_status(&self) -> BTreeMap<TaskStatus, usize> {
        let mut counts = BTreeMap::new();
        for task in &self.tasks {
            *counts.entry(task.status.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// How many tasks are running right now (what a pausing job waits for).
    pub fn active_count(&self) -> usize {
        self.tasks.iter().filter(|task| task.status == TaskStatus::Active).count()
    }

    /// The ids of the tasks with one of `statuses` (all when empty), in the job's order.
    pub fn filtered_ids(&self, statuses: &BTreeSet<TaskStatus>) -> Vec<String> {
        self.tasks
            .iter()
            .filter(|task| statuses.is_empty() || statuses.contains(&task.status))
            .map(|task| task.id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use flamenco_api::AssignedWorker;

    use super::*;

    fn task(id: &str, index: i32, status: TaskStatus) -> TaskSummary {
        TaskSummary {
            id: id.into(),
            name: format!("render-{index}"),
            status,
            index_in_job: index,
            priority: 50,
            task_type: "blender".into(),
            updated: "t0".into(),
            worker: None,
            steps_completed: 0,
            steps_total: 1,
        }
    }

    fn event(job: &str, id: &str, status: TaskStatus) -> EventTaskUpdate {
        EventTaskUpdate {
            id: id.into(),
            job_id: job.into(),
            worker: Some(AssignedWorker { name: "stoat".into(), uuid: "w1".into() }),
            name: "render-1".into(),
            updated: "t1".into(),
            status,
            previous_status: None,
            activity: "rendering".into(),
            steps_completed: 1,
            steps_total: 1,
        }
    }

    fn table() -> TaskTable {
        TaskTable::new(
            "j".into(),
            vec![
                task("t2", 2, TaskStatus::Queued),
                task("t1", 1, TaskStatus::Active),
                task("t3", 3, TaskStatus::Active),
            ],
        )
    }

    #[test]
    fn tasks_are_in_job_order_and_counted() {
        let table = table();
        let ids: Vec<&str> = table.tasks().iter().map(|task| task.id.as_str()).collect();
        assert_eq!(ids, ["t1", "t2", "t3"]);
        assert_eq!(table.active_count(), 2);
        assert_eq!(table.counts_by_status().get(&TaskStatus::Queued), Some(&1));
    }

    #[test]
    fn events_update_their_task_and_say_when_the_list_is_out_of_date() {
        let mut table = table();
        assert_eq!(table.apply(&event("j", "t1", TaskStatus::Completed)), TaskEventEffect::Updated);
        assert_eq!(table.get("t1").map(|task| task.status.clone()), Some(TaskStatus::Completed));
        assert_eq!(
            table.get("t1").and_then(|task| task.worker.as_ref()).map(|w| w.name.as_str()),
            Some("stoat")
        );
        assert_eq!(table.active_count(), 1);
        assert_eq!(table.apply(&event("j", "t9", TaskStatus::Queued)), TaskEventEffect::Unknown);
        assert_eq!(table.apply(&event("other", "t1", TaskStatus::Failed)), TaskEventEffect::Ignored);
    }

    #[test]
    fn an_empty_worker_from_the_manager_is_no_worker() {
        let mut unassigned = task("t4", 4, TaskStatus::Queued);
        unassigned.worker =
            Some(TaskWorker { id: String::new(), name: String::new(), address: String::new() });
        let mut table = TaskTable::new("j".into(), vec![unassigned]);
        assert_eq!(table.get("t4").and_then(|task| task.worker.clone()), None, "from a fetch");
        let mut requeued = event("j", "t4", TaskStatus::Queued);
        requeued.worker = Some(AssignedWorker { name: String::new(), uuid: String::new() });
        table.apply(&requeued);
        assert_eq!(table.get("t4").and_then(|task| task.worker.clone()), None, "from an event");
    }

    #[test]
    fn filtering_by_status() {
        let table = table();
        assert_eq!(table.filtered_ids(&[TaskStatus::Active].into()), ["t1", "t3"]);
        assert_eq!(table.filtered_ids(&BTreeSet::new()), ["t1", "t2", "t3"]);
    }

    #[test]
    fn the_index_finds_each_task_of_a_big_job_and_events_change_only_theirs() {
        let tasks: Vec<TaskSummary> =
            (0..2000).rev().map(|n| task(&format!("t{n}"), n, TaskStatus::Queued)).collect();
        let mut table = TaskTable::new("j".into(), tasks);
        for n in [0, 1, 999, 1999] {
            let found = table.get(&format!("t{n}")).map(|task| task.index_in_job);
            assert_eq!(found, Some(n), "t{n}");
        }
        assert_eq!(table.get("t2000"), None);
        let before = table.clone();
        assert_eq!(table.apply(&event("j", "t1234", TaskStatus::Active)), TaskEventEffect::Updated);
        let changed: Vec<&str> = table
            .tasks()
            .iter()
            .zip(before.tasks())
            .filter(|(now, was)| now != was)
            .map(|(now, _)| now.id.as_str())
            .collect();
        assert_eq!(changed, ["t1234"]);
        assert_eq!(table.get("t1234").map(|task| task.status.clone()), Some(TaskStatus::Active));
        assert_eq!(table.tasks()[1234].id, "t1234", "the order is the job's");
    }
}
