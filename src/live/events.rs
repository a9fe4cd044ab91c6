//! The Manager's live events, decoded from a socket.io event's name and payload.

use flamenco_api::{
    event_names, EventJobUpdate, EventLastRenderedUpdate, EventLifeCycle, EventTaskLogUpdate,
    EventTaskUpdate, EventWorkerTagUpdate, EventWorkerUpdate, FarmStatusReport,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One live update from the Manager.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveEvent {
    /// `/jobs`: a job changed, appeared or was deleted. `refresh_tasks` asks for the task list again.
    JobUpdate(EventJobUpdate),
    /// `/task`: a task of a subscribed job changed.
    TaskUpdate(EventTaskUpdate),
    /// `/tasklog`: lines of a task's log. The Manager's room bug means these do not arrive for
    /// `tasklog` subscriptions: poll `GET /api/v3/tasks/{id}/logtail` as well.
    TaskLog(EventTaskLogUpdate),
    /// `/workers`: a worker changed, appeared or was deleted.
    WorkerUpdate(EventWorkerUpdate),
    /// `/workertags`: a worker tag changed or was deleted.
    WorkerTagUpdate(EventWorkerTagUpdate),
    /// `/last-rendered`: a job has a new last-rendered image.
    LastRendered(EventLastRenderedUpdate),
    /// `/status`: the farm's status changed. Every client receives these.
    FarmStatus(FarmStatusReport),
    /// `/lifecycle`: the Manager is starting or shutting down. Every client receives these.
    LifeCycle(EventLifeCycle),
}

impl LiveEvent {
    /// The socket.io event name this came as.
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::JobUpdate(_) => event_names::JOB_UPDATE,
            LiveEvent::TaskUpdate(_) => event_names::TASK_UPDATE,
            LiveEvent::TaskLog(_) => event_names::TASK_LOG_UPDATE,
            LiveEvent::WorkerUpdate(_) => event_names::WORKER_UPDATE,
            LiveEvent::WorkerTagUpdate(_) => event_names::WORKER_TAG_UPDATE,
            LiveEvent::LastRendered(_) => event_names::LAST_RENDERED,
            LiveEvent::FarmStatus(_) => event_names::FARM_STATUS,
            LiveEvent::LifeCycle(_) => event_names::LIFECYCLE,
        }
    }
}

/// Why an event was not turned into a [`LiveEvent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A name this version does not know, e.g. from a newer Manager: skipped quietly.
    UnknownEvent(String),
    /// A known name whose payload does not have the documented shape.
    BadPayload { event: String, reason: String },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnknownEvent(name) => write!(f, "unknown live event {name:?}, skipped"),
            DecodeError::BadPayload { event, reason } => {
                write!(f, "live event {event:?} skipped: its payload is not as documented: {reason}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes the event `name` with its first argument `payload`.
pub fn decode_event(name: &str, payload: &Value) -> Result<LiveEvent, DecodeError> {
    match name {
        event_names::JOB_UPDATE => read(name, payload).map(LiveEvent::JobUpdate),
        event_names::TASK_UPDATE => read(name, payload).map(LiveEvent::TaskUpdate),
        event_names::TASK_LOG_UPDATE => read(name, payload).map(LiveEvent::TaskLog),
        event_names::WORKER_UPDATE => read(name, payload).map(LiveEvent::WorkerUpdate),
        event_names::WORKER_TAG_UPDATE => read(name, payload).map(LiveEvent::WorkerTagUpdate),
        event_names::LAST_RENDERED => read(name, payload).map(LiveEvent::LastRendered),
        event_names::FARM_STATUS => read(name, payload).map(LiveEvent::FarmStatus),
        event_names::LIFECYCLE => read(name, payload).map(LiveEvent::LifeCycle),
        other => Err(DecodeError::UnknownEvent(other.to_owned())),
    }
}

fn read<T: DeserializeOwned>(name: &str, payload: &Value) -> Result<T, DecodeError> {
    T::deserialize(payload)
        .map_err(|error| DecodeError::BadPayload { event: name.to_owned(), reason: error.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamenco_api::{FarmStatus, JobStatus, LifeCycleEventType};
    use serde_json::json;

    fn job_update() -> Value {
        json!({
            "id": "2f5a3b1c-0000-4000-8000-000000000001", "name": "Spring", "updated": "2024-05-01T10:00:00Z",
            "status": "active", "previous_status": "queued", "type": "simple-blender-render",
            "priority": 50, "refresh_tasks": false, "steps_completed": 3, "steps_total": 10
        })
    }

    #[test]
    fn every_event_name_decodes_to_its_variant() {
        let cases = [
            ("/jobs", job_update()),
            (
                "/task",
                json!({"id": "t", "job_id": "j", "name": "render-1", "updated": "2024-05-01T10:00:00Z",
                       "status": "active", "activity": "Rendering", "steps_completed": 0, "steps_total": 1,
                       "worker": {"name": "w1", "uuid": "u1"}}),
            ),
            ("/tasklog", json!({"task_id": "t", "log": "line 1\nline 2\n"})),
            (
                "/workers",
                json!({"id": "w", "name": "w1", "updated": "2024-05-01T10:00:00Z", "status": "awake",
                       "version": "3.6", "can_restart": false}),
            ),
            ("/workertags", json!({"tag": {"id": "g", "name": "GPU"}, "was_deleted": true})),
            ("/last-rendered", json!({"job_id": "j", "thumbnail": {"base": "/x", "suffixes": ["a.jpg"]}})),
            ("/status", json!({"status": "idle"})),
            ("/lifecycle", json!({"type": "manager-shutdown"})),
        ];
        for (name, payload) in cases {
            let event = decode_event(name, &payload).unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(event.name(), name);
        }
        let Ok(LiveEvent::JobUpdate(job)) = decode_event("/jobs", &job_update()) else { panic!() };
        assert_eq!(job.status, JobStatus::Active);
        assert_eq!(
            decode_event("/status", &json!({"status": "asleep"})),
            Ok(LiveEvent::FarmStatus(FarmStatusReport { status: FarmStatus::Asleep }))
        );
        assert_eq!(
            decode_event("/lifecycle", &json!({"type": "manager-startup"})),
            Ok(LiveEvent::LifeCycle(EventLifeCycle { event_type: LifeCycleEventType::ManagerStartup }))
        );
    }

    #[test]
    fn wrong_payloads_and_unknown_names_are_errors_that_name_the_event() {
        let error = decode_event("/jobs", &json!({"id": 5})).unwrap_err();
        assert!(matches!(&error, DecodeError::BadPayload { event, .. } if event == "/jobs"), "{error:?}");
        assert!(error.to_string().contains("\"/jobs\""), "{error}");
        assert!(decode_event("/task", &Value::Null).is_err());
        assert!(decode_event("/status", &json!([])).is_err());
        assert_eq!(
            decode_event("/brand-new", &json!({})),
            Err(DecodeError::UnknownEvent("/brand-new".into()))
        );
    }

    #[test]
    fn unknown_status_values_are_kept_not_refused() {
        let Ok(LiveEvent::FarmStatus(report)) = decode_event("/status", &json!({"status": "on-fire"})) else {
            panic!("a new status must not make the event undecodable")
        };
        assert_eq!(report.status, FarmStatus::Unknown("on-fire".into()));
    }
}
