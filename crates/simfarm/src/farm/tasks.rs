//! Tasks as the API shows them, and their logs.

use flamenco_api::{
    AssignedWorker, EventTaskLogUpdate, EventTaskUpdate, Task, TaskStatus, TaskSummary, TaskWorker,
};

use super::{Farm, LiveEvent, TaskRec, LOG_KEEP_BYTES, LOG_TAIL_BYTES};
use crate::clock;

impl Farm {
    pub(super) fn task_summary(&self, task: &TaskRec) -> TaskSummary {
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
    pub(super) fn task_worker_or_unassigned(&self, worker_id: Option<&str>) -> TaskWorker {
        worker_id.and_then(|id| self.task_worker(id)).unwrap_or_else(|| TaskWorker {
            id: String::new(),
            name: String::new(),
            address: String::new(),
        })
    }

    pub(super) fn task_worker(&self, worker_id: &str) -> Option<TaskWorker> {
        self.worker(worker_id).map(|worker| TaskWorker {
            id: worker.id.clone(),
            name: worker.name.clone(),
            address: worker.ip_address.clone(),
        })
    }

    /// The full task, as `GET /api/v3/tasks/{id}` shows it.
    pub fn task(&self, task_id: &str) -> Option<Task> {
        let task = self.tasks.get(task_id)?;
        Some(Task {
            id: task.id.clone(),
            created: task.created.clone(),
            updated: task.updated.clone(),
            job_id: task.job_id.clone(),
            index_in_job: task.index_in_job,
            name: task.name.clone(),
            status: task.status.clone(),
            priority: task.priority,
            task_type: task.task_type.clone(),
            activity: task.activity.clone(),
            commands: task.commands.clone(),
            steps_completed: task.steps_completed,
            steps_total: task.steps_total,
            worker: Some(self.task_worker_or_unassigned(task.worker.as_deref())),
            last_touched: task.last_touched.clone(),
            failed_by_workers: Some(task.failed_by.iter().filter_map(|id| self.task_worker(id)).collect()),
        })
    }

    pub(crate) fn task_rec(&self, task_id: &str) -> Option<&TaskRec> {
        self.tasks.get(task_id)
    }

    /// The whole log of a task; `None` for an unknown task, empty when it has no log yet.
    pub fn task_log(&self, task_id: &str) -> Option<&str> {
        self.tasks.get(task_id).map(|task| task.log.as_str())
    }

    /// The end of a task's log, like Flamenco's `logtail`: at most 2 KiB, starting at a line.
    pub fn task_log_tail(&self, task_id: &str) -> Option<String> {
        let log = self.task_log(task_id)?;
        if log.len() <= LOG_TAIL_BYTES {
            return Some(log.to_owned());
        }
        let mut start = log.len() - LOG_TAIL_BYTES;
        while !log.is_char_boundary(start) {
            start += 1;
        }
        let tail = &log[start..];
        match tail.find('\n') {
            Some(newline) if newline + 1 < tail.len() => Some(tail[newline + 1..].to_owned()),
            _ => Some(tail.to_owned()),
        }
    }

    /// Appends timestamped text to a task's log and sends it to the task's log room.
    pub fn write_task_log(&mut self, task_id: &str, text: &str) {
        let Some(task) = self.tasks.get_mut(task_id) else { return };
        let mut chunk = format!("{} {text}", clock::now());
        if !chunk.ends_with('\n') {
            chunk.push('\n');
        }
        task.log.push_str(&chunk);
        if task.log.len() > LOG_KEEP_BYTES {
            let mut cut = task.log.len() - LOG_KEEP_BYTES / 2;
            while !task.log.is_char_boundary(cut) {
                cut += 1;
            }
            task.log.drain(..cut);
        }
        self.emit(LiveEvent::TaskLog(EventTaskLogUpdate { task_id: task_id.to_owned(), log: chunk }));
    }

    pub(crate) fn task_event(&self, task: &TaskRec, previous: Option<TaskStatus>) -> EventTaskUpdate {
        EventTaskUpdate {
            id: task.id.clone(),
            job_id: task.job_id.clone(),
            worker: task
                .worker
                .as_deref()
                .and_then(|id| self.worker(id))
                .map(|worker| AssignedWorker { name: worker.name.clone(), uuid: worker.id.clone() }),
            name: task.name.clone(),
            updated: task.updated.clone(),
            status: task.status.clone(),
            previous_status: previous,
            activity: task.activity.clone(),
            steps_completed: task.steps_completed,
            steps_total: task.steps_total,
        }
    }
}
