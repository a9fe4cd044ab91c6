//! One task: what it runs, who ran it, who failed it, its actions and its log.

use flamenco_api::{JobStatus, Task, TaskAction, TaskStatus, TaskStatusChange};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::log::TaskLog;
use super::store::UseJobTasksReturn;
use crate::jobs::use_jobs;
use crate::live::use_live;
use crate::manager::use_manager;
use crate::ui::status::{ProgressBar, StatusBadge};

/// The task pane for `/jobs/:job_id/tasks/:task_id`.
#[component]
pub fn TaskPane() -> impl IntoView {
    let params = use_params_map();
    let task_id = Signal::derive(move || params.with(|params| params.get("task_id").unwrap_or_default()));
    let job_id = Signal::derive(move || params.with(|params| params.get("job_id").unwrap_or_default()));
    let tasks = expect_context::<UseJobTasksReturn>();
    let jobs = use_jobs();
    let client = use_manager().client;
    let live = use_live();
    // The summary changes with every live event; fetching the full task again then keeps it current.
    let summary_version = Memo::new(move |_| {
        tasks
            .table
            .with(|table| table.get(&task_id.get()).map(|task| (task.status.clone(), task.updated.clone())))
    });
    let task = LocalResource::new(move || {
        live.epoch().track();
        summary_version.track();
        let client = client.clone();
        let id = task_id.get();
        async move { client.fetch_task(&id).await }
    });
    let job_status = Signal::derive(move || {
        jobs.table.with(|table| {
            table
                .get(&job_id.get())
                .map(|job| job.status.clone())
                .unwrap_or(JobStatus::Unknown(String::new()))
        })
    });
    let running =
        Signal::derive(move || summary_version.get().is_some_and(|(status, _)| status == TaskStatus::Active));
    let body = move || {
        task.get().map(|result| match result {
            Ok(task) => view! { <TaskDetails task job_status /> }.into_any(),
            Err(failure) => view! { <p class="field-error" role="alert">{format!("This task could not be loaded: {failure}")}</p> }.into_any(),
        })
    };
    view! {
        <section class="task-pane pane" aria-label="Task">
            <Transition fallback=|| view! { <p class="muted">"Loading the task…"</p> }>{body}</Transition>
            <TaskLog task_id running />
        </section>
    }
}

#[component]
fn TaskDetails(task: Task, job_status: Signal<JobStatus>) -> impl IntoView {
    let status = task.status.as_str().to_owned();
    let fraction = flamenco_api::progress_fraction(task.steps_completed, task.steps_total);
    let commands = task
        .commands
        .iter()
        .map(|command| {
            let parameters = serde_json::to_string_pretty(&command.parameters).unwrap_or_default();
            view! {
                <li>
                    <span class="command-name">{command.name.clone()}</span>
                    <pre class="parameters">{parameters}</pre>
                </li>
            }
        })
        .collect_view();
    let failed_by = task.failed_by_workers.clone().unwrap_or_default();
    let failures = (!failed_by.is_empty()).then(|| {
        view! {
            <h3>"Failed by"</h3>
            <ul class="failed-by">
                {failed_by.into_iter().map(|worker| view! { <li>{worker.name}" "<span class="muted">{worker.address}</span></li> }).collect_view()}
            </ul>
        }
    });
    view! {
        <header class="pane-header">
            <h2>{task.name.clone()}</h2>
            <StatusBadge status=status.clone() />
        </header>
        <ProgressBar fraction status label=format!("Progress of {}", task.name) />
        <dl class="facts">
            <dt>"Activity"</dt><dd>{task.activity.clone()}</dd>
            <dt>"Type"</dt><dd>{task.task_type.clone()}</dd>
            <dt>"Priority"</dt><dd>{task.priority}</dd>
            <dt>"Worker"</dt><dd>{task.worker.as_ref().map(|worker| format!("{} ({})", worker.name, worker.address)).unwrap_or_else(|| "none".into())}</dd>
            <dt>"Last touched"</dt><dd>{task.last_touched.clone().unwrap_or_else(|| "never".into())}</dd>
            <dt>"Id"</dt><dd class="mono">{task.id.clone()}</dd>
        </dl>
        <TaskActions task_id=task.id.clone() status=task.status.clone() job_status />
        {failures}
        <h3>"Commands"</h3>
        <ol class="commands">{commands}</ol>
    }
}

/// Requeue and Cancel, as Flamenco allows them.
#[component]
fn TaskActions(task_id: String, status: TaskStatus, job_status: Signal<JobStatus>) -> impl IntoView {
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
            let status = status.clone();
            let allowed = move || action.allowed(&status, &job_status.get());
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
