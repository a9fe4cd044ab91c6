//! Workers and worker tags, as the worker-management API shows them.

use serde::{Deserialize, Serialize};

use crate::{TaskStatus, Timestamp, WorkerStatus};

/// The list of workers (`WorkerList`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerList {
    pub workers: Vec<WorkerSummary>,
}

/// Basic information about a worker (`WorkerSummary`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerSummary {
    pub id: String,
    pub name: String,
    pub status: WorkerStatus,
    /// A status change the worker was asked for and has not made yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_change: Option<WorkerStatusChangeRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    /// Flamenco version the worker runs.
    pub version: String,
    pub can_restart: bool,
}

/// Everything about one worker (`Worker`: `WorkerSummary` plus details).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Worker {
    pub id: String,
    pub name: String,
    pub status: WorkerStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_change: Option<WorkerStatusChangeRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    pub version: String,
    /// Required (through `WorkerSummary`); tolerated when missing, as older Managers omit it.
    #[serde(default)]
    pub can_restart: bool,
    pub ip_address: String,
    pub platform: String,
    pub supported_task_types: Vec<String>,
    /// The task the worker is working on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<WorkerTask>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<WorkerTag>>,
}

impl Worker {
    /// The summary part of this worker, as the list shows it.
    pub fn summary(&self) -> WorkerSummary {
        WorkerSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            status: self.status.clone(),
            status_change: self.status_change.clone(),
            last_seen: self.last_seen.clone(),
            version: self.version.clone(),
            can_restart: self.can_restart,
        }
    }
}

/// The task a worker is assigned (`WorkerTask`: `TaskSummary` plus its job).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerTask {
    pub id: String,
    pub name: String,
    pub status: TaskStatus,
    pub index_in_job: i32,
    pub priority: i32,
    pub task_type: String,
    pub updated: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<crate::TaskWorker>,
    pub steps_completed: i64,
    pub steps_total: i64,
    pub job_id: String,
}

/// A request for a worker to change status, now or after its current task (`WorkerStatusChangeRequest`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStatusChangeRequest {
    pub status: WorkerStatus,
    /// True: after the current task finishes. False: at once.
    pub is_lazy: bool,
}

/// A tag grouping workers; a job can be limited to one tag (`WorkerTag`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerTag {
    /// Omitted when creating a tag: the Manager assigns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The list of worker tags (`WorkerTagList`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerTagList {
    #[serde(default)]
    pub tags: Vec<WorkerTag>,
}

/// Which tags a worker should be in (`WorkerTagChangeRequest`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerTagChangeRequest {
    pub tag_ids: Vec<String>,
}

/// When a worker sleeps (`WorkerSleepSchedule`): on the days in `days_of_week` (space-separated
/// `mo tu we th fr sa su`, empty meaning every day), from `start_time` to `end_time` (`HH:MM`, 24 h,
/// the Manager's local time). The Manager stores it as sent, without checking it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerSleepSchedule {
    pub is_active: bool,
    pub days_of_week: String,
    pub start_time: String,
    pub end_time: String,
}
