//! A job's failed and soft-failed tasks grouped by cause.

use std::collections::{BTreeMap, BTreeSet};

use super::cause::Cause;

/// A worker as a task's `failed_by_workers` names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WorkerRef {
    pub id: String,
    pub name: String,
}

impl WorkerRef {
    /// The name, or the id when the Manager sent no name.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// One failed or soft-failed task, with what is known of its failure so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedTask {
    pub id: String,
    pub name: String,
    /// `None` while its details (and maybe its log tail) are being read.
    pub cause: Option<Cause>,
    pub failed_by: Vec<WorkerRef>,
}

/// A task of a group: id and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupTask {
    pub id: String,
    pub name: String,
}

/// Tasks that failed for the same (masked) cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureGroup {
    /// The masked cause: what the group shows and what identifies it across updates.
    pub key: String,
    /// In the job's order.
    pub tasks: Vec<GroupTask>,
    /// Names of the workers that failed them, sorted.
    pub workers: Vec<String>,
    /// The task the example excerpt comes from, and the excerpt.
    pub example: GroupTask,
    pub excerpt: Vec<String>,
}

impl FailureGroup {
    pub fn task_ids(&self) -> Vec<String> {
        self.tasks.iter().map(|task| task.id.clone()).collect()
    }
}

/// The failures of a job, grouped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Triage {
    /// Largest group first.
    pub groups: Vec<FailureGroup>,
    /// Failed tasks whose cause is still being read.
    pub pending: usize,
}

impl Triage {
    /// Groups `tasks` (in the job's order) by the key of their cause.
    pub fn build(tasks: &[FailedTask]) -> Triage {
        let mut by_key: BTreeMap<&str, Vec<&FailedTask>> = BTreeMap::new();
        let mut pending = 0;
        for task in tasks {
            match &task.cause {
                Some(cause) => by_key.entry(cause.key.as_str()).or_default().push(task),
                None => pending += 1,
            }
        }
        let mut groups: Vec<FailureGroup> =
            by_key.into_iter().map(|(key, members)| group(key, &members)).collect();
        groups.sort_by(|a, b| b.tasks.len().cmp(&a.tasks.len()).then_with(|| a.key.cmp(&b.key)));
        Triage { groups, pending }
    }

    pub fn group(&self, key: &str) -> Option<&FailureGroup> {
        self.groups.iter().find(|group| group.key == key)
    }

    /// The group keys in display order: what the view keys its rows by.
    pub fn keys(&self) -> Vec<String> {
        self.groups.iter().map(|group| group.key.clone()).collect()
    }
}

fn group(key: &str, members: &[&FailedTask]) -> FailureGroup {
    let workers: BTreeSet<String> = members
        .iter()
        .flat_map(|task| task.failed_by.iter().map(|worker| worker.label().to_owned()))
        .collect();
    // The example with the most to read: a log excerpt rather than a bare activity.
    let example = members
        .iter()
        .max_by_key(|task| {
            let lines = task.cause.as_ref().map(|cause| cause.excerpt.len()).unwrap_or_default();
            // The first of equals: max_by_key keeps the last, so favour earlier tasks.
            (lines.min(2), std::cmp::Reverse(members.iter().position(|m| m.id == task.id)))
        })
        .copied();
    let as_group_task = |task: &FailedTask| GroupTask { id: task.id.clone(), name: task.name.clone() };
    FailureGroup {
        key: key.to_owned(),
        tasks: members.iter().map(|task| as_group_task(task)).collect(),
        workers: workers.into_iter().collect(),
        example: example.map(as_group_task).unwrap_or(GroupTask { id: String::new(), name: String::new() }),
        excerpt: example
            .and_then(|task| task.cause.as_ref())
            .map(|cause| cause.excerpt.clone())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn worker(name: &str) -> WorkerRef {
        WorkerRef { id: format!("id-{name}"), name: name.to_owned() }
    }

    pub fn failed(id: &str, activity: &str, tail: Option<&str>, by: &[&str]) -> FailedTask {
        FailedTask {
            id: id.to_owned(),
            name: format!("render-{id}"),
            cause: Some(Cause::find(activity, tail)),
            failed_by: by.iter().map(|name| worker(name)).collect(),
        }
    }

    fn missing(path: &str) -> String {
        format!("pid=3 > Error: Cannot read file '{path}': No such file or directory\nFailed: Blender exited with status 1")
    }

    #[test]
    fn equal_failures_with_different_details_group_and_the_largest_group_comes_first() {
        let segfault =
            "pid=1 > Writing: /tmp/a.crash.txt\npid=1 > Segmentation fault (core dumped)\nFailed: x";
        let tasks = vec![
            failed("1", "Failed: Blender exited with status 1", Some(&missing("/r/a.png")), &["blade-01"]),
            failed("2", "Failed: Blender exited with status 139", Some(segfault), &["blade-02", "lab-03"]),
            failed("3", "Failed: Blender exited with status 1", Some(&missing("/r/b.exr")), &["blade-02"]),
            failed("4", "Failed: Blender exited with status 1", Some(&missing("/q/c.tif")), &["blade-01"]),
            FailedTask { id: "5".into(), name: "render-5".into(), cause: None, failed_by: vec![] },
        ];
        let triage = Triage::build(&tasks);
        assert_eq!(triage.pending, 1);
        assert_eq!(
            triage.keys(),
            ["Error: Cannot read file '…': No such file or directory", "Segmentation fault (core dumped)"]
        );
        let first = &triage.groups[0];
        assert_eq!(first.task_ids(), ["1", "3", "4"]);
        assert_eq!(first.workers, ["blade-01", "blade-02"]);
        assert_eq!(first.example.id, "1");
        assert!(first.excerpt.iter().any(|line| line.contains("/r/a.png")));
        assert_eq!(triage.groups[1].workers, ["blade-02", "lab-03"]);
    }

    #[test]
    fn a_log_excerpt_is_preferred_as_the_example_over_a_bare_activity() {
        let tasks = vec![
            failed("1", "Failed: Error: disk full on /mnt/a", None, &[]),
            failed(
                "2",
                "Failed: x",
                Some("pid=1 > Fra:1\npid=1 > Error: disk full on /mnt/b\nFailed: x"),
                &[],
            ),
        ];
        let triage = Triage::build(&tasks);
        assert_eq!(triage.groups.len(), 1);
        assert_eq!(triage.groups[0].example.id, "2");
    }
}
