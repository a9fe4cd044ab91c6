use super::*;

fn job(id: &str, name: Option<&str>, status: JobStatus, previous: Option<JobStatus>) -> EventJobUpdate {
    EventJobUpdate {
        id: id.into(),
        name: name.map(str::to_owned),
        updated: "2026-01-01T00:00:00Z".into(),
        status,
        previous_status: previous,
        job_type: "simple-blender-render".into(),
        priority: 50,
        refresh_tasks: false,
        steps_completed: 0,
        steps_total: 0,
        delete_requested_at: None,
        was_deleted: None,
    }
}

fn worker(id: &str, status: WorkerStatus) -> EventWorkerUpdate {
    EventWorkerUpdate {
        id: id.into(),
        name: format!("w-{id}"),
        updated: "2026-01-01T00:00:00Z".into(),
        last_seen: None,
        status,
        previous_status: None,
        status_change: None,
        version: "3.9".into(),
        deleted_at: None,
        can_restart: false,
    }
}

#[test]
fn a_job_status_change_names_both_statuses_and_links_the_job() {
    let mut history = History::default();
    history.know_jobs([("j1", "Spring", &JobStatus::Queued)]);
    let id = history.job_event(&job("j1", Some("Spring"), JobStatus::Active, Some(JobStatus::Queued)), 1.0);
    assert!(id.is_some());
    let notice = history.latest().expect("a notice").clone();
    assert_eq!(notice.summary(), "Job Spring queued → active");
    assert_eq!(notice.href.as_deref(), Some("/jobs/j1"));
    assert_eq!(notice.status.as_deref(), Some("active"));
    assert_eq!(notice.tone, Tone::Normal);
    history.job_event(&job("j1", Some("Spring"), JobStatus::Failed, Some(JobStatus::Active)), 2.0);
    assert_eq!(history.latest().map(|n| n.tone), Some(Tone::Problem), "failures stand out");
}

#[test]
fn progress_updates_without_a_status_change_are_not_news() {
    let mut history = History::default();
    history.know_jobs([("j1", "Spring", &JobStatus::Active)]);
    assert_eq!(history.job_event(&job("j1", Some("Spring"), JobStatus::Active, None), 1.0), None);
    assert_eq!(
        history.job_event(&job("j1", Some("Spring"), JobStatus::Active, Some(JobStatus::Active)), 1.0),
        None
    );
    assert!(history.is_empty());
}

#[test]
fn new_and_deleted_jobs_are_told_once_the_farm_is_known() {
    let mut history = History::default();
    // Before the first fetch answered, an unknown job is not known to be new.
    assert_eq!(history.job_event(&job("old", Some("Old"), JobStatus::Active, None), 0.0), None);
    history.know_jobs([("old", "Old", &JobStatus::Active)]);
    history.job_event(&job("j2", Some("Summer"), JobStatus::Queued, None), 1.0);
    assert_eq!(history.latest().map(Notice::summary).as_deref(), Some("Job Summer was submitted (queued)"));
    let mut deleted = job("j2", None, JobStatus::Queued, None);
    deleted.was_deleted = Some(true);
    history.job_event(&deleted, 2.0);
    let notice = history.latest().expect("deleted");
    assert_eq!(notice.summary(), "Job Summer was deleted", "the name is remembered: the event has none");
    assert_eq!(notice.href, None, "a deleted job has no page");
}

#[test]
fn workers_tell_status_changes_arrivals_and_departures_but_not_task_assignments() {
    let mut history = History::default();
    history.know_workers([("a", "w-a", &WorkerStatus::Awake)]);
    assert_eq!(history.worker_event(&worker("a", WorkerStatus::Awake), 0.0), None, "a task assignment");
    history.worker_event(&worker("a", WorkerStatus::Asleep), 1.0);
    assert_eq!(history.latest().map(Notice::summary).as_deref(), Some("Worker w-a awake → asleep"));
    history.worker_event(&worker("a", WorkerStatus::Offline), 2.0);
    let offline = history.latest().expect("offline");
    assert_eq!(offline.summary(), "Worker w-a went offline (was asleep)");
    assert_eq!(offline.tone, Tone::Problem);
    assert_eq!(offline.href.as_deref(), Some("/workers/a"));
    history.worker_event(&worker("b", WorkerStatus::Starting), 3.0);
    assert_eq!(history.latest().map(Notice::summary).as_deref(), Some("Worker w-b appeared (starting)"));
    let mut gone = worker("b", WorkerStatus::Offline);
    gone.deleted_at = Some("2026-01-01T00:00:00Z".into());
    history.worker_event(&gone, 4.0);
    assert_eq!(history.latest().map(Notice::summary).as_deref(), Some("Worker w-b was deleted"));
    assert_eq!(history.len(), 4);
}

#[test]
fn tags_tell_creation_renames_and_deletion() {
    use flamenco_api::WorkerTag;
    let tag = |name: &str| WorkerTag { id: Some("t".into()), name: name.into(), description: None };
    let mut history = History::default();
    history.know_tags([]);
    history.tag_event(&EventWorkerTagUpdate { tag: tag("GPU"), was_deleted: None }, 0.0);
    assert_eq!(history.latest().map(Notice::summary).as_deref(), Some("Tag GPU was created"));
    history.tag_event(&EventWorkerTagUpdate { tag: tag("Big GPU"), was_deleted: None }, 1.0);
    assert_eq!(history.latest().map(Notice::summary).as_deref(), Some("Tag Big GPU was renamed (was GPU)"));
    history.tag_event(&EventWorkerTagUpdate { tag: tag("Big GPU"), was_deleted: Some(true) }, 2.0);
    assert_eq!(history.latest().map(Notice::summary).as_deref(), Some("Tag Big GPU was deleted"));
}

#[test]
fn the_history_is_capped_newest_first_filtered_and_counts_unread() {
    let mut history = History::with_capacity(3);
    history.know_jobs([]);
    history.know_workers([]);
    for n in 0..4 {
        history
            .job_event(&job(&format!("j{n}"), Some(&format!("Job {n}")), JobStatus::Queued, None), n as f64);
    }
    assert_eq!(history.len(), 3, "the oldest went");
    assert_eq!(history.unread(), 3);
    history.mark_all_read();
    assert_eq!(history.unread(), 0);
    history.worker_event(&worker("x", WorkerStatus::Awake), 9.0);
    assert_eq!(history.unread(), 1);
    let all: Vec<String> =
        history.newest_first(NoticeFilter::All).iter().map(|n| n.subject.clone()).collect();
    assert_eq!(all, ["w-x", "Job 3", "Job 2"]);
    assert_eq!(history.newest_first(NoticeFilter::Workers).len(), 1);
    assert_eq!(history.newest_first(NoticeFilter::Jobs).len(), 2);
    assert!(history.newest_first(NoticeFilter::Problems).is_empty());
}

#[test]
fn details_arrive_later_for_their_notice() {
    let mut history = History::default();
    history.know_jobs([("j", "Spring", &JobStatus::Active)]);
    let id = history.job_event(&job("j", None, JobStatus::Failed, None), 0.0).expect("a change");
    history.set_detail(id, "no more workers left".into());
    let notice = history.latest().expect("notice");
    assert_eq!(notice.detail.as_deref(), Some("no more workers left"));
    assert_eq!(notice.summary(), "Job Spring active → failed");
}
