use flamenco_api::AssignedWorker;

use super::*;
use crate::problems::rules::tests::{at, task};

fn ms(seconds: u32) -> f64 {
    timestamp_ms(&at(seconds)).unwrap_or_default()
}

fn event(id: &str, status: TaskStatus, previous: TaskStatus, worker: &str, seconds: u32) -> EventTaskUpdate {
    EventTaskUpdate {
        id: id.into(),
        job_id: "j1".into(),
        worker: Some(AssignedWorker { name: format!("{worker}-name"), uuid: worker.into() }),
        name: format!("render-{id}"),
        updated: at(seconds),
        status,
        previous_status: Some(previous),
        activity: String::new(),
        steps_completed: 0,
        steps_total: 1,
    }
}

fn only_run(timeline: &Timeline, worker: &str) -> TaskRun {
    let runs: Vec<&TaskRun> = timeline.runs_of(worker).collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs[0].clone()
}

#[test]
fn a_task_going_into_active_starts_a_run_and_leaving_it_ends_the_run() {
    let mut timeline = Timeline::default();
    assert!(timeline.record(&event("a", TaskStatus::Active, TaskStatus::Queued, "w1", 10), "Shot"));
    let running = only_run(&timeline, "w1");
    assert_eq!((running.start_ms, running.end_ms, running.outcome), (ms(10), None, RunOutcome::Running));
    assert_eq!(running.start, StartSource::Seen);
    assert_eq!((running.job_name.as_str(), running.worker_name.as_str()), ("Shot", "w1-name"));

    let progress = event("a", TaskStatus::Active, TaskStatus::Active, "w1", 12);
    assert!(!timeline.record(&progress, "Shot"), "progress changes no run");
    let mut activity = event("a", TaskStatus::Active, TaskStatus::Active, "w1", 13);
    activity.previous_status = None;
    assert!(!timeline.record(&activity, "Shot"), "nor does an update without a previous status");
    assert!(timeline.record(&event("a", TaskStatus::Completed, TaskStatus::Active, "w1", 15), "Shot"));
    let done = only_run(&timeline, "w1");
    assert_eq!((done.end_ms, done.outcome), (Some(ms(15)), RunOutcome::Completed));
    assert_eq!(done.key(), running.key(), "the same run, ended");
}

#[test]
fn a_requeued_and_retried_task_has_two_runs_with_their_outcomes() {
    let mut timeline = Timeline::default();
    timeline.record(&event("a", TaskStatus::Active, TaskStatus::Queued, "w1", 10), "Shot");
    timeline.record(&event("a", TaskStatus::SoftFailed, TaskStatus::Active, "w1", 20), "Shot");
    timeline.record(&event("a", TaskStatus::Active, TaskStatus::SoftFailed, "w2", 21), "Shot");
    timeline.record(&event("a", TaskStatus::Queued, TaskStatus::Active, "w2", 25), "Shot");
    assert_eq!(only_run(&timeline, "w1").outcome, RunOutcome::SoftFailed);
    let second = only_run(&timeline, "w2");
    assert_eq!(
        (second.start_ms, second.end_ms, second.outcome),
        (ms(21), Some(ms(25)), RunOutcome::Requeued)
    );
    assert_eq!(RunOutcome::Requeued.as_str(), "queued");
}

#[test]
fn unassigned_workers_as_the_real_manager_sends_them_start_nothing() {
    let mut timeline = Timeline::default();
    let mut unassigned = event("a", TaskStatus::Active, TaskStatus::Queued, "", 10);
    unassigned.worker = Some(AssignedWorker { name: String::new(), uuid: String::new() });
    assert!(!timeline.record(&unassigned, "Shot"));
    let mut listed = task("b", TaskStatus::Completed, None, &at(30));
    listed.worker =
        Some(flamenco_api::TaskWorker { id: String::new(), name: String::new(), address: String::new() });
    assert!(!timeline.backfill(("j1", "Shot"), &[listed], 0.0));
    assert_eq!(timeline.len(), 0);
}

