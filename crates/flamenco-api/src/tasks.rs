//! Tasks: the full task, the job's task list, status changes and logs.

use serde::{Deserialize, Serialize};

use crate::{TaskStatus, Timestamp};

/// A task as stored by the Manager, before variable replacement (`Task`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub job_id: String,
    pub index_in_job: i32,
    pub name: String,
    pub status: TaskStatus,
    pub priority: i32,
    pub task_type: String,
    pub activity: String,
    pub commands: Vec<Command>,
    pub steps_completed: i64,
    pub steps_total: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<TaskWorker>,
    /// When a worker last worked on this task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_touched: Option<Timestamp>,
    /// Workers that failed this task: each failure counts towards the job's failure limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_by_workers: Option<Vec<TaskWorker>>,
}

/// One command a worker runs for a task (`Command`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Command {
    pub name: String,
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// Steps this command reports; 0 means it reports one step when done.
    pub total_step_count: i64,
}

/// A worker as referenced from a task (`TaskWorker`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskWorker {
    pub id: String,
    pub name: String,
    pub address: String,
}

/// Enough of a task for the job's task list (`TaskSummary`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub id: String,
    pub name: String,
    pub status: TaskStatus,
    pub index_in_job: i32,
    pub priority: i32,
    pub task_type: String,
    pub updated: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<TaskWorker>,
    pub steps_completed: i64,
    pub steps_total: i64,
}

/// A requested task status change (`TaskStatusChange`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskStatusChange {
    pub status: TaskStatus,
    pub reason: String,
}

/// Where a task's full log can be downloaded, and its size (`TaskLogInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskLogInfo {
    pub task_id: String,
    pub job_id: String,
    /// Host-relative URL of the log file.
    pub url: String,
    /// Size of the log in bytes.
    pub size: i64,
}
