//! One job: its status and progress, what it is, its settings and metadata, its last render, its
//! controls, and its tasks.
//!
//! A busy farm sends `/jobs` events every second. The job's view is built once per opened job and
//! every value in it follows the shared job table in place, so a confirmation, the "Copied" state or
//! focus survive the events, and the subscriptions and one-off fetches (job type, last render) are
//! made once per job, not once per event.

mod blocklist;
mod last_rendered;
mod time_left;
mod triage;
mod triage_group;
mod triage_matrix;
pub mod worker_tag;

use flamenco_api::{AvailableJobType, Job, JobStatus, SettingVisibility};
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};

use self::blocklist::JobBlocklistSection;
use self::last_rendered::LastRendered;
use self::time_left::JobTimeLeft;
use self::triage::JobFailures;
use self::worker_tag::JobWorkerTag;
use super::bulk::ActionReport;
use super::controls::{ActionReportLine, JobActionButtons};
use super::store::use_jobs;
use crate::live::use_live;
use crate::manager::use_manager;
use crate::notifications::JobBellToggle;
use crate::tasks::{use_job_tasks, TaskList, UseJobTasksReturn};
use crate::ui::status::{ProgressBar, StatusBadge};
use crate::ui::time::{use_now, RelativeTime};

/// The pane for `/jobs/:job_id` (and the task pane inside it).
#[component]
pub fn JobPane() -> impl IntoView {
    let params = use_params_map();
    let job_id = Signal::derive(move || params.with(|params| params.get("job_id").unwrap_or_default()));
    let store = use_jobs();
    let client = use_manager().client;
    let live = use_live();
    let load_error = RwSignal::new(None::<String>);
    // Events carry the status but not the activity or settings: fetch the whole job when it changes.
    let status =
        Memo::new(move |_| store.table.with(|table| table.get(&job_id.get()).map(|job| job.status.clone())));
    Effect::new(move |_| {
        live.epoch().track();
        // Read, not only tracked: a memo nobody reads is never recomputed, and the effect then
        // never saw the job's status change (the activity stayed as it was when the pane opened).
        let _ = status.get();
        let id = job_id.get();
        let client = client.clone();
        leptos::task::spawn_local(async move {
            match client.fetch_job(&id).await {
                Ok(job) => {
                    store.upsert(job);
                    load_error.set(None);
                }
                Err(failure) => load_error.set(Some(failure.to_string())),
            }
        });
    });
    let tasks = use_job_tasks(job_id);
    provide_context(tasks);
    let present = Memo::new(move |_| store.table.with(|table| table.get(&job_id.get()).is_some()));
    let details = move || {
        let id = job_id.get();
        present.get().then(|| view! { <JobDetails id tasks /> })
    };
    let location = use_location();
    let back = move || crate::ui::url::with_query("/jobs", &location.search.get());
    view! {
        <section class="job-pane pane" aria-label="Job">
            <A href=back attr:class="back">"← All jobs"</A>
            {move || load_error.get().map(|message| view! { <p class="field-error" role="alert">{format!("This job could not be loaded: {message}")}</p> })}
            {details}
            <TaskList job_id tasks />
        </section>
        <Outlet />
    }
}

