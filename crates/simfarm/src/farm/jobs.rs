//! Jobs: storing a compiled job and its tasks, what the API shows of them, priority, tag and
//! deletion, and seeding jobs in a settled state.

use flamenco_api::{EventJobUpdate, Job, JobStatus, SubmittedJob, TaskStatus, TaskSummary};

use super::{job_event, Farm, JobRec, LiveEvent, TaskRec};
use crate::clock;
use crate::jobtypes::CompiledJob;

impl Farm {
    /// Stores a compiled job and its tasks, as `initial_status` (default `queued`) says.
    pub fn store_job(&mut self, id: String, submitted: SubmittedJob, compiled: CompiledJob) -> Job {
        let now = clock::now();
        let status = submitted.initial_status.clone().unwrap_or(JobStatus::Queued);
        let mut task_ids = Vec::with_capacity(compiled.tasks.len());
        let ids: Vec<String> = compiled.tasks.iter().map(|_| self.rng.uuid()).collect();
        let mut steps_total = 0;
        for (index, (authored, task_id)) in compiled.tasks.into_iter().zip(&ids).enumerate() {
            let steps = authored.commands.iter().map(|command| command.total_step_count.max(1)).sum::<i64>();
            steps_total += steps;
            let depends_on = authored.depends_on.iter().filter_map(|&dep| ids.get(dep).cloned()).collect();
            self.tasks.insert(
                task_id.clone(),
                TaskRec {
                    id: task_id.clone(),
                    job_id: id.clone(),
                    name: authored.name,
                    index_in_job: index as i32 + 1,
                    status: TaskStatus::Queued,
                    priority: authored.priority,
                    task_type: authored.task_type,
                    activity: String::new(),
                    commands: authored.commands,
                    steps_completed: 0,
                    steps_total: steps,
                    created: now.clone(),
                    updated: now.clone(),
                    worker: None,
                    last_touched: None,
                    failed_by: Vec::new(),
                    depends_on,
                    log: String::new(),
                    work: authored.work,
                },
            );
            task_ids.push(task_id.clone());
        }
        // The Manager keeps the job type's etag to itself: job JSON has no `type_etag`.
        let job = Job {
            id: id.clone(),
            name: submitted.name,
            job_type: submitted.job_type,
            type_etag: None,
            priority: submitted.priority,
            settings: Some(go_numbers(compiled.settings)),
            metadata: Some(compiled.metadata.or(submitted.metadata).unwrap_or_default()),
            submitter_platform: submitted.submitter_platform,
            storage: submitted.storage,
            worker_tag: submitted.worker_tag.filter(|tag| !tag.is_empty()),
            initial_status: None,
            created: now.clone(),
            updated: now,
            status: status.clone(),
            activity: String::new(),
            steps_completed: 0,
            steps_total: 0,
            delete_requested_at: None,
        };
        self.count_status(None, &status, &id);
        self.jobs.insert(id.clone(), JobRec { job: job.clone(), task_ids, planned_steps: steps_total });
        self.job_order.push(id);
        let mut event = job_event(&job);
        event.previous_status = None;
        self.emit(LiveEvent::Job(event));
        job
    }

    /// Keeps the per-status counts and the runnable set in step with a job's status.
    pub(super) fn count_status(&mut self, old: Option<&JobStatus>, new: &JobStatus, job_id: &str) {
        if let Some(old) = old {
            if let Some(count) = self.status_counts.get_mut(old.as_str()) {
                *count = count.saturating_sub(1);
            }
        }
        *self.status_counts.entry(new.as_str().to_owned()).or_default() += 1;
        if matches!(new, JobStatus::Queued | JobStatus::Active) {
            self.runnable_jobs.insert(job_id.to_owned());
        } else {
            self.runnable_jobs.remove(job_id);
        }
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.get(id).map(|rec| &rec.job)
    }

    /// All jobs in creation order, borrowed: listing 10,000 jobs copies none of them.
    pub fn jobs(&self) -> impl Iterator<Item = &Job> {
        self.job_order.iter().filter_map(|id| self.jobs.get(id).map(|rec| &rec.job))
    }

    pub fn job_count(&self) -> usize {
        self.jobs.len()
    }

    /// The summaries of a job's tasks, in index order; empty for an unknown job (as Flamenco).
    pub fn task_summaries(&self, job_id: &str) -> Vec<TaskSummary> {
        let Some(rec) = self.jobs.get(job_id) else { return Vec::new() };
        rec.task_ids.iter().filter_map(|id| self.tasks.get(id)).map(|task| self.task_summary(task)).collect()
    }

    /// Changes a job's priority and tells the clients.
    pub fn set_job_priority(&mut self, job_id: &str, priority: i32) -> bool {
        let Some(rec) = self.jobs.get_mut(job_id) else { return false };
        // The Manager leaves `updated` alone here.
        rec.job.priority = priority;
        let event = job_event(&rec.job);
        self.emit(LiveEvent::Job(event));
        true
    }

