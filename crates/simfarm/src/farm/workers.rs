//! Workers and worker tags: signing on, what the Manager tells about a worker, status change
//! requests, tags and sleep schedules.

use flamenco_api::{
    EventWorkerTagUpdate, EventWorkerUpdate, Worker, WorkerSleepSchedule, WorkerStatus,
    WorkerStatusChangeRequest, WorkerSummary, WorkerTag, WorkerTask,
};
use time::OffsetDateTime;

use super::{Farm, LiveEvent, WorkerRec};
use crate::clock;

impl Farm {
    /// Adds a worker that has signed on.
    pub fn add_worker(&mut self, name: &str, status: WorkerStatus) -> String {
        let id = self.rng.uuid();
        let now = clock::now();
        let index = self.workers.len();
        self.workers.push(WorkerRec {
            id: id.clone(),
            name: name.to_owned(),
            status,
            status_change: None,
            last_seen: Some(now.clone()),
            updated: now,
            version: "3.9-beta1".into(),
            // Real workers run under a service that starts them again (FLAMENCO.md, "Measured").
            can_restart: true,
            ip_address: format!("192.168.1.{}", 100 + index % 150),
            platform: "linux".into(),
            supported_task_types: ["blender", "ffmpeg", "file-management", "misc"].map(String::from).to_vec(),
            task: None,
            last_task: None,
            tag_ids: Vec::new(),
        });
        let mut event = self.worker_event(&id);
        if let Some(event) = event.as_mut() {
            event.previous_status = None;
        }
        if let Some(event) = event {
            self.emit(LiveEvent::Worker(event));
        }
        id
    }

    /// A worker's name, as it says it when it signs on.
    pub fn set_worker_name(&mut self, id: &str, name: &str) {
        if let Some(worker) = self.worker_mut(id) {
            name.clone_into(&mut worker.name);
        }
    }

    /// What a worker says it is when it registers or signs on: platform, task types, version.
    pub fn set_worker_identity(
        &mut self,
        id: &str,
        platform: &str,
        task_types: &[String],
        version: Option<&str>,
    ) {
        if let Some(worker) = self.worker_mut(id) {
            platform.clone_into(&mut worker.platform);
            task_types.clone_into(&mut worker.supported_task_types);
            if let Some(version) = version {
                version.clone_into(&mut worker.version);
            }
        }
    }

    pub(crate) fn worker(&self, id: &str) -> Option<&WorkerRec> {
        self.workers.iter().find(|worker| worker.id == id)
    }

    pub(crate) fn worker_mut(&mut self, id: &str) -> Option<&mut WorkerRec> {
        self.workers.iter_mut().find(|worker| worker.id == id)
    }

    pub fn worker_summaries(&self) -> Vec<WorkerSummary> {
        self.workers.iter().map(worker_summary).collect()
    }

    /// Everything about a worker, with its tags and current task.
    pub fn worker_details(&self, id: &str) -> Option<Worker> {
        let worker = self.worker(id)?;
        let summary = worker_summary(worker);
        let task = worker.last_task.as_deref().and_then(|task_id| self.tasks.get(task_id)).map(|task| {
            let summary = self.task_summary(task);
            WorkerTask {
                id: summary.id,
                name: summary.name,
                status: summary.status,
                index_in_job: summary.index_in_job,
                priority: summary.priority,
                task_type: summary.task_type,
                updated: summary.updated,
                worker: summary.worker,
                steps_completed: summary.steps_completed,
                steps_total: summary.steps_total,
                job_id: task.job_id.clone(),
            }
        });
        let tags: Vec<WorkerTag> =
            worker.tag_ids.iter().filter_map(|tag_id| self.tag(tag_id).cloned()).collect();
        Some(Worker {
            id: summary.id,
            name: summary.name,
            status: summary.status,
            status_change: summary.status_change,
            last_seen: summary.last_seen,
            version: summary.version,
            can_restart: summary.can_restart,
            ip_address: worker.ip_address.clone(),
            platform: worker.platform.clone(),
            supported_task_types: worker.supported_task_types.clone(),
            task,
            tags: if tags.is_empty() { None } else { Some(tags) },
        })
    }

    pub(crate) fn worker_event(&self, id: &str) -> Option<EventWorkerUpdate> {
        let worker = self.worker(id)?;
        Some(EventWorkerUpdate {
            id: worker.id.clone(),
            name: worker.name.clone(),
            updated: worker.updated.clone(),
            last_seen: worker.last_seen.clone(),
            status: worker.status.clone(),
            previous_status: None,
            status_change: worker.status_change.clone(),
            version: worker.version.clone(),
            deleted_at: None,
            can_restart: worker.can_restart,
        })
    }

