//! One worker: what it runs (or ran last), its tags, and the commands for it.
//!
//! The Manager sends a `/workers` event each time it hands a worker a task, so on a busy farm the open
//! worker changes every second. Its view is built once per opened worker and every value in it follows
//! the record in place: ticks, confirmations and focus stay while the events arrive.

use std::collections::BTreeSet;

use flamenco_api::{Worker, WorkerSummary};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::delete::DeleteWorker;
use super::sleep_schedule::SleepScheduleEditor;
use super::table::{WorkerCommand, WorkerTable};
use super::tags::WorkerTags;
use super::task_role::{TaskRole, WorkerTaskLink};
use crate::live::{use_live, use_live_event, LiveEvent};
use crate::manager::use_manager;
use crate::read_only::{Frozen, Writable};
use crate::ui::following_link::FollowingLink;
use crate::ui::live_record::{LiveRecord, LiveRecordProblem};
use crate::ui::status::StatusBadge;
use crate::ui::time::{local_time_text, parse_timestamp_ms, use_now, RelativeTime};

/// When the worker was last seen: how long ago, and the exact local time beside it.
#[component]
fn LastSeen(timestamp: Memo<String>, now: ReadSignal<f64>) -> impl IntoView {
    let exact = move || {
        timestamp.with(|raw| match parse_timestamp_ms(raw) {
            Some(ms) => format!(" ({})", local_time_text(ms)),
            None if raw.is_empty() => "never".to_owned(),
            None => String::new(),
        })
    };
    view! { <RelativeTime timestamp=timestamp now /><span class="muted">{exact}</span> }
}

/// The second pane of `/workers/:worker_id`.
#[component]
pub fn WorkerPane() -> impl IntoView {
    let params = use_params_map();
    let worker_id = Memo::new(move |_| params.with(|params| params.get("worker_id").unwrap_or_default()));
    view! {
        <section class="pane worker-pane" aria-label="Worker">
            <A href="/workers" attr:class="back">"← All workers"</A>
            {move || view! { <OpenWorker id=worker_id.get() /> }}
        </section>
    }
}

/// The worker `id`, fetched again whenever an event says it changed.
#[component]
fn OpenWorker(id: String) -> impl IntoView {
    let table = expect_context::<RwSignal<WorkerTable>>();
    let client = use_manager().client;
    let live = use_live();
    let record = LiveRecord::<Worker>::new();
    let refresh = RwSignal::new(0_u32);
    // The job of the task the worker is running now, if any.
    let running_job = Memo::new(move |_| {
        record.value().with(|worker| {
            worker.as_ref().and_then(|worker| {
                let task = worker.task.as_ref()?;
                (TaskRole::of(&worker.status, &task.status) == TaskRole::Current).then(|| task.job_id.clone())
            })
        })
    });
    // Events carry the status but not the task or tags, and an assignment may change nothing else:
    // every event about the worker means a fetch. No worker event says that a task finished; an update
    // of its job does (any one: the task's own change may reach the Manager's record after the job's
    // progress).
    {
        let id = id.clone();
        use_live_event(move |event| {
            let about_it = match event {
                LiveEvent::WorkerUpdate(update) => update.id == id,
                LiveEvent::JobUpdate(update) => {
                    running_job.with_untracked(|job| job.as_deref() == Some(update.id.as_str()))
                }
                _ => false,
            };
            if about_it {
                refresh.update(|count| *count += 1);
            }
        });
    }
    let summary = {
        let id = id.clone();
        Memo::new(move |_| table.with(|table| table.get(&id).cloned()))
    };
    // Once deleted here, the worker is not fetched again: the pane says what happened instead.
    let deleted = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        live.epoch().track();
        summary.track();
        refresh.track();
        if deleted.with_untracked(Option::is_some) {
            return;
        }
        let client = client.clone();
        let id = id.clone();
        record.load(async move { client.fetch_worker(&id).await });
    });
    let worker = record.value();
    let loaded = Memo::new(move |_| worker.with(Option::is_some));
    let details = move || match (deleted.get(), loaded.get()) {
        (Some(name), _) => view! {
            <p class="notice" role="status">{format!("Worker {name} was deleted.")}</p>
        }
        .into_any(),
        (None, true) => view! {
            <LiveRecordProblem record what="worker" />
            <WorkerDetails worker on_saved=move || refresh.update(|count| *count += 1)
                on_deleted=move |name| deleted.set(Some(name)) />
        }
        .into_any(),
        (None, false) => view! {
            <LiveRecordProblem record what="worker" />
            <p class="muted">"Loading the worker…"</p>
        }
        .into_any(),
    };
    view! { {details} }
}

