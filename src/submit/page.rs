//! The Submit pages: `/submit` lists the Manager's job types, `/submit/:job_type` holds the form,
//! filled from a copied job (`?copy=<job id>`), a draft, or the job type's defaults.

use flamenco_api::{AvailableJobType, AvailableJobTypes, WorkerTag};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::catalog::JobTypeCatalog;
use super::draft;
use super::form::SubmitForm;
use super::model::FormState;
use crate::api::ManagerClient;
use crate::manager::use_manager;
use crate::shell::AddonLink;

/// What the form starts from.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub job_type: AvailableJobType,
    pub tags: Vec<WorkerTag>,
    /// Why the worker tags could not be loaded, if they could not.
    pub tags_problem: Option<String>,
    pub initial: FormState,
}

#[component]
pub fn SubmitPage() -> impl IntoView {
    if crate::read_only::use_read_only() {
        return view! { <crate::read_only::ReadOnlyPage title="Submit a job" /> }.into_any();
    }
    let client = use_manager().client;
    let types = LocalResource::new(move || {
        let client = client.clone();
        async move { client.get_json::<AvailableJobTypes>("/api/v3/jobs/types").await }
    });
    let catalog = move || {
        types.get().map(|result| match result {
            Ok(types) => view! { <JobTypeCatalog types /> }.into_any(),
            Err(failure) => view! { <p class="field-error" role="alert">{format!("The job types could not be loaded: {failure}")}</p> }.into_any(),
        })
    };
    view! {
        <section class="page submit-page">
            <h1>"Submit a job"</h1>
            <p class="muted">"Choose the kind of job. The form is made from what the Manager says the job type needs."</p>
            <p class="muted">"Submitting from Blender instead? " <AddonLink /> " from this Manager, for its version."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading the job types…"</p> }>{catalog}</Transition>
        </section>
    }
    .into_any()
}

/// Loads the job type, the worker tags and, for a copy, the job.
async fn load(client: ManagerClient, name: String, copy_of: Option<String>) -> Result<Loaded, String> {
    let job_type = client
        .fetch_job_type(&name)
        .await
        .map_err(|failure| format!("The job type \"{name}\" could not be loaded: {failure}"))?;
    let (tags, tags_problem) = match client.fetch_worker_tags().await {
        Ok(tags) => (tags, None),
        Err(failure) => (Vec::new(), Some(format!("Worker tags unavailable: {failure}"))),
    };
    let initial = match copy_of {
        Some(id) => {
            let job = client
                .fetch_job(&id)
                .await
                .map_err(|failure| format!("The job to copy could not be loaded: {failure}"))?;
            FormState::copy_of(&job, &job_type)
        }
        None => draft::load(&name)
            .map(|form| form.fitted_to(&job_type))
            .unwrap_or_else(|| FormState::defaults(&job_type)),
    };
    Ok(Loaded { job_type, tags, tags_problem, initial })
}

#[component]
pub fn SubmitTypePage() -> impl IntoView {
    if crate::read_only::use_read_only() {
        return view! { <crate::read_only::ReadOnlyPage title="Submit a job" /> }.into_any();
    }
    let client = use_manager().client;
    let params = use_params_map();
    let query = use_query_map();
    let name = Memo::new(move |_| params.with(|params| params.get("job_type").unwrap_or_default()));
    let copy_of = Memo::new(move |_| query.with(|query| query.get("copy")));
    let loaded = LocalResource::new(move || load(client.clone(), name.get(), copy_of.get()));
    let content = move || {
        loaded.get().map(|result| match result {
            Ok(loaded) => view! { <SubmitForm loaded /> }.into_any(),
            Err(message) => view! { <p class="field-error" role="alert">{message}</p> }.into_any(),
        })
    };
    view! {
        <section class="page submit-page">
            <A href="/submit">"← Other job types"</A>
            <Transition fallback=|| view! { <p class="muted">"Loading the job type…"</p> }>{content}</Transition>
        </section>
    }
    .into_any()
}
