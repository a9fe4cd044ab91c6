//! The jobs page: the list beside the open job and its task, or one pane at a time on a phone.

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_params_map;

use super::list::JobList;
use super::store::use_jobs;
use crate::live::use_live;
use crate::ui::load_state::LoadState;

/// The frame of `/jobs`, `/jobs/:job_id` and `/jobs/:job_id/tasks/:task_id`.
#[component]
pub fn JobsLayout() -> impl IntoView {
    let params = use_params_map();
    // How deep the user is; on narrow screens only the deepest pane shows.
    let depth = move || {
        params.with(|params| match (params.get("job_id"), params.get("task_id")) {
            (Some(_), Some(_)) => "depth-task",
            (Some(_), None) => "depth-job",
            _ => "depth-list",
        })
    };
    view! {
        <div class=move || format!("jobs-layout {}", depth())>
            <StaleNotice />
            <JobList />
            <Outlet />
        </div>
    }
}

/// Says when what is on screen may be out of date, and why.
#[component]
fn StaleNotice() -> impl IntoView {
    let store = use_jobs();
    let live = use_live();
    move || {
        let connection = live.state().get();
        let state = store.state.get();
        let retry = store
            .retry_in
            .get()
            .map(|delay| format!(" Trying again in {} s.", delay.as_secs()))
            .unwrap_or_default();
        let message = match (&state, connection.is_connected()) {
            (LoadState::Stale(failure), _) if !store.ever_loaded.get() => {
                Some(format!("The jobs could not be loaded: {failure}.{retry}"))
            }
            (LoadState::Stale(failure), _) => Some(format!("Showing jobs from before: {failure}.{retry}")),
            (_, false) if !matches!(state, LoadState::Loading) => Some(format!(
                "Not receiving live updates ({}): the jobs shown may be out of date.",
                connection.label()
            )),
            _ => None,
        };
        message.map(|message| view! { <p class="stale-notice" role="status">{message}</p> })
    }
}

/// The second pane when no job is open.
#[component]
pub fn NoJobOpen() -> impl IntoView {
    view! { <section class="pane placeholder-pane"><p class="muted">"Select a job to see its details and tasks."</p></section> }
}

/// Nothing: the task pane is absent until a task is opened.
#[component]
pub fn NoTaskOpen() -> impl IntoView {}
