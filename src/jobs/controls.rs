//! Job controls over the selection: Pause, Resume, Requeue, Cancel, Delete (confirmed, naming what goes)
//! and priority, each enabled only where Flamenco's rules allow it for at least one selected job.

use flamenco_api::{Job, JobAction, JobStatusChange};
use leptos::ev;
use leptos::prelude::*;

use super::bulk::{ActionPlan, ActionReport, Change, Refused};
use super::details::worker_tag::{set_tag_and_fetch, tag_option_views, TagChoice};
use super::mass_delete::MassDelete;
use super::store::use_jobs;
use crate::api::ManagerClient;
use crate::manager::use_manager;
use crate::read_only::Writable;

/// Why the Manager gets each status change (it shows in its logs).
const REASON: &str = "requested from Farmdeck";

/// Sends a planned action to the Manager, one request per job, all at once.
pub async fn execute(client: ManagerClient, plan: ActionPlan) -> ActionReport {
    let requests = plan.targets.iter().map(|(id, name)| {
        let client = client.clone();
        let action = plan.action;
        async move {
            let result = match action.requested_status() {
                Some(status) => {
                    client.set_job_status(id, &JobStatusChange { status, reason: REASON.into() }).await
                }
                None => client.delete_job(id).await,
            };
            result.map_err(|failure| Refused::new(name, &failure))
        }
    });
    let results = futures::future::join_all(requests).await;
    let applied_names: Vec<String> = plan
        .targets
        .iter()
        .zip(&results)
        .filter(|(_, result)| result.is_ok())
        .map(|((_, name), _)| name.clone())
        .collect();
    let refused: Vec<Refused> = results.into_iter().filter_map(Result::err).collect();
    ActionReport {
        change: Change::Action(plan.action),
        applied: applied_names.len(),
        applied_names,
        refused,
        skipped: plan.skipped,
    }
}

/// The list's toolbar: how many are selected, the actions over them, and priority.
#[component]
pub fn JobControls(
    /// The jobs as the list shows them (for how many are selected among them).
    ordered_ids: Memo<Vec<String>>,
) -> impl IntoView {
    let store = use_jobs();
    let selected_jobs: Memo<Vec<Job>> = Memo::new(move |_| {
        store.selection.with(|selection| {
            store.table.with(|table| selection.ids().filter_map(|id| table.get(id).cloned()).collect())
        })
    });
    let report = RwSignal::new(None::<ActionReport>);
    let count = move || {
        let selected = selected_jobs.with(Vec::len);
        let shown = ordered_ids.with(Vec::len);
        match selected {
            0 => format!("{shown} jobs"),
            _ => format!("{selected} of {shown} selected"),
        }
    };
    view! {
        <div class="job-controls" role="toolbar" aria-label="Job actions">
            <span class="selection-count">{count}</span>
            <Writable>
                <JobActionButtons jobs=selected_jobs.into() report />
                <PriorityEditor selected_jobs report />
                <BulkTagEditor selected_jobs report />
                <MassDelete />
            </Writable>
        </div>
        <ActionReportLine report />
    }
}

/// The report of the last action, as a status line.
#[component]
pub fn ActionReportLine(
    /// The last report, if any.
    report: RwSignal<Option<ActionReport>>,
) -> impl IntoView {
    view! {
        <p class="action-report" role="status" class:problem=move || report.get().is_some_and(|r| r.has_problems())>
            {move || report.get().map(|report| report.summary())}
        </p>
    }
}

/// Pause, Resume, Requeue, Cancel and Delete over `jobs`, each enabled where the rules allow it.
#[component]
pub fn JobActionButtons(
    /// The jobs the buttons act on.
    jobs: Signal<Vec<Job>>,
    /// Where the outcome is reported.
    report: RwSignal<Option<ActionReport>>,
) -> impl IntoView {
    let client = use_manager().client;
    let confirming = RwSignal::new(None::<ActionPlan>);
    let send = Action::new_local(move |plan: &ActionPlan| execute(client.clone(), plan.clone()));
    Effect::new(move |_| {
        if let Some(outcome) = send.value().get() {
            report.set(Some(outcome));
        }
    });
    let on_action = move |action: JobAction| {
        let plan = ActionPlan::new(action, &jobs.get_untracked());
        if action == JobAction::Delete {
            confirming.set(Some(plan));
        } else {
            send.dispatch(plan);
        }
    };
    let buttons = JobAction::ALL
        .into_iter()
        .map(|action| {
            let disabled = move || {
                send.pending().get() || !jobs.with(|jobs| ActionPlan::new(action, jobs).is_possible())
            };
            view! {
                <button
                    type="button"
                    class=format!("action action-{}", action.as_str())
                    disabled=disabled
                    on:click=move |_| on_action(action)
                >
                    {action.label()}
                </button>
            }
        })
        .collect_view();
    view! {
        {buttons}
        <DeleteConfirmation confirming send />
    }
}

