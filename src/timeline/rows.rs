//! One row per worker: its name, its utilisation, and a bar per run in the window. Rows and bars
//! are keyed: an event changes the bar it concerns, a clock tick moves the running bars only.

use leptos::prelude::*;
use leptos_router::components::A;

use super::model::{RunOutcome, StartSource, TaskRun};
use super::view::{clock_seconds, View};
use super::window::Utilisation;
use crate::ui::status::css_token;

/// Every worker's row.
#[component]
pub fn WorkerRows(view: View) -> impl IntoView {
    view! {
        <ol class="timeline-rows" aria-label="Workers">
            <For each=move || view.rows.get() key=|id| id.clone() let:worker_id>
                <WorkerRow view worker_id />
            </For>
        </ol>
    }
}

/// A worker's name as its row shows it: the workers list's, else its latest run's.
fn worker_name(view: View, worker_id: &str) -> String {
    view.data
        .workers
        .with(|workers| workers.get(worker_id).map(|worker| worker.name.clone()))
        .or_else(|| view.data.timeline.with(|timeline| timeline.workers().remove(worker_id)))
        .unwrap_or_else(|| worker_id.to_owned())
}

/// One worker: its name (a link to it), utilisation and runs.
#[component]
fn WorkerRow(view: View, worker_id: String) -> impl IntoView {
    let name = Memo::new({
        let worker_id = worker_id.clone();
        move |_| worker_name(view, &worker_id)
    });
    let status = Memo::new({
        let worker_id = worker_id.clone();
        move |_| {
            view.data.workers.with(|workers| {
                workers
                    .get(&worker_id)
                    .map(|worker| css_token(worker.status.as_str()))
                    .unwrap_or_else(|| "gone".into())
            })
        }
    });
    let used = Memo::new({
        let worker_id = worker_id.clone();
        move |_| view.utilisation(&worker_id)
    });
    let keys = Memo::new({
        let worker_id = worker_id.clone();
        move |_| {
            let window = view.window.get();
            let now = view.now.get_untracked();
            view.data.timeline.with(|timeline| {
                let mut shown: Vec<&TaskRun> =
                    timeline.runs_of(&worker_id).filter(|run| window.shows(run, now)).collect();
                shown.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
                shown.into_iter().map(TaskRun::key).collect::<Vec<_>>()
            })
        }
    });
    let href = format!("/workers/{worker_id}");
    view! {
        <li class="timeline-row">
            <div class="timeline-worker">
                <span class=move || format!("worker-dot status-{}", status.get()) title=move || status.get()></span>
                <A href=href>{move || name.get()}</A>
                <span
                    class="utilisation"
                    title=move || used.with(Utilisation::detail)
                    aria-label=move || format!("Utilisation of {}: {}, {}", name.get(), used.with(Utilisation::text), used.with(Utilisation::detail))
                >
                    {move || used.with(Utilisation::text)}
                </span>
            </div>
            <div class="timeline-track" role="group" aria-label=move || format!("Tasks run by {}", name.get())>
                <For each=move || keys.get() key=|key| key.clone() let:key>
                    <RunBar view key />
                </For>
            </div>
        </li>
    }
}

/// The classes of a bar: its outcome's status colour, and how sure its start is.
fn bar_class(outcome: RunOutcome, start: StartSource) -> String {
    let start = match start {
        StartSource::Seen => "",
        StartSource::Inferred => " start-inferred",
        StartSource::Unknown => " start-unknown",
    };
    format!("run-bar status-{}{start}", outcome.as_str())
}

/// One run: a link to its task, placed in percent of the window.
#[component]
fn RunBar(view: View, key: String) -> impl IntoView {
    let Some(fixed) = view.data.timeline.with_untracked(|timeline| timeline.run(&key).cloned()) else {
        return ().into_any();
    };
    let href = format!("/jobs/{}/tasks/{}", fixed.job_id, fixed.task_id);
    // Only a run's end, outcome and how sure its start is change; the rest is read once above.
    let run = Memo::new(move |_| {
        let state = view
            .data
            .timeline
            .with(|timeline| timeline.run(&key).map(|run| (run.end_ms, run.outcome, run.start)));
        let (end_ms, outcome, start) = state.unwrap_or((fixed.end_ms, fixed.outcome, fixed.start));
        TaskRun { end_ms, outcome, start, ..fixed.clone() }
    });
    let running_now = move || run.with(|run| run.end_ms.is_none()).then(|| view.now.get());
    // Placed through the style object, not a `style` attribute, which the hosting examples'
    // Content-Security-Policy blocks.
    let place = move || {
        let now = running_now().unwrap_or_default();
        run.with(|run| view.window.with(|window| window.bar(run.start_ms, run.end_or(now))))
    };
    let left = move || place().map(|bar| format!("{:.3}%", bar.left));
    let width = move || place().map(|bar| format!("{:.3}%", bar.width));
    let display = move || place().is_none().then_some("none");
    let label = move || {
        let now = running_now().unwrap_or_default();
        run.with(|run| run.describe(now, &clock_seconds))
    };
    view! {
        <A
            href=href
            attr:class=move || run.with(|run| bar_class(run.outcome, run.start))
            style:left=left
            style:width=width
            style:display=display
            attr:aria-label=label
            attr:title=label
        >
            ""
        </A>
    }
    .into_any()
}
