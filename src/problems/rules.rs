//! What counts as a problem: the stuck-task rule, failures per worker, workers that dropped out.
//! Plain functions over the Manager's records; times are milliseconds since the epoch.

use std::collections::HashMap;

use flamenco_api::{TaskStatus, TaskSummary, Worker, WorkerStatus};

/// A task is stuck when it has run `factor` times longer than the median of its job's finished
/// tasks, and at least `floor_ms` (short tasks vary a lot); the median needs `min_samples` tasks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StuckRule {
    pub factor: f64,
    pub floor_ms: f64,
    pub min_samples: usize,
}

/// The rule the page applies and states.
pub const STUCK_RULE: StuckRule = StuckRule { factor: 3.0, floor_ms: 20_000.0, min_samples: 3 };

/// Failures of one worker within this window count as "recent".
pub const FAILURE_WINDOW_MS: f64 = 3_600_000.0;
/// A worker with at least this many recent failures is listed.
pub const MANY_FAILURES: usize = 3;

impl StuckRule {
    /// How long a task of a job whose finished tasks took `median_ms` may run before it is stuck.
    pub fn threshold_ms(&self, median_ms: f64) -> f64 {
        (self.factor * median_ms).max(self.floor_ms)
    }

    /// The rule in words, for the page.
    pub fn describe(&self) -> String {
        format!(
            "A task is stuck when it has been running more than {} times as long as the median of its job's \
             finished tasks (at least {} s; judged once {} tasks of the job have finished).",
            self.factor,
            self.floor_ms / 1000.0,
            self.min_samples
        )
    }
}

/// Milliseconds since the epoch of an RFC 3339 timestamp as the Manager writes them
/// (`2026-04-02T10:00:00.123456+02:00`, or with `Z`); `None` for anything else.
pub fn timestamp_ms(text: &str) -> Option<f64> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let rest = text.get(19..)?;
    let zone_at = rest.find(['Z', 'z', '+', '-'])?;
    let fraction = match rest.get(..zone_at)?.strip_prefix('.') {
        Some(digits) if !digits.is_empty() => format!("0.{digits}").parse::<f64>().ok()?,
        Some(_) => return None,
        None if zone_at == 0 => 0.0,
        None => return None,
    };
    let zone = rest.get(zone_at..)?;
    let offset_minutes = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let hours = zone.get(1..3)?.parse::<i64>().ok()?;
            let minutes = zone.get(4..6)?.parse::<i64>().ok()?;
            sign * (hours * 60 + minutes)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some((seconds as f64 + fraction) * 1000.0)
}

/// The median, `None` for no values.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    let value =
        if values.len() % 2 == 0 { (values[middle - 1] + values[middle]) / 2.0 } else { values[middle] };
    Some(value)
}

fn finished(status: &TaskStatus) -> bool {
    matches!(status, TaskStatus::Completed | TaskStatus::Failed | TaskStatus::SoftFailed)
}

/// When each worker finished each of its tasks in this job, sorted, per worker id.
fn finishes_by_worker(tasks: &[TaskSummary]) -> HashMap<&str, Vec<f64>> {
    let mut finishes: HashMap<&str, Vec<f64>> = HashMap::new();
    for task in tasks.iter().filter(|task| finished(&task.status)) {
        if let (Some(worker), Some(at)) = (&task.worker, timestamp_ms(&task.updated)) {
            finishes.entry(worker.id.as_str()).or_default().push(at);
        }
    }
    for times in finishes.values_mut() {
        times.sort_by(f64::total_cmp);
    }
    finishes
}

/// The latest time in `sorted` before `at`.
fn latest_before(sorted: &[f64], at: f64) -> Option<f64> {
    sorted.iter().copied().take_while(|&time| time < at).last()
}

/// How long the job's completed tasks took. The API has no start time: a start seen live is used
/// when there is one, else the time the same worker finished its previous task of this job (a
/// worker starts its next task right away); a worker's first task of the job has neither.
pub fn finished_durations(tasks: &[TaskSummary], started: &HashMap<String, f64>) -> Vec<f64> {
    let finishes = finishes_by_worker(tasks);
    tasks
        .iter()
        .filter(|task| task.status == TaskStatus::Completed)
        .filter_map(|task| {
            let end = timestamp_ms(&task.updated)?;
            let start = started.get(&task.id).copied().or_else(|| {
                let worker = task.worker.as_ref()?;
                latest_before(finishes.get(worker.id.as_str())?, end)
            })?;
            (end > start).then_some(end - start)
        })
        .collect()
}

