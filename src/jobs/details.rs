//! One job: its status and progress, what it is, its settings and metadata, its last render, its
//! controls, and its tasks.

use flamenco_api::{AvailableJobType, Job, JobStatus, SettingVisibility, SubscriptionType};
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};

use super::bulk::ActionReport;
use super::controls::{ActionReportLine, JobActionButtons};
use super::store::use_jobs;
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
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
        status.track();
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
    let job = Memo::new(move |_| store.table.with(|table| table.get(&job_id.get()).cloned()));
    let location = use_location();
    let back = move || crate::ui::url::with_query("/jobs", &location.search.get());
    view! {
        <section class="job-pane pane" aria-label="Job">
            <A href=back attr:class="back">"← All jobs"</A>
            {move || load_error.get().map(|message| view! { <p class="field-error" role="alert">{format!("This job could not be loaded: {message}")}</p> })}
            {move || job.get().map(|job| view! { <JobDetails job tasks /> })}
            <TaskList job_id tasks />
        </section>
        <Outlet />
    }
}

#[component]
fn JobDetails(job: Job, tasks: UseJobTasksReturn) -> impl IntoView {
    let store = use_jobs();
    let id = job.id.clone();
    let live_job = Memo::new(move |_| store.table.with(|table| table.get(&id).cloned()));
    let field = move |read: fn(&Job) -> String| {
        move || live_job.with(|job| job.as_ref().map(read).unwrap_or_default())
    };
    let status = Signal::derive(field(|job| job.status.as_str().to_owned()));
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
        </header>
        <ProgressBar fraction status label="Job progress" />
        {waiting}
        {paused_notice}
        <div class="job-controls" role="toolbar" aria-label="Actions on this job">
            <JobActionButtons jobs=as_list report />
        </div>
        <ActionReportLine report />
        <A href=format!("{}?copy={}", crate::submit::form_href(&job.job_type), job.id) attr:class="submit-copy">"Submit a copy"</A>
        {crate::preview::job::is_single_image(&job.job_type).then(|| view! {
            <A href=format!("/jobs/{}/preview", job.id) attr:class="preview-merge">"Preview merge"</A>
        })}
        <dl class="facts">
            <dt>"Activity"</dt><dd>{field(|job| job.activity.clone())}</dd>
            <dt>"Progress"</dt><dd>{field(|job| format!("{} of {} steps", job.steps_completed, job.steps_total))}</dd>
            <dt>"Type"</dt><dd>{field(|job| job.job_type.clone())}</dd>
            <dt>"Priority"</dt><dd>{field(|job| job.priority.to_string())}</dd>
            <dt>"Worker tag"</dt><dd>{field(|job| job.worker_tag.clone().unwrap_or_else(|| "any worker".into()))}</dd>
            <dt>"Created"</dt><dd><RelativeTime timestamp=Signal::derive(field(|job| job.created.clone())) now /></dd>
            <dt>"Updated"</dt><dd><RelativeTime timestamp=Signal::derive(field(|job| job.updated.clone())) now /></dd>
            <dt>"Id"</dt><dd><CopyableId id=job.id.clone() /></dd>
        </dl>
        <LastRendered job_id=job.id.clone() />
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

/// The job's last-rendered image, replaced live as renders finish.
#[component]
fn LastRendered(job_id: String) -> impl IntoView {
    let client = use_manager().client;
    let version = RwSignal::new(0_u32);
    use_subscription(SubscriptionType::AllLastRendered, || None);
    {
        let job_id = job_id.clone();
        use_live_event(move |event| {
            if let LiveEvent::LastRendered(update) = event {
                if update.job_id == job_id {
                    version.update(|version| *version += 1);
                }
            }
        });
    }
    let info = LocalResource::new(move || {
        let client = client.clone();
        let job_id = job_id.clone();
        version.track();
        async move { client.fetch_last_rendered(&job_id).await }
    });
    let base = use_manager().client;
    move || {
        info.get().map(|result| match result {
            Ok(Some(info)) => {
                // Cache-busting: the image keeps its URL while its content changes.
                let url =
                    info.urls().last().map(|url| format!("{}{url}?v={}", base.base_url(), version.get()));
                url.map(|url| {
                    view! { <figure class="last-rendered"><img src=url alt="Last rendered image" /></figure> }
                        .into_any()
                })
                .unwrap_or_else(|| ().into_any())
            }
            Ok(None) => view! { <p class="muted">"Nothing rendered yet."</p> }.into_any(),
            Err(failure) => {
                view! { <p class="field-error">{format!("Last-rendered image unavailable: {failure}")}</p> }
                    .into_any()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use flamenco_api::{AvailableJobSetting, AvailableJobType};

    use super::setting_is_shown;

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
