//! The form for one job type: its state, the Check and Submit actions, drafts and the 412 reload.

use flamenco_api::{AvailableJobType, Job, SubmittedJob};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::computed::{compute, Computed};
use super::draft;
use super::fields::{JobFields, SettingsSection};
use super::model::{FormState, Section};
use super::outcome::{check_answer, SubmitFailure};
use super::page::Loaded;
use super::preview::TilePreview;
use super::validate::{check, Problems};
use crate::manager::use_manager;

/// The form's shared state, handed to its parts.
#[derive(Clone, Copy)]
pub struct FormContext {
    pub job_type: RwSignal<AvailableJobType>,
    pub form: RwSignal<FormState>,
    pub problems: Memo<Problems>,
    /// The settings the form works out, from what is typed.
    pub computed: Memo<Computed>,
    /// Whether the user tried to submit or check: empty required fields count from then on.
    pub attempted: RwSignal<bool>,
}

#[component]
pub fn SubmitForm(loaded: Loaded) -> impl IntoView {
    let Loaded { job_type, tags, tags_problem, initial } = loaded;
    let type_name = job_type.name.clone();
    let client = use_manager().client;
    let job_type = RwSignal::new(job_type);
    let form = RwSignal::new(initial);
    let checked = Memo::new(move |_| form.with(|form| job_type.with(|job_type| check(form, job_type))));
    let problems = Memo::new(move |_| checked.with(|checked| checked.clone().err().unwrap_or_default()));
    let computed = Memo::new(move |_| form.with(|form| job_type.with(|job_type| compute(form, job_type))));
    let context = FormContext { job_type, form, problems, computed, attempted: RwSignal::new(false) };
    let failure = RwSignal::new(None::<SubmitFailure>);
    let answer = RwSignal::new(None::<(bool, String)>);
    // Set once the job is in: no draft may be written after it was cleared.
    let submitted = StoredValue::new(false);

    Effect::new({
        let type_name = type_name.clone();
        move |_| {
            let state = form.get();
            if !submitted.get_value() {
                draft::save(&type_name, &state);
            }
        }
    });

    let submit = Action::new_local({
        let client = client.clone();
        move |job: &SubmittedJob| {
            let client = client.clone();
            let job = job.clone();
            async move { client.post_json::<_, Job>("/api/v3/jobs", &job).await }
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(job)) => {
            submitted.set_value(true);
            draft::clear(&type_name);
            navigate(&format!("/jobs/{}", job.id), Default::default());
        }
        Some(Err(error)) => failure.set(Some(SubmitFailure::from_failure(&error))),
        None => {}
    });
    let compile_check = Action::new_local({
        let client = client.clone();
        move |job: &SubmittedJob| {
            let client = client.clone();
            let job = job.clone();
            async move { check_answer(&client.post_no_content("/api/v3/jobs/check", &job).await) }
        }
    });
    // The newest answer stands alone: a check that passes takes the last refusal off the screen.
    Effect::new(move |_| {
        let value = compile_check.value().get();
        if value.as_ref().is_some_and(|(accepted, _)| *accepted) {
            failure.set(None);
        }
        answer.set(value);
    });
    let reload = Action::new_local(move |name: &String| {
        let client = client.clone();
        let name = name.clone();
        async move { client.fetch_job_type(&name).await }
    });
    Effect::new(move |_| match reload.value().get() {
        Some(Ok(fresh)) => {
            form.update(|form| *form = form.fitted_to(&fresh));
            job_type.set(fresh);
            failure.set(None);
        }
        Some(Err(error)) => failure.set(Some(SubmitFailure {
            message: format!("The job type could not be reloaded: {error}"),
            outdated_job_type: true,
        })),
        None => {}
    });

    // A double click submits once: nothing is dispatched while a submission is under way.
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        context.attempted.set(true);
        if submit.pending().get_untracked() || submitted.get_value() {
            return;
        }
        if let Ok(job) = checked.get_untracked() {
            failure.set(None);
            answer.set(None);
            submit.dispatch(job);
        }
    };
    let on_check = move |_| {
        context.attempted.set(true);
        answer.set(None);
        if let Ok(job) = checked.get_untracked() {
            compile_check.dispatch(job);
        }
    };
    let submit_label = move || match problems.with(Problems::summary) {
        _ if submit.pending().get() => "Submitting…".to_owned(),
        Some(left) => format!("Submit job ({left})"),
        None => "Submit job".to_owned(),
    };
    let failure_view = move || {
        failure.get().map(|failure| {
            let offer_reload = failure.outdated_job_type.then(|| {
                let name = job_type.with_untracked(|job_type| job_type.name.clone());
                view! { <button type="button" on:click=move |_| { reload.dispatch(name.clone()); } disabled=move || reload.pending().get()>"Reload the job type"</button> }
            });
            view! { <div class="submit-failure" role="alert"><p>{failure.message}</p>{offer_reload}</div> }
        })
    };
    let answer_view = move || {
        answer.get().map(|(accepted, text)| {
            view! { <p class="check-answer" class:problem=!accepted role="status">{text}</p> }
        })
    };
    view! {
        <h1>{move || job_type.with(|job_type| format!("Submit: {}", job_type.label))}</h1>
        <p class="muted">{move || job_type.with(|job_type| job_type.description.clone())}</p>
        <form class="submit-form" novalidate on:submit=on_submit>
            <JobFields context tags tags_problem />
            <SettingsSection context section=Section::Settings title="Settings" intro="" />
            <SettingsSection
                context
                section=Section::FromBlender
                title="Normally filled in by Blender"
                intro="When Blender submits this job type it works these out from the scene. From the web they have to be typed in."
            />
            <TilePreview context />
            <div class="submit-actions">
                <button type="button" on:click=on_check disabled=move || compile_check.pending().get()>"Check"</button>
                <button type="submit" class="primary" disabled=move || submit.pending().get()>{submit_label}</button>
            </div>
            {answer_view}
            {failure_view}
        </form>
    }
}