/// When an active task started: seen live, else its worker's previous finish in this job, else
/// its last update (the latest it can have started).
pub fn run_start(task: &TaskSummary, tasks: &[TaskSummary], started: &HashMap<String, f64>) -> Option<f64> {
    if let Some(&start) = started.get(&task.id) {
        return Some(start);
    }
    let updated = timestamp_ms(&task.updated)?;
    let previous = task.worker.as_ref().and_then(|worker| {
        let finishes = finishes_by_worker(tasks);
        latest_before(finishes.get(worker.id.as_str())?, updated)
    });
    Some(previous.unwrap_or(updated))
}

/// A worker that is offline or in error, whose last task it did not finish: it dropped out while
/// working (the Manager gave the task back, or the task failed or still waits for it).
pub fn dropped_out(worker: &Worker) -> bool {
    if !matches!(worker.status, WorkerStatus::Offline | WorkerStatus::Error) {
        return false;
    }
    let Some(task) = &worker.task else { return false };
    let finished_by_it = task.status == TaskStatus::Completed
        && task.worker.as_ref().is_none_or(|assigned| assigned.id == worker.id);
    !finished_by_it && task.status != TaskStatus::Canceled
}

/// One failure of a task by a worker.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub worker_id: String,
    pub worker_name: String,
    pub at_ms: f64,
}

/// A worker with many recent failures.
#[derive(Clone, Debug, PartialEq)]
pub struct FailingWorker {
    pub worker_id: String,
    pub worker_name: String,
    pub failures: usize,
}

/// Workers with at least [`MANY_FAILURES`] failures within [`FAILURE_WINDOW_MS`] before `now_ms`,
/// most failures first.
pub fn failing_workers<'a>(failures: impl Iterator<Item = &'a Failure>, now_ms: f64) -> Vec<FailingWorker> {
    let mut counts: HashMap<&str, FailingWorker> = HashMap::new();
    for failure in failures.filter(|failure| now_ms - failure.at_ms <= FAILURE_WINDOW_MS) {
        counts
            .entry(failure.worker_id.as_str())
            .or_insert_with(|| FailingWorker {
                worker_id: failure.worker_id.clone(),
                worker_name: failure.worker_name.clone(),
                failures: 0,
            })
            .failures += 1;
    }
    let mut workers: Vec<FailingWorker> =
        counts.into_values().filter(|worker| worker.failures >= MANY_FAILURES).collect();
    workers.sort_by(|a, b| b.failures.cmp(&a.failures).then_with(|| a.worker_name.cmp(&b.worker_name)));
    workers
}

#[cfg(test)]
pub(crate) mod tests {
    use flamenco_api::{TaskWorker, WorkerTask};

    use super::*;

    pub fn task(id: &str, status: TaskStatus, worker: Option<&str>, updated: &str) -> TaskSummary {
        TaskSummary {
            id: id.into(),
            name: format!("render-{id}"),
            status,
            index_in_job: 0,
            priority: 50,
            task_type: "blender".into(),
            updated: updated.into(),
            worker: worker.map(|id| TaskWorker {
                id: id.into(),
                name: format!("{id}-name"),
                address: String::new(),
            }),
            steps_completed: 0,
            steps_total: 1,
        }
    }

    pub fn at(seconds: u32) -> String {
        format!("2026-04-02T10:{:02}:{:02}Z", seconds / 60, seconds % 60)
    }

    #[test]
    fn timestamps_parse_with_fractions_and_offsets() {
        assert_eq!(timestamp_ms("1970-01-01T00:00:01Z"), Some(1000.0));
        assert_eq!(timestamp_ms("1970-01-01T01:00:01.5+01:00"), Some(1500.0));
        assert_eq!(timestamp_ms("2026-04-02T10:00:00.000000-00:30"), timestamp_ms("2026-04-02T10:30:00Z"));
        assert_eq!(timestamp_ms("2000-03-01T00:00:00Z"), Some(951_868_800_000.0));
        assert_eq!(timestamp_ms("yesterday"), None);
        assert_eq!(timestamp_ms("2026-04-02T10:00:00"), None);
    }

    #[test]
    fn the_median_of_even_and_odd_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn durations_come_from_each_workers_consecutive_finishes_or_seen_starts() {
        let tasks = vec![
            task("a", TaskStatus::Completed, Some("w1"), &at(10)),
            task("b", TaskStatus::Completed, Some("w1"), &at(22)),
            task("c", TaskStatus::SoftFailed, Some("w2"), &at(5)),
            task("d", TaskStatus::Completed, Some("w2"), &at(15)),
            task("e", TaskStatus::Completed, Some("w3"), &at(30)),
            task("f", TaskStatus::Queued, None, &at(0)),
        ];
        let started = HashMap::from([("e".to_owned(), timestamp_ms(&at(20)).unwrap_or_default())]);
        let mut durations = finished_durations(&tasks, &started);
        durations.sort_by(f64::total_cmp);
        // a: first of w1, unknown; b: 12 s after a; d: 10 s after c's failure; e: seen start.
        assert_eq!(durations, vec![10_000.0, 10_000.0, 12_000.0]);
    }

