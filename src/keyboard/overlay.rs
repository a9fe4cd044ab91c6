//! What the shortcuts open, in the lazily loaded `keyboard` chunk: the shortcuts dialog, the command
//! palette and the confirmation of a job action asked for by key. Each is a native modal `<dialog>`:
//! the focus goes into it, stays in it, and comes back to where it was when it closes.

use flamenco_api::{Job, JobAction};
use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::keys::HELP;
use super::palette::{action_entries, page_entries, rank, Entry, Kind, Target};
use super::{current_job, use_keyboard, Overlay};
use crate::jobs::bulk::ActionPlan;
use crate::jobs::{execute, use_jobs};
use crate::manager::use_manager;
use crate::preview::keys::VIEW_KEYS_HELP;
use crate::read_only::use_read_only;

/// How many matches the palette lists.
const PALETTE_ROWS: usize = 12;

/// Whichever overlay is open.
#[component]
pub fn KeyboardOverlay() -> impl IntoView {
    let keyboard = use_keyboard();
    move || {
        keyboard.open.get().map(|overlay| match overlay {
            Overlay::Help => view! { <HelpDialog /> }.into_any(),
            Overlay::Palette => view! { <Palette /> }.into_any(),
            Overlay::Confirm { action, job_id } => view! { <ConfirmJobAction action job_id /> }.into_any(),
        })
    }
}

/// A modal dialog titled by its heading; Escape closes it.
#[component]
fn ModalDialog(title: String, class: &'static str, children: Children) -> impl IntoView {
    let keyboard = use_keyboard();
    let node = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        if let Some(dialog) = node.get() {
            let _ = dialog.show_modal();
        }
    });
    let on_cancel = move |event: ev::Event| {
        event.prevent_default();
        keyboard.close();
    };
    view! {
        <dialog node_ref=node class=format!("keys-dialog {class}") aria-labelledby="keys-dialog-title" on:cancel=on_cancel>
            <h2 id="keys-dialog-title">{title}</h2>
            {children()}
        </dialog>
    }
}

/// The shortcuts, as a table.
#[component]
fn HelpDialog() -> impl IntoView {
    let keyboard = use_keyboard();
    let read_only = use_read_only();
    let rows = HELP
        .iter()
        .filter(|(keys, _)| !(read_only && ["p", "r", "c"].contains(keys)))
        .map(|(keys, what)| view! { <tr><th scope="row"><kbd>{*keys}</kbd></th><td>{*what}</td></tr> })
        .collect_view();
    let image_rows = VIEW_KEYS_HELP
        .iter()
        .map(|(keys, what)| view! { <tr><th scope="row"><kbd>{*keys}</kbd></th><td>{*what}</td></tr> })
        .collect_view();
    view! {
        <ModalDialog title="Keyboard shortcuts".to_owned() class="keys-help">
            <table class="keys-table"><tbody>{rows}</tbody></table>
            <p class="muted">"Shortcuts wait while you type in a field."</p>
            <h3>"In the merge preview, with the image focused"</h3>
            <table class="keys-table"><tbody>{image_rows}</tbody></table>
            <div class="dialog-buttons">
                <button type="button" on:click=move |_| keyboard.close()>"Close"</button>
            </div>
        </ModalDialog>
    }
}

/// What a job action does, as the confirmation says it.
fn consequence(action: JobAction) -> &'static str {
    match action {
        JobAction::Pause => "Running tasks finish; no new task starts until the job is resumed.",
        JobAction::Resume => "Its tasks are queued again and workers pick them up.",
        JobAction::Cancel => "Running tasks are stopped; nothing runs again until the job is requeued.",
        JobAction::Requeue | JobAction::Delete => "",
    }
}

/// Asks before pausing, resuming or cancelling the job; says why not when the rules refuse it.
#[component]
fn ConfirmJobAction(action: JobAction, job_id: String) -> impl IntoView {
    let keyboard = use_keyboard();
    let client = use_manager().client;
    let job: Option<Job> = use_jobs().table.with_untracked(|table| table.get(&job_id).cloned());
    let name = job.as_ref().map(|job| job.name.clone()).unwrap_or_else(|| "this job".to_owned());
    let plan = ActionPlan::new(action, job.as_ref());
    let refusal = match (&job, plan.skipped.first()) {
        (None, _) => Some("It is not in the job list (yet).".to_owned()),
        (_, Some(skipped)) => Some(skipped.reason.clone()),
        _ => None,
    };
    let send = Action::new_local(move |plan: &ActionPlan| execute(client.clone(), plan.clone()));
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| match send.value().get() {
        Some(report) if report.has_problems() => problem.set(Some(report.summary())),
        Some(_) => keyboard.close(),
        None => {}
    });
    let verb = action.label();
    let title = format!("{verb} job “{name}”?");
    let body = match refusal {
        Some(why) => view! {
            <p role="alert">{format!("“{name}” cannot be {}d now: {why}", verb.to_lowercase())}</p>
            <div class="dialog-buttons"><button type="button" on:click=move |_| keyboard.close()>"Close"</button></div>
        }
        .into_any(),
        None => {
            let cancel = action == JobAction::Cancel;
            view! {
                <p>{consequence(action)}</p>
                {move || problem.get().map(|text| view! { <p class="field-error" role="alert">{text}</p> })}
                <div class="dialog-buttons">
                    <button type="button" autofocus=cancel on:click=move |_| keyboard.close()>"Keep it as it is"</button>
                    <button type="button" class:danger=cancel autofocus=!cancel disabled=move || send.pending().get()
                        on:click=move |_| { send.dispatch(plan.clone()); }>{format!("{verb} job")}</button>
                </div>
            }
            .into_any()
        }
    };
    view! { <ModalDialog title class="keys-confirm">{body}</ModalDialog> }
}

