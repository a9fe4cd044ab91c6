//! The Problems view's content: entries grouped by kind, each with the link where it is fixed.

use std::collections::HashMap;

use flamenco_api::{Job, Worker};

use super::rules::{failing_workers, Failure, StuckRule};
use super::watch::JobWatch;

/// The kinds of problem, in the order the page lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    FailedJob,
    JobWithFailures,
    StuckTask,
    FailingWorker,
    DroppedWorker,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 5] = [
        ProblemKind::FailedJob,
        ProblemKind::JobWithFailures,
        ProblemKind::StuckTask,
        ProblemKind::FailingWorker,
        ProblemKind::DroppedWorker,
    ];

    pub fn heading(self) -> &'static str {
        match self {
            ProblemKind::FailedJob => "Failed jobs",
            ProblemKind::JobWithFailures => "Active jobs with failed tasks",
            ProblemKind::StuckTask => "Stuck tasks",
            ProblemKind::FailingWorker => "Workers failing many tasks",
            ProblemKind::DroppedWorker => "Workers that went offline while working",
        }
    }

    /// A stable id for the group's heading.
    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::FailedJob => "failed-jobs",
            ProblemKind::JobWithFailures => "jobs-with-failures",
            ProblemKind::StuckTask => "stuck-tasks",
            ProblemKind::FailingWorker => "failing-workers",
            ProblemKind::DroppedWorker => "dropped-workers",
        }
    }
}

/// One problem: what it is, where to fix it, and a line of detail.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Unique within the report; rows are keyed by it so that they update in place.
    pub key: String,
    pub title: String,
    pub href: String,
    pub detail: String,
}

/// Everything the page shows, grouped; empty groups are left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub groups: Vec<(ProblemKind, Vec<Entry>)>,
    /// Where each entry is, by kind and key: every row looks its entry up on every change, and a
    /// farm with 500 failed jobs made that search quadratic.
    positions: HashMap<(ProblemKind, String), (usize, usize)>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    pub fn entries(&self, kind: ProblemKind) -> &[Entry] {
        self.groups
            .iter()
            .find(|(group, _)| *group == kind)
            .map(|(_, entries)| entries.as_slice())
            .unwrap_or(&[])
    }

    pub fn entry(&self, kind: ProblemKind, key: &str) -> Option<&Entry> {
        let &(group, index) = self.positions.get(&(kind, key.to_owned()))?;
        self.groups.get(group)?.1.get(index)
    }
}

/// A failed job, as the list of all jobs gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedJob {
    pub id: String,
    pub name: String,
    pub activity: String,
}

impl FailedJob {
    pub fn of(job: &Job) -> FailedJob {
        FailedJob { id: job.id.clone(), name: job.name.clone(), activity: job.activity.clone() }
    }
}

/// What the report is built from.
pub struct Inputs<'a> {
    pub failed_jobs: &'a [FailedJob],
    /// Each followed active job: id, name and its watch.
    pub watched: Vec<(&'a str, &'a str, &'a JobWatch)>,
    /// Workers that dropped out (see [`super::rules::dropped_out`]).
    pub dropped: Vec<&'a Worker>,
    pub rule: StuckRule,
    pub now_ms: f64,
}

/// "42 s", "7 min", "2 h 5 min".
pub fn duration_text(ms: f64) -> String {
    let seconds = (ms / 1000.0).max(0.0).round() as u64;
    match seconds {
        0..=99 => format!("{seconds} s"),
        100..=5999 => format!("{} min", seconds / 60),
        _ => format!("{} h {} min", seconds / 3600, seconds / 60 % 60),
    }
}

fn plural(count: usize, one: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {one}s")
    }
}

impl Report {
    pub fn build(inputs: &Inputs) -> Report {
        let mut groups = Vec::new();
        for kind in ProblemKind::ALL {
            let entries = match kind {
                ProblemKind::FailedJob => failed_jobs(inputs),
                ProblemKind::JobWithFailures => jobs_with_failures(inputs),
                ProblemKind::StuckTask => stuck_tasks(inputs),
                ProblemKind::FailingWorker => failing(inputs),
                ProblemKind::DroppedWorker => dropped(inputs),
            };
            if !entries.is_empty() {
                groups.push((kind, entries));
            }
        }
        let positions = groups
            .iter()
            .enumerate()
            .flat_map(|(group, (kind, entries))| {
                entries
                    .iter()
                    .enumerate()
                    .map(move |(index, entry)| ((*kind, entry.key.clone()), (group, index)))
            })
            .collect();
        Report { groups, positions }
    }
}

fn failed_jobs(inputs: &Inputs) -> Vec<Entry> {
    inputs
        .failed_jobs
        .iter()
        .map(|job| Entry {
            key: job.id.clone(),
            title: job.name.clone(),
            href: format!("/jobs/{}", job.id),
            detail: job.activity.clone(),
        })
        .collect()
}

fn jobs_with_failures(inputs: &Inputs) -> Vec<Entry> {
    inputs
        .watched
        .iter()
        .filter(|(_, _, watch)| watch.analysis.failed + watch.analysis.soft_failed > 0)
        .map(|(id, name, watch)| {
            let mut parts = Vec::new();
            if watch.analysis.failed > 0 {
                parts.push(format!("{} failed", plural(watch.analysis.failed, "task")));
            }
            if watch.analysis.soft_failed > 0 {
                parts.push(format!("{} soft-failed", plural(watch.analysis.soft_failed, "task")));
            }
            Entry {
                key: (*id).to_owned(),
                title: (*name).to_owned(),
                href: format!("/jobs/{id}"),
                detail: parts.join(", "),
            }
        })
        .collect()
}