    #[test]
    fn an_active_task_started_when_its_worker_finished_the_one_before() {
        let tasks = vec![
            task("a", TaskStatus::Completed, Some("w1"), &at(10)),
            task("b", TaskStatus::Active, Some("w1"), &at(40)),
            task("c", TaskStatus::Active, Some("w2"), &at(45)),
        ];
        let none = HashMap::new();
        assert_eq!(run_start(&tasks[1], &tasks, &none), timestamp_ms(&at(10)));
        assert_eq!(run_start(&tasks[2], &tasks, &none), timestamp_ms(&at(45)), "no earlier finish");
        let seen = HashMap::from([("c".to_owned(), 7.0)]);
        assert_eq!(run_start(&tasks[2], &tasks, &seen), Some(7.0));
    }

    #[test]
    fn the_threshold_is_a_multiple_of_the_median_with_a_floor() {
        assert_eq!(STUCK_RULE.threshold_ms(60_000.0), 180_000.0);
        assert_eq!(STUCK_RULE.threshold_ms(1_000.0), 20_000.0);
        assert!(STUCK_RULE.describe().contains("3 times"));
    }

    fn worker(status: WorkerStatus, task: Option<(TaskStatus, &str)>) -> Worker {
        Worker {
            id: "w1".into(),
            name: "blade-01".into(),
            status,
            status_change: None,
            last_seen: None,
            version: "3.9".into(),
            can_restart: true,
            ip_address: String::new(),
            platform: "linux".into(),
            supported_task_types: vec![],
            task: task.map(|(status, by)| WorkerTask {
                id: "t1".into(),
                name: "render-1".into(),
                status,
                index_in_job: 0,
                priority: 50,
                task_type: "blender".into(),
                updated: at(0),
                worker: Some(TaskWorker { id: by.into(), name: by.into(), address: String::new() }),
                steps_completed: 0,
                steps_total: 1,
                job_id: "j1".into(),
            }),
            tags: None,
        }
    }

    #[test]
    fn a_worker_dropped_out_when_it_went_away_without_finishing_its_task() {
        assert!(dropped_out(&worker(WorkerStatus::Offline, Some((TaskStatus::Queued, "w1")))));
        assert!(dropped_out(&worker(WorkerStatus::Error, Some((TaskStatus::Active, "w1")))));
        assert!(dropped_out(&worker(WorkerStatus::Offline, Some((TaskStatus::SoftFailed, "w1")))));
        assert!(
            dropped_out(&worker(WorkerStatus::Offline, Some((TaskStatus::Completed, "w2")))),
            "redone by another"
        );
        assert!(!dropped_out(&worker(WorkerStatus::Offline, Some((TaskStatus::Completed, "w1")))));
        assert!(!dropped_out(&worker(WorkerStatus::Offline, Some((TaskStatus::Canceled, "w1")))));
        assert!(!dropped_out(&worker(WorkerStatus::Offline, None)));
        assert!(!dropped_out(&worker(WorkerStatus::Awake, Some((TaskStatus::Queued, "w1")))));
    }

    #[test]
    fn workers_with_many_recent_failures_are_listed_most_first() {
        let failure = |worker: &str, at_ms: f64| Failure {
            worker_id: worker.into(),
            worker_name: worker.into(),
            at_ms,
        };
        let hour = FAILURE_WINDOW_MS;
        let failures = [
            failure("a", 10.0 * hour),
            failure("a", 10.0 * hour),
            failure("a", 9.5 * hour),
            failure("b", 10.0 * hour),
            failure("b", 10.0 * hour),
            failure("b", 8.0 * hour), // too long ago
            failure("c", 10.0 * hour),
            failure("c", 10.0 * hour),
            failure("c", 10.0 * hour),
            failure("c", 10.0 * hour),
        ];
        let listed = failing_workers(failures.iter(), 10.0 * hour);
        let names: Vec<(&str, usize)> =
            listed.iter().map(|worker| (worker.worker_name.as_str(), worker.failures)).collect();
        assert_eq!(names, vec![("c", 4), ("a", 3)]);
    }
}
