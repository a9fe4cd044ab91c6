use serde_json::json;

use super::*;

fn job(id: &str, status: &str, previous: &str, updated: &str) -> EventJobUpdate {
    serde_json::from_value(json!({
        "id": id, "name": "Shot 010", "updated": updated, "status": status, "previous_status": previous,
        "type": "simple-blender-render", "priority": 50, "refresh_tasks": false,
        "steps_completed": 1, "steps_total": 1
    }))
    .expect("a job event")
}

fn task(job_id: &str, status: &str) -> EventTaskUpdate {
    serde_json::from_value(json!({
        "id": "t1", "job_id": job_id, "name": "render-0001", "updated": "2026-12-01T10:00:00Z",
        "status": status, "activity": "Blender exited with code 1",
        "worker": {"name": "ws-07", "uuid": "w7"}, "steps_completed": 0, "steps_total": 1
    }))
    .expect("a task event")
}

fn worker(status: &str, previous: &str) -> EventWorkerUpdate {
    serde_json::from_value(json!({
        "id": "w1", "name": "ws-01", "updated": "2026-12-01T10:00:00Z", "status": status,
        "previous_status": previous, "version": "3.9", "can_restart": false
    }))
    .expect("a worker event")
}

fn belled(id: &str) -> NotifyChoices {
    let mut choices = NotifyChoices::default();
    choices.toggle_bell(id);
    choices
}

#[test]
fn a_belled_job_that_completes_alerts_with_its_name_as_text() {
    let choices = belled("j1");
    let mut watcher = Watcher::default();
    let alert = watcher.job_event(&choices, &job("j1", "completed", "active", "T1"), None).expect("an alert");
    assert_eq!(alert.title, "Job completed");
    assert_eq!(alert.body, "Shot 010 completed.");
    assert_eq!(alert.key, "job:j1:completed:T1");
}

#[test]
fn only_belled_jobs_and_chosen_events_alert() {
    let mut choices = belled("j1");
    let mut watcher = Watcher::default();
    assert_eq!(watcher.job_event(&choices, &job("j2", "completed", "active", "T1"), None), None);
    assert_eq!(watcher.job_event(&choices, &job("j1", "active", "queued", "T1"), None), None);
    choices.set_job_event("j1", JobEvent::Failed, false);
    assert_eq!(watcher.job_event(&choices, &job("j1", "failed", "active", "T2"), None), None);
    assert!(watcher.job_event(&choices, &job("j1", "completed", "active", "T3"), None).is_some());
    choices.toggle_bell("j1");
    assert_eq!(watcher.job_event(&choices, &job("j1", "completed", "active", "T4"), None), None);
}

#[test]
fn a_repeated_status_is_not_news() {
    let choices = belled("j1");
    let mut watcher = Watcher::default();
    assert_eq!(watcher.job_event(&choices, &job("j1", "failed", "failed", "T1"), None), None);
}

#[test]
fn the_first_task_failure_alerts_once_per_job() {
    let choices = belled("j1");
    let mut watcher = Watcher::default();
    assert_eq!(watcher.task_event(&choices, &task("j1", "active"), Some("Shot 010")), None);
    let alert = watcher.task_event(&choices, &task("j1", "soft-failed"), Some("Shot 010")).expect("an alert");
    assert_eq!(alert.body, "Shot 010: task render-0001 failed on ws-07. Blender exited with code 1");
    assert_eq!(watcher.task_event(&choices, &task("j1", "failed"), Some("Shot 010")), None);
    assert_eq!(watcher.task_event(&choices, &task("j2", "failed"), None), None, "not belled");
}

#[test]
fn farm_rules_alert_only_when_chosen() {
    let mut choices = NotifyChoices::default();
    let mut watcher = Watcher::default();
    assert_eq!(watcher.worker_event(&choices, &worker("offline", "awake")), None);
    choices.set_rule(FarmRule::WorkerOffline, true);
    let alert = watcher.worker_event(&choices, &worker("offline", "awake")).expect("an alert");
    assert_eq!(alert.body, "ws-01 went offline.");
    assert_eq!(watcher.worker_event(&choices, &worker("awake", "offline")), None);
    assert_eq!(watcher.worker_event(&choices, &worker("offline", "offline")), None);
}

#[test]
fn the_farm_becoming_idle_alerts_on_the_change_only() {
    let mut choices = NotifyChoices::default();
    choices.set_rule(FarmRule::FarmIdle, true);
    let mut watcher = Watcher::default();
    assert_eq!(
        watcher.farm_event(&choices, &FarmStatus::Idle, 0.0),
        None,
        "the first report is the state, not a change"
    );
    assert!(watcher.farm_event(&choices, &FarmStatus::Active, 1.0).is_none());
    let alert = watcher.farm_event(&choices, &FarmStatus::Idle, 2.0).expect("an alert");
    assert_eq!(alert.title, "Farm idle");
    assert_eq!(watcher.farm_event(&choices, &FarmStatus::Idle, 3.0), None);
}

#[test]
fn a_claimed_key_is_not_shown_again_and_the_log_stays_bounded() {
    let mut log = SentLog::default();
    assert!(log.claim("job:j1:completed:T1"));
    let shared = SentLog::parse(&log.to_text());
    let mut other_tab = shared.clone();
    assert!(!other_tab.claim("job:j1:completed:T1"), "another tab after a handover");
    assert!(other_tab.claim("job:j1:completed:T2"), "a later completion is news");
    for n in 0..SENT_CAPACITY * 2 {
        log.claim(&format!("k{n}"));
    }
    assert_eq!(log.0.len(), SENT_CAPACITY);
    assert!(log.claim("job:j1:completed:T1"), "the oldest keys are forgotten");
}

#[test]
fn choices_survive_saving_and_damaged_text_is_none() {
    let mut choices = belled("j1");
    choices.set_job_event("j1", JobEvent::FirstFailure, false);
    choices.set_rule(FarmRule::FarmIdle, true);
    choices.desktop = true;
    assert_eq!(NotifyChoices::parse(&choices.to_text()), choices);
    assert_eq!(NotifyChoices::parse("{not ours\njob\njob  d"), NotifyChoices::default());
    let parsed = NotifyChoices::parse("desktop\nlater-feature 1\njob j2 d--");
    assert!(parsed.desktop && !parsed.farm_idle, "unknown lines are skipped");
    assert_eq!(parsed.bell("j2"), Some(JobBell { done: true, failed: false, first_failure: false }));
    assert!(choices.jobs_watching_tasks().is_empty());
}