fn stuck_tasks(inputs: &Inputs) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (job_id, job_name, watch) in &inputs.watched {
        let median = watch.analysis.median_ms.unwrap_or_default();
        for (task, running_ms) in watch.analysis.stuck(&inputs.rule, inputs.now_ms) {
            let on =
                if task.worker_name.is_empty() { String::new() } else { format!(" on {}", task.worker_name) };
            entries.push(Entry {
                key: task.task_id.clone(),
                title: format!("{} ({job_name})", task.task_name),
                href: format!("/jobs/{job_id}/tasks/{}", task.task_id),
                detail: format!(
                    "running for {}{on}; its job's finished tasks took {} (median of {})",
                    duration_text(running_ms),
                    duration_text(median),
                    watch.analysis.finished_samples
                ),
            });
        }
    }
    entries
}

fn failing(inputs: &Inputs) -> Vec<Entry> {
    let failures = inputs.watched.iter().flat_map(|(_, _, watch)| watch.failures());
    failing_workers(failures.collect::<Vec<&Failure>>().into_iter(), inputs.now_ms)
        .into_iter()
        .map(|worker| Entry {
            key: worker.worker_id.clone(),
            title: worker.worker_name,
            href: format!("/workers/{}", worker.worker_id),
            detail: format!("{} of active jobs in the last hour", plural(worker.failures, "failed task")),
        })
        .collect()
}

fn dropped(inputs: &Inputs) -> Vec<Entry> {
    inputs
        .dropped
        .iter()
        .map(|worker| {
            let task = worker
                .task
                .as_ref()
                .map(|task| format!("; its task {} is now {}", task.name, task.status))
                .unwrap_or_default();
            Entry {
                key: worker.id.clone(),
                title: worker.name.clone(),
                href: format!("/workers/{}", worker.id),
                detail: format!("{} while working{task}", worker.status),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use flamenco_api::TaskStatus;

    use super::*;
    use crate::problems::rules::tests::{at, task};
    use crate::problems::rules::{timestamp_ms, STUCK_RULE};

    fn watch(tasks: Vec<flamenco_api::TaskSummary>) -> JobWatch {
        let mut watch = JobWatch::default();
        watch.replace("j1".into(), tasks, &STUCK_RULE);
        watch
    }

    #[test]
    fn no_problems_no_groups() {
        let inputs =
            Inputs { failed_jobs: &[], watched: vec![], dropped: vec![], rule: STUCK_RULE, now_ms: 0.0 };
        assert!(Report::build(&inputs).is_empty());
    }

    #[test]
    fn problems_are_grouped_by_kind_in_order_with_their_links() {
        let mut tasks: Vec<_> = (0..4)
            .map(|i| task(&format!("c{i}"), TaskStatus::Completed, Some("w1"), &at(10 * (i + 1))))
            .collect();
        tasks.push(task("s", TaskStatus::Active, Some("w1"), &at(41)));
        for i in 0..3 {
            tasks.push(task(&format!("f{i}"), TaskStatus::SoftFailed, Some("w2"), &at(30)));
        }
        let busy = watch(tasks);
        let failed =
            [FailedJob { id: "j9".into(), name: "broken".into(), activity: "no workers left".into() }];
        let now_ms = timestamp_ms(&at(40)).unwrap_or_default() + 300_000.0;
        let inputs = Inputs {
            failed_jobs: &failed,
            watched: vec![("j1", "shots", &busy)],
            dropped: vec![],
            rule: STUCK_RULE,
            now_ms,
        };
        let report = Report::build(&inputs);
        let kinds: Vec<ProblemKind> = report.groups.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::FailedJob,
                ProblemKind::JobWithFailures,
                ProblemKind::StuckTask,
                ProblemKind::FailingWorker
            ]
        );
        assert_eq!(report.entries(ProblemKind::FailedJob)[0].href, "/jobs/j9");
        assert_eq!(report.entries(ProblemKind::JobWithFailures)[0].detail, "3 tasks soft-failed");
        let stuck = &report.entries(ProblemKind::StuckTask)[0];
        assert_eq!(stuck.href, "/jobs/j1/tasks/s");
        assert_eq!(stuck.title, "render-s (shots)");
        assert!(stuck.detail.starts_with("running for 5 min on w1-name"), "{}", stuck.detail);
        let worker = &report.entries(ProblemKind::FailingWorker)[0];
        assert_eq!(
            (worker.href.as_str(), worker.detail.as_str()),
            ("/workers/w2", "3 failed tasks of active jobs in the last hour")
        );
        // Rows find their entry by kind and key; a key of another kind is not found.
        assert_eq!(report.entry(ProblemKind::StuckTask, "s"), Some(stuck));
        assert_eq!(report.entry(ProblemKind::FailedJob, "j9").map(|e| e.title.as_str()), Some("broken"));
        assert_eq!(report.entry(ProblemKind::FailedJob, "s"), None);
    }

    #[test]
    fn durations_read_in_seconds_minutes_and_hours() {
        assert_eq!(duration_text(42_000.0), "42 s");
        assert_eq!(duration_text(420_000.0), "7 min");
        assert_eq!(duration_text(7_500_000.0), "2 h 5 min");
    }
}
