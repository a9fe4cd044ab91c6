//! The job list: a sortable, filterable table in which only the rows in view exist in the page, so that
//! it stays smooth with ten thousand jobs.

use flamenco_api::{Job, JobStatus};
use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::query::ListQuery;
use super::selection::ClickModifiers;
use super::store::use_jobs;
use super::table::{JobColumn, JobSort};
use crate::ui::first_rows::use_first_rows;
use crate::ui::load_state::LoadState;
use crate::ui::row_window::{use_row_window, RowWindow, UseRowWindowReturn};
use crate::ui::status::{ProgressBar, StatusBadge};
use crate::ui::time::{use_now, RelativeTime};

/// The list state from the address bar, and a way to change it there.
#[derive(Clone, Copy)]
pub struct UseListQueryReturn {
    pub query: Memo<ListQuery>,
    pub set_query: Callback<ListQuery>,
}

/// Reads the list's filter and sort from `?…` and writes changes back without adding history entries.
pub fn use_list_query() -> UseListQueryReturn {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|params| ListQuery::from_params(|key| params.get_str(key))));
    let navigate = use_navigate();
    let location = use_location();
    let set_query = Callback::new(move |query: ListQuery| {
        let path = location.pathname.get_untracked();
        navigate(
            &format!("{path}{}", query.to_query_string()),
            NavigateOptions { replace: true, ..Default::default() },
        );
    });
    UseListQueryReturn { query, set_query }
}

/// The job list with its toolbar.
#[component]
pub fn JobList() -> impl IntoView {
    let store = use_jobs();
    let UseListQueryReturn { query, set_query } = use_list_query();
    let ordered_ids = Memo::new(move |_| {
        let query = query.get();
        store.table.with(|table| table.select(&query.filter, query.sort))
    });
    // Actions act on what the person sees: a job that leaves the list (another search or filter,
    // or a live change that no longer matches it) leaves the selection too, and does not come
    // back selected.
    Effect::new(move |_| {
        ordered_ids.with(|ids| {
            let hidden = store.selection.with_untracked(|selection| selection.hidden_from(ids));
            if !hidden.is_empty() {
                store.selection.update(|selection| selection.retain(|id| !hidden.contains(id)));
            }
        })
    });
    view! {
        <section class="job-list pane" aria-label="Jobs" data-applied-events=move || store.applied_events.get().to_string()>
            <div class="toolbar">
                <h1>"Jobs"</h1>
                <SearchBox query set_query />
            </div>
            <StatusFilter query set_query />
            <super::controls::JobControls ordered_ids />
            <JobTable ordered_ids query set_query />
        </section>
    }
}

/// The free-text search over name, type and metadata.
#[component]
fn SearchBox(query: Memo<ListQuery>, set_query: Callback<ListQuery>) -> impl IntoView {
    let on_input = move |event: ev::Event| {
        let mut next = query.get_untracked();
        next.filter.text = event_target_value(&event);
        set_query.run(next);
    };
    view! {
        <label class="search">
            <span class="visually-hidden">"Search jobs"</span>
            <input
                type="search"
                placeholder="Search name, type, metadata"
                prop:value=move || query.get().filter.text
                on:input=on_input
            />
        </label>
    }
}

