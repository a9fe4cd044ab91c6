//! One task: what it runs, who ran it, who failed it, its actions and its log.
//!
//! The task is fetched again on every event about it; its view is built once per opened task and its
//! values follow the record in place, so the report of a requeue or cancel stays while events arrive.

use flamenco_api::{Command, JobStatus, Task, TaskAction, TaskStatus, TaskStatusChange, TaskWorker};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::assigned::task_with_real_worker;
use super::log::TaskLog;
use super::store::UseJobTasksReturn;
use crate::jobs::use_jobs;
use crate::live::use_live;
use crate::manager::use_manager;
use crate::ui::live_record::{LiveRecord, LiveRecordProblem};
use crate::ui::status::{ProgressBar, StatusBadge};

/// The task pane for `/jobs/:job_id/tasks/:task_id`.
#[component]
pub fn TaskPane() -> impl IntoView {
    let params = use_params_map();
    let task_id = Memo::new(move |_| params.with(|params| params.get("task_id").unwrap_or_default()));
    let job_id = Signal::derive(move || params.with(|params| params.get("job_id").unwrap_or_default()));
    let tasks = expect_context::<UseJobTasksReturn>();
    let jobs = use_jobs();
    let job_status = Signal::derive(move || {
        jobs.table.with(|table| {
            table
                .get(&job_id.get())
                .map(|job| job.status.clone())
                .unwrap_or(JobStatus::Unknown(String::new()))
        })
    });
    let running = Signal::derive(move || {
        tasks
            .table
            .with(|table| table.get(&task_id.get()).is_some_and(|task| task.status == TaskStatus::Active))
    });
    view! {
        <section class="task-pane pane" aria-label="Task">
            {move || view! { <OpenTask id=task_id.get() job_status /> }}
            <TaskLog task_id=task_id.into() running />
        </section>
    }
}

/// The task `id`, fetched again whenever an event says it changed.
#[component]
fn OpenTask(id: String, job_status: Signal<JobStatus>) -> impl IntoView {
    let tasks = expect_context::<UseJobTasksReturn>();
    let client = use_manager().client;
    let live = use_live();
    let record = LiveRecord::<Task>::new();
    // The summary changes with every live event about the task; the full task then has news too.
    let summary_version = {
        let id = id.clone();
        Memo::new(move |_| {
            tasks.table.with(|table| table.get(&id).map(|task| (task.status.clone(), task.updated.clone())))
        })
    };
    Effect::new(move |_| {
        live.epoch().track();
        // Read, not only tracked: a memo nobody reads is never computed, so it would never change.
        let _ = summary_version.get();
        let client = client.clone();
        let id = id.clone();
        record.load(async move { client.fetch_task(&id).await.map(task_with_real_worker) });
    });
    let task = record.value();
    let loaded = Memo::new(move |_| task.with(Option::is_some));
    let details = move || {
        if loaded.get() {
            view! { <TaskDetails task job_status /> }.into_any()
        } else {
            view! { <p class="muted">"Loading the task…"</p> }.into_any()
        }
    };
    view! {
        <LiveRecordProblem record what="task" />
        {details}
    }
}

