//! The workers page: the table beside the open worker.

use std::collections::HashMap;

use flamenco_api::{SubscriptionType, Worker};
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_params_map;

use super::table::WorkerTable;
use super::task_role::{TaskRole, WorkerTaskLink};
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
use crate::ui::following_link::FollowingLink;
use crate::ui::load_state::LoadState;
use crate::ui::status::StatusBadge;

/// The frame of `/workers` and `/workers/:worker_id`.
#[component]
pub fn WorkersLayout() -> impl IntoView {
    let client = use_manager().client;
    let live = use_live();
    let table = RwSignal::new(WorkerTable::default());
    let state = RwSignal::new(LoadState::Loading);
    use_subscription(SubscriptionType::AllWorkers, || None);
    // The list answer lacks each worker's task and tags; the table shows them, so fetch each worker too.
    let details = RwSignal::new(HashMap::<String, Worker>::new());
    let fetch_details = {
        let client = client.clone();
        move |ids: Vec<String>| {
            let client = client.clone();
            leptos::task::spawn_local(async move {
                let fetched = futures::future::join_all(ids.iter().map(|id| client.fetch_worker(id))).await;
                details.update(|details| {
                    for worker in fetched.into_iter().flatten() {
                        details.insert(worker.id.clone(), worker);
                    }
                });
            });
        }
    };
    use_live_event({
        let fetch_details = fetch_details.clone();
        move |event| match event {
            LiveEvent::WorkerUpdate(update) => {
                table.update(|table| table.apply(update));
                fetch_details(vec![update.id.clone()]);
            }
            // No worker event says that a task finished; its job's update does.
            LiveEvent::JobUpdate(update) => {
                let running: Vec<String> = details.with_untracked(|details| {
                    details
                        .values()
                        .filter(|worker| {
                            worker.task.as_ref().is_some_and(|task| {
                                task.job_id == update.id
                                    && TaskRole::of(&worker.status, &task.status) == TaskRole::Current
                            })
                        })
                        .map(|worker| worker.id.clone())
                        .collect()
                });
                if !running.is_empty() {
                    fetch_details(running);
                }
            }
            _ => {}
        }
    });
    Effect::new(move |_| {
        live.epoch().track();
        let client = client.clone();
        let fetch_details = fetch_details.clone();
        leptos::task::spawn_local(async move {
            match client.fetch_workers().await {
                Ok(workers) => {
                    fetch_details(workers.iter().map(|worker| worker.id.clone()).collect());
                    table.set(WorkerTable::from_workers(workers));
                    state.set(LoadState::Fresh);
                }
                Err(failure) => state.set(LoadState::failed(failure)),
            }
        });
    });
    provide_context(table);
    let params = use_params_map();
    let depth = move || {
        if params.with(|params| params.get("worker_id").is_some()) {
            "depth-job"
        } else {
            "depth-list"
        }
    };
    // Rows are keyed by id and update in place: an event changes the cells it changed, nothing jumps.
    let rows = Memo::new(move |_| {
        table.with(|table| table.sorted().into_iter().map(|worker| worker.id).collect::<Vec<_>>())
    });
    view! {
        <div class=move || format!("workers-layout {}", depth())>
            <section class="pane worker-list" aria-label="Workers">
                <h1>"Workers"</h1>
                {move || match state.get() {
                    LoadState::Stale(failure) => Some(view! { <p class="stale-notice" role="status">{format!("Showing workers from before: {failure}")}</p> }),
                    _ => None,
                }}
                <div class="table-scroll">
                    <table class="data-table workers-table">
                        <thead>
                            <tr>
                                <th>"Status"</th>
                                <th>"Name"</th>
                                <th>"Version"</th>
                                <th>"Task"</th>
                                <th>"Tags"</th>
                                <th>"Requested"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || rows.get() key=|id| id.clone() let:id>
                                <WorkerRow id table details />
                            </For>
                        </tbody>
                    </table>
                </div>
            </section>
            <Outlet />
        </div>
    }
}

/// One worker's row, from its summary (kept by events) and its full record (fetched after them).
#[component]
fn WorkerRow(
    id: String,
    table: RwSignal<WorkerTable>,
    details: RwSignal<HashMap<String, Worker>>,
) -> impl IntoView {
    let text = {
        let id = id.clone();
        move |read: fn(&flamenco_api::WorkerSummary) -> String| {
            let id = id.clone();
            Memo::new(move |_| table.with(|table| table.get(&id).map(read).unwrap_or_default()))
        }
    };
    let status = text(|worker| worker.status.as_str().to_owned());
    let name = text(|worker| worker.name.clone());
    let version = text(|worker| worker.version.clone());
    let requested = text(|worker| {
        worker
            .status_change
            .as_ref()
            .map(|change| format!("→ {}{}", change.status, if change.is_lazy { " after task" } else { "" }))
            .unwrap_or_default()
    });
    view! {
        <tr>
            <td><StatusBadge status /></td>
            <td><A href=format!("/workers/{id}")>{name}</A></td>
            <td>{version}</td>
            <WorkerExtraCells id details />
            <td>{requested}</td>
        </tr>
    }
}

/// The task and tags of a worker, from its full record.
#[component]
fn WorkerExtraCells(id: String, details: RwSignal<HashMap<String, Worker>>) -> impl IntoView {
    let worker = Memo::new(move |_| details.with(|details| details.get(&id).cloned()));
    let task = Memo::new(move |_| worker.with(|worker| worker.as_ref().and_then(WorkerTaskLink::of)));
    let part = move |part: fn(&WorkerTaskLink) -> String| WorkerTaskLink::follow(task, part);
    let is_last = move || task.with(|task| task.as_ref().is_some_and(|task| task.role == TaskRole::Last));
    // One link, following the worker's task (it changes every task: see `FollowingLink`).
    let task_cell = view! {
        <Show when=move || task.with(Option::is_some)>
            <span title=part(|task| task.role.label().to_owned())>
                <Show when=is_last>
                    <span class="muted">"last: "</span>
                </Show>
                <FollowingLink href=part(|task| task.href.clone())>{part(|task| task.name.clone())}</FollowingLink>
            </span>
        </Show>
    };
    let tags = move || {
        worker.with(|worker| {
            worker.as_ref().map(|worker| {
                worker.tags.iter().flatten().map(|tag| tag.name.clone()).collect::<Vec<_>>().join(", ")
            })
        })
    };
    view! {
        <td>{task_cell}</td>
        <td>{tags}</td>
    }
}

/// The second pane when no worker is open.
#[component]
pub fn NoWorkerOpen() -> impl IntoView {
    view! { <section class="pane placeholder-pane"><p class="muted">"Select a worker to see what it does."</p></section> }
}
