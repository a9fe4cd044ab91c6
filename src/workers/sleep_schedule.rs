//! The worker's sleep schedule, edited in its pane and checked before it is sent. The edit is a draft
//! kept apart from the Manager's schedule, so the worker's live updates never undo what is typed.

use flamenco_api::WorkerSleepSchedule;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::sleep_rules::{describe, ScheduleDraft, ScheduleField, ScheduleForm, ScheduleProblem};
use crate::manager::use_manager;

/// The Manager's schedule for the worker, as last fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Saved {
    Loading,
    Loaded(Option<WorkerSleepSchedule>),
    Failed(String),
}

#[component]
pub fn SleepScheduleEditor(worker_id: String) -> impl IntoView {
    let client = use_manager().client;
    let saved = RwSignal::new(Saved::Loading);
    let draft = RwSignal::new(ScheduleDraft::default());
    let problems = RwSignal::new(Vec::<ScheduleProblem>::new());
    let report = RwSignal::new(None::<(bool, String)>);
    {
        let client = client.clone();
        let worker_id = worker_id.clone();
        leptos::task::spawn_local(async move {
            saved.set(match client.fetch_worker_sleep_schedule(&worker_id).await {
                Ok(schedule) => Saved::Loaded(schedule),
                Err(failure) => Saved::Failed(format!("Sleep schedule unavailable: {failure}")),
            });
        });
    }
    let save = Action::new_local(move |schedule: &WorkerSleepSchedule| {
        let client = client.clone();
        let worker_id = worker_id.clone();
        let schedule = schedule.clone();
        async move { client.set_worker_sleep_schedule(&worker_id, &schedule).await.map(|()| schedule) }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(schedule)) => {
            saved.set(Saved::Loaded(Some(schedule)));
            draft.update(ScheduleDraft::discard);
            report.set(Some((true, "Sleep schedule saved.".to_owned())));
        }
        Some(Err(failure)) => report.set(Some((false, format!("Sleep schedule not saved: {failure}")))),
        None => {}
    });
    let saved_schedule = move || match saved.get() {
        Saved::Loaded(schedule) => schedule,
        _ => None,
    };
    let shown = Memo::new(move |_| draft.with(|draft| draft.shown(saved_schedule().as_ref())));
    let edit = move |change: Box<dyn FnOnce(&mut ScheduleForm)>| {
        let saved = saved_schedule();
        draft.update(|draft| draft.edit(saved.as_ref(), change));
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        report.set(None);
        match shown.get_untracked().validate() {
            Ok(schedule) => {
                problems.set(Vec::new());
                save.dispatch(schedule);
            }
            Err(found) => problems.set(found),
        }
    };
    let unsaved = move || draft.with(|draft| draft.is_unsaved(saved_schedule().as_ref()));
    let status = move || match saved.get() {
        Saved::Loading => Some(("muted", "Loading the sleep schedule…".to_owned())),
        Saved::Failed(text) => Some(("field-error", text)),
        Saved::Loaded(schedule) => Some(("muted", format!("Saved: {}", describe(schedule.as_ref())))),
    };
    view! {
        <form class="sleep-schedule" on:submit=on_submit>
            <fieldset>
                <legend>"Sleep schedule"</legend>
                {move || status().map(|(class, text)| view! { <p class=class>{text}</p> })}
                <label class="check"><input type="checkbox" prop:checked=move || shown.with(|form| form.is_active)
                    on:change:target=move |event| { let on = event.target().checked(); edit(Box::new(move |form| form.is_active = on)); } />"Schedule active"</label>
                <ScheduleInput field=ScheduleField::Days placeholder="mo tu we th fr (empty: every day)" shown problems
                    read=|form| form.days.clone() write=move |value| edit(Box::new(move |form| form.days = value)) />
                <ScheduleInput field=ScheduleField::Start placeholder="HH:MM (empty: 00:00)" shown problems
                    read=|form| form.start.clone() write=move |value| edit(Box::new(move |form| form.start = value)) />
                <ScheduleInput field=ScheduleField::End placeholder="HH:MM (empty: 24:00)" shown problems
                    read=|form| form.end.clone() write=move |value| edit(Box::new(move |form| form.end = value)) />
                <p class="muted">"The worker sleeps from the start until the end time on the chosen days, in the Manager's local time."</p>
                <div class="tag-actions">
                    <button type="submit" disabled=move || save.pending().get()>"Save schedule"</button>
                    <button type="button" disabled=move || !unsaved() on:click=move |_| { draft.update(ScheduleDraft::discard); problems.set(Vec::new()); }>"Discard changes"</button>
                    {move || unsaved().then(|| view! { <span class="muted">" Unsaved changes"</span> })}
                </div>
                <p class="action-report" role="status" class:problem=move || report.get().is_some_and(|(ok, _)| !ok)>{move || report.get().map(|(_, text)| text)}</p>
            </fieldset>
        </form>
    }
}

/// One text field of the schedule, with its problem shown at it.
#[component]
fn ScheduleInput(
    field: ScheduleField,
    placeholder: &'static str,
    shown: Memo<ScheduleForm>,
    problems: RwSignal<Vec<ScheduleProblem>>,
    read: fn(&ScheduleForm) -> String,
    write: impl Fn(String) + 'static,
) -> impl IntoView {
    let problem = Memo::new(move |_| {
        problems.with(|problems| {
            problems.iter().find(|problem| problem.field == field).map(|problem| problem.message.clone())
        })
    });
    let error_id = format!("sleep-{}-error", field.label().to_lowercase().replace(' ', "-"));
    view! {
        <label>{field.label()}
            <input type="text" placeholder=placeholder prop:value=move || shown.with(read)
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=error_id.clone()
                on:input:target=move |event| write(event.target().value()) />
        </label>
        <p id=error_id class="field-error" role="alert">{problem}</p>
    }
}