/// Sets the priority of the selected jobs.
#[component]
fn PriorityEditor(selected_jobs: Memo<Vec<Job>>, report: RwSignal<Option<ActionReport>>) -> impl IntoView {
    let client = use_manager().client;
    let text = RwSignal::new(String::new());
    // Follow the selection: show its priority when all selected jobs share one.
    Effect::new(move |_| {
        let jobs = selected_jobs.get();
        let shared =
            jobs.first().map(|first| first.priority).filter(|p| jobs.iter().all(|job| job.priority == *p));
        text.set(shared.map(|p| p.to_string()).unwrap_or_default());
    });
    let parsed = move || text.with(|text| parse_priority(text));
    let error = move || parsed().err().flatten();
    let set_priority = Action::new_local(move |(ids, priority): &(Vec<(String, String)>, i32)| {
        let client = client.clone();
        let ids = ids.clone();
        let priority = *priority;
        async move {
            let requests = ids.iter().map(|(id, name)| {
                let client = client.clone();
                async move {
                    client
                        .set_job_priority(id, priority)
                        .await
                        .map_err(|failure| Refused::new(name, &failure))
                }
            });
            let refused: Vec<Refused> =
                futures::future::join_all(requests).await.into_iter().filter_map(Result::err).collect();
            ActionReport {
                change: Change::Priority(priority),
                applied: ids.len() - refused.len(),
                applied_names: vec![],
                refused,
                skipped: vec![],
            }
        }
    });
    Effect::new(move |_| {
        if let Some(outcome) = set_priority.value().get() {
            report.set(Some(outcome));
        }
    });
    let on_submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if let Ok(priority) = parsed() {
            let ids = selected_jobs.get_untracked().into_iter().map(|job| (job.id, job.name)).collect();
            set_priority.dispatch((ids, priority));
        }
    };
    let disabled =
        move || selected_jobs.with(Vec::is_empty) || parsed().is_err() || set_priority.pending().get();
    view! {
        <form class="priority-editor" on:submit=on_submit>
            <label>
                "Priority"
                <input
                    type="number"
                    min="0"
                    max="100"
                    step="1"
                    prop:value=move || text.get()
                    on:input=move |event| text.set(event_target_value(&event))
                    aria-invalid=move || error().is_some().to_string()
                />
            </label>
            <button type="submit" disabled=disabled>"Set priority"</button>
            {move || error().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
        </form>
    }
}

/// Sets the worker tag of every selected job, one request each, reporting the ones refused. The
/// choice is the person's until they change it: a live update never resets it.
#[component]
fn BulkTagEditor(selected_jobs: Memo<Vec<Job>>, report: RwSignal<Option<ActionReport>>) -> impl IntoView {
    let client = use_manager().client;
    let store = use_jobs();
    let tags = crate::tags::use_worker_tags();
    let choice = RwSignal::new(TagChoice::AnyWorker);
    let set_tag =
        Action::new_local(move |(ids, choice, label): &(Vec<(String, String)>, TagChoice, String)| {
            let (client, ids, choice, label) = (client.clone(), ids.clone(), choice.clone(), label.clone());
            async move {
                let requests = ids.iter().map(|(id, name)| {
                    let (client, choice) = (client.clone(), choice.clone());
                    async move {
                        set_tag_and_fetch(client, id.clone(), choice)
                            .await
                            .map_err(|message| Refused::because(name, message))
                    }
                });
                let results = futures::future::join_all(requests).await;
                let mut updated = Vec::new();
                let mut refused = Vec::new();
                for result in results {
                    match result {
                        Ok(job) => updated.push(job),
                        Err(refusal) => refused.push(refusal),
                    }
                }
                (
                    updated,
                    ActionReport {
                        change: Change::WorkerTag(label),
                        applied: ids.len() - refused.len(),
                        applied_names: vec![],
                        refused,
                        skipped: vec![],
                    },
                )
            }
        });
    Effect::new(move |_| {
        if let Some((updated, outcome)) = set_tag.value().get() {
            for job in updated {
                store.upsert(job);
            }
            report.set(Some(outcome));
        }
    });
    let on_submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        let choice = choice.get_untracked();
        let label = tags.tags.with_untracked(|tags| choice.label(tags));
        let ids = selected_jobs.get_untracked().into_iter().map(|job| (job.id, job.name)).collect();
        set_tag.dispatch((ids, choice, label));
    };
    let options = move || tag_option_views(choice.get());
    view! {
        <form class="bulk-tag-editor" on:submit=on_submit>
            <label for="bulk-tag-select">"Worker tag"</label>
            <select id="bulk-tag-select" prop:value=move || choice.get().value() on:change:target=move |event| choice.set(TagChoice::from_value(&event.target().value()))>
                    {options}
            </select>
            <button type="submit" disabled=move || selected_jobs.with(Vec::is_empty) || set_tag.pending().get()>"Set worker tag"</button>
        </form>
    }
}

