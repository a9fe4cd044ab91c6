//! The workers page: the table beside the open worker.

use std::collections::HashMap;

use flamenco_api::{SubscriptionType, Worker, WorkerTag};
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_params_map;

use super::table::{WorkerCommand, WorkerTable};
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
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
        move |event| {
            if let LiveEvent::WorkerUpdate(update) = event {
                table.update(|table| table.apply(update));
                fetch_details(vec![update.id.clone()]);
            }
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
    let rows = move || table.with(WorkerTable::sorted);
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
                                <th>"Current task"</th>
                                <th>"Tags"</th>
                                <th>"Requested"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=rows key=|worker| format!("{}|{}|{}|{:?}", worker.id, worker.status, worker.name, worker.status_change) let:worker>
                                <tr>
                                    <td><StatusBadge status=worker.status.as_str().to_owned() /></td>
                                    <td><A href=format!("/workers/{}", worker.id)>{worker.name.clone()}</A></td>
                                    <td>{worker.version.clone()}</td>
                                    <WorkerExtraCells id=worker.id.clone() details />
                                    <td>{worker.status_change.map(|change| format!("→ {}{}", change.status, if change.is_lazy { " after task" } else { "" })).unwrap_or_default()}</td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                </div>
            </section>
            <Outlet />
        </div>
    }
}

/// The current task and tags of a worker, from its full record.
#[component]
fn WorkerExtraCells(id: String, details: RwSignal<HashMap<String, Worker>>) -> impl IntoView {
    let worker = Memo::new(move |_| details.with(|details| details.get(&id).cloned()));
    let task = move || {
        worker.get().and_then(|worker| worker.task).map(|task| {
            view! { <A href=format!("/jobs/{}/tasks/{}", task.job_id, task.id)>{task.name}</A> }
        })
    };
    let tags = move || {
        worker.with(|worker| {
            worker.as_ref().map(|worker| {
                worker.tags.iter().flatten().map(|tag| tag.name.clone()).collect::<Vec<_>>().join(", ")
            })
        })
    };
    view! {
        <td>{task}</td>
        <td>{tags}</td>
    }
}

/// The second pane when no worker is open.
#[component]
pub fn NoWorkerOpen() -> impl IntoView {
    view! { <section class="pane placeholder-pane"><p class="muted">"Select a worker to see what it does."</p></section> }
}

/// One worker: what it runs, its tags, and the commands for it.
#[component]
pub fn WorkerPane() -> impl IntoView {
    let params = use_params_map();
    let worker_id = Signal::derive(move || params.with(|params| params.get("worker_id").unwrap_or_default()));
    let table = expect_context::<RwSignal<WorkerTable>>();
    let client = use_manager().client;
    let live = use_live();
    let summary = Memo::new(move |_| table.with(|table| table.get(&worker_id.get()).cloned()));
    let worker = LocalResource::new(move || {
        live.epoch().track();
        summary.track();
        let client = client.clone();
        let id = worker_id.get();
        async move { client.fetch_worker(&id).await }
    });
    let body = move || {
        worker.get().map(|result| match result {
            Ok(worker) => view! { <WorkerDetails worker /> }.into_any(),
            Err(failure) => view! { <p class="field-error" role="alert">{format!("This worker could not be loaded: {failure}")}</p> }.into_any(),
        })
    };
    view! {
        <section class="pane worker-pane" aria-label="Worker">
            <A href="/workers" attr:class="back">"← All workers"</A>
            <Transition fallback=|| view! { <p class="muted">"Loading the worker…"</p> }>{body}</Transition>
        </section>
    }
}

#[component]
fn WorkerDetails(worker: Worker) -> impl IntoView {
    let summary = worker.summary();
    let task = worker.task.clone().map(|task| {
        view! { <A href=format!("/jobs/{}/tasks/{}", task.job_id, task.id)>{task.name}</A> }
    });
    let tags: Vec<String> = worker.tags.iter().flatten().map(|tag| tag.name.clone()).collect();
    view! {
        <header class="pane-header">
            <h2>{worker.name.clone()}</h2>
            <StatusBadge status=worker.status.as_str().to_owned() />
        </header>
        <dl class="facts">
            <dt>"Current task"</dt><dd>{task.map(IntoAny::into_any).unwrap_or_else(|| "none".into_any())}</dd>
            <dt>"Version"</dt><dd>{worker.version.clone()}</dd>
            <dt>"Address"</dt><dd>{worker.ip_address.clone()}</dd>
            <dt>"Platform"</dt><dd>{worker.platform.clone()}</dd>
            <dt>"Task types"</dt><dd>{worker.supported_task_types.join(", ")}</dd>
            <dt>"Tags"</dt><dd>{if tags.is_empty() { "none".to_owned() } else { tags.join(", ") }}</dd>
            <dt>"Last seen"</dt><dd>{worker.last_seen.clone().unwrap_or_default()}</dd>
            <dt>"Id"</dt><dd class="mono">{worker.id.clone()}</dd>
        </dl>
        <WorkerCommands worker=summary />
        <WorkerTags worker_id=worker.id.clone() current=worker.tags.clone().unwrap_or_default() />
    }
}