    /// Stores a requested status change; the worker acts on it when it next checks in. Asking for
    /// the status it already has clears any pending request, as in Flamenco.
    pub fn request_worker_status(&mut self, id: &str, change: WorkerStatusChangeRequest) -> bool {
        let Some(worker) = self.worker_mut(id) else { return false };
        worker.status_change = if worker.status == change.status { None } else { Some(change) };
        worker.updated = clock::now();
        if let Some(event) = self.worker_event(id) {
            self.emit(LiveEvent::Worker(event));
        }
        true
    }

    /// Sets a worker's tags; unknown tag ids are ignored, like Flamenco's lookup by id.
    pub fn set_worker_tags(&mut self, id: &str, tag_ids: &[String]) -> bool {
        let known: Vec<String> = tag_ids
            .iter()
            .filter(|tag_id| self.tags.iter().any(|tag| tag.id.as_ref() == Some(*tag_id)))
            .cloned()
            .collect();
        let Some(worker) = self.worker_mut(id) else { return false };
        worker.tag_ids = known;
        worker.updated = clock::now();
        if let Some(event) = self.worker_event(id) {
            self.emit(LiveEvent::Worker(event));
        }
        true
    }

    /// Removes a worker, returning its task to the queue first.
    pub fn delete_worker(&mut self, id: &str) -> bool {
        let Some(task) = self.worker(id).map(|worker| worker.task.clone()) else { return false };
        if let Some(task_id) = task {
            self.return_task_of_worker(&task_id, "worker is being deleted");
        }
        let mut event = self.worker_event(id);
        self.workers.retain(|worker| worker.id != id);
        if let Some(event) = event.as_mut() {
            event.deleted_at = Some(clock::now());
        }
        if let Some(event) = event {
            self.emit(LiveEvent::Worker(event));
        }
        true
    }

    /// A worker's sleep schedule, as it was stored.
    pub fn sleep_schedule(&self, worker_id: &str) -> Option<&serde_json::Value> {
        self.sleep_schedules.get(worker_id)
    }

    /// Stores a worker's sleep schedule as sent, and applies it at once, as Flamenco does on save.
    pub fn set_sleep_schedule(&mut self, worker_id: &str, schedule: serde_json::Value) {
        self.sleep_schedules.insert(worker_id.to_owned(), schedule);
        self.apply_sleep_schedule(worker_id, OffsetDateTime::now_utc());
    }

    /// Like Flamenco's sleep scheduler: asks the worker for the status its schedule wants `now` (at
    /// once, not after its task), unless it has that status or was already asked for it. A schedule
    /// that is not active wants the worker awake. The clock is the Manager's, here UTC.
    pub fn apply_sleep_schedule(&mut self, worker_id: &str, now: OffsetDateTime) {
        let Some(schedule) = self.sleep_schedules.get(worker_id) else { return };
        let schedule: WorkerSleepSchedule = serde_json::from_value(schedule.clone()).unwrap_or_default();
        let wanted = scheduled_status(&schedule, now);
        let Some(worker) = self.worker(worker_id) else { return };
        let asked = worker.status_change.as_ref();
        let already_asked = asked.is_some_and(|change| change.status == wanted && !change.is_lazy);
        let already_there = worker.status == wanted && asked.is_none();
        if !already_asked && !already_there {
            self.request_worker_status(
                worker_id,
                WorkerStatusChangeRequest { status: wanted, is_lazy: false },
            );
        }
    }

    /// Applies every active sleep schedule; the sleep scheduler calls it every few seconds.
    pub fn apply_sleep_schedules(&mut self, now: OffsetDateTime) {
        let active: Vec<String> = self
            .sleep_schedules
            .iter()
            .filter(|(_, schedule)| schedule.get("is_active") == Some(&serde_json::Value::Bool(true)))
            .map(|(worker_id, _)| worker_id.clone())
            .collect();
        for worker_id in active {
            self.apply_sleep_schedule(&worker_id, now);
        }
    }

    // ---- Worker tags ----

    pub fn tags(&self) -> &[WorkerTag] {
        &self.tags
    }

    pub fn tag(&self, id: &str) -> Option<&WorkerTag> {
        self.tags.iter().find(|tag| tag.id.as_deref() == Some(id))
    }

    /// Creates a tag; an empty or missing id gets a new UUID.
    pub fn create_tag(&mut self, mut tag: WorkerTag) -> WorkerTag {
        if tag.id.as_deref().is_none_or(str::is_empty) {
            tag.id = Some(self.rng.uuid());
        }
        if tag.description.as_deref() == Some("") {
            tag.description = None;
        }
        self.tags.push(tag.clone());
        self.emit(LiveEvent::WorkerTag(EventWorkerTagUpdate { tag: tag.clone(), was_deleted: None }));
        tag
    }

