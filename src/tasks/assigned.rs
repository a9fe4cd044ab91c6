//! Who a task is assigned to. The Manager sends an unassigned task with
//! `worker: {"address":"","id":"","name":""}` rather than without `worker` (FLAMENCO.md, "Measured on
//! a real Manager"); the app reads that as no worker, as soon as the task arrives.

use flamenco_api::{AssignedWorker, Task, TaskSummary, TaskWorker};

/// The worker, unless it is the Manager's empty stand-in for none.
pub fn real_worker(worker: Option<TaskWorker>) -> Option<TaskWorker> {
    worker.filter(|worker| !(worker.id.is_empty() && worker.name.is_empty()))
}

/// The worker named in a task event, unless it is empty.
pub fn real_assigned_worker(worker: Option<&AssignedWorker>) -> Option<&AssignedWorker> {
    worker.filter(|worker| !(worker.uuid.is_empty() && worker.name.is_empty()))
}

/// A task summary without the empty stand-in worker.
pub fn summary_with_real_worker(mut task: TaskSummary) -> TaskSummary {
    task.worker = real_worker(task.worker.take());
    task
}

/// A task without the empty stand-in worker.
pub fn task_with_real_worker(mut task: Task) -> Task {
    task.worker = real_worker(task.worker.take());
    task
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(id: &str, name: &str, address: &str) -> TaskWorker {
        TaskWorker { id: id.into(), name: name.into(), address: address.into() }
    }

    #[test]
    fn the_managers_empty_worker_is_no_worker() {
        let task: TaskSummary = serde_json::from_value(serde_json::json!({
            "id": "t", "name": "render-1", "status": "queued", "index_in_job": 0, "priority": 50,
            "task_type": "blender", "updated": "2026-01-01T00:00:00Z", "steps_completed": 0,
            "steps_total": 1, "worker": {"address": "", "id": "", "name": ""}
        }))
        .expect("a task summary as the Manager sends it");
        assert_eq!(summary_with_real_worker(task).worker, None);
        assert_eq!(real_worker(Some(worker("w", "otter", ""))), Some(worker("w", "otter", "")));
        assert_eq!(real_worker(None), None);
        let empty = AssignedWorker { name: String::new(), uuid: String::new() };
        assert_eq!(real_assigned_worker(Some(&empty)), None);
    }
}