#[component]
fn WorkerCommands(worker: flamenco_api::WorkerSummary) -> impl IntoView {
    let client = use_manager().client;
    let message = RwSignal::new(None::<(bool, String)>);
    let id = worker.id.clone();
    let send = Action::new_local(move |command: &WorkerCommand| {
        let client = client.clone();
        let id = id.clone();
        let command = *command;
        async move {
            match client.request_worker_status_change(&id, &command.request()).await {
                Ok(()) => (true, format!("{}: requested.", command.label())),
                Err(failure) => (false, format!("{} failed: {failure}", command.label())),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = send.value().get() {
            message.set(Some(outcome));
        }
    });
    let buttons = WorkerCommand::ALL
        .into_iter()
        .filter(|command| command.applies_to(&worker))
        .map(|command| view! { <button type="button" disabled=move || send.pending().get() on:click=move |_| { send.dispatch(command); }>{command.label()}</button> })
        .collect_view();
    view! {
        <div class="worker-commands" role="toolbar" aria-label="Worker commands">{buttons}</div>
        <p class="action-report" role="status" class:problem=move || message.get().is_some_and(|(ok, _)| !ok)>{move || message.get().map(|(_, text)| text)}</p>
    }
}

/// Tag membership as checkboxes, saved together.
#[component]
fn WorkerTags(worker_id: String, current: Vec<WorkerTag>) -> impl IntoView {
    let client = use_manager().client;
    let all_tags = {
        let client = client.clone();
        LocalResource::new(move || {
            let client = client.clone();
            async move { client.fetch_worker_tags().await }
        })
    };
    let chosen = RwSignal::new(
        current.iter().filter_map(|tag| tag.id.clone()).collect::<std::collections::BTreeSet<String>>(),
    );
    let message = RwSignal::new(None::<(bool, String)>);
    let save = Action::new_local(move |ids: &Vec<String>| {
        let client = client.clone();
        let worker_id = worker_id.clone();
        let ids = ids.clone();
        async move {
            match client.set_worker_tags(&worker_id, ids).await {
                Ok(()) => (true, "Tags saved.".to_owned()),
                Err(failure) => (false, format!("Tags not saved: {failure}")),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = save.value().get() {
            message.set(Some(outcome));
        }
    });
    let boxes = move || {
        all_tags.get().map(|result| match result {
            Ok(tags) if tags.is_empty() => view! { <p class="muted">"The Manager has no worker tags."</p> }.into_any(),
            Ok(tags) => tags
                .into_iter()
                .filter_map(|tag| tag.id.clone().map(|id| (id, tag.name)))
                .map(|(id, name)| {
                    let checked = {
                        let id = id.clone();
                        move || chosen.with(|chosen| chosen.contains(&id))
                    };
                    let toggle = move |event: leptos::ev::Event| {
                        let on = event_target_checked(&event);
                        chosen.update(|chosen| {
                            if on {
                                chosen.insert(id.clone());
                            } else {
                                chosen.remove(&id);
                            }
                        });
                    };
                    view! { <label class="tag"><input type="checkbox" prop:checked=checked on:change=toggle />{name}</label> }
                })
                .collect_view()
                .into_any(),
            Err(failure) => view! { <p class="field-error">{format!("Tags unavailable: {failure}")}</p> }.into_any(),
        })
    };
    view! {
        <fieldset class="worker-tags">
            <legend>"Tags"</legend>
            <Transition fallback=|| ()>{boxes}</Transition>
            <button type="button" disabled=move || save.pending().get() on:click=move |_| { save.dispatch(chosen.get_untracked().into_iter().collect()); }>"Save tags"</button>
            <p class="action-report" role="status" class:problem=move || message.get().is_some_and(|(ok, _)| !ok)>{move || message.get().map(|(_, text)| text)}</p>
        </fieldset>
    }
}