#[component]
fn JobDetails(id: String, tasks: UseJobTasksReturn) -> impl IntoView {
    let store = use_jobs();
    let live_job = {
        let id = id.clone();
        Memo::new(move |_| store.table.with(|table| table.get(&id).cloned()))
    };
    let field = move |read: fn(&Job) -> String| {
        move || live_job.with(|job| job.as_ref().map(read).unwrap_or_default())
    };
    let status = Signal::derive(field(|job| job.status.as_str().to_owned()));
    let job_type = Memo::new(move |_| {
        live_job.with(|job| job.as_ref().map(|job| job.job_type.clone())).unwrap_or_default()
    });
    let copy_href = {
        let id = id.clone();
        move || format!("{}?copy={id}", crate::submit::form_href(&job_type.get()))
    };
    let preview = {
        let id = id.clone();
        move || {
            crate::preview::job::is_single_image(&job_type.get()).then(|| {
                view! { <A href=format!("/jobs/{id}/preview") attr:class="preview-merge">"Preview merge"</A> }
            })
        }
    };
    let fraction =
        Signal::derive(move || live_job.with(|job| job.as_ref().map(Job::progress).unwrap_or_default()));
    let report = RwSignal::new(None::<ActionReport>);
    let as_list = Signal::derive(move || live_job.get().into_iter().collect::<Vec<Job>>());
    let now = use_now(std::time::Duration::from_secs(20));
    let waiting = move || {
        let pausing =
            live_job.with(|job| job.as_ref().is_some_and(|job| job.status == JobStatus::PauseRequested));
        pausing.then(|| {
            let active = tasks.table.with(|table| table.active_count());
            let text = match active {
                0 => "Pausing: no task is running any more.".to_owned(),
                1 => "Pausing: waiting for 1 active task to finish.".to_owned(),
                n => format!("Pausing: waiting for {n} active tasks to finish."),
            };
            view! { <p class="notice" role="status">{text}</p> }
        })
    };
    let paused_notice = move || {
        (live_job.with(|job| job.as_ref().is_some_and(|job| job.status == JobStatus::Paused)))
            .then(|| view! { <p class="notice">"This job is paused: none of its tasks will start until it is resumed."</p> })
    };
    view! {
        <header class="pane-header">
            <h2>{field(|job| job.name.clone())}</h2>
            <StatusBadge status />
            <JobBellToggle job_id=id.clone() />
        </header>
        <ProgressBar fraction status label="Job progress" />
        {waiting}
        {paused_notice}
        <div class="job-controls" role="toolbar" aria-label="Actions on this job">
            <crate::read_only::Writable><JobActionButtons jobs=as_list report /></crate::read_only::Writable>
        </div>
        <ActionReportLine report />
        <p class="job-links">
            <crate::read_only::Writable><A href=copy_href attr:class="submit-copy">"Submit a copy"</A></crate::read_only::Writable>
            {preview}
        </p>
        <dl class="facts">
            <dt>"Activity"</dt><dd>{field(|job| job.activity.clone())}</dd>
            <dt>"Progress"</dt><dd>{field(progress_text)}</dd>
            <JobTimeLeft job_id=id.clone() tasks />
            <dt>"Type"</dt><dd>{field(|job| job.job_type.clone())}</dd>
            <dt>"Priority"</dt><dd>{field(|job| job.priority.to_string())}</dd>
            <dt>"Worker tag"</dt><dd class="job-worker-tag"><JobWorkerTag job_id=id.clone() job=live_job /></dd>
            <dt>"Created"</dt><dd><RelativeTime timestamp=Signal::derive(field(|job| job.created.clone())) now /></dd>
            <dt>"Updated"</dt><dd><RelativeTime timestamp=Signal::derive(field(|job| job.updated.clone())) now /></dd>
            <dt>"Id"</dt><dd><CopyableId id=id.clone() /></dd>
        </dl>
        <JobFailures job_id=id.clone() tasks />
        <JobBlocklistSection job_id=id.clone() job=live_job />
        <LastRendered job_id=id />
        <Settings job=live_job />
        <Metadata job=live_job />
    }
}

/// An id with a button that copies it.
#[component]
fn CopyableId(
    /// The id to show and copy.
    id: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = {
        let id = id.clone();
        move |_| {
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&id);
                copied.set(true);
            }
        }
    };
    view! {
        <span class="mono">{id}</span>
        " "
        <button type="button" class="small" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy id" }}</button>
    }
}

