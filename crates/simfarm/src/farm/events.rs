//! The live updates the farm emits, and the socket.io rooms Flamenco sends each of them to.

use flamenco_api::event_names as names;
use flamenco_api::{
    EventFarmStatus, EventJobUpdate, EventLastRenderedUpdate, EventLifeCycle, EventTaskLogUpdate,
    EventTaskUpdate, EventWorkerTagUpdate, EventWorkerUpdate,
};
use serde_json::Value;

/// Rooms every client is in from the start.
pub const ROOM_LIFECYCLE: &str = "/lifecycle";
pub const ROOM_FARM_STATUS: &str = "/status";
/// Rooms joined through `/subscription`.
pub const ROOM_JOBS: &str = "/jobs";
pub const ROOM_WORKERS: &str = "/workers";
pub const ROOM_LAST_RENDERED: &str = "/last-rendered";
pub const ROOM_WORKER_TAGS: &str = "/workertags";

/// The room of one job's task updates (`job` subscriptions).
pub fn room_for_job(job_id: &str) -> String {
    format!("/jobs/{job_id}")
}

/// The room of one job's last-rendered updates (joined along with [`room_for_job`]).
pub fn room_for_job_last_rendered(job_id: &str) -> String {
    format!("/jobs/{job_id}/last-rendered")
}

/// The room task-log chunks go to. Flamenco's `tasklog` subscription never joins it (it joins
/// [`room_for_job`] of the task's id instead): that bug is reproduced in `live`.
pub fn room_for_task_log(task_id: &str) -> String {
    format!("/tasklog/{task_id}")
}

/// Something that happened on the farm, for socket.io clients.
#[derive(Clone, Debug)]
pub enum LiveEvent {
    Job(EventJobUpdate),
    Task(EventTaskUpdate),
    TaskLog(EventTaskLogUpdate),
    LastRendered(EventLastRenderedUpdate),
    Worker(EventWorkerUpdate),
    WorkerTag(EventWorkerTagUpdate),
    FarmStatus(EventFarmStatus),
    LifeCycle(EventLifeCycle),
}

impl LiveEvent {
    /// The socket.io event name, the rooms it goes to (once per room, as Flamenco broadcasts it
    /// once per topic) and its payload.
    pub fn routing(&self) -> (&'static str, Vec<String>, Value) {
        let json = |value: Result<Value, serde_json::Error>| value.unwrap_or(Value::Null);
        match self {
            LiveEvent::Job(event) => {
                (names::JOB_UPDATE, vec![ROOM_JOBS.into()], json(serde_json::to_value(event)))
            }
            LiveEvent::Task(event) => {
                (names::TASK_UPDATE, vec![room_for_job(&event.job_id)], json(serde_json::to_value(event)))
            }
            LiveEvent::TaskLog(event) => (
                names::TASK_LOG_UPDATE,
                vec![room_for_task_log(&event.task_id)],
                json(serde_json::to_value(event)),
            ),
            LiveEvent::LastRendered(event) => (
                names::LAST_RENDERED,
                vec![room_for_job_last_rendered(&event.job_id), ROOM_LAST_RENDERED.into()],
                json(serde_json::to_value(event)),
            ),
            LiveEvent::Worker(event) => {
                (names::WORKER_UPDATE, vec![ROOM_WORKERS.into()], json(serde_json::to_value(event)))
            }
            LiveEvent::WorkerTag(event) => {
                (names::WORKER_TAG_UPDATE, vec![ROOM_WORKER_TAGS.into()], json(serde_json::to_value(event)))
            }
            LiveEvent::FarmStatus(event) => {
                (names::FARM_STATUS, vec![ROOM_FARM_STATUS.into()], json(serde_json::to_value(event)))
            }
            LiveEvent::LifeCycle(event) => {
                (names::LIFECYCLE, vec![ROOM_LIFECYCLE.into()], json(serde_json::to_value(event)))
            }
        }
    }
}