/// Finds a page, job, worker or action by typing; arrows choose, Enter goes.
#[component]
fn Palette() -> impl IntoView {
    let keyboard = use_keyboard();
    let store = use_jobs();
    let client = use_manager().client;
    let read_only = use_read_only();
    let navigate = use_navigate();
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let workers = LocalResource::new(move || {
        let client = client.clone();
        async move { client.fetch_workers().await }
    });
    let current = current_job();
    let entries = Memo::new(move |_| {
        let job = current.as_deref().and_then(|id| store.table.with(|table| table.get(id).cloned()));
        let mut all = action_entries(
            job.as_ref().map(|job| (job.id.as_str(), job.name.as_str(), &job.status)),
            read_only,
        );
        all.extend(page_entries(read_only));
        store.table.with(|table| all.extend(table.iter().map(job_entry)));
        if let Some(Ok(workers)) = workers.get() {
            all.extend(workers.iter().map(|worker| Entry {
                kind: Kind::Worker,
                label: worker.name.clone(),
                detail: worker.status.as_str().to_owned(),
                target: Target::Go(format!("/workers/{}", worker.id)),
            }));
        }
        all
    });
    let shown =
        Memo::new(move |_| query.with(|query| entries.with(|entries| rank(query, entries, PALETTE_ROWS))));
    let run = move |entry: Entry| match entry.target {
        Target::Go(path) => {
            keyboard.close();
            navigate(&path, NavigateOptions::default());
        }
        Target::ShowShortcuts => keyboard.show(Overlay::Help),
        Target::Job(action, job_id) => keyboard.show(Overlay::Confirm { action, job_id }),
    };
    let run_active = {
        let run = run.clone();
        move || {
            if let Some(entry) = shown.with_untracked(|shown| shown.get(active.get_untracked()).cloned()) {
                run(entry);
            }
        }
    };
    let on_keydown = move |event: ev::KeyboardEvent| {
        let last = shown.with_untracked(Vec::len).saturating_sub(1);
        match event.key().as_str() {
            "ArrowDown" => active.update(|index| *index = (*index + 1).min(last)),
            "ArrowUp" => active.update(|index| *index = index.saturating_sub(1)),
            "Enter" => run_active(),
            _ => return,
        }
        event.prevent_default();
    };
    let options = move || {
        let run = run.clone();
        shown
            .get()
            .into_iter()
            .enumerate()
            .map(move |(index, entry)| view! { <PaletteOption index entry active run=run.clone() /> })
            .collect_view()
    };
    view! {
        <ModalDialog title="Go to or do".to_owned() class="keys-palette">
            <label for="keys-palette-input">"Find a page, job, worker or action"</label>
            <input id="keys-palette-input" type="text" role="combobox" autocomplete="off" aria-expanded="true"
                aria-controls="keys-palette-list" aria-autocomplete="list"
                aria-activedescendant=move || format!("keys-palette-{}", active.get())
                prop:value=move || query.get()
                on:input:target=move |event| { query.set(event.target().value()); active.set(0); }
                on:keydown=on_keydown />
            <ul id="keys-palette-list" role="listbox" aria-label="Matches">{options}</ul>
            {move || shown.with(Vec::is_empty).then(|| view! { <p class="muted">"Nothing matches."</p> })}
        </ModalDialog>
    }
}

fn job_entry(job: &Job) -> Entry {
    Entry {
        kind: Kind::Job,
        label: job.name.clone(),
        detail: job.status.as_str().to_owned(),
        target: Target::Go(format!("/jobs/{}", job.id)),
    }
}

/// One match: its kind, name and detail; the active one is marked for assistive technology too.
#[component]
fn PaletteOption(
    index: usize,
    entry: Entry,
    active: RwSignal<usize>,
    run: impl Fn(Entry) + Clone + 'static,
) -> impl IntoView {
    let (kind, label, detail) = (entry.kind.label(), entry.label.clone(), entry.detail.clone());
    view! {
        <li id=format!("keys-palette-{index}") role="option" class:active=move || active.get() == index
            aria-selected=move || (active.get() == index).to_string() on:click=move |_| run(entry.clone())>
            <span class="keys-kind">{kind}</span>
            <span class="keys-label">{label}</span>
            <span class="keys-detail muted">{detail}</span>
        </li>
    }
}
