//! All jobs the app knows, kept up to date from REST answers and live events, with the filtering,
//! sorting and counting the job list needs.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use flamenco_api::{EventJobUpdate, Job, JobStatus};

/// The jobs by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobTable {
    jobs: HashMap<String, Job>,
}

/// What applying a live event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventEffect {
    Updated,
    /// A job the table did not have: it was added from the event's fields.
    Added,
    Removed,
}

impl JobTable {
    pub fn from_jobs(jobs: Vec<Job>) -> Self {
        JobTable { jobs: jobs.into_iter().map(|job| (job.id.clone(), job)).collect() }
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Job> {
        self.jobs.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Job> {
        self.jobs.values()
    }

    /// Stores a job fetched on its own (with all its settings).
    pub fn upsert(&mut self, job: Job) {
        self.jobs.insert(job.id.clone(), job);
    }

    /// Applies a `/jobs` event in place.
    pub fn apply(&mut self, event: &EventJobUpdate) -> EventEffect {
        if event.was_deleted == Some(true) {
            self.jobs.remove(&event.id);
            return EventEffect::Removed;
        }
        match self.jobs.get_mut(&event.id) {
            Some(job) => {
                if let Some(name) = &event.name {
                    job.name.clone_from(name);
                }
                job.status = event.status.clone();
                job.updated.clone_from(&event.updated);
                job.job_type.clone_from(&event.job_type);
                job.priority = event.priority;
                job.steps_completed = event.steps_completed;
                job.steps_total = event.steps_total;
                if event.delete_requested_at.is_some() {
                    job.delete_requested_at.clone_from(&event.delete_requested_at);
                }
                EventEffect::Updated
            }
            None => {
                self.jobs.insert(event.id.clone(), job_from_event(event));
                EventEffect::Added
            }
        }
    }

    /// How many jobs have each status (every job, not only the filtered ones).
    pub fn counts_by_status(&self) -> BTreeMap<JobStatus, usize> {
        let mut counts = BTreeMap::new();
        for job in self.jobs.values() {
            *counts.entry(job.status.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// The ids of the jobs that pass `filter`, in `sort` order.
    pub fn select(&self, filter: &JobFilter, sort: JobSort) -> Vec<String> {
        let needle = filter.text.trim().to_lowercase();
        let mut rows: Vec<&Job> = self
            .jobs
            .values()
            .filter(|job| filter.statuses.is_empty() || filter.statuses.contains(&job.status))
            .filter(|job| needle.is_empty() || matches_text(job, &needle))
            .collect();
        rows.sort_by(|a, b| {
            let order = sort.column.compare(a, b);
            let order = if sort.descending { order.reverse() } else { order };
            // Ties keep a stable, meaningful order whatever the column.
            order.then_with(|| b.updated.cmp(&a.updated)).then_with(|| a.id.cmp(&b.id))
        });
        rows.into_iter().map(|job| job.id.clone()).collect()
    }
}

/// A job made from a `/jobs` event for a job the app has not fetched yet; details fetch the rest.
fn job_from_event(event: &EventJobUpdate) -> Job {
    Job {
        id: event.id.clone(),
        name: event.name.clone().unwrap_or_default(),
        job_type: event.job_type.clone(),
        type_etag: None,
        priority: event.priority,
        settings: None,
        metadata: None,
        submitter_platform: String::new(),
        storage: None,
        worker_tag: None,
        initial_status: None,
        created: event.updated.clone(),
        updated: event.updated.clone(),
        status: event.status.clone(),
        activity: String::new(),
        steps_completed: event.steps_completed,
        steps_total: event.steps_total,
        delete_requested_at: event.delete_requested_at.clone(),
    }
}

/// Case-insensitive search over what a wrangler remembers of a job: its name, type and metadata.
fn matches_text(job: &Job, needle_lowercase: &str) -> bool {
    let contains = |text: &str| text.to_lowercase().contains(needle_lowercase);
    contains(&job.name)
        || contains(&job.job_type)
        || contains(&job.id)
        || job.metadata.iter().flatten().any(|(key, value)| contains(key) || contains(value))
}

/// Which jobs the list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Empty: every status.
    pub statuses: BTreeSet<JobStatus>,
    pub text: String,
}

/// A column of the job list, by which it can be sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobColumn {
    Status,
    Name,
    /// Progress in per cent, from the job's steps.
    Progress,
    /// Steps done out of all: what the Manager counts job progress in.
    Steps,
    Type,
    /// Who submitted the job (`user.name` in its metadata, as Blender's add-on sets it).
    Submitter,
    /// The worker tag (sorted by id: jobs of one tag end up together).
    Tag,
    Priority,
    Created,
    Updated,
}

/// The metadata key under which Flamenco's Blender add-on records who submitted a job.
pub const SUBMITTER_KEY: &str = "user.name";

/// Who submitted `job`, if its metadata says.
pub fn submitter(job: &Job) -> Option<&str> {
    job.metadata.as_ref()?.get(SUBMITTER_KEY).map(String::as_str).filter(|name| !name.is_empty())
}

impl JobColumn {
    pub const ALL: [JobColumn; 10] = [
        JobColumn::Status,
        JobColumn::Name,
        JobColumn::Progress,
        JobColumn::Steps,
        JobColumn::Type,
        JobColumn::Submitter,
        JobColumn::Tag,
        JobColumn::Priority,
        JobColumn::Created,
        JobColumn::Updated,
    ];

    /// The name in the address bar (`?sort=updated`), and the column's CSS class (`col-updated`).
    pub fn as_str(self) -> &'static str {
        match self {
            JobColumn::Status => "status",
            JobColumn::Name => "name",
            JobColumn::Progress => "progress",
            JobColumn::Steps => "steps",
            JobColumn::Type => "type",
            JobColumn::Submitter => "submitter",
            JobColumn::Tag => "tag",
            JobColumn::Priority => "priority",
            JobColumn::Created => "created",
            JobColumn::Updated => "updated",
        }
    }

    pub fn parse(text: &str) -> Option<JobColumn> {
        JobColumn::ALL.into_iter().find(|column| column.as_str() == text)
    }

    /// The column header's text.
    pub fn label(self) -> &'static str {
        match self {
            JobColumn::Status => "Status",
            JobColumn::Name => "Name",
            JobColumn::Progress => "Progress",
            JobColumn::Steps => "Steps done",
            JobColumn::Type => "Type",
            JobColumn::Submitter => "Submitter",
            JobColumn::Tag => "Worker tag",
            JobColumn::Priority => "Priority",
            JobColumn::Created => "Created",
            JobColumn::Updated => "Updated",
        }
    }

    /// Whether the column shows only while the list has the screen to itself (no job open, on a
    /// wide screen): beside an open job the list keeps to what tells jobs apart.
    pub fn list_only(self) -> bool {
        matches!(self, JobColumn::Progress | JobColumn::Steps | JobColumn::Submitter | JobColumn::Created)
    }

    /// The direction a first click sorts in: newest, highest and furthest first, text A to Z.
    pub fn descending_first(self) -> bool {
        matches!(
            self,
            JobColumn::Priority
                | JobColumn::Updated
                | JobColumn::Created
                | JobColumn::Progress
                | JobColumn::Steps
        )
    }

    fn compare(self, a: &Job, b: &Job) -> Ordering {
        match self {
            JobColumn::Status => a.status.as_str().cmp(b.status.as_str()),
            JobColumn::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            JobColumn::Progress => a.progress().total_cmp(&b.progress()),
            JobColumn::Steps => a.steps_completed.cmp(&b.steps_completed),
            JobColumn::Type => a.job_type.cmp(&b.job_type),
            // Jobs without a submitter go last in A to Z.
            JobColumn::Submitter => match (submitter(a), submitter(b)) {
                (Some(a), Some(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
                (a, b) => b.is_some().cmp(&a.is_some()),
            },
            JobColumn::Tag => a.worker_tag.cmp(&b.worker_tag),
            JobColumn::Priority => a.priority.cmp(&b.priority),
            // RFC 3339 timestamps from one Manager share a format, so text order is time order.
            JobColumn::Created => a.created.cmp(&b.created),
            JobColumn::Updated => a.updated.cmp(&b.updated),
        }
    }
}

/// How the list is sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobSort {
    pub column: JobColumn,
    pub descending: bool,
}

impl Default for JobSort {
    fn default() -> Self {
        JobSort { column: JobColumn::Updated, descending: true }
    }
}

impl JobSort {
    /// The sort after clicking `column`'s header: the other direction on the same column.
    pub fn toggled(self, column: JobColumn) -> JobSort {
        if self.column == column {
            JobSort { column, descending: !self.descending }
        } else {
            JobSort { column, descending: column.descending_first() }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn job(id: &str, name: &str, status: JobStatus, updated: &str) -> Job {
        Job {
            id: id.into(),
            name: name.into(),
            job_type: "simple-blender-render".into(),
            type_etag: None,
            priority: 50,
            settings: None,
            metadata: Some([("project".to_owned(), "Sprite Fright".to_owned())].into()),
            submitter_platform: "linux".into(),
            storage: None,
            worker_tag: None,
            initial_status: None,
            created: updated.into(),
            updated: updated.into(),
            status,
            activity: String::new(),
            steps_completed: 0,
            steps_total: 10,
            delete_requested_at: None,
        }
    }

    fn event(id: &str, status: JobStatus) -> EventJobUpdate {
        EventJobUpdate {
            id: id.into(),
            name: Some(format!("job {id}")),
            updated: "2026-11-29T12:30:00Z".into(),
            status,
            previous_status: None,
            job_type: "single-image-render".into(),
            priority: 70,
            refresh_tasks: false,
            steps_completed: 4,
            steps_total: 8,
            delete_requested_at: None,
            was_deleted: None,
        }
    }

    fn table() -> JobTable {
        JobTable::from_jobs(vec![
            job("a", "Opening shot", JobStatus::Active, "2026-11-29T10:00:00Z"),
            job("b", "beach", JobStatus::Queued, "2026-11-29T11:00:00Z"),
            job("c", "Credits", JobStatus::Completed, "2026-11-29T09:00:00Z"),
        ])
    }

    #[test]
    fn events_update_jobs_in_place_and_keep_what_they_do_not_carry() {
        let mut table = table();
        assert_eq!(table.apply(&event("a", JobStatus::PauseRequested)), EventEffect::Updated);
        let job = table.get("a").unwrap();
        assert_eq!(job.status, JobStatus::PauseRequested);
        assert_eq!((job.steps_completed, job.priority), (4, 70));
        assert!(job.metadata.is_some(), "metadata is not in the event and stays");
    }

    #[test]
    fn events_add_new_jobs_and_remove_deleted_ones() {
        let mut table = table();
        assert_eq!(table.apply(&event("n", JobStatus::Queued)), EventEffect::Added);
        assert_eq!(table.get("n").map(|job| job.name.as_str()), Some("job n"));
        let mut deleted = event("b", JobStatus::Queued);
        deleted.was_deleted = Some(true);
        assert_eq!(table.apply(&deleted), EventEffect::Removed);
        assert!(table.get("b").is_none());
        assert_eq!(table.len(), 3);
    }

    #[test]
    fn the_default_sort_is_newest_first() {
        assert_eq!(table().select(&JobFilter::default(), JobSort::default()), ["b", "a", "c"]);
    }

    #[test]
    fn sorting_by_name_ignores_case_and_toggles() {
        let by_name = JobSort::default().toggled(JobColumn::Name);
        assert!(!by_name.descending);
        assert_eq!(table().select(&JobFilter::default(), by_name), ["b", "c", "a"]);
        assert_eq!(table().select(&JobFilter::default(), by_name.toggled(JobColumn::Name)), ["a", "c", "b"]);
    }

    #[test]
    fn filters_combine_status_and_text_over_name_type_and_metadata() {
        let table = table();
        let active_or_queued =
            JobFilter { statuses: [JobStatus::Active, JobStatus::Queued].into(), text: String::new() };
        assert_eq!(table.select(&active_or_queued, JobSort::default()), ["b", "a"]);
        let text = |text: &str| JobFilter { statuses: BTreeSet::new(), text: text.into() };
        assert_eq!(table.select(&text("CREDITS"), JobSort::default()), ["c"]);
        assert_eq!(table.select(&text("fright"), JobSort::default()).len(), 3, "metadata values match");
        assert!(table.select(&text("nothing like it"), JobSort::default()).is_empty());
    }

    #[test]
    fn sorting_by_submitter_puts_jobs_without_one_last() {
        let mut table = table();
        for (id, name) in [("a", "zoe"), ("c", "Ann")] {
            let mut job = table.get(id).unwrap().clone();
            job.metadata.get_or_insert_with(Default::default).insert(SUBMITTER_KEY.into(), name.into());
            table.upsert(job);
        }
        let by_submitter = JobSort::default().toggled(JobColumn::Submitter);
        assert_eq!(table.select(&JobFilter::default(), by_submitter), ["c", "a", "b"]);
    }

    #[test]
    fn sorting_by_progress_starts_with_the_furthest_job() {
        let mut table = table();
        for (id, done) in [("a", 9), ("b", 1), ("c", 5)] {
            let mut job = table.get(id).unwrap().clone();
            job.steps_completed = done;
            table.upsert(job);
        }
        let by_progress = JobSort::default().toggled(JobColumn::Progress);
        assert_eq!(table.select(&JobFilter::default(), by_progress), ["a", "c", "b"]);
    }

    #[test]
    fn every_column_reads_back_from_its_address_name() {
        for column in JobColumn::ALL {
            assert_eq!(JobColumn::parse(column.as_str()), Some(column));
        }
    }

    #[test]
    fn counts_cover_every_job() {
        let counts = table().counts_by_status();
        assert_eq!(counts.get(&JobStatus::Active), Some(&1));
        assert_eq!(counts.values().sum::<usize>(), 3);
    }
}