#[test]
fn a_task_list_fills_in_runs_with_inferred_or_unknown_starts() {
    let mut timeline = Timeline::default();
    let tasks = vec![
        task("a", TaskStatus::Completed, Some("w1"), &at(10)),
        task("b", TaskStatus::Completed, Some("w1"), &at(22)),
        task("c", TaskStatus::Active, Some("w1"), &at(30)),
        task("d", TaskStatus::Queued, None, &at(0)),
        task("e", TaskStatus::Canceled, Some("w2"), &at(40)),
    ];
    assert!(timeline.backfill(("j1", "Shot"), &tasks, 0.0));
    let mut runs: Vec<TaskRun> = timeline.runs_of("w1").cloned().collect();
    runs.sort_by(|x, y| x.start_ms.total_cmp(&y.start_ms));
    let summary: Vec<(&str, f64, Option<f64>, StartSource)> =
        runs.iter().map(|run| (run.task_id.as_str(), run.start_ms, run.end_ms, run.start)).collect();
    assert_eq!(
        summary,
        vec![
            ("a", ms(10), Some(ms(10)), StartSource::Unknown),
            ("b", ms(10), Some(ms(22)), StartSource::Inferred),
            ("c", ms(22), None, StartSource::Inferred),
        ]
    );
    assert_eq!(runs[1].job_id, "j1");
    assert_eq!(timeline.runs_of("w2").count(), 0, "a canceled task did not run");
    assert!(!timeline.backfill(("j1", "Shot"), &tasks, 0.0), "the same list again adds nothing");
    assert_eq!(timeline.len(), 3);
}

#[test]
fn a_task_list_does_not_duplicate_runs_seen_live_and_ends_those_whose_end_was_missed() {
    let mut timeline = Timeline::default();
    timeline.record(&event("a", TaskStatus::Active, TaskStatus::Queued, "w1", 5), "Shot");
    timeline.record(&event("a", TaskStatus::Completed, TaskStatus::Active, "w1", 10), "Shot");
    timeline.record(&event("b", TaskStatus::Active, TaskStatus::Queued, "w1", 11), "Shot");
    let tasks = vec![
        task("a", TaskStatus::Completed, Some("w1"), &at(11)), // a second later than the event said
        task("b", TaskStatus::Failed, Some("w1"), &at(20)),
    ];
    assert!(timeline.backfill(("j1", "Shot"), &tasks, 0.0));
    let mut runs: Vec<TaskRun> = timeline.runs_of("w1").cloned().collect();
    runs.sort_by(|x, y| x.start_ms.total_cmp(&y.start_ms));
    let summary: Vec<(&str, f64, Option<f64>, RunOutcome, StartSource)> = runs
        .iter()
        .map(|run| (run.task_id.as_str(), run.start_ms, run.end_ms, run.outcome, run.start))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("a", ms(5), Some(ms(10)), RunOutcome::Completed, StartSource::Seen),
            ("b", ms(11), Some(ms(20)), RunOutcome::Failed, StartSource::Seen),
        ]
    );
}

#[test]
fn runs_kept_from_an_earlier_visit_merge_without_duplicates_and_seen_starts_win() {
    let mut earlier = Timeline::default();
    earlier.record(&event("a", TaskStatus::Active, TaskStatus::Queued, "w1", 5), "Shot");
    earlier.record(&event("a", TaskStatus::Completed, TaskStatus::Active, "w1", 10), "Shot");
    let kept = earlier.take_changes().put;
    assert_eq!(kept.len(), 1);

    let mut now = Timeline::default();
    now.backfill(("j1", "Shot"), &[task("a", TaskStatus::Completed, Some("w1"), &at(10))], 0.0);
    assert_eq!(only_run(&now, "w1").start, StartSource::Unknown);
    now.take_changes();
    assert!(now.restore(kept.clone()));
    let run = only_run(&now, "w1");
    assert_eq!((run.start, run.start_ms), (StartSource::Seen, ms(5)));
    let changes = now.take_changes();
    assert!(changes.put.is_empty(), "restored runs need no writing");
    assert_eq!(changes.delete.len(), 1, "the guessed record is deleted from storage");
    assert!(!now.restore(kept), "restoring twice adds nothing");
}

