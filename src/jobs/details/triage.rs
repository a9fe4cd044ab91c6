//! The job pane's "Failures" section: the job's failed and soft-failed tasks grouped by cause, each
//! group with its workers, an example excerpt and "Requeue these N tasks", and the worker x cause
//! matrix. The grouping logic is in `crate::triage`.
//!
//! What each task failed of is read a few tasks at a time (the task, and its log tail when the
//! activity says too little) and read again only when the task changes. Groups are keyed by their
//! masked cause, so events change counts and names in place: a confirmation or focus inside a group
//! survives them.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use flamenco_api::JobBlocklist;
use leptos::prelude::*;

use super::triage_group::FailureGroupRow;
use super::triage_matrix::FailureMatrixTable;
use crate::api::ManagerClient;
use crate::live::use_live;
use crate::manager::use_manager;
use crate::tasks::UseJobTasksReturn;
use crate::triage::cause::needs_log_tail;
use crate::triage::details::{
    failed_summaries, failed_tasks, to_read, FailedSummary, ReadFailure, TaskDetail,
};
use crate::triage::groups::{FailedTask, Triage};
use crate::triage::matrix::FailureMatrix;
use crate::triage::requeue::RequeueReport;

/// How long changes of the failing tasks are gathered before the blocklist is read again.
const BLOCKLIST_DEBOUNCE: Duration = Duration::from_millis(500);

/// Reads one task's failure: the task, and its log tail when the activity says too little.
async fn read_failure(client: &ManagerClient, task_id: &str) -> Result<ReadFailure, String> {
    let task = client.fetch_task(task_id).await.map_err(|failure| failure.to_string())?;
    let tail = if needs_log_tail(&task.activity) {
        client.fetch_task_log_tail(task_id).await.map_err(|failure| failure.to_string())?
    } else {
        None
    };
    Ok(ReadFailure::from_task(&task, tail.as_deref()))
}

/// The failed tasks' details, read a few at a time.
#[derive(Clone, Copy)]
struct FailureReader {
    details: RwSignal<HashMap<String, TaskDetail>>,
    in_flight: StoredValue<HashSet<String>>,
    summaries: Memo<Vec<FailedSummary>>,
    client: StoredValue<ManagerClient>,
}

impl FailureReader {
    /// Starts reading what needs reading, as far as the limit allows; each answer starts the next.
    fn pump(self) {
        let next = self.in_flight.with_value(|in_flight| {
            self.summaries.with_untracked(|summaries| {
                self.details.with_untracked(|details| to_read(summaries, details, in_flight))
            })
        });
        for summary in next {
            self.in_flight.update_value(|in_flight| {
                in_flight.insert(summary.id.clone());
            });
            let client = self.client.get_value();
            leptos::task::spawn_local(async move {
                let read = read_failure(&client, &summary.id).await;
                self.in_flight.update_value(|in_flight| {
                    in_flight.remove(&summary.id);
                });
                let detail = TaskDetail { updated: summary.updated.clone(), read };
                if self.details.try_update(|details| details.insert(summary.id.clone(), detail)).is_some() {
                    self.pump();
                }
            });
        }
    }
}

/// The Failures section; nothing while the job has no failed task.
#[component]
pub fn JobFailures(job_id: String, tasks: UseJobTasksReturn) -> impl IntoView {
    let client = use_manager().client;
    let live = use_live();
    // Only failed tasks' changes pass this memo: progress of running tasks changes nothing here.
    let summaries = Memo::new(move |_| tasks.table.with(|table| failed_summaries(table.tasks())));
    let reader = FailureReader {
        details: RwSignal::new(HashMap::new()),
        in_flight: StoredValue::new(HashSet::new()),
        summaries,
        client: StoredValue::new(client.clone()),
    };
    Effect::new(move |_| {
        summaries.track();
        reader.pump();
    });
    let failed: Memo<Vec<FailedTask>> = Memo::new(move |_| {
        summaries.with(|summaries| reader.details.with(|details| failed_tasks(summaries, details)))
    });
    let triage = Memo::new(move |_| failed.with(|tasks| Triage::build(tasks)));
    let blocklist = use_blocklist(job_id.clone(), client, summaries, live.epoch());
    let matrix = Memo::new(move |_| {
        failed.with(|tasks| {
            triage.with(|triage| blocklist.with(|list| FailureMatrix::build(tasks, &triage.groups, list)))
        })
    });
    let report = RwSignal::new(None::<RequeueReport>);
    let has_failures = Memo::new(move |_| summaries.with(|summaries| !summaries.is_empty()));
    let job_id = StoredValue::new(job_id);
    move || {
        has_failures.get().then(|| {
            view! {
                <section class="job-failures" aria-labelledby="failures-heading">
                    <h3 id="failures-heading">"Failures"</h3>
                    <FailuresSummary summaries triage />
                    <RequeueReportLine report />
                    <ol class="failure-groups">
                        <For each=move || triage.with(Triage::keys) key=|key| key.clone() let:key>
                            <FailureGroupRow job_id=job_id.get_value() cause=key triage report />
                        </For>
                    </ol>
                    <FailureMatrixTable matrix triage />
                </section>
            }
        })
    }
}

