//! Payloads of the socket.io live updates, and the subscription message.

use serde::{Deserialize, Serialize};

use crate::{
    JobLastRenderedImageInfo, JobStatus, LifeCycleEventType, SubscriptionOperation, SubscriptionType,
    TaskStatus, Timestamp, WorkerStatus, WorkerStatusChangeRequest, WorkerTag,
};

/// Names of the socket.io events the Manager emits.
pub mod event_names {
    pub const JOB_UPDATE: &str = "/jobs";
    pub const TASK_UPDATE: &str = "/task";
    pub const TASK_LOG_UPDATE: &str = "/tasklog";
    pub const LAST_RENDERED: &str = "/last-rendered";
    pub const WORKER_UPDATE: &str = "/workers";
    pub const WORKER_TAG_UPDATE: &str = "/workertags";
    pub const FARM_STATUS: &str = "/status";
    pub const LIFECYCLE: &str = "/lifecycle";
    /// The event a client emits to (un)subscribe.
    pub const SUBSCRIPTION: &str = "/subscription";
}

/// A job changed (`EventJobUpdate`). For a deleted job only `id` is meaningful.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventJobUpdate {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub updated: Timestamp,
    pub status: JobStatus,
    /// Absent for a new job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<JobStatus>,
    #[serde(rename = "type")]
    pub job_type: String,
    pub priority: i32,
    /// True after a mass change of tasks: fetch the job's task list again.
    pub refresh_tasks: bool,
    pub steps_completed: i64,
    pub steps_total: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_requested_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was_deleted: Option<bool>,
}

/// A task changed (`EventTaskUpdate`); sent to subscribers of its job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventTaskUpdate {
    pub id: String,
    pub job_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<AssignedWorker>,
    pub name: String,
    pub updated: Timestamp,
    pub status: TaskStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<TaskStatus>,
    pub activity: String,
    pub steps_completed: i64,
    pub steps_total: i64,
}

/// A worker as named in a task event (`AssignedWorker`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedWorker {
    pub name: String,
    pub uuid: String,
}

/// A chunk of a task's log (`EventTaskLogUpdate`), possibly several lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTaskLogUpdate {
    pub task_id: String,
    pub log: String,
}

/// A job's last-rendered image changed (`EventLastRenderedUpdate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLastRenderedUpdate {
    pub job_id: String,
    pub thumbnail: JobLastRenderedImageInfo,
}

/// A worker changed (`EventWorkerUpdate`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventWorkerUpdate {
    pub id: String,
    pub name: String,
    pub updated: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
    pub status: WorkerStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<WorkerStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_change: Option<WorkerStatusChangeRequest>,
    pub version: String,
    /// Set only when the worker was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    pub can_restart: bool,
}

/// A worker tag changed (`EventWorkerTagUpdate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventWorkerTagUpdate {
    pub tag: WorkerTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was_deleted: Option<bool>,
}

/// The Manager starts or stops (`EventLifeCycle`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLifeCycle {
    #[serde(rename = "type")]
    pub event_type: LifeCycleEventType,
}

/// What a client emits as `/subscription` (`SocketIOSubscription`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketIOSubscription {
    pub op: SubscriptionOperation,
    #[serde(rename = "type")]
    pub subscription_type: SubscriptionType,
    /// The job or task, for `job` and `tasklog` subscriptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
}

impl SocketIOSubscription {
    pub fn subscribe(subscription_type: SubscriptionType, uuid: Option<String>) -> Self {
        SocketIOSubscription { op: SubscriptionOperation::Subscribe, subscription_type, uuid }
    }

    pub fn unsubscribe(subscription_type: SubscriptionType, uuid: Option<String>) -> Self {
        SocketIOSubscription { op: SubscriptionOperation::Unsubscribe, subscription_type, uuid }
    }
}
