//! How long a job has left: its finished tasks say how long a task takes, its running tasks say how
//! many workers are on it and how far along they are, and the tasks still to run are dealt to those
//! workers as each one frees up.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use flamenco_api::{TaskStatus, TaskSummary};

use crate::problems::rules::{finished_durations, median, run_start};

/// Fewer finished tasks than this say too little about how long a task takes.
pub const MIN_SAMPLES: usize = 3;

/// What can be said about a job's remaining time.
#[derive(Clone, Debug, PartialEq)]
pub enum Estimate {
    /// No task is left to run.
    NothingLeft,
    /// Too few tasks finished yet (a worker's first task of a job has no known start).
    TooFewFinished { samples: usize, tasks_left: usize },
    /// Tasks are left but no worker runs any of them now (queued, paused, or the farm is busy
    /// elsewhere): the work left, as one worker would do it.
    NoWorkerOnIt { work_ms: f64, tasks_left: usize },
    /// The time until the last task is expected to finish.
    Remaining(RemainingTime),
}

/// A remaining-time estimate and what it rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct RemainingTime {
    pub remaining_ms: f64,
    pub tasks_left: usize,
    pub workers: usize,
    /// The median duration of the finished tasks.
    pub typical_ms: f64,
    pub samples: usize,
}

/// Tasks the Manager will still run (a soft-failed task is retried; a failed one is not).
fn still_to_run(status: &TaskStatus) -> bool {
    matches!(status, TaskStatus::Queued | TaskStatus::SoftFailed | TaskStatus::Paused)
}

impl Estimate {
    /// Estimates from the job's tasks, the starts seen live (task id to ms) and the current time.
    pub fn of(tasks: &[TaskSummary], started: &HashMap<String, f64>, now_ms: f64) -> Estimate {
        let waiting = tasks.iter().filter(|task| still_to_run(&task.status)).count();
        let running: Vec<&TaskSummary> =
            tasks.iter().filter(|task| task.status == TaskStatus::Active).collect();
        let tasks_left = waiting + running.len();
        if tasks_left == 0 {
            return Estimate::NothingLeft;
        }
        let samples = finished_durations(tasks, started);
        let count = samples.len();
        let typical_ms = match median(samples) {
            Some(typical) if count >= MIN_SAMPLES => typical,
            _ => return Estimate::TooFewFinished { samples: count, tasks_left },
        };
        // When each worker on the job is free again: a running task is expected to take the
        // typical time; one already past it may end any moment.
        let mut free_at: HashMap<&str, f64> = HashMap::new();
        for task in running {
            let elapsed = run_start(task, tasks, started).map_or(0.0, |start| (now_ms - start).max(0.0));
            let left = (typical_ms - elapsed).max(0.0);
            let worker = task.worker.as_ref().map_or(task.id.as_str(), |worker| worker.id.as_str());
            let entry = free_at.entry(worker).or_insert(0.0);
            *entry = entry.max(left);
        }
        if free_at.is_empty() {
            return Estimate::NoWorkerOnIt { work_ms: typical_ms * waiting as f64, tasks_left };
        }
        let workers = free_at.len();
        let remaining_ms = deal(free_at.into_values().collect(), waiting, typical_ms);
        Estimate::Remaining(RemainingTime { remaining_ms, tasks_left, workers, typical_ms, samples: count })
    }

    /// The estimate in words, for the job's facts.
    pub fn text(&self) -> String {
        use crate::problems::report::duration_text;
        match self {
            Estimate::NothingLeft => "nothing left to run".to_owned(),
            Estimate::TooFewFinished { samples, .. } => format!(
                "not known yet: {samples} of the {MIN_SAMPLES} timed tasks an estimate needs have finished"
            ),
            Estimate::NoWorkerOnIt { work_ms, tasks_left } => format!(
                "no worker is on it; {} of work for one worker ({})",
                duration_text(*work_ms),
                tasks(*tasks_left)
            ),
            Estimate::Remaining(time) => format!(
                "about {} ({} on {}, {} each)",
                duration_text(time.remaining_ms),
                tasks(time.tasks_left),
                if time.workers == 1 { "1 worker".to_owned() } else { format!("{} workers", time.workers) },
                per_task_text(time.typical_ms)
            ),
        }
    }
}

