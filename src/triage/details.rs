//! What the triage reads about each failed task beyond the task list (its activity, the workers
//! that failed it, maybe its log tail), and which tasks still need reading.

use std::collections::{HashMap, HashSet};

use flamenco_api::{Task, TaskStatus, TaskSummary};

use super::cause::Cause;
use super::groups::{FailedTask, WorkerRef};

/// At most this many tasks are read at a time: a browser opens at most 6 connections to one host,
/// and the socket and the page's other requests need one.
pub const MAX_IN_FLIGHT: usize = 5;

/// A failed task as the list shows it: what decides whether its details are current.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedSummary {
    pub id: String,
    pub name: String,
    pub updated: String,
}

/// The failed and soft-failed tasks of a job, in its order.
pub fn failed_summaries(tasks: &[TaskSummary]) -> Vec<FailedSummary> {
    tasks
        .iter()
        .filter(|task| matches!(task.status, TaskStatus::Failed | TaskStatus::SoftFailed))
        .map(|task| FailedSummary {
            id: task.id.clone(),
            name: task.name.clone(),
            updated: task.updated.clone(),
        })
        .collect()
}

/// What was read about one task, as of its `updated` then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDetail {
    pub updated: String,
    pub read: Result<ReadFailure, String>,
}

/// The task's own account of its failure: the cause found in its activity and log tail (found once,
/// when read, not each time the groups are built), and who failed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadFailure {
    pub cause: Cause,
    pub failed_by: Vec<WorkerRef>,
}

impl ReadFailure {
    /// `log_tail`: read when the activity said too little (`None` when not read or empty).
    pub fn from_task(task: &Task, log_tail: Option<&str>) -> Self {
        let failed_by = task
            .failed_by_workers
            .iter()
            .flatten()
            .map(|worker| WorkerRef { id: worker.id.clone(), name: worker.name.clone() })
            .collect();
        ReadFailure { cause: Cause::find(&task.activity, log_tail), failed_by }
    }
}

/// The failed tasks with their causes, where known and current.
pub fn failed_tasks(summaries: &[FailedSummary], details: &HashMap<String, TaskDetail>) -> Vec<FailedTask> {
    summaries
        .iter()
        .map(|summary| {
            let detail = details.get(&summary.id).filter(|detail| detail.updated == summary.updated);
            let (cause, failed_by) = match detail.map(|detail| &detail.read) {
                Some(Ok(read)) => (Some(read.cause.clone()), read.failed_by.clone()),
                Some(Err(message)) => (Some(unreadable(message)), Vec::new()),
                None => (None, Vec::new()),
            };
            FailedTask { id: summary.id.clone(), name: summary.name.clone(), cause, failed_by }
        })
        .collect()
}

/// Tasks whose failure could not be read form a group of their own, saying why.
fn unreadable(message: &str) -> Cause {
    let text = format!("Could not read the task's failure: {message}");
    Cause { key: super::mask::mask(&text), excerpt: vec![text.clone()], text }
}

/// The tasks to read next: failed ones without current details and not being read, as many as
/// `MAX_IN_FLIGHT` allows.
pub fn to_read(
    summaries: &[FailedSummary],
    details: &HashMap<String, TaskDetail>,
    in_flight: &HashSet<String>,
) -> Vec<FailedSummary> {
    let room = MAX_IN_FLIGHT.saturating_sub(in_flight.len());
    summaries
        .iter()
        .filter(|summary| !in_flight.contains(&summary.id))
        .filter(|summary| details.get(&summary.id).is_none_or(|detail| detail.updated != summary.updated))
        .take(room)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, updated: &str) -> FailedSummary {
        FailedSummary { id: id.into(), name: format!("render-{id}"), updated: updated.into() }
    }

    fn detail(updated: &str, activity: &str) -> TaskDetail {
        TaskDetail {
            updated: updated.into(),
            read: Ok(ReadFailure { cause: Cause::find(activity, None), failed_by: Vec::new() }),
        }
    }

    #[test]
    fn only_a_few_tasks_are_read_at_a_time_and_each_again_only_when_it_changed() {
        let summaries: Vec<_> = (0..MAX_IN_FLIGHT + 3).map(|i| summary(&i.to_string(), "t1")).collect();
        let mut details = HashMap::new();
        let mut in_flight = HashSet::new();
        let first: Vec<String> =
            to_read(&summaries, &details, &in_flight).into_iter().map(|s| s.id).collect();
        let expected: Vec<String> = (0..MAX_IN_FLIGHT).map(|i| i.to_string()).collect();
        assert_eq!(first, expected);
        in_flight.extend(first);
        assert!(to_read(&summaries, &details, &in_flight).is_empty());
        in_flight.remove("0");
        details.insert("0".to_owned(), detail("t1", "Failed: Error: a"));
        assert_eq!(to_read(&summaries, &details, &in_flight)[0].id, MAX_IN_FLIGHT.to_string());
        // Failed again since: read again.
        in_flight.clear();
        let changed = vec![summary("0", "t2")];
        assert_eq!(to_read(&changed, &details, &in_flight)[0].id, "0");
    }

    #[test]
    fn stale_details_give_no_cause_until_read_again() {
        let mut details = HashMap::new();
        details.insert("a".to_owned(), detail("t1", "Failed: Error: disk full"));
        details
            .insert("b".to_owned(), TaskDetail { updated: "t1".into(), read: Err("Task not found".into()) });
        let tasks = failed_tasks(&[summary("a", "t2"), summary("b", "t1")], &details);
        assert_eq!(tasks[0].cause, None);
        assert_eq!(
            tasks[1].cause.as_ref().map(|c| c.text.as_str()),
            Some("Could not read the task's failure: Task not found")
        );
    }
}