/// Toggle buttons per status with how many jobs have it.
#[component]
fn StatusFilter(query: Memo<ListQuery>, set_query: Callback<ListQuery>) -> impl IntoView {
    let store = use_jobs();
    let counts = Memo::new(move |_| store.table.with(|table| table.counts_by_status()));
    let total = move || store.table.with(|table| table.len());
    let toggle = move |status: JobStatus| {
        let mut next = query.get_untracked();
        if !next.filter.statuses.remove(&status) {
            next.filter.statuses.insert(status);
        }
        set_query.run(next);
    };
    let clear = move |_| {
        let mut next = query.get_untracked();
        next.filter.statuses.clear();
        set_query.run(next);
    };
    let chips = move || {
        let filter = query.get().filter.statuses;
        let counts = counts.get();
        let mut statuses: Vec<JobStatus> = counts.keys().cloned().collect();
        statuses.extend(filter.iter().cloned());
        statuses.sort();
        statuses.dedup();
        statuses
            .into_iter()
            .map(|status| {
                let count = counts.get(&status).copied().unwrap_or(0);
                let pressed = filter.contains(&status);
                let label = status.as_str().to_owned();
                let class = format!("chip status-{}", crate::ui::status::css_token(&label));
                view! {
                    <button type="button" class=class aria-pressed=pressed.to_string() on:click=move |_| toggle(status.clone())>
                        {label}" "<span class="count">{count}</span>
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <div class="status-filter" role="group" aria-label="Filter by status">
            <button
                type="button"
                class="chip"
                aria-pressed=move || query.get().filter.statuses.is_empty().to_string()
                on:click=clear
            >
                "all "<span class="count">{total}</span>
            </button>
            {chips}
        </div>
    }
}

/// The table itself, rendering only the rows in view.
#[component]
fn JobTable(
    ordered_ids: Memo<Vec<String>>,
    query: Memo<ListQuery>,
    set_query: Callback<ListQuery>,
) -> impl IntoView {
    let store = use_jobs();
    let UseRowWindowReturn { scroller, window, measure } =
        use_row_window(Signal::derive(move || ordered_ids.with(Vec::len)));
    let rows = move || ordered_ids.with(|ids| window.get().rows_of(ids));
    let top_spacer = move || window.get().space_above();
    let bottom_spacer = move || window.with(|window| window.space_below(ordered_ids.with(Vec::len)));
    let now = use_now(std::time::Duration::from_secs(20));
    open_gate_on_first_rows(window, store);
    // Until the list was loaded once, an empty table means "unknown", not "none".
    let empty = move || {
        (ordered_ids.with(Vec::is_empty) && store.ever_loaded.get())
            .then(|| view! { <p class="empty muted">"No jobs match."</p> })
    };
    view! {
        <div class="table-scroll" node_ref=scroller on:scroll=move |_| measure.run(())>
            <table class="data-table jobs-table" aria-rowcount=move || ordered_ids.with(Vec::len).to_string()>
                <thead>
                    <tr>
                        <th class="col-select"><SelectAll ordered_ids /></th>
                        {JobColumn::ALL.into_iter().map(|column| view! { <SortHeader column query set_query /> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true" style:height=top_spacer></tr>
                    <For each=rows key=|id| id.clone() let:id>
                        <JobRow id ordered_ids now />
                    </For>
                    <tr class="spacer" aria-hidden="true" style:height=bottom_spacer></tr>
                </tbody>
            </table>
            {empty}
        </div>
    }
}

/// Lets what waits for the first rows start once rows are in the page, or once it is clear that
/// none will be (no jobs, none matching, or the list failed to load).
fn open_gate_on_first_rows(window: Memo<RowWindow>, store: super::store::JobsStore) {
    let first_rows = use_first_rows();
    Effect::new(move |_| {
        let rows_shown = window.with(|window| window.end > window.start);
        let settled = store.ever_loaded.get() || store.state.with(LoadState::is_stale);
        if rows_shown || settled {
            first_rows.open_after_paint();
        }
    });
}

/// A column header that sorts by its column.
#[component]
fn SortHeader(column: JobColumn, query: Memo<ListQuery>, set_query: Callback<ListQuery>) -> impl IntoView {
    let sort = move || query.get().sort;
    let aria_sort = move || match sort() {
        JobSort { column: sorted, descending } if sorted == column => {
            if descending {
                "descending"
            } else {
                "ascending"
            }
        }
        _ => "none",
    };
    let on_click = move |_| {
        let mut next = query.get_untracked();
        next.sort = next.sort.toggled(column);
        set_query.run(next);
    };
    let class = if column.list_only() {
        format!("col-{} list-only", column.as_str())
    } else {
        format!("col-{}", column.as_str())
    };
    view! {
        <th class=class aria-sort=aria_sort>
            <button type="button" class="sort" on:click=on_click>{column.label()}</button>
        </th>
    }
}

/// The checkbox that selects every job the filter shows.
#[component]
fn SelectAll(ordered_ids: Memo<Vec<String>>) -> impl IntoView {
    let store = use_jobs();
    let all_selected =
        move || store.selection.with(|selection| ordered_ids.with(|ids| selection.covers(ids)));
    let on_change = move |event: ev::Event| {
        let checked = event_target_checked(&event);
        store.selection.update(|selection| {
            if checked {
                ordered_ids.with_untracked(|ids| selection.select_all(ids));
            } else {
                selection.clear();
            }
        });
    };
    view! {
        <label class="checkbox">
            <input type="checkbox" prop:checked=all_selected on:change=on_change />
            <span class="visually-hidden">"Select all shown jobs"</span>
        </label>
    }
}

/// One job's row; it re-renders only when that job changes.
#[component]
fn JobRow(id: String, ordered_ids: Memo<Vec<String>>, now: ReadSignal<f64>) -> impl IntoView {
    let store = use_jobs();
    let job = {
        let id = id.clone();
        Memo::new(move |_| store.table.with(|table| table.get(&id).cloned()))
    };
    let selected = {
        let id = id.clone();
        Memo::new(move |_| store.selection.with(|selection| selection.contains(&id)))
    };
    let navigate = use_navigate();
    let location = use_location();
    let href = {
        let id = id.clone();
        move || crate::ui::url::with_query(&format!("/jobs/{id}"), &location.search.get())
    };
    let on_click = {
        let id = id.clone();
        let href = href.clone();
        move |event: ev::MouseEvent| {
            let modifiers =
                ClickModifiers { shift: event.shift_key(), toggle: event.ctrl_key() || event.meta_key() };
            if modifiers.shift || modifiers.toggle {
                // Selection gestures must not also follow the name's link.
                event.prevent_default();
            }
            if target_is_within(&event, "label.checkbox") {
                return;
            }
            ordered_ids.with_untracked(|order| {
                store.selection.update(|selection| selection.click(&id, modifiers, order))
            });
            // A click on the name's link navigates by itself; elsewhere on the row, do it here.
            if !modifiers.shift && !modifiers.toggle && !target_is_within(&event, "a") {
                navigate(&href(), NavigateOptions::default());
            }
        }
    };
    let on_check = {
        let id = id.clone();
        move |event: ev::Event| {
            let checked = event_target_checked(&event);
            store.selection.update(|selection| selection.set(&id, checked));
        }
    };
    let tags = crate::tags::use_worker_tags();
    let cells = move || {
        job.get().map(|job| {
            let tag = job.worker_tag.clone().filter(|tag| !tag.is_empty());
            let submitter = super::table::submitter(&job).map(str::to_owned);
            let fraction = job.progress();
            let progress = format!("{:.0} %", fraction * 100.0);
            let steps = steps_done_text(&job);
            let Job { name, job_type, priority, status, created, updated, .. } = job;
            let status_text = status.as_str().to_owned();
            let progress_label = format!("Progress of {name}");
            view! {
                <td class="col-status">
                    <StatusBadge status=status_text.clone() />
                    <ProgressBar fraction status=status_text label=progress_label />
                </td>
                <td class="col-name"><a href=href.clone()>{name}</a></td>
                <td class="col-progress list-only">{progress}</td>
                <td class="col-steps list-only">{steps}</td>
                <td class="col-type">{job_type}</td>
                <td class="col-submitter list-only">{submitter}</td>
                <td class="col-tag">{move || tag.as_deref().map(|tag| tags.name_of(tag))}</td>
                <td class="col-priority">{priority}</td>
                <td class="col-created list-only"><RelativeTime timestamp=created now /></td>
                <td class="col-updated"><RelativeTime timestamp=updated now /></td>
            }
        })
    };
    let select_label = move || {
        format!("Select {}", job.with(|job| job.as_ref().map(|job| job.name.clone()).unwrap_or_default()))
    };
    view! {
        <tr class="job-row" class:selected=selected aria-selected=move || selected.get().to_string() on:click=on_click>
            <td class="col-select">
                <label class="checkbox">
                    <input type="checkbox" prop:checked=selected on:change=on_check />
                    <span class="visually-hidden">{select_label}</span>
                </label>
            </td>
            {cells}
        </tr>
    }
}

/// "12 / 40", or nothing before the job first runs (its step count is 0 until then).
fn steps_done_text(job: &Job) -> Option<String> {
    (job.steps_total > 0).then(|| format!("{} / {}", job.steps_completed, job.steps_total))
}

/// Whether a click landed inside an element matching `selector` (a control that handles itself).
fn target_is_within(event: &ev::MouseEvent, selector: &str) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| element.closest(selector).ok().flatten().is_some())
}