/// Reads a priority as Flamenco takes it: a whole number from 0 to 100. Empty is "not set yet".
pub fn parse_priority(text: &str) -> Result<i32, Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Err(None);
    }
    match text.parse::<i32>() {
        Ok(priority) if (0..=100).contains(&priority) => Ok(priority),
        Ok(_) => Err(Some("Priority goes from 0 to 100".into())),
        Err(_) => Err(Some("Priority is a whole number".into())),
    }
}

/// Asks before deleting, naming the jobs and what else goes with them.
#[component]
fn DeleteConfirmation(
    confirming: RwSignal<Option<ActionPlan>>,
    send: Action<ActionPlan, ActionReport>,
) -> impl IntoView {
    let client = use_manager().client;
    let checkouts = LocalResource::new(move || {
        let client = client.clone();
        let targets =
            confirming.with(|plan| plan.as_ref().map(|plan| plan.targets.clone()).unwrap_or_default());
        async move {
            let mut with_checkout = Vec::new();
            for (id, name) in targets {
                match client.what_would_delete_do(&id).await {
                    Ok(info) if info.shaman_checkout => with_checkout.push(name),
                    Ok(_) => {}
                    Err(failure) => return Err(failure.to_string()),
                }
            }
            Ok(with_checkout)
        }
    });
    let keep = move || confirming.set(None);
    let confirm = move || {
        if let Some(plan) = confirming.get_untracked() {
            send.dispatch(plan);
        }
        confirming.set(None);
    };
    let on_keydown = move |event: ev::KeyboardEvent| {
        if event.key() == "Escape" {
            keep();
        }
    };
    move || {
        confirming.get().map(|plan| {
            let count = plan.targets.len();
            let noun = if count == 1 { "job" } else { "jobs" };
            let names: Vec<String> = plan.targets.iter().take(12).map(|(_, name)| name.clone()).collect();
            let more = count.saturating_sub(names.len());
            let extra = move || match checkouts.get() {
                None => "Checking what else would be deleted…".to_owned(),
                Some(Ok(list)) if list.is_empty() => "Their logs and last-rendered images go too; no job files are removed.".to_owned(),
                Some(Ok(list)) => format!("Their logs and last-rendered images go too, and the Shaman checkout files of: {}.", list.join(", ")),
                Some(Err(message)) => format!("Could not ask the Manager what else would be deleted: {message}"),
            };
            view! {
                <div class="dialog-backdrop">
                    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="delete-title" on:keydown=on_keydown>
                        <h2 id="delete-title">{format!("Delete {count} {noun}?")}</h2>
                        <ul class="names">{names.into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}</ul>
                        {(more > 0).then(|| view! { <p>{format!("and {more} more")}</p> })}
                        <p class="muted">{extra}</p>
                        {(!plan.skipped.is_empty()).then(|| view! { <p class="muted">{format!("{} selected jobs cannot be deleted now and are left alone.", plan.skipped.len())}</p> })}
                        <div class="dialog-buttons">
                            <button type="button" autofocus on:click=move |_| keep()>"Keep them"</button>
                            <button type="button" class="danger" on:click=move |_| confirm()>{format!("Delete {count} {noun}")}</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_priority;

    #[test]
    fn priorities_are_whole_numbers_from_0_to_100() {
        assert_eq!(parse_priority("70"), Ok(70));
        assert_eq!(parse_priority(" 0 "), Ok(0));
        assert_eq!(parse_priority(""), Err(None));
        assert!(parse_priority("101").is_err());
        assert!(parse_priority("-1").is_err());
        assert!(parse_priority("5.5").is_err());
    }
}
