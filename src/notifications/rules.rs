//! What this browser wants to hear about (bells on jobs, farm rules) and the rules engine that turns
//! live events into desktop alerts. Plain types: the web glue is in `desktop.rs`.
//!
//! Every Farmdeck tab runs the engine, but only the tab holding the notifier lock shows alerts, and
//! each alert has a key (what happened, to what, as of when) that is claimed in a log shared by the
//! tabs before it is shown, so a handover of the lock never shows one twice.

use flamenco_api::{
    EventJobUpdate, EventTaskUpdate, EventWorkerUpdate, FarmStatus, JobStatus, TaskStatus, WorkerStatus,
};

/// Something that can happen to a job, for its bell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEvent {
    Done,
    Failed,
    FirstFailure,
}

impl JobEvent {
    pub const ALL: [JobEvent; 3] = [JobEvent::Done, JobEvent::Failed, JobEvent::FirstFailure];

    /// The checkbox's label, after "Notify me when".
    pub fn label(self) -> &'static str {
        match self {
            JobEvent::Done => "it completes",
            JobEvent::Failed => "it fails",
            JobEvent::FirstFailure => "a task first fails",
        }
    }
}

/// Which events of one belled job notify. A new bell rings for all three.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobBell {
    pub done: bool,
    pub failed: bool,
    pub first_failure: bool,
}

impl Default for JobBell {
    fn default() -> Self {
        JobBell { done: true, failed: true, first_failure: true }
    }
}

impl JobBell {
    pub fn wants(&self, event: JobEvent) -> bool {
        match event {
            JobEvent::Done => self.done,
            JobEvent::Failed => self.failed,
            JobEvent::FirstFailure => self.first_failure,
        }
    }

    pub fn set(&mut self, event: JobEvent, on: bool) {
        match event {
            JobEvent::Done => self.done = on,
            JobEvent::Failed => self.failed = on,
            JobEvent::FirstFailure => self.first_failure = on,
        }
    }

    /// Three characters, one per event: its letter when on, `-` when off.
    fn to_text(self) -> String {
        [(self.done, 'd'), (self.failed, 'f'), (self.first_failure, 'x')]
            .iter()
            .map(|&(on, letter)| if on { letter } else { '-' })
            .collect()
    }

    fn parse(text: &str) -> JobBell {
        JobBell { done: text.contains('d'), failed: text.contains('f'), first_failure: text.contains('x') }
    }
}

/// A farm-wide rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FarmRule {
    WorkerOffline,
    FarmIdle,
}

impl FarmRule {
    pub const ALL: [FarmRule; 2] = [FarmRule::WorkerOffline, FarmRule::FarmIdle];

    pub fn label(self) -> &'static str {
        match self {
            FarmRule::WorkerOffline => "A worker goes offline",
            FarmRule::FarmIdle => "The farm becomes idle",
        }
    }
}

/// Everything this browser chose, kept in local storage and shared by its tabs.
///
/// Saved as lines of text rather than JSON: this code runs on every page, and a JSON decoder made
/// for it cost the jobs page more than the rest of the notifier together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotifyChoices {
    /// Desktop notifications were asked for with a click (the browser's permission is separate).
    pub desktop: bool,
    /// Belled jobs by id, in the order they were belled (a handful: a list is enough).
    pub jobs: Vec<(String, JobBell)>,
    pub worker_offline: bool,
    pub farm_idle: bool,
}

impl NotifyChoices {
    /// Reads saved choices; lines it does not know (damaged, or from a newer Farmdeck) are skipped.
    pub fn parse(text: &str) -> NotifyChoices {
        let mut choices = NotifyChoices::default();
        for line in text.lines() {
            match line.split(' ').collect::<Vec<_>>()[..] {
                ["desktop"] => choices.desktop = true,
                ["worker-offline"] => choices.worker_offline = true,
                ["farm-idle"] => choices.farm_idle = true,
                ["job", id, events] if !id.is_empty() && choices.bell(id).is_none() => {
                    choices.jobs.push((id.to_owned(), JobBell::parse(events)))
                }
                _ => {}
            }
        }
        choices
    }

    pub fn to_text(&self) -> String {
        let flags = [
            (self.desktop, "desktop"),
            (self.worker_offline, "worker-offline"),
            (self.farm_idle, "farm-idle"),
        ];
        let flags = flags.iter().filter(|(on, _)| *on).map(|(_, name)| name.to_string());
        let jobs = self.jobs.iter().map(|(id, bell)| format!("job {id} {}", bell.to_text()));
        flags.chain(jobs).collect::<Vec<_>>().join("\n")
    }

    pub fn bell(&self, job_id: &str) -> Option<JobBell> {
        self.jobs.iter().find(|(id, _)| id == job_id).map(|(_, bell)| *bell)
    }

    /// Rings or silences a job's bell.
    pub fn toggle_bell(&mut self, job_id: &str) {
        let before = self.jobs.len();
        self.jobs.retain(|(id, _)| id != job_id);
        if self.jobs.len() == before {
            self.jobs.push((job_id.to_owned(), JobBell::default()));
        }
    }

    pub fn set_job_event(&mut self, job_id: &str, event: JobEvent, on: bool) {
        if let Some((_, bell)) = self.jobs.iter_mut().find(|(id, _)| id == job_id) {
            bell.set(event, on);
        }
    }

