//! The worker x failure matrix of one job: per worker, how many of the job's failing tasks it
//! failed, per cause, and whether the Manager blocklisted it, with a verdict in words.

use std::collections::BTreeMap;

use flamenco_api::JobBlocklistEntry;

use super::groups::{FailedTask, FailureGroup, WorkerRef};

/// One worker's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixRow {
    pub worker: WorkerRef,
    /// Tasks it failed, per group (in the groups' order).
    pub per_group: Vec<usize>,
    /// Failing tasks of the job it failed, in all.
    pub total: usize,
    /// Task types it is blocklisted for on this job.
    pub blocklisted_for: Vec<String>,
}

/// Whether one worker or the job looks like the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    NoFailures,
    /// Every failure is on this worker.
    OneWorker {
        name: String,
        failures: usize,
    },
    /// Most failures are on this worker.
    MostlyOneWorker {
        name: String,
        failures: usize,
        total: usize,
    },
    /// Failures are spread across this many workers.
    Spread {
        workers: usize,
    },
}

impl Verdict {
    /// The sentence the matrix opens with.
    pub fn sentence(&self) -> String {
        match self {
            Verdict::NoFailures => "No worker has failed a task of this job that is still failing.".into(),
            Verdict::OneWorker { name, failures } => {
                format!("All {failures} failures are on worker {name}: likely the worker, not the job.")
            }
            Verdict::MostlyOneWorker { name, failures, total } => {
                format!("{failures} of the {total} failures are on worker {name}: look at that worker first.")
            }
            Verdict::Spread { workers } => {
                format!("Failures are spread across {workers} workers: likely the job, not a worker.")
            }
        }
    }
}

/// Share of the failures above which one worker is "most" of them.
const MOSTLY: f64 = 0.6;

/// The matrix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FailureMatrix {
    /// Most failures first.
    pub rows: Vec<MatrixRow>,
}

impl FailureMatrix {
    pub fn build(tasks: &[FailedTask], groups: &[FailureGroup], blocklist: &[JobBlocklistEntry]) -> Self {
        let mut rows: BTreeMap<String, MatrixRow> = BTreeMap::new();
        let new_row = |worker: WorkerRef| MatrixRow {
            worker,
            per_group: vec![0; groups.len()],
            total: 0,
            blocklisted_for: Vec::new(),
        };
        for task in tasks {
            let group =
                task.cause.as_ref().and_then(|cause| groups.iter().position(|group| group.key == cause.key));
            for worker in &task.failed_by {
                let row = rows.entry(worker.id.clone()).or_insert_with(|| new_row(worker.clone()));
                row.total += 1;
                if let Some(group) = group {
                    row.per_group[group] += 1;
                }
            }
        }
        for entry in blocklist {
            let worker = WorkerRef {
                id: entry.worker_id.clone(),
                name: entry.worker_name.clone().unwrap_or_default(),
            };
            let row = rows.entry(entry.worker_id.clone()).or_insert_with(|| new_row(worker));
            row.blocklisted_for.push(entry.task_type.clone());
        }
        let mut rows: Vec<MatrixRow> = rows.into_values().collect();
        rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.worker.label().cmp(b.worker.label())));
        FailureMatrix { rows }
    }

    pub fn verdict(&self) -> Verdict {
        let failing: Vec<&MatrixRow> = self.rows.iter().filter(|row| row.total > 0).collect();
        let total: usize = failing.iter().map(|row| row.total).sum();
        match failing.as_slice() {
            [] => Verdict::NoFailures,
            [only] => Verdict::OneWorker { name: only.worker.label().to_owned(), failures: only.total },
            [top, ..] if top.total as f64 / total as f64 > MOSTLY => {
                Verdict::MostlyOneWorker { name: top.worker.label().to_owned(), failures: top.total, total }
            }
            many => Verdict::Spread { workers: many.len() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::groups::tests::failed;
    use crate::triage::groups::Triage;

    fn entry(name: &str) -> JobBlocklistEntry {
        JobBlocklistEntry {
            worker_id: format!("id-{name}"),
            task_type: "blender".into(),
            worker_name: Some(name.into()),
        }
    }

    #[test]
    fn rows_count_failures_per_cause_and_mark_blocklisted_workers() {
        let oom = "pid=1 > Error: CUDA error: out of memory (1 bytes)\nFailed: x";
        let tasks = vec![
            failed("1", "Failed: x", Some(oom), &["blade-01", "lab-03"]),
            failed("2", "Failed: Error: Cannot read file '/a'", None, &["blade-01"]),
            failed("3", "Failed: x", Some(oom), &["blade-01"]),
        ];
        let triage = Triage::build(&tasks);
        let matrix = FailureMatrix::build(&tasks, &triage.groups, &[entry("blade-01"), entry("tower-07")]);
        let names: Vec<&str> = matrix.rows.iter().map(|row| row.worker.label()).collect();
        assert_eq!(names, ["blade-01", "lab-03", "tower-07"]);
        assert_eq!(matrix.rows[0].per_group, [2, 1]);
        assert_eq!(matrix.rows[0].total, 3);
        assert_eq!(matrix.rows[0].blocklisted_for, ["blender"]);
        assert_eq!(matrix.rows[2].total, 0);
        assert_eq!(
            matrix.verdict(),
            Verdict::MostlyOneWorker { name: "blade-01".into(), failures: 3, total: 4 }
        );
    }

    #[test]
    fn the_verdict_tells_one_worker_from_the_job() {
        let one = vec![
            failed("1", "Failed: Error: a", None, &["attic-box"]),
            failed("2", "Failed: Error: b", None, &["attic-box"]),
        ];
        let matrix = FailureMatrix::build(&one, &[], &[]);
        assert_eq!(
            matrix.verdict().sentence(),
            "All 2 failures are on worker attic-box: likely the worker, not the job."
        );
        let spread: Vec<_> = ["a", "b", "c", "d", "e"]
            .iter()
            .enumerate()
            .map(|(i, name)| failed(&i.to_string(), "Failed: Error: x", None, &[name]))
            .collect();
        let matrix = FailureMatrix::build(&spread, &[], &[]);
        assert_eq!(matrix.verdict(), Verdict::Spread { workers: 5 });
        assert!(matrix
            .verdict()
            .sentence()
            .starts_with("Failures are spread across 5 workers: likely the job"));
        assert_eq!(FailureMatrix::build(&[], &[], &[entry("x")]).verdict(), Verdict::NoFailures);
    }
}