    /// Limits a job to the workers of a tag (`None`: any worker) and tells the clients.
    pub fn set_job_tag(&mut self, job_id: &str, tag_id: Option<String>) -> bool {
        let Some(rec) = self.jobs.get_mut(job_id) else { return false };
        rec.job.worker_tag = tag_id;
        rec.job.updated = clock::now();
        let event = job_event(&rec.job);
        self.emit(LiveEvent::Job(event));
        true
    }

    /// Marks a job for deletion; [`Farm::delete_job`] removes it later, as Flamenco's job deleter.
    pub fn request_job_deletion(&mut self, job_id: &str) -> bool {
        let Some(rec) = self.jobs.get_mut(job_id) else { return false };
        let now = clock::now();
        rec.job.delete_requested_at = Some(now.clone());
        rec.job.updated = now;
        let event = job_event(&rec.job);
        self.emit(LiveEvent::Job(event));
        true
    }

    /// Removes a job marked for deletion, with its tasks, logs and thumbnails. Its running tasks
    /// simply vanish from under their workers, as in Flamenco.
    pub fn delete_job(&mut self, job_id: &str) {
        let Some(rec) = self.jobs.remove(job_id) else { return };
        if let Some(count) = self.status_counts.get_mut(rec.job.status.as_str()) {
            *count = count.saturating_sub(1);
        }
        self.runnable_jobs.remove(job_id);
        self.job_order.retain(|id| id != job_id);
        for task_id in &rec.task_ids {
            self.tasks.remove(task_id);
        }
        for worker in &mut self.workers {
            if worker.task.as_ref().is_some_and(|task| rec.task_ids.contains(task)) {
                worker.task = None;
            }
        }
        self.thumbnails.remove(job_id);
        self.blocklists.remove(job_id);
        if self.last_rendered_job.as_deref() == Some(job_id) {
            self.last_rendered_job = None;
        }
        // Flamenco sends only the id and `was_deleted`; the other fields go out as Go's zero values.
        self.emit(LiveEvent::Job(EventJobUpdate {
            id: job_id.to_owned(),
            name: None,
            updated: "0001-01-01T00:00:00Z".into(),
            status: JobStatus::Unknown(String::new()),
            previous_status: None,
            job_type: String::new(),
            priority: 0,
            refresh_tasks: false,
            steps_completed: 0,
            steps_total: 0,
            delete_requested_at: None,
            was_deleted: Some(true),
        }));
    }

    /// Puts a stored job straight into a state, for seeding: its tasks get `task_status(index)`,
    /// their steps follow (full when completed), and the job gets `status`. No events: nobody is
    /// connected while the farm is seeded.
    pub fn seed_state(&mut self, job_id: &str, status: JobStatus, task_status: impl Fn(usize) -> TaskStatus) {
        let Some(rec) = self.jobs.get(job_id) else { return };
        let task_ids = rec.task_ids.clone();
        let old = rec.job.status.clone();
        let mut steps = 0;
        for (index, task_id) in task_ids.iter().enumerate() {
            let Some(task) = self.tasks.get_mut(task_id) else { continue };
            task.status = task_status(index);
            task.steps_completed = if task.status == TaskStatus::Completed { task.steps_total } else { 0 };
            if task.status != TaskStatus::Queued {
                task.activity = format!("Task is {}", task.status);
            }
            steps += task.steps_completed;
        }
        if let Some(rec) = self.jobs.get_mut(job_id) {
            if ran_before(&status) {
                rec.job.steps_total = rec.planned_steps;
            }
            rec.job.status = status.clone();
            rec.job.steps_completed = steps;
            rec.job.activity = format!("Changed to status \"{status}\": seeded");
        }
        self.count_status(Some(&old), &status, job_id);
    }
}

/// Whether a job in this status has run (and so shows its real `steps_total`), for seeding.
fn ran_before(status: &JobStatus) -> bool {
    !matches!(status, JobStatus::Queued | JobStatus::Paused | JobStatus::UnderConstruction)
}

/// Settings as the Manager stores them (Go `float64`s): a whole number comes back as an integer,
/// `24.0` as `24`.
fn go_numbers(settings: flamenco_api::JobSettings) -> flamenco_api::JobSettings {
    fn whole(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Number(number) => match number.as_f64() {
                Some(float)
                    if number.is_f64() && float.fract() == 0.0 && float.abs() < 9_007_199_254_740_992.0 =>
                {
                    serde_json::Value::from(float as i64)
                }
                _ => serde_json::Value::Number(number),
            },
            serde_json::Value::Array(items) => items.into_iter().map(whole).collect(),
            serde_json::Value::Object(map) => {
                serde_json::Value::Object(map.into_iter().map(|(k, v)| (k, whole(v))).collect())
            }
            other => other,
        }
    }
    settings.into_iter().map(|(key, value)| (key, whole(value))).collect()
}
