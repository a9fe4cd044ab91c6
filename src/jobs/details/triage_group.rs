//! One cause of failure in the Failures section: its masked text, count, workers, an example
//! excerpt, links to its tasks, and "Requeue these N tasks" with a confirmation.

use flamenco_api::{TaskStatus, TaskStatusChange};
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::ManagerClient;
use crate::manager::use_manager;
use crate::triage::groups::{FailureGroup, GroupTask, Triage};
use crate::triage::requeue::RequeueReport;

/// Task links shown per group before "and N more".
const LINKS_SHOWN: usize = 12;
/// Why the Manager gets each status change (it shows in the task's log).
const REASON: &str = "requeued from Farmdeck's failure triage";

/// Requeues each task (`setTaskStatus` queued), all at once, and reports per task.
async fn requeue(client: ManagerClient, cause: String, tasks: Vec<GroupTask>) -> RequeueReport {
    let requests = tasks.into_iter().map(|task| {
        let client = client.clone();
        async move {
            let change = TaskStatusChange { status: TaskStatus::Queued, reason: REASON.into() };
            let result =
                client.set_task_status(&task.id, &change).await.map_err(|failure| failure.to_string());
            (task, result)
        }
    });
    RequeueReport::new(cause, futures::future::join_all(requests).await)
}

fn tasks_word(count: usize) -> &'static str {
    if count == 1 {
        "task"
    } else {
        "tasks"
    }
}

/// One group, following the triage in place by its cause.
#[component]
pub fn FailureGroupRow(
    job_id: String,
    cause: String,
    triage: Memo<Triage>,
    report: RwSignal<Option<RequeueReport>>,
) -> impl IntoView {
    let key = StoredValue::new(cause.clone());
    let group = Memo::new(move |_| triage.with(|triage| key.with_value(|key| triage.group(key).cloned())));
    let number = Memo::new(move |_| {
        triage.with(|triage| key.with_value(|key| triage.groups.iter().position(|g| &g.key == key)))
    });
    let read = move |part: fn(&FailureGroup) -> String| {
        move || group.with(|g| g.as_ref().map(part).unwrap_or_default())
    };
    let count = Memo::new(move |_| group.with(|g| g.as_ref().map(|g| g.tasks.len()).unwrap_or_default()));
    let heading_id = move || format!("failure-cause-{}", number.get().unwrap_or_default() + 1);
    let meta = read(|g| {
        let workers = if g.workers.is_empty() { "no worker named".to_owned() } else { g.workers.join(", ") };
        format!("{} {} · failed on {workers}", g.tasks.len(), tasks_word(g.tasks.len()))
    });
    let excerpt = read(|g| g.excerpt.join("\n"));
    let example_name = read(|g| g.example.name.clone());
    let example_href = {
        let job_id = job_id.clone();
        move || {
            group.with(|g| {
                g.as_ref().map(|g| format!("/jobs/{job_id}/tasks/{}", g.example.id)).unwrap_or_default()
            })
        }
    };
    view! {
        <li class="failure-group" aria-labelledby=heading_id>
            <h4 id=heading_id class="failure-cause">
                <span class="cause-number">{move || format!("Cause {}", number.get().unwrap_or_default() + 1)}</span>
                " "
                <span class="mono">{cause}</span>
            </h4>
            <p class="failure-meta">{meta}</p>
            <GroupTaskLinks job_id=job_id.clone() group />
            <figure class="failure-example">
                <figcaption>{move || format!("Example, from task {}:", example_name())}</figcaption>
                <pre class="failure-excerpt">{excerpt}</pre>
            </figure>
            <div class="failure-actions">
                <A href=example_href>{move || format!("Open task {}", example_name())}</A>
                <RequeueGroup group count report />
            </div>
        </li>
    }
}

/// Links to the group's tasks, the first few of them.
#[component]
fn GroupTaskLinks(job_id: String, group: Memo<Option<FailureGroup>>) -> impl IntoView {
    let shown = move || {
        group
            .with(|g| g.as_ref().map(|g| g.tasks.iter().take(LINKS_SHOWN).cloned().collect::<Vec<_>>()))
            .unwrap_or_default()
    };
    let more = move || {
        let total = group.with(|g| g.as_ref().map(|g| g.tasks.len()).unwrap_or_default());
        (total > LINKS_SHOWN).then(|| format!("and {} more", total - LINKS_SHOWN))
    };
    let job_id = StoredValue::new(job_id);
    view! {
        <ul class="failure-tasks" aria-label="Tasks">
            <For each=shown key=|task| task.id.clone() let:task>
                <li><A href=format!("/jobs/{}/tasks/{}", job_id.get_value(), task.id)>{task.name}</A></li>
            </For>
            {move || more().map(|text| view! { <li class="muted">{text}</li> })}
        </ul>
    }
}

/// "Requeue these N tasks", its confirmation naming exactly what goes, and the requests.
#[component]
fn RequeueGroup(
    group: Memo<Option<FailureGroup>>,
    count: Memo<usize>,
    report: RwSignal<Option<RequeueReport>>,
) -> impl IntoView {
    let client = StoredValue::new(use_manager().client);
    // The tasks as they were when asked: the confirmation says how many, and exactly those go.
    let confirming = RwSignal::new(None::<(String, Vec<GroupTask>)>);
    let busy = RwSignal::new(false);
    let confirm_button = NodeRef::<html::Button>::new();
    let ask = move |_| {
        let chosen = group.with_untracked(|g| g.as_ref().map(|g| (g.key.clone(), g.tasks.clone())));
        confirming.set(chosen);
        // Keyboard users land on the question's answer.
        request_animation_frame(move || {
            if let Some(button) = confirm_button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let send = move |_| {
        let Some((cause, tasks)) = confirming.get_untracked() else { return };
        confirming.set(None);
        busy.set(true);
        let client = client.get_value();
        // Spawned, not an Action: the group may be gone (its tasks no longer failed) before the
        // last answer, and the report belongs to the section.
        leptos::task::spawn_local(async move {
            let outcome = requeue(client, cause, tasks).await;
            busy.try_set(false);
            report.try_set(Some(outcome));
        });
    };
    let question = move || {
        confirming.with(|asked| asked.as_ref().map(|(_, tasks)| tasks.len())).map(|n| {
            view! {
                <div class="confirm requeue-confirm" role="group" aria-label="Confirm requeue">
                    <p>{format!("Requeue {n} {} that failed with this cause? Each goes back in the queue; the job's other tasks stay as they are.", tasks_word(n))}</p>
                    <button type="button" class="primary" node_ref=confirm_button on:click=send>{format!("Yes, requeue {n} {}", tasks_word(n))}</button>
                    <button type="button" on:click=move |_| confirming.set(None)>"Keep them"</button>
                </div>
            }
        })
    };
    view! {
        <button type="button" disabled=move || busy.get() || count.get() == 0 on:click=ask>
            {move || format!("Requeue these {} {}", count.get(), tasks_word(count.get()))}
        </button>
        {question}
    }
}
