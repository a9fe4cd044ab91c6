//! Workers and worker tags: signing on, what the Manager tells about a worker, status change
//! requests, tags and sleep schedules.

use flamenco_api::{
    EventWorkerTagUpdate, EventWorkerUpdate, Worker, WorkerStatus, WorkerStatusChangeRequest, WorkerSummary,
    WorkerTag, WorkerTask,
};

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

    /// Stores a worker's sleep schedule (the simulated workers do not follow it).
    pub fn set_sleep_schedule(&mut self, worker_id: &str, schedule: serde_json::Value) {
        self.sleep_schedules.insert(worker_id.to_owned(), schedule);
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