#[component]
fn WorkerDetails(
    worker: Signal<Option<Worker>>,
    on_saved: impl Fn() + Send + Sync + 'static,
    on_deleted: impl Fn(String) + Send + Sync + 'static,
) -> impl IntoView {
    let text = move |read: fn(&Worker) -> String| {
        Memo::new(move |_| worker.with(|worker| worker.as_ref().map(read).unwrap_or_default()))
    };
    let id =
        worker.with_untracked(|worker| worker.as_ref().map(|worker| worker.id.clone()).unwrap_or_default());
    let name = text(|worker| worker.name.clone());
    let status = text(|worker| worker.status.as_str().to_owned());
    let status_value =
        Memo::new(move |_| worker.with(|worker| worker.as_ref().map(|worker| worker.status.clone())));
    let last_seen = text(|worker| worker.last_seen.clone().unwrap_or_default());
    let now = use_now(std::time::Duration::from_secs(5));
    let summary = Memo::new(move |_| worker.with(|worker| worker.as_ref().map(Worker::summary)));
    let task = Memo::new(move |_| worker.with(|worker| worker.as_ref().and_then(WorkerTaskLink::of)));
    let tag_ids = Memo::new(move |_| {
        worker.with(|worker| {
            worker
                .iter()
                .flat_map(|worker| worker.tags.iter().flatten())
                .filter_map(|tag| tag.id.clone())
                .collect::<BTreeSet<String>>()
        })
    });
    let tag_names = text(|worker| {
        let names: Vec<&str> = worker.tags.iter().flatten().map(|tag| tag.name.as_str()).collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    });
    let task_label = move || task.with(|task| task.as_ref().map_or("Current task", |task| task.role.label()));
    let part = move |part: fn(&WorkerTaskLink) -> String| WorkerTaskLink::follow(task, part);
    // One link, following the worker's task (it changes every task: see `FollowingLink`).
    let task_link = view! {
        <Show when=move || task.with(Option::is_some) fallback=|| "none">
            <FollowingLink href=part(|task| task.href.clone())>{part(|task| task.name.clone())}</FollowingLink>
        </Show>
    };
    // Each gated control owns its copy of the id.
    let (commands_id, tags_id, schedule_id) = (id.clone(), id.clone(), id.clone());
    view! {
        <header class="pane-header">
            <h2>{name}</h2>
            <StatusBadge status />
        </header>
        <dl class="facts">
            <dt>{task_label}</dt><dd>{task_link}</dd>
            <dt>"Last seen"</dt><dd><LastSeen timestamp=last_seen now /></dd>
            <dt>"Address"</dt><dd>{text(|worker| worker.ip_address.clone())}</dd>
            <dt>"Platform"</dt><dd>{text(|worker| worker.platform.clone())}</dd>
            <dt>"Software"</dt><dd>{text(|worker| format!("Flamenco {}", worker.version))}</dd>
            <dt>"Task types"</dt><dd>{text(|worker| worker.supported_task_types.join(", "))}</dd>
            <dt>"Tags"</dt><dd>{tag_names}</dd>
            <dt>"Id"</dt><dd class="mono">{id.clone()}</dd>
        </dl>
        <Writable><WorkerCommands id=commands_id worker=summary /></Writable>
        <Frozen><WorkerTags worker_id=tags_id saved=tag_ids on_saved /></Frozen>
        <Frozen><SleepScheduleEditor worker_id=schedule_id /></Frozen>
        <Writable><DeleteWorker id name status=status_value on_deleted /></Writable>
    }
}

/// The status commands that make sense for the worker now; the report of the last one stays.
#[component]
fn WorkerCommands(id: String, worker: Memo<Option<WorkerSummary>>) -> impl IntoView {
    let client = use_manager().client;
    let message = RwSignal::new(None::<(bool, String)>);
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
    let offered = Memo::new(move |_| {
        worker.with(|worker| {
            worker
                .as_ref()
                .map(|worker| {
                    WorkerCommand::ALL.into_iter().filter(|command| command.applies_to(worker)).collect()
                })
                .unwrap_or_else(Vec::new)
        })
    });
    view! {
        <div class="worker-commands" role="toolbar" aria-label="Worker commands">
            <For each=move || offered.get() key=|command| *command let:command>
                <button type="button" disabled=move || send.pending().get() on:click=move |_| { send.dispatch(command); }>{command.label()}</button>
            </For>
        </div>
        <p class="action-report" role="status" class:problem=move || message.get().is_some_and(|(ok, _)| !ok)>{move || message.get().map(|(_, text)| text)}</p>
    }
}