    pub fn rule(&self, rule: FarmRule) -> bool {
        match rule {
            FarmRule::WorkerOffline => self.worker_offline,
            FarmRule::FarmIdle => self.farm_idle,
        }
    }

    pub fn set_rule(&mut self, rule: FarmRule, on: bool) {
        match rule {
            FarmRule::WorkerOffline => self.worker_offline = on,
            FarmRule::FarmIdle => self.farm_idle = on,
        }
    }

    /// Jobs whose tasks must be followed to see their first failure.
    pub fn jobs_watching_tasks(&self) -> Vec<String> {
        self.jobs.iter().filter(|(_, bell)| bell.first_failure).map(|(id, _)| id.clone()).collect()
    }
}

/// A desktop notification to show: plain text only (the Notification API shows no markup).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// What happened, to what and as of when: equal keys are one event, shown once.
    pub key: String,
    pub title: String,
    pub body: String,
}

/// Farm status reports carry no time: two "became idle" reports within this long are one event.
const FARM_EVENT_WINDOW_MS: f64 = 60_000.0;

/// The rules engine: turns live events into alerts, given the choices.
#[derive(Debug, Default)]
pub struct Watcher {
    farm: Option<FarmStatus>,
    /// Jobs whose first failure was seen (a handful of belled jobs).
    first_failure_seen: Vec<String>,
}

impl Watcher {
    /// A `/jobs` event; `known_name` is the name from the job list when the event has none.
    pub fn job_event(
        &mut self,
        choices: &NotifyChoices,
        event: &EventJobUpdate,
        known_name: Option<&str>,
    ) -> Option<Alert> {
        let bell = choices.bell(&event.id)?;
        if event.was_deleted == Some(true) || event.previous_status.as_ref() == Some(&event.status) {
            return None;
        }
        let (kind, title, verb) = match event.status {
            JobStatus::Completed => (JobEvent::Done, "Job completed", "completed"),
            JobStatus::Failed => (JobEvent::Failed, "Job failed", "failed"),
            _ => return None,
        };
        if !bell.wants(kind) {
            return None;
        }
        let name = event.name.as_deref().filter(|name| !name.is_empty()).or(known_name).unwrap_or(&event.id);
        Some(Alert {
            key: format!("job:{}:{}:{}", event.id, event.status.as_str(), event.updated),
            title: title.to_owned(),
            body: format!("{name} {verb}."),
        })
    }

    /// A `/task` event of a followed job.
    pub fn task_event(
        &mut self,
        choices: &NotifyChoices,
        event: &EventTaskUpdate,
        job_name: Option<&str>,
    ) -> Option<Alert> {
        let bell = choices.bell(&event.job_id)?;
        let failed = matches!(event.status, TaskStatus::Failed | TaskStatus::SoftFailed);
        if !failed || !bell.first_failure || self.first_failure_seen.contains(&event.job_id) {
            return None;
        }
        self.first_failure_seen.push(event.job_id.clone());
        let job = job_name.unwrap_or(&event.job_id);
        let worker = event.worker.as_ref().map(|w| format!(" on {}", w.name)).unwrap_or_default();
        Some(Alert {
            key: format!("job:{}:first-failure", event.job_id),
            title: "First task failure".to_owned(),
            body: format!("{job}: task {} failed{worker}. {}", event.name, event.activity)
                .trim_end()
                .to_owned(),
        })
    }

    /// A `/workers` event.
    pub fn worker_event(&mut self, choices: &NotifyChoices, event: &EventWorkerUpdate) -> Option<Alert> {
        let went_offline = event.status == WorkerStatus::Offline
            && event.deleted_at.is_none()
            && event.previous_status.as_ref().is_some_and(|from| *from != WorkerStatus::Offline);
        (choices.worker_offline && went_offline).then(|| Alert {
            key: format!("worker:{}:offline:{}", event.id, event.updated),
            title: "Worker offline".to_owned(),
            body: format!("{} went offline.", event.name),
        })
    }

    /// A `/status` report; `now_ms` is when it arrived.
    pub fn farm_event(&mut self, choices: &NotifyChoices, status: &FarmStatus, now_ms: f64) -> Option<Alert> {
        let before = self.farm.replace(status.clone());
        let became_idle =
            *status == FarmStatus::Idle && before.is_some_and(|before| before != FarmStatus::Idle);
        (choices.farm_idle && became_idle).then(|| Alert {
            key: format!("farm:idle:{}", (now_ms / FARM_EVENT_WINDOW_MS).floor()),
            title: "Farm idle".to_owned(),
            body: "The farm has nothing left to do.".to_owned(),
        })
    }
}

/// How many alert keys the shared log keeps: far more than a handover can overlap.
pub const SENT_CAPACITY: usize = 200;

/// The keys of alerts already shown by some tab, oldest first (kept in local storage, one a line).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentLog(Vec<String>);

impl SentLog {
    pub fn parse(text: &str) -> SentLog {
        SentLog(text.lines().filter(|key| !key.is_empty()).map(str::to_owned).collect())
    }

    pub fn to_text(&self) -> String {
        self.0.join("\n")
    }

    /// Claims `key` for showing: false when some tab already showed it.
    pub fn claim(&mut self, key: &str) -> bool {
        if self.0.iter().any(|sent| sent == key) {
            return false;
        }
        self.0.push(key.to_owned());
        let excess = self.0.len().saturating_sub(SENT_CAPACITY);
        self.0.drain(..excess);
        true
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