    pub fn update_tag(&mut self, id: &str, update: WorkerTag) -> bool {
        let Some(tag) = self.tags.iter_mut().find(|tag| tag.id.as_deref() == Some(id)) else { return false };
        tag.name = update.name;
        if let Some(description) = update.description {
            tag.description = Some(description);
        }
        let tag = tag.clone();
        self.emit(LiveEvent::WorkerTag(EventWorkerTagUpdate { tag, was_deleted: None }));
        true
    }

    pub fn delete_tag(&mut self, id: &str) -> bool {
        let Some(tag) = self.tag(id).cloned() else { return false };
        self.tags.retain(|tag| tag.id.as_deref() != Some(id));
        for worker in &mut self.workers {
            worker.tag_ids.retain(|tag_id| tag_id != id);
        }
        // As the Manager's database does (the reference is set to NULL): no event, no `updated`.
        for rec in self.jobs.values_mut() {
            if rec.job.worker_tag.as_deref() == Some(id) {
                rec.job.worker_tag = None;
            }
        }
        self.emit(LiveEvent::WorkerTag(EventWorkerTagUpdate {
            tag: WorkerTag { id: tag.id, name: String::new(), description: None },
            was_deleted: Some(true),
        }));
        true
    }
}

/// The status a sleep schedule wants at `now`, as Flamenco reads it: asleep on a listed day (any
/// day when none is listed) from the start time (empty: midnight) until before the end time (empty:
/// the end of the day); awake otherwise and whenever the schedule is not active. A time that does
/// not read as `HH:MM` counts as empty, and days are matched by their first two letters.
pub fn scheduled_status(schedule: &WorkerSleepSchedule, now: OffsetDateTime) -> WorkerStatus {
    if !schedule.is_active {
        return WorkerStatus::Awake;
    }
    let today = &now.weekday().to_string().to_lowercase()[..2];
    if !schedule.days_of_week.trim().is_empty() && !schedule.days_of_week.to_lowercase().contains(today) {
        return WorkerStatus::Awake;
    }
    let minute_now = u32::from(now.hour()) * 60 + u32::from(now.minute());
    let before_start = minute_of_day(&schedule.start_time).is_some_and(|start| minute_now < start);
    let after_end = minute_of_day(&schedule.end_time).is_some_and(|end| minute_now >= end);
    if before_start || after_end {
        WorkerStatus::Awake
    } else {
        WorkerStatus::Asleep
    }
}

/// Minutes since midnight of an `HH:MM` time (`24:00` is the end of the day).
fn minute_of_day(time: &str) -> Option<u32> {
    let (hour, minute) = time.trim().split_once(':')?;
    Some(hour.parse::<u32>().ok()? * 60 + minute.parse::<u32>().ok()?)
}

fn worker_summary(worker: &WorkerRec) -> WorkerSummary {
    WorkerSummary {
        id: worker.id.clone(),
        name: worker.name.clone(),
        status: worker.status.clone(),
        status_change: worker.status_change.clone(),
        last_seen: worker.last_seen.clone(),
        version: worker.version.clone(),
        can_restart: worker.can_restart,
    }
}

#[cfg(test)]
mod tests {
    use time::{Date, Month};

    use super::*;

    fn at(hour: u8, minute: u8) -> OffsetDateTime {
        // 2026-11-30 is a Monday.
        let day = Date::from_calendar_date(2026, Month::November, 30).expect("a date");
        day.with_hms(hour, minute, 0).expect("a time").assume_utc()
    }

    fn schedule(days: &str, start: &str, end: &str) -> WorkerSleepSchedule {
        WorkerSleepSchedule {
            is_active: true,
            days_of_week: days.into(),
            start_time: start.into(),
            end_time: end.into(),
        }
    }

    #[test]
    fn asleep_from_start_until_before_end_on_listed_days() {
        let monday_noon = at(12, 0);
        assert_eq!(scheduled_status(&schedule("", "09:00", "18:00"), monday_noon), WorkerStatus::Asleep);
        assert_eq!(scheduled_status(&schedule("mo tu", "09:00", "18:00"), monday_noon), WorkerStatus::Asleep);
        assert_eq!(scheduled_status(&schedule("tu we", "09:00", "18:00"), monday_noon), WorkerStatus::Awake);
        assert_eq!(scheduled_status(&schedule("", "12:00", "12:01"), monday_noon), WorkerStatus::Asleep);
        assert_eq!(
            scheduled_status(&schedule("", "11:00", "12:00"), monday_noon),
            WorkerStatus::Awake,
            "end"
        );
        assert_eq!(scheduled_status(&schedule("", "12:01", "24:00"), monday_noon), WorkerStatus::Awake);
        assert_eq!(scheduled_status(&schedule("", "", ""), monday_noon), WorkerStatus::Asleep, "all day");
        let mut inactive = schedule("", "", "");
        inactive.is_active = false;
        assert_eq!(scheduled_status(&inactive, monday_noon), WorkerStatus::Awake);
    }
}
