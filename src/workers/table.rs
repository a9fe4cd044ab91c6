//! The farm's workers, kept current by `/workers` events.

use std::collections::HashMap;

use flamenco_api::{EventWorkerUpdate, WorkerStatus, WorkerStatusChangeRequest, WorkerSummary};

/// Workers by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkerTable {
    workers: HashMap<String, WorkerSummary>,
}

impl WorkerTable {
    pub fn from_workers(workers: Vec<WorkerSummary>) -> Self {
        WorkerTable { workers: workers.into_iter().map(|worker| (worker.id.clone(), worker)).collect() }
    }

    pub fn get(&self, id: &str) -> Option<&WorkerSummary> {
        self.workers.get(id)
    }

    /// Workers by name, case-insensitively, then id.
    pub fn sorted(&self) -> Vec<WorkerSummary> {
        let mut workers: Vec<WorkerSummary> = self.workers.values().cloned().collect();
        workers
            .sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.id.cmp(&b.id)));
        workers
    }

    pub fn apply(&mut self, event: &EventWorkerUpdate) {
        if event.deleted_at.is_some() {
            self.workers.remove(&event.id);
            return;
        }
        let worker = self.workers.entry(event.id.clone()).or_insert_with(|| WorkerSummary {
            id: event.id.clone(),
            name: event.name.clone(),
            status: event.status.clone(),
            status_change: None,
            last_seen: None,
            version: event.version.clone(),
            can_restart: event.can_restart,
        });
        worker.name.clone_from(&event.name);
        worker.status = event.status.clone();
        worker.status_change.clone_from(&event.status_change);
        if event.last_seen.is_some() {
            worker.last_seen.clone_from(&event.last_seen);
        }
        worker.version.clone_from(&event.version);
        worker.can_restart = event.can_restart;
    }
}

/// A status change a wrangler can ask of a worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkerCommand {
    Wake,
    SleepAfterTask,
    SleepNow,
    ShutDownAfterTask,
    ShutDownNow,
    Restart,
}

impl WorkerCommand {
    pub const ALL: [WorkerCommand; 6] = [
        WorkerCommand::Wake,
        WorkerCommand::SleepAfterTask,
        WorkerCommand::SleepNow,
        WorkerCommand::ShutDownAfterTask,
        WorkerCommand::ShutDownNow,
        WorkerCommand::Restart,
    ];

    pub fn label(self) -> &'static str {
        match self {
            WorkerCommand::Wake => "Wake up",
            WorkerCommand::SleepAfterTask => "Sleep after task",
            WorkerCommand::SleepNow => "Sleep now",
            WorkerCommand::ShutDownAfterTask => "Shut down after task",
            WorkerCommand::ShutDownNow => "Shut down now",
            WorkerCommand::Restart => "Restart",
        }
    }

    /// The request to send.
    pub fn request(self) -> WorkerStatusChangeRequest {
        let (status, is_lazy) = match self {
            WorkerCommand::Wake => (WorkerStatus::Awake, false),
            WorkerCommand::SleepAfterTask => (WorkerStatus::Asleep, true),
            WorkerCommand::SleepNow => (WorkerStatus::Asleep, false),
            WorkerCommand::ShutDownAfterTask => (WorkerStatus::Offline, true),
            WorkerCommand::ShutDownNow => (WorkerStatus::Offline, false),
            WorkerCommand::Restart => (WorkerStatus::Restart, true),
        };
        WorkerStatusChangeRequest { status, is_lazy }
    }

    /// Whether the command makes sense for a worker in `status` (as Flamenco's web app offers them).
    pub fn applies_to(self, worker: &WorkerSummary) -> bool {
        let status = &worker.status;
        match self {
            WorkerCommand::Wake => *status == WorkerStatus::Asleep,
            WorkerCommand::SleepAfterTask | WorkerCommand::SleepNow => *status == WorkerStatus::Awake,
            WorkerCommand::ShutDownAfterTask | WorkerCommand::ShutDownNow => {
                matches!(
                    status,
                    WorkerStatus::Awake | WorkerStatus::Asleep | WorkerStatus::Starting | WorkerStatus::Error
                )
            }
            WorkerCommand::Restart => worker.can_restart && *status != WorkerStatus::Offline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(id: &str, name: &str, status: WorkerStatus) -> WorkerSummary {
        WorkerSummary {
            id: id.into(),
            name: name.into(),
            status,
            status_change: None,
            last_seen: None,
            version: "3.9".into(),
            can_restart: false,
        }
    }

    fn event(id: &str, status: WorkerStatus) -> EventWorkerUpdate {
        EventWorkerUpdate {
            id: id.into(),
            name: "otter".into(),
            updated: "t".into(),
            last_seen: Some("t".into()),
            status,
            previous_status: None,
            status_change: None,
            version: "3.9".into(),
            deleted_at: None,
            can_restart: true,
        }
    }

    #[test]
    fn events_update_add_and_remove_workers() {
        let mut table = WorkerTable::from_workers(vec![worker("a", "Badger", WorkerStatus::Awake)]);
        table.apply(&event("a", WorkerStatus::Asleep));
        assert_eq!(table.get("a").map(|w| w.status.clone()), Some(WorkerStatus::Asleep));
        table.apply(&event("b", WorkerStatus::Awake));
        assert_eq!(table.get("a").map(|w| w.name.as_str()), Some("otter"), "renames arrive as events too");
        assert_eq!(
            table.sorted().iter().map(|w| w.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"],
            "same name: by id"
        );
        let mut gone = event("a", WorkerStatus::Offline);
        gone.deleted_at = Some("t".into());
        table.apply(&gone);
        assert!(table.get("a").is_none());
    }

    #[test]
    fn commands_are_offered_by_status() {
        let awake = worker("a", "A", WorkerStatus::Awake);
        let asleep = worker("b", "B", WorkerStatus::Asleep);
        assert!(WorkerCommand::SleepNow.applies_to(&awake));
        assert!(!WorkerCommand::Wake.applies_to(&awake));
        assert!(WorkerCommand::Wake.applies_to(&asleep));
        assert!(!WorkerCommand::Restart.applies_to(&awake), "only workers that can restart");
        assert_eq!(
            WorkerCommand::ShutDownAfterTask.request(),
            WorkerStatusChangeRequest { status: WorkerStatus::Offline, is_lazy: true }
        );
    }
}
