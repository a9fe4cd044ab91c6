//! The bell on a job: a toggle button and, while it rings, which of the job's events notify. Only
//! the job pane shows it, so it lives in the pane's lazily loaded code.

use leptos::prelude::*;
use leptos_router::components::A;

use super::desktop::{use_notifier, Permission};
use super::rules::JobEvent;

/// "Notify me about this job" for the job `job_id`.
#[component]
pub fn JobBellToggle(job_id: String) -> impl IntoView {
    let notifier = use_notifier();
    let id = StoredValue::new(job_id);
    let bell = Memo::new(move |_| notifier.choices.with(|choices| id.with_value(|id| choices.bell(id))));
    let ringing = move || bell.with(Option::is_some);
    let toggle = move |_| id.with_value(|id| notifier.change(|choices| choices.toggle_bell(id)));
    view! {
        <div class="job-bell">
            <button
                type="button"
                class=move || if ringing() { "bell-toggle ringing" } else { "bell-toggle" }
                aria-pressed=move || ringing().to_string()
                on:click=toggle
            >
                "Notify me about this job"
            </button>
            <Show when=ringing>
                <fieldset class="bell-events">
                    <legend>"Notify me when"</legend>
                    {JobEvent::ALL.into_iter().map(|event| view! { <BellEvent id event /> }).collect_view()}
                    <DesktopHint />
                </fieldset>
            </Show>
        </div>
    }
}

/// One checkbox of the bell.
#[component]
fn BellEvent(id: StoredValue<String>, event: JobEvent) -> impl IntoView {
    let notifier = use_notifier();
    let checked = move || {
        notifier
            .choices
            .with(|choices| id.with_value(|id| choices.bell(id).is_some_and(|bell| bell.wants(event))))
    };
    let set =
        move |on: bool| id.with_value(|id| notifier.change(|choices| choices.set_job_event(id, event, on)));
    view! {
        <label>
            <input type="checkbox" prop:checked=checked on:change:target=move |ev| set(ev.target().checked()) />
            {event.label()}
        </label>
    }
}

/// The bell notifies on the desktop: says so when that is not on yet.
#[component]
fn DesktopHint() -> impl IntoView {
    let notifier = use_notifier();
    let off = move || {
        !notifier.choices.with(|choices| choices.desktop) || notifier.permission.get() != Permission::Granted
    };
    view! {
        <Show when=off>
            <p class="muted bell-hint">
                "Desktop notifications are off in this browser: "
                <A href="/notifications">"turn them on"</A>
                "."
            </p>
        </Show>
    }
}