#[test]
fn changes_name_written_and_deleted_runs_and_old_runs_are_pruned() {
    let mut timeline = Timeline::default();
    timeline.record(&event("a", TaskStatus::Active, TaskStatus::Queued, "w1", 5), "Shot");
    timeline.record(&event("a", TaskStatus::Completed, TaskStatus::Active, "w1", 10), "Shot");
    timeline.record(&event("b", TaskStatus::Active, TaskStatus::Queued, "w2", 50), "Shot");
    let changes = timeline.take_changes();
    assert_eq!(changes.put.len(), 2);
    assert!(timeline.take_changes().is_empty());

    assert!(!timeline.prune(ms(10) + KEEP_MS), "not older than the kept window yet");
    assert!(timeline.prune(ms(11) + KEEP_MS));
    assert_eq!(timeline.runs_of("w1").count(), 0);
    assert_eq!(timeline.runs_of("w2").count(), 1, "a running task stays");
    assert_eq!(
        timeline.take_changes().delete,
        vec![changes.put.iter().find(|r| r.task_id == "a").map(TaskRun::key).unwrap_or_default()]
    );
}

#[test]
fn a_worker_going_away_ends_its_run_and_workers_keep_their_latest_name() {
    let mut timeline = Timeline::default();
    timeline.record(&event("a", TaskStatus::Active, TaskStatus::Queued, "w1", 5), "Shot");
    assert!(timeline.worker_stopped("w1", ms(9)));
    assert!(!timeline.worker_stopped("w1", ms(12)), "nothing left running");
    let run = only_run(&timeline, "w1");
    assert_eq!((run.end_ms, run.outcome), (Some(ms(9)), RunOutcome::Interrupted));
    let mut renamed = event("b", TaskStatus::Active, TaskStatus::Queued, "w1", 20);
    renamed.worker = Some(AssignedWorker { name: "blade-01".into(), uuid: "w1".into() });
    timeline.record(&renamed, "Shot");
    assert_eq!(timeline.workers().get("w1").map(String::as_str), Some("blade-01"));
}

#[test]
fn a_finish_seen_without_its_start_starts_at_the_workers_previous_finish() {
    let mut timeline = Timeline::default();
    timeline.record(&event("a", TaskStatus::Completed, TaskStatus::Active, "w1", 10), "Shot");
    timeline.record(&event("b", TaskStatus::Completed, TaskStatus::Active, "w1", 14), "Shot");
    let mut runs: Vec<(f64, f64, StartSource)> =
        timeline.runs_of("w1").map(|run| (run.start_ms, run.end_ms.unwrap_or_default(), run.start)).collect();
    runs.sort_by(|x, y| x.0.total_cmp(&y.0));
    assert_eq!(runs, vec![(ms(10), ms(10), StartSource::Unknown), (ms(10), ms(14), StartSource::Inferred)]);
}

#[test]
fn runs_survive_a_round_trip_through_json() {
    let mut timeline = Timeline::default();
    timeline.record(&event("a", TaskStatus::Active, TaskStatus::Queued, "w1", 5), "Shot \"x\" <b>");
    let run = only_run(&timeline, "w1");
    let text = serde_json::to_string(&run).unwrap_or_default();
    assert_eq!(serde_json::from_str::<TaskRun>(&text).ok(), Some(run));
}

#[test]
fn a_run_says_what_ran_where_when_and_how_sure_the_start_is() {
    let clock = |ms: f64| format!("t{}", (ms / 1000.0) as i64 % 100);
    let mut timeline = Timeline::default();
    timeline.record(&event("a", TaskStatus::Active, TaskStatus::Queued, "w1", 5), "Shot");
    let running = only_run(&timeline, "w1");
    let now = ms(8);
    assert_eq!(
        running.describe(now, &clock),
        format!("render-a of job \"Shot\" on w1-name: {} to now (3.0 s), running", clock(ms(5)))
    );
    timeline.record(&event("a", TaskStatus::Failed, TaskStatus::Active, "w1", 9), "Shot");
    assert!(only_run(&timeline, "w1").describe(now, &clock).ends_with("(4.0 s), failed"));
    let mut guessed = running.clone();
    guessed.start = StartSource::Unknown;
    guessed.end_ms = Some(ms(9));
    assert!(guessed.describe(now, &clock).contains("start unknown"));
}
