//! The open job's tasks as a table, with a status filter; only the rows in view are in the page, so a
//! job of thousands of tasks keeps up with its events.

use std::collections::BTreeSet;

use flamenco_api::{TaskStatus, TaskSummary};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use super::store::UseJobTasksReturn;
use crate::ui::row_window::{use_row_window, UseRowWindowReturn};
use crate::ui::status::{css_token, ProgressBar, StatusBadge};
use crate::ui::time::{use_now, RelativeTime};

/// The task table of one job.
#[component]
pub fn TaskList(
    /// The job whose tasks these are.
    job_id: Signal<String>,
    /// The tasks, from [`super::use_job_tasks`].
    tasks: UseJobTasksReturn,
) -> impl IntoView {
    let filter = RwSignal::new(BTreeSet::<TaskStatus>::new());
    // Rows are keyed by id and update in place, so nothing jumps and links stay put while events arrive.
    let row_ids =
        Memo::new(move |_| filter.with(|filter| tasks.table.with(|table| table.filtered_ids(filter))));
    let counts = Memo::new(move |_| tasks.table.with(|table| table.counts_by_status()));
    let total = Signal::derive(move || row_ids.with(Vec::len));
    let UseRowWindowReturn { scroller, window, measure } = use_row_window(total);
    let rows = move || row_ids.with(|ids| window.get().rows_of(ids));
    let top_spacer = move || window.get().space_above();
    let bottom_spacer = move || window.with(|window| window.space_below(total.get()));
    let now = use_now(std::time::Duration::from_secs(20));
    let chips = move || {
        counts
            .get()
            .into_iter()
            .map(|(status, count)| {
                let label = status.as_str().to_owned();
                let pressed = {
                    let status = status.clone();
                    move || filter.with(|filter| filter.contains(&status)).to_string()
                };
                let class = format!("chip status-{}", css_token(&label));
                let toggle = {
                    let status = status.clone();
                    move |_| {
                        filter.update(|filter| {
                            if !filter.remove(&status) {
                                filter.insert(status.clone());
                            }
                        })
                    }
                };
                view! {
                    <button type="button" class=class aria-pressed=pressed on:click=toggle>
                        {label}" "<span class="count">{count}</span>
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <section class="task-list" aria-label="Tasks">
            <h2>"Tasks"</h2>
            <div class="status-filter" role="group" aria-label="Filter tasks by status">{chips}</div>
            <div class="table-scroll short" node_ref=scroller on:scroll=move |_| measure.run(())>
                <table class="data-table tasks-table" aria-rowcount=move || total.get().to_string()>
                    <thead>
                        <tr>
                            <th>"Status"</th>
                            <th>"Name"</th>
                            <th>"Progress"</th>
                            <th>"Worker"</th>
                            <th>"Updated"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true" style:height=top_spacer></tr>
                        <For each=rows key=|id| id.clone() let:id>
                            <TaskRow id tasks job_id now />
                        </For>
                        <tr class="spacer" aria-hidden="true" style:height=bottom_spacer></tr>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn TaskRow(
    id: String,
    tasks: UseJobTasksReturn,
    job_id: Signal<String>,
    now: ReadSignal<f64>,
) -> impl IntoView {
    let location = use_location();
    // The row follows its own task only: an event for another task does not wake it.
    let task = {
        let id = id.clone();
        let trigger = tasks.rows.for_row(&id);
        Memo::new(move |_| {
            trigger.track();
            tasks.table.with_untracked(|table| table.get(&id).cloned())
        })
    };
    let href = move || {
        crate::ui::url::with_query(&format!("/jobs/{}/tasks/{id}", job_id.get()), &location.search.get())
    };
    let read = move |get: fn(&TaskSummary) -> String| {
        move || task.with(|task| task.as_ref().map(get).unwrap_or_default())
    };
    let status = Signal::derive(read(|task| task.status.as_str().to_owned()));
    let name = read(|task| task.name.clone());
    let fraction = Signal::derive(move || {
        task.with(|task| {
            task.as_ref()
                .map(|t| flamenco_api::progress_fraction(t.steps_completed, t.steps_total))
                .unwrap_or(0.0)
        })
    });
    let label = format!("Progress of {}", name());
    view! {
        <tr>
            <td><StatusBadge status /></td>
            <td><A href=href>{name}</A></td>
            <td><ProgressBar fraction status label /></td>
            <td>{read(|task| task.worker.as_ref().map(|worker| worker.name.clone()).unwrap_or_default())}</td>
            <td><RelativeTime timestamp=Signal::derive(read(|task| task.updated.clone())) now /></td>
        </tr>
    }
}