#[component]
fn TaskDetails(task: Signal<Option<Task>>, job_status: Signal<JobStatus>) -> impl IntoView {
    let text = move |read: fn(&Task) -> String| {
        Memo::new(move |_| task.with(|task| task.as_ref().map(read).unwrap_or_default()))
    };
    let (id, name) = task.with_untracked(|task| {
        task.as_ref().map(|task| (task.id.clone(), task.name.clone())).unwrap_or_default()
    });
    let status_value = Memo::new(move |_| {
        task.with(|task| task.as_ref().map(|task| task.status.clone())).unwrap_or(TaskStatus::Queued)
    });
    let status = text(|task| task.status.as_str().to_owned());
    let fraction = Memo::new(move |_| {
        task.with(|task| {
            task.as_ref().map(|task| flamenco_api::progress_fraction(task.steps_completed, task.steps_total))
        })
        .unwrap_or(0.0)
    });
    let commands = Memo::new(move |_| task.with(|task| task.as_ref().map(|task| task.commands.clone())));
    let failed_by =
        Memo::new(move |_| task.with(|task| task.as_ref().and_then(|task| task.failed_by_workers.clone())));
    let worker = text(|task| {
        task.worker
            .as_ref()
            .map(|worker| format!("{} ({})", worker.name, worker.address))
            .unwrap_or_else(|| "none".into())
    });
    view! {
        <header class="pane-header">
            <h2>{text(|task| task.name.clone())}</h2>
            <StatusBadge status />
        </header>
        <ProgressBar fraction status label=format!("Progress of {name}") />
        <dl class="facts">
            <dt>"Activity"</dt><dd>{text(|task| task.activity.clone())}</dd>
            <dt>"Type"</dt><dd>{text(|task| task.task_type.clone())}</dd>
            <dt>"Priority"</dt><dd>{text(|task| task.priority.to_string())}</dd>
            <dt>"Worker"</dt><dd>{worker}</dd>
            <dt>"Last touched"</dt><dd>{text(|task| task.last_touched.clone().unwrap_or_else(|| "never".into()))}</dd>
            <dt>"Id"</dt><dd class="mono">{id.clone()}</dd>
        </dl>
        <crate::read_only::Writable><TaskActions task_id=id status=status_value job_status /></crate::read_only::Writable>
        {move || failed_by.get().filter(|workers| !workers.is_empty()).map(|workers| view! { <FailedBy workers /> })}
        <h3>"Commands"</h3>
        <ol class="commands">{move || commands.get().unwrap_or_default().into_iter().map(|command| view! { <CommandItem command /> }).collect_view()}</ol>
    }
}

/// The workers that failed the task.
#[component]
fn FailedBy(workers: Vec<TaskWorker>) -> impl IntoView {
    view! {
        <h3>"Failed by"</h3>
        <ul class="failed-by">
            {workers.into_iter().map(|worker| view! { <li>{worker.name}" "<span class="muted">{worker.address}</span></li> }).collect_view()}
        </ul>
    }
}

/// One command the task runs, with its parameters.
#[component]
fn CommandItem(command: Command) -> impl IntoView {
    let parameters = serde_json::to_string_pretty(&command.parameters).unwrap_or_default();
    view! {
        <li>
            <span class="command-name">{command.name}</span>
            <pre class="parameters">{parameters}</pre>
        </li>
    }
}

/// Requeue and Cancel, as Flamenco allows them.
#[component]
fn TaskActions(
    task_id: String,
    #[prop(into)] status: Signal<TaskStatus>,
    job_status: Signal<JobStatus>,
) -> impl IntoView {
    let client = use_manager().client;
    let message = RwSignal::new(None::<(bool, String)>);
    let send = Action::new_local(move |action: &TaskAction| {
        let client = client.clone();
        let task_id = task_id.clone();
        let action = *action;
        async move {
            let change = TaskStatusChange {
                status: action.requested_status(),
                reason: "requested from Farmdeck".into(),
            };
            match client.set_task_status(&task_id, &change).await {
                Ok(()) => (true, format!("{} requested.", action.label())),
                Err(failure) => (false, format!("{} failed: {failure}", action.label())),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = send.value().get() {
            message.set(Some(outcome));
        }
    });
    let buttons = TaskAction::ALL
        .into_iter()
        .map(|action| {
            let allowed = move || status.with(|status| action.allowed(status, &job_status.get()));
            let title = move || {
                (action == TaskAction::Cancel && job_status.get() == JobStatus::PauseRequested)
                    .then_some("Tasks cannot be cancelled while their job is pausing")
            };
            view! {
                <button type="button" disabled=move || !allowed() || send.pending().get() title=title on:click=move |_| { send.dispatch(action); }>
                    {format!("{} task", action.label())}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="task-actions" role="toolbar" aria-label="Task actions">{buttons}</div>
        <p class="action-report" role="status" class:problem=move || message.get().is_some_and(|(ok, _)| !ok)>
            {move || message.get().map(|(_, text)| text)}
        </p>
    }
}
