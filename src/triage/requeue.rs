//! What came of requeueing a group's tasks, one request per task.

use super::groups::GroupTask;

/// One task the Manager did not requeue, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub task: GroupTask,
    pub message: String,
}

/// The outcome of one "Requeue these N tasks".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequeueReport {
    /// The cause of the group, to say which group it was.
    pub cause: String,
    pub asked: usize,
    pub refused: Vec<Refusal>,
}

impl RequeueReport {
    pub fn new(cause: String, results: Vec<(GroupTask, Result<(), String>)>) -> Self {
        let asked = results.len();
        let refused = results
            .into_iter()
            .filter_map(|(task, result)| result.err().map(|message| Refusal { task, message }))
            .collect();
        RequeueReport { cause, asked, refused }
    }

    pub fn is_complete(&self) -> bool {
        self.refused.is_empty()
    }

    /// The summary line.
    pub fn summary(&self) -> String {
        let requeued = self.asked - self.refused.len();
        let tasks = |n: usize| if n == 1 { "task".to_owned() } else { "tasks".to_owned() };
        if self.refused.is_empty() {
            format!("Requeued {requeued} {} that failed with “{}”.", tasks(requeued), self.cause)
        } else {
            format!(
                "Requeued {requeued} of {} {}; the Manager refused {}:",
                self.asked,
                tasks(self.asked),
                self.refused.len()
            )
        }
    }

    /// One line per refused task, naming it and the Manager's reason.
    pub fn refusal_lines(&self) -> Vec<String> {
        self.refused.iter().map(|refusal| format!("{}: {}", refusal.task.name, refusal.message)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(name: &str) -> GroupTask {
        GroupTask { id: format!("id-{name}"), name: name.into() }
    }

    #[test]
    fn a_partial_requeue_names_each_refused_task_and_why() {
        let report = RequeueReport::new(
            "Segmentation fault".into(),
            vec![
                (task("render-1"), Ok(())),
                (task("render-2"), Err("Task not found".into())),
                (task("render-3"), Ok(())),
            ],
        );
        assert!(!report.is_complete());
        assert_eq!(report.summary(), "Requeued 2 of 3 tasks; the Manager refused 1:");
        assert_eq!(report.refusal_lines(), ["render-2: Task not found"]);
        let all = RequeueReport::new("X".into(), vec![(task("render-1"), Ok(()))]);
        assert_eq!(all.summary(), "Requeued 1 task that failed with “X”.");
    }
}
