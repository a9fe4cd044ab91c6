//! The `/problems` page: the groups, each a list of entries that link to where the problem is fixed.

use std::time::Duration;

use flamenco_api::JobStatus;
use leptos::prelude::*;
use leptos_router::components::A;

use super::report::{FailedJob, Inputs, ProblemKind, Report};
use super::rules::{FAILURE_WINDOW_MS, MANY_FAILURES, STUCK_RULE};
use super::store::{use_problems_data, ProblemsData};
use crate::jobs::use_jobs;
use crate::ui::time::use_now;

/// How often running times are looked at again (the stuck rule depends on the clock).
const CLOCK_TICK: Duration = Duration::from_secs(5);

/// What the page body shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Looking,
    Clear,
    Problems,
}

/// The report, rebuilt when the data or the clock moves; rows follow it by key.
fn report_memo(data: ProblemsData) -> Memo<Report> {
    let jobs = use_jobs();
    let failed_jobs = Memo::new(move |_| {
        jobs.table.with(|table| {
            table
                .iter()
                .filter(|job| job.status == JobStatus::Failed && job.delete_requested_at.is_none())
                .map(FailedJob::of)
                .collect::<Vec<_>>()
        })
    });
    let now = use_now(CLOCK_TICK);
    Memo::new(move |_| {
        let now_ms = now.get();
        failed_jobs.with(|failed_jobs| {
            data.active.with(|active| {
                data.watches.with(|watches| {
                    data.dropped.with(|dropped| {
                        let watched = active
                            .iter()
                            .filter_map(|(id, name)| Some((id.as_str(), name.as_str(), watches.get(id)?)))
                            .collect();
                        let inputs = Inputs {
                            failed_jobs,
                            watched,
                            dropped: dropped.values().collect(),
                            rule: STUCK_RULE,
                            now_ms,
                        };
                        Report::build(&inputs)
                    })
                })
            })
        })
    })
}

/// `/problems`.
#[component]
pub fn ProblemsPage() -> impl IntoView {
    let data = use_problems_data();
    let report = report_memo(data);
    let jobs = use_jobs();
    let phase = Memo::new(move |_| {
        let looked = jobs.ever_loaded.get()
            && data.workers_loaded.get()
            && data.watches.with(|watches| watches.values().all(|watch| watch.loaded));
        match (looked, report.with(Report::is_empty)) {
            (_, false) => Phase::Problems,
            (true, true) => Phase::Clear,
            (false, true) => Phase::Looking,
        }
    });
    let failures_rule = format!(
        "A worker is listed when it failed {MANY_FAILURES} or more tasks of active jobs in the last {} min.",
        FAILURE_WINDOW_MS / 60_000.0
    );
    view! {
        <section class="page problems-page">
            <h1>"Problems"</h1>
            <p class="muted problems-rules">{STUCK_RULE.describe()} " " {failures_rule}</p>
            {move || data.failure.get().map(|failure| view! { <p class="stale-notice" role="status">{failure}</p> })}
            {move || match phase.get() {
                Phase::Looking => view! { <p class="muted" role="status">"Looking for problems…"</p> }.into_any(),
                Phase::Clear => view! { <p class="problems-clear" role="status">"The farm has no problems: no failed jobs, no failing tasks or workers, nothing stuck."</p> }.into_any(),
                Phase::Problems => view! { <ProblemGroups report /> }.into_any(),
            }}
        </section>
    }
}

/// The non-empty groups, in order.
#[component]
fn ProblemGroups(report: Memo<Report>) -> impl IntoView {
    let kinds = Memo::new(move |_| {
        report.with(|report| report.groups.iter().map(|(kind, _)| *kind).collect::<Vec<_>>())
    });
    view! {
        <For each=move || kinds.get() key=|kind| *kind let:kind>
            <ProblemGroup kind report />
        </For>
    }
}

/// Rows a group shows before "Show more": a farm with hundreds of failed jobs would otherwise
/// build hundreds of rows before the page can be read.
const ROWS_AT_FIRST: usize = 50;

/// One kind of problem: a heading with the count, and the entries, the first ones at first.
#[component]
fn ProblemGroup(kind: ProblemKind, report: Memo<Report>) -> impl IntoView {
    let count = Memo::new(move |_| report.with(|report| report.entries(kind).len()));
    let limit = RwSignal::new(ROWS_AT_FIRST);
    let keys = Memo::new(move |_| {
        let limit = limit.get();
        report.with(|report| {
            report.entries(kind).iter().take(limit).map(|entry| entry.key.clone()).collect::<Vec<_>>()
        })
    });
    let hidden = Memo::new(move |_| count.get().saturating_sub(limit.get()));
    let show_more = move || {
        (hidden.get() > 0).then(|| {
            let text = format!("Show {} more", hidden.get());
            view! { <button type="button" class="small" on:click=move |_| limit.update(|limit| *limit += hidden.get_untracked())>{text}</button> }
        })
    };
    let heading_id = format!("problems-{}", kind.slug());
    let labelled_by = heading_id.clone();
    view! {
        <section class=format!("problem-group problem-{}", kind.slug()) aria-labelledby=labelled_by>
            <h2 id=heading_id>{kind.heading()} " " <span class="problem-count">{move || count.get()}</span></h2>
            <ul class="problem-list">
                <For each=move || keys.get() key=|key| key.clone() let:key>
                    <ProblemRow kind key report />
                </For>
            </ul>
            {show_more}
        </section>
    }
}

/// One entry; it follows its own part of the report, so an update changes only its text.
#[component]
fn ProblemRow(kind: ProblemKind, key: String, report: Memo<Report>) -> impl IntoView {
    let entry = Memo::new(move |_| report.with(|report| report.entry(kind, &key).cloned()));
    let part = move |read: fn(&super::report::Entry) -> String| {
        Memo::new(move |_| entry.with(|entry| entry.as_ref().map(read).unwrap_or_default()))
    };
    let (title, href, detail) =
        (part(|e| e.title.clone()), part(|e| e.href.clone()), part(|e| e.detail.clone()));
    view! {
        <li class="problem">
            <A href=move || href.get()>{move || title.get()}</A>
            <span class="muted problem-detail">{move || detail.get()}</span>
        </li>
    }
}