/// The Manager's blocklist of the job, read on open, after reconnecting, and when the failing
/// tasks change (debounced).
fn use_blocklist(
    job_id: String,
    client: ManagerClient,
    summaries: Memo<Vec<FailedSummary>>,
    epoch: Signal<u64>,
) -> RwSignal<JobBlocklist> {
    let list = RwSignal::new(JobBlocklist::new());
    let pending = StoredValue::new(0u64);
    let (job_id, client) = (StoredValue::new(job_id), StoredValue::new(client));
    Effect::new(move |_| {
        epoch.track();
        summaries.track();
        let mine = pending.try_update_value(|pending| {
            *pending += 1;
            *pending
        });
        set_timeout(
            move || {
                if pending.get_value() != mine.unwrap_or_default() {
                    return;
                }
                let (client, id) = (client.get_value(), job_id.get_value());
                leptos::task::spawn_local(async move {
                    // The Blocklist section shows its own errors; here an unreadable list only
                    // leaves the marks out.
                    if let Ok(entries) = client.fetch_job_blocklist(&id).await {
                        list.try_set(entries);
                    }
                });
            },
            BLOCKLIST_DEBOUNCE,
        );
    });
    list
}

/// How many tasks failed, in how many groups, and how many are still being read.
#[component]
fn FailuresSummary(summaries: Memo<Vec<FailedSummary>>, triage: Memo<Triage>) -> impl IntoView {
    let text = move || {
        let failed = summaries.with(Vec::len);
        let (groups, pending) = triage.with(|triage| (triage.groups.len(), triage.pending));
        summary_text(failed, groups, pending)
    };
    view! { <p class="failures-summary" role="status">{text}</p> }
}

/// "5 failed tasks, 2 causes; reading 1 more…"
pub fn summary_text(failed: usize, groups: usize, pending: usize) -> String {
    let tasks = if failed == 1 { "1 failed task".to_owned() } else { format!("{failed} failed tasks") };
    let causes = match groups {
        0 => String::new(),
        1 => ", 1 cause".to_owned(),
        n => format!(", {n} causes"),
    };
    let reading = match pending {
        0 => String::new(),
        n => format!("; reading the failure of {n} more…"),
    };
    format!("{tasks}{causes}{reading}")
}

/// The outcome of the last requeue, kept above the groups (its group may be gone by then).
#[component]
fn RequeueReportLine(report: RwSignal<Option<RequeueReport>>) -> impl IntoView {
    move || {
        report.get().map(|outcome| {
            let role = if outcome.is_complete() { "status" } else { "alert" };
            let lines =
                outcome.refusal_lines().into_iter().map(|line| view! { <li>{line}</li> }).collect_view();
            view! {
                <div class="requeue-report" role=role>
                    <p>{outcome.summary()}</p>
                    <ul>{lines}</ul>
                    <button type="button" class="small" on:click=move |_| report.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::summary_text;

    #[test]
    fn the_summary_counts_tasks_causes_and_what_is_still_being_read() {
        assert_eq!(summary_text(1, 0, 1), "1 failed task; reading the failure of 1 more…");
        assert_eq!(summary_text(5, 2, 0), "5 failed tasks, 2 causes");
    }
}
