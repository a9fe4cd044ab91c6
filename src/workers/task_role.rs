//! What a worker's `task` is: the Manager keeps the last task on the worker after it finished, also
//! while the worker idles or sleeps (FLAMENCO.md, "Measured on a real Manager").

use flamenco_api::{TaskStatus, Worker, WorkerStatus};

/// Whether the task a worker names is running on it now or is the last one it ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskRole {
    Current,
    Last,
}

impl TaskRole {
    /// Current only while the task is active and the worker awake: an asleep or offline worker runs
    /// nothing, whatever the task's status still says.
    pub fn of(worker: &WorkerStatus, task: &TaskStatus) -> TaskRole {
        if *worker == WorkerStatus::Awake && *task == TaskStatus::Active {
            TaskRole::Current
        } else {
            TaskRole::Last
        }
    }

    /// How the pane names the task.
    pub fn label(self) -> &'static str {
        match self {
            TaskRole::Current => "Current task",
            TaskRole::Last => "Last task",
        }
    }
}

/// A worker's task as the workers page links to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerTaskLink {
    pub role: TaskRole,
    pub name: String,
    pub href: String,
}

impl WorkerTaskLink {
    /// One part of the task `link` holds, following it ("" while there is none): what a
    /// `FollowingLink` to the worker's task shows.
    pub fn follow(
        link: leptos::prelude::Memo<Option<WorkerTaskLink>>,
        part: fn(&WorkerTaskLink) -> String,
    ) -> leptos::prelude::Signal<String> {
        use leptos::prelude::With;
        leptos::prelude::Signal::derive(move || link.with(|task| task.as_ref().map(part).unwrap_or_default()))
    }

    /// The worker's task, if it has had one.
    pub fn of(worker: &Worker) -> Option<WorkerTaskLink> {
        worker.task.as_ref().map(|task| WorkerTaskLink {
            role: TaskRole::of(&worker.status, &task.status),
            name: task.name.clone(),
            href: format!("/jobs/{}/tasks/{}", task.job_id, task.id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_is_current_only_while_it_runs_on_an_awake_worker() {
        assert_eq!(TaskRole::of(&WorkerStatus::Awake, &TaskStatus::Active), TaskRole::Current);
        assert_eq!(TaskRole::of(&WorkerStatus::Awake, &TaskStatus::Completed), TaskRole::Last, "idle");
        assert_eq!(TaskRole::of(&WorkerStatus::Asleep, &TaskStatus::Completed), TaskRole::Last);
        assert_eq!(TaskRole::of(&WorkerStatus::Offline, &TaskStatus::Active), TaskRole::Last, "gone");
        assert_eq!(TaskRole::of(&WorkerStatus::Awake, &TaskStatus::Failed), TaskRole::Last);
        assert_eq!(TaskRole::Last.label(), "Last task");
    }

    #[test]
    fn the_link_names_the_task_and_its_job() {
        let worker: Worker = serde_json::from_value(serde_json::json!({
            "id": "w", "name": "otter", "status": "asleep", "version": "3.9", "can_restart": true,
            "ip_address": "10.0.0.2", "platform": "linux", "supported_task_types": ["blender"],
            "task": {"id": "t", "name": "render-1", "status": "completed", "index_in_job": 0,
                     "priority": 50, "task_type": "blender", "updated": "2026-01-01T00:00:00Z",
                     "steps_completed": 1, "steps_total": 1, "job_id": "j"}
        }))
        .expect("a worker as the Manager sends it");
        assert_eq!(
            WorkerTaskLink::of(&worker),
            Some(WorkerTaskLink {
                role: TaskRole::Last,
                name: "render-1".into(),
                href: "/jobs/j/tasks/t".into()
            })
        );
    }
}
