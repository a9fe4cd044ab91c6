//! `/jobs/:job_id/preview`: a single-image job's tiles merged as they are rendered. The layout
//! comes from the job's settings, the tiles from its storage over HTTP (see Settings), and each
//! tile is fetched when its render task completes.

use flamenco_api::{Job, SubscriptionType, TaskSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::controller::{PageJob, Preview};
use super::job::{plan_job, tile_for_task, JobPlanError};
use super::parts::MergeView;
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
use crate::settings::storage_mappings;

/// The merge preview of one job.
#[component]
pub fn JobPreviewPage() -> impl IntoView {
    let params = use_params_map();
    let job_id = Signal::derive(move || params.with(|p| p.get("job_id").unwrap_or_default()));
    let client = use_manager().client;
    let live = use_live();
    let preview = Preview::new();
    preview.warm_up();
    let job = RwSignal::new(None::<Job>);
    let problem = RwSignal::new(None::<JobPlanError>);
    let load_error = RwSignal::new(None::<String>);
    // The job whose plan the preview holds: later fetches only bring its tasks up to date.
    let planned = StoredValue::new(None::<String>);
    let mappings = storage_mappings();
    use_subscription(SubscriptionType::Job, move || Some(job_id.get()));
    // At start and after every reconnect (events sent meanwhile are lost): the job and its tasks.
    Effect::new(move |_| {
        live.epoch().track();
        let id = job_id.get();
        let (client, mappings) = (client.clone(), mappings.clone());
        spawn_local(async move {
            let fetched = match client.fetch_job(&id).await {
                Ok(found) => client.fetch_job_tasks(&id).await.map(|tasks| (found, tasks)),
                Err(e) => Err(e),
            };
            // Another job opened, or the page left, while this was fetched (None: the page's
            // signals are gone, so nothing below may touch them).
            if job_id.try_get_untracked().as_ref() != Some(&id) {
                return;
            }
            let (found, tasks) = match fetched {
                Ok(fetched) => fetched,
                Err(e) => return load_error.set(Some(e.to_string())),
            };
            load_error.set(None);
            if planned.get_value().as_deref() == Some(id.as_str()) {
                apply_tasks(preview, &tasks);
            } else {
                let settings = serde_json::to_value(&found.settings).unwrap_or_default();
                let named: Vec<(String, String)> =
                    tasks.iter().map(|t| (t.name.clone(), t.status.as_str().to_string())).collect();
                match plan_job(&found.job_type, &settings, &named, &mappings) {
                    Ok(planned_job) => {
                        planned.set_value(Some(id));
                        problem.set(None);
                        preview.start_job(planned_job.plan, planned_job.urls);
                        record_workers(preview, &tasks);
                    }
                    Err(e) => problem.set(Some(e)),
                }
            }
            // Another job's merge can be B of this one's.
            preview.offer_other_jobs(PageJob {
                id: found.id.clone(),
                name: found.name.clone(),
                client,
                mappings,
            });
            job.set(Some(found));
        });
    });
    use_live_event(move |event| {
        if let LiveEvent::TaskUpdate(update) = event {
            if update.job_id == job_id.get_untracked() {
                follow_task(preview, &update.name, update.status.as_str());
                follow_worker(preview, &update.name, update.worker.as_ref().map(|w| w.name.as_str()));
            }
        }
    });
    let title = move || job.with(|j| j.as_ref().map(|j| j.name.clone()).unwrap_or_default());
    view! {
        <section class="page preview-page">
            <header class="preview-head">
                <h1>"Merge preview"</h1>
                <p class="muted">
                    <A href=move || format!("/jobs/{}", job_id.get())>{title}</A>
                    " — tiles are fetched from the farm's storage as their render tasks complete."
                </p>
            </header>
            {move || load_error.get().map(|e| view! { <p role="alert" class="notice">{format!("This job could not be loaded: {e}")}</p> })}
            <JobProblem problem />
            {move || preview.problem.get().map(|p| view! { <p role="alert" class="notice">{p}</p> })}
            <MergeView preview />
        </section>
    }
}

/// Why the job cannot be previewed, with the way to Settings when a mapping is missing.
#[component]
fn JobProblem(
    /// The problem, if any.
    problem: RwSignal<Option<JobPlanError>>,
) -> impl IntoView {
    move || {
        problem.get().map(|p| {
            let unmapped = matches!(p, JobPlanError::Unmapped(_));
            view! {
                <p role="alert" class="notice">
                    {p.to_string()}
                    {unmapped.then(|| view! { " " <A href="/settings">"Open Settings"</A> })}
                </p>
            }
        })
    }
}

/// A render task changed: its tile follows.
fn follow_task(preview: Preview, task_name: &str, status: &str) {
    let grid = preview.plan.with_untracked(|p| p.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.grid));
    if let Some(tile) = grid.and_then(|grid| tile_for_task(&grid, task_name)) {
        preview.task_status(tile, status);
    }
}

/// The task list fetched again: every tile follows its task.
fn apply_tasks(preview: Preview, tasks: &[TaskSummary]) {
    for task in tasks {
        follow_task(preview, &task.name, task.status.as_str());
    }
    record_workers(preview, tasks);
}

/// The worker each tile's task ran on, for the render-time overlay's hover.
fn record_workers(preview: Preview, tasks: &[TaskSummary]) {
    for task in tasks {
        follow_worker(preview, &task.name, task.worker.as_ref().map(|w| w.name.as_str()));
    }
}

/// A render task's worker (as the Manager names it) is the worker of its tile.
fn follow_worker(preview: Preview, task_name: &str, worker: Option<&str>) {
    let grid = preview.plan.with_untracked(|p| p.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.grid));
    if let (Some(tile), Some(worker)) = (grid.and_then(|grid| tile_for_task(&grid, task_name)), worker) {
        preview.tile_worker(tile, worker);
    }
}