/// A task's typical duration. Short tasks keep a tenth of a second: rounded to whole seconds,
/// "2 s each" beside "about 59 s" for 55 tasks on 2 workers reads as a wrong sum when the tasks
/// take 2.14 s.
fn per_task_text(ms: f64) -> String {
    if ms < 9_950.0 {
        format!("{:.1} s", (ms / 1000.0).max(0.0))
    } else {
        crate::problems::report::duration_text(ms)
    }
}

fn tasks(count: usize) -> String {
    if count == 1 {
        "1 task left".to_owned()
    } else {
        format!("{count} tasks left")
    }
}

/// When the last of `waiting` tasks of `each_ms` ends, each going to the worker that frees up
/// first, given when each worker is free.
fn deal(free_at: Vec<f64>, waiting: usize, each_ms: f64) -> f64 {
    // Milliseconds as integers: f64 is not `Ord`, and sub-millisecond precision means nothing here.
    let mut heap: BinaryHeap<Reverse<u64>> =
        free_at.into_iter().map(|ms| Reverse(ms.round() as u64)).collect();
    let each = each_ms.round() as u64;
    for _ in 0..waiting {
        if let Some(Reverse(free)) = heap.pop() {
            heap.push(Reverse(free + each));
        }
    }
    heap.into_iter().map(|Reverse(ms)| ms).max().unwrap_or(0) as f64
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use flamenco_api::{TaskStatus, TaskSummary, TaskWorker};

    use super::{Estimate, RemainingTime};

    const MINUTE: f64 = 60_000.0;

    fn task(index: i32, status: TaskStatus, worker: Option<&str>, updated_minute: u32) -> TaskSummary {
        TaskSummary {
            id: format!("t{index}"),
            name: format!("frame {index}"),
            status,
            index_in_job: index,
            priority: 50,
            task_type: "blender".into(),
            updated: format!("2026-12-01T10:{updated_minute:02}:00Z"),
            worker: worker.map(|name| TaskWorker {
                id: name.into(),
                name: name.into(),
                address: String::new(),
            }),
            steps_completed: 0,
            steps_total: 1,
        }
    }

    fn at_minute(minute: u32) -> f64 {
        crate::problems::rules::timestamp_ms(&format!("2026-12-01T10:{minute:02}:00Z")).unwrap()
    }

    /// Two workers that each finished tasks back to back every 2 minutes (10:00 .. 10:06), then
    /// took one more each at 10:06 (last updated at 10:07).
    fn busy_job(queued: usize) -> Vec<TaskSummary> {
        let mut tasks = Vec::new();
        for (index, minute) in [0, 2, 4, 6].into_iter().enumerate() {
            tasks.push(task(index as i32 * 2, TaskStatus::Completed, Some("a"), minute));
            tasks.push(task(index as i32 * 2 + 1, TaskStatus::Completed, Some("b"), minute));
        }
        tasks.push(task(8, TaskStatus::Active, Some("a"), 7));
        tasks.push(task(9, TaskStatus::Active, Some("b"), 7));
        for index in 0..queued {
            tasks.push(task(10 + index as i32, TaskStatus::Queued, None, 0));
        }
        tasks
    }

    #[test]
    fn queued_tasks_are_dealt_to_the_workers_on_the_job_as_each_frees_up() {
        // At 10:07 both running tasks have a minute left; 4 queued tasks then take 2 rounds of 2 min.
        let estimate = Estimate::of(&busy_job(4), &HashMap::new(), at_minute(7));
        assert_eq!(
            estimate,
            Estimate::Remaining(RemainingTime {
                remaining_ms: 5.0 * MINUTE,
                tasks_left: 6,
                workers: 2,
                typical_ms: 2.0 * MINUTE,
                samples: 6,
            })
        );
        assert_eq!(estimate.text(), "about 5 min (6 tasks left on 2 workers, 2 min each)");
        // An odd task keeps one worker busy one round longer.
        let odd = Estimate::of(&busy_job(5), &HashMap::new(), at_minute(7));
        assert!(
            matches!(odd, Estimate::Remaining(RemainingTime { remaining_ms, .. }) if remaining_ms == 7.0 * MINUTE)
        );
    }

    #[test]
    fn short_tasks_are_given_to_a_tenth_of_a_second_so_the_sum_adds_up() {
        let estimate = Estimate::Remaining(RemainingTime {
            remaining_ms: 58_900.0,
            tasks_left: 55,
            workers: 2,
            typical_ms: 2_140.0,
            samples: 5,
        });
        assert_eq!(estimate.text(), "about 59 s (55 tasks left on 2 workers, 2.1 s each)");
        assert_eq!(super::per_task_text(9_949.0), "9.9 s");
        assert_eq!(super::per_task_text(9_950.0), "10 s");
    }

    #[test]
    fn a_task_running_past_the_typical_time_may_end_any_moment() {
        let estimate = Estimate::of(&busy_job(0), &HashMap::new(), at_minute(30));
        assert!(
            matches!(estimate, Estimate::Remaining(RemainingTime { remaining_ms, .. }) if remaining_ms == 0.0)
        );
    }

    #[test]
    fn starts_seen_live_replace_the_guess_from_the_previous_finish() {
        // Task 8 was seen starting at 10:07 (not 10:06): at 10:07 it has the full 2 min left.
        let started = HashMap::from([("t8".to_owned(), at_minute(7))]);
        let estimate = Estimate::of(&busy_job(0), &started, at_minute(7));
        assert!(
            matches!(estimate, Estimate::Remaining(RemainingTime { remaining_ms, .. }) if remaining_ms == 2.0 * MINUTE)
        );
    }

    #[test]
    fn without_a_worker_on_it_the_estimate_is_the_work_left() {
        let mut tasks = busy_job(3);
        for task in tasks.iter_mut().filter(|task| task.status == TaskStatus::Active) {
            task.status = TaskStatus::Paused;
        }
        let estimate = Estimate::of(&tasks, &HashMap::new(), at_minute(7));
        assert_eq!(estimate, Estimate::NoWorkerOnIt { work_ms: 10.0 * MINUTE, tasks_left: 5 });
        assert_eq!(estimate.text(), "no worker is on it; 10 min of work for one worker (5 tasks left)");
    }

    #[test]
    fn too_few_timed_tasks_or_nothing_left_say_so() {
        // Each worker's first task has no known start: 2 finished tasks, 0 durations.
        let early = vec![
            task(0, TaskStatus::Completed, Some("a"), 2),
            task(1, TaskStatus::Completed, Some("b"), 2),
            task(2, TaskStatus::Queued, None, 0),
        ];
        let estimate = Estimate::of(&early, &HashMap::new(), at_minute(3));
        assert_eq!(estimate, Estimate::TooFewFinished { samples: 0, tasks_left: 1 });
        assert!(estimate.text().starts_with("not known yet: 0 of the 3"));
        let done: Vec<TaskSummary> =
            busy_job(0).into_iter().filter(|task| task.status == TaskStatus::Completed).collect();
        assert_eq!(Estimate::of(&done, &HashMap::new(), at_minute(9)), Estimate::NothingLeft);
    }

    #[test]
    fn failed_tasks_are_not_counted_as_left_but_soft_failed_ones_are() {
        let mut tasks = busy_job(0);
        tasks.push(task(20, TaskStatus::Failed, Some("a"), 1));
        tasks.push(task(21, TaskStatus::SoftFailed, Some("b"), 1));
        let Estimate::Remaining(time) = Estimate::of(&tasks, &HashMap::new(), at_minute(7)) else {
            panic!("an estimate")
        };
        assert_eq!(time.tasks_left, 3);
    }
}
