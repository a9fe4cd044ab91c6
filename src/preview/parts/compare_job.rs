//! The "Job" row of the Compare section, on a job's preview: which of the Manager's other
//! single-image jobs of this size is B, and where its tiles are.

use leptos::prelude::*;

use crate::preview::controller::{CompareSource, JobsState, Preview};

/// The job chosen as B and the state of its tiles; nothing on the file preview.
#[component]
pub fn JobFields(preview: Preview) -> impl IntoView {
    let compare = preview.compare;
    let on_job = move || compare.page_job.with(Option::is_some);
    let chosen = move || compare.source.get() == CompareSource::OtherJob;
    let jobs = move || match compare.jobs.get() {
        JobsState::Ready(jobs) => jobs,
        _ => Vec::new(),
    };
    view! {
        <Show when=on_job>
            <div class="field-row">
                <label for="compare-job">"Job"</label>
                <select
                    id="compare-job"
                    disabled=move || !chosen()
                    prop:value=move || compare.other_job.get().unwrap_or_default()
                    on:change:target=move |ev| preview.choose_job(ev.target().value())
                >
                    <option value="" disabled=true>"Choose a job"</option>
                    <For each=jobs key=|j| j.id.clone() let(job)>
                        <option value=job.id.clone()>{job.label()}</option>
                    </For>
                </select>
            </div>
            <Show when=chosen>
                <JobStatus preview />
            </Show>
        </Show>
    }
}

/// The job list's and the chosen job's state, and each tile that failed, as text.
#[component]
fn JobStatus(preview: Preview) -> impl IntoView {
    let compare = preview.compare;
    let listing = move || match compare.jobs.get() {
        JobsState::Idle => None,
        JobsState::Loading => Some(view! { <p class="muted">"Listing the Manager's jobs…"</p> }.into_any()),
        JobsState::Failed(reason) => {
            Some(view! { <p role="alert" class="field-error">{reason}</p> }.into_any())
        }
        JobsState::Ready(jobs) if jobs.is_empty() => Some(
            view! { <p class="muted">"The Manager has no other single-image job of this image size."</p> }
                .into_any(),
        ),
        JobsState::Ready(_) => None,
    };
    let load = move || {
        compare.load.with(|l| {
            (!l.job.is_empty()).then(|| {
                let (status, refused, failures) = (l.status(), l.refused.is_some(), l.failures.clone());
                view! {
                    <p class={if refused { "field-error" } else { "muted" }} role=refused.then_some("alert")>
                        {status}
                    </p>
                    {failures
                        .into_iter()
                        .map(|f| view! { <p role="alert" class="field-error">"Not in B: " {f}</p> })
                        .collect_view()}
                }
            })
        })
    };
    view! { <div class="compare-job-status" aria-live="polite">{listing} {load}</div> }
}