/// The job's settings, as its job type says to show them.
#[component]
fn Settings(job: Memo<Option<Job>>) -> impl IntoView {
    let client = use_manager().client;
    let job_type_name = Memo::new(move |_| job.with(|job| job.as_ref().map(|job| job.job_type.clone())));
    let job_type = LocalResource::new(move || {
        let client = client.clone();
        let name = job_type_name.get();
        async move {
            match name {
                Some(name) => client.fetch_job_type(&name).await.ok(),
                None => None,
            }
        }
    });
    let rows = move || {
        let settings = job.with(|job| job.as_ref().and_then(|job| job.settings.clone())).unwrap_or_default();
        let job_type: Option<AvailableJobType> = job_type.get().flatten();
        settings
            .into_iter()
            .filter(|(key, _)| setting_is_shown(job_type.as_ref(), key))
            .map(|(key, value)| {
                let label = job_type
                    .as_ref()
                    .and_then(|job_type| job_type.settings.iter().find(|setting| setting.key == key))
                    .map(|setting| setting.display_label())
                    .unwrap_or_else(|| flamenco_api::label_from_key(&key));
                let text = match value {
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                };
                view! { <dt title=key>{label}</dt><dd class="mono">{text}</dd> }
            })
            .collect_view()
    };
    view! {
        <h3>"Settings"</h3>
        <dl class="facts settings">{rows}</dl>
    }
}

/// The job's progress in steps. `steps_total` is 0 until the job first runs (FLAMENCO.md), and "0 of
/// 0 steps" would read as an empty job.
pub fn progress_text(job: &Job) -> String {
    if job.steps_total <= 0 {
        "not started".to_owned()
    } else {
        format!("{} of {} steps", job.steps_completed, job.steps_total)
    }
}

/// Whether the web interface shows a setting: not `hidden`, not `submission`-only.
pub fn setting_is_shown(job_type: Option<&AvailableJobType>, key: &str) -> bool {
    let visibility = job_type
        .and_then(|job_type| job_type.settings.iter().find(|setting| setting.key == key))
        .map(|setting| setting.visibility());
    !matches!(visibility, Some(SettingVisibility::Hidden) | Some(SettingVisibility::Submission))
}

#[component]
fn Metadata(job: Memo<Option<Job>>) -> impl IntoView {
    let rows = move || {
        job.with(|job| job.as_ref().and_then(|job| job.metadata.clone()))
            .unwrap_or_default()
            .into_iter()
            .map(|(key, value)| view! { <dt>{key}</dt><dd>{value}</dd> })
            .collect_view()
    };
    view! {
        <h3>"Metadata"</h3>
        <dl class="facts metadata">{rows}</dl>
    }
}

#[cfg(test)]
mod tests {
    use flamenco_api::{AvailableJobSetting, AvailableJobType};

    use super::{progress_text, setting_is_shown};
    use crate::jobs::table::tests::job;
    use flamenco_api::JobStatus;

    #[test]
    fn a_job_that_never_ran_says_so_instead_of_zero_of_zero_steps() {
        let mut never_ran = job("j", "Queued one", JobStatus::Queued, "t");
        never_ran.steps_total = 0;
        assert_eq!(progress_text(&never_ran), "not started");
        let mut running = job("j", "Running one", JobStatus::Active, "t");
        running.steps_completed = 3;
        assert_eq!(progress_text(&running), "3 of 10 steps");
    }

    #[test]
    fn hidden_and_submission_only_settings_are_not_shown() {
        let setting = |key: &str, visible: &str| -> AvailableJobSetting {
            serde_json::from_value(serde_json::json!({"key": key, "type": "string", "visible": visible}))
                .unwrap()
        };
        let job_type = AvailableJobType {
            name: "t".into(),
            label: "T".into(),
            description: None,
            settings: vec![
                setting("a", "visible"),
                setting("b", "hidden"),
                setting("c", "submission"),
                setting("d", "web"),
            ],
            etag: "e".into(),
        };
        let shown: Vec<&str> = ["a", "b", "c", "d", "unknown"]
            .into_iter()
            .filter(|key| setting_is_shown(Some(&job_type), key))
            .collect();
        assert_eq!(shown, ["a", "d", "unknown"]);
    }
}
