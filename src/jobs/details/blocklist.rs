//! A job's blocklist: the workers the Manager no longer gives tasks of a type on this job, with
//! removal of one or several entries. Fetched when the pane opens and again (debounced) when the
//! job's status changes; what the person ticked is kept apart from the list, so a refetch never
//! unticks it.

use std::collections::BTreeSet;
use std::time::Duration;

use flamenco_api::{Job, JobBlocklist, JobBlocklistEntry, JobStatus};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::live::{use_live, use_live_event, LiveEvent};
use crate::manager::use_manager;

/// How long job changes are gathered before the blocklist is fetched again.
const REFETCH_DEBOUNCE: Duration = Duration::from_millis(400);

/// What identifies an entry: (worker id, task type).
pub type EntryKey = (String, String);

pub fn key_of(entry: &JobBlocklistEntry) -> EntryKey {
    (entry.worker_id.clone(), entry.task_type.clone())
}

/// The entries a person ticked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlocklistChecks {
    checked: BTreeSet<EntryKey>,
}

impl BlocklistChecks {
    pub fn set(&mut self, key: EntryKey, checked: bool) {
        if checked {
            self.checked.insert(key);
        } else {
            self.checked.remove(&key);
        }
    }

    pub fn contains(&self, key: &EntryKey) -> bool {
        self.checked.contains(key)
    }

    pub fn is_empty(&self) -> bool {
        self.checked.is_empty()
    }

    /// After a refetch: ticks of entries still listed stay, ticks of entries gone go.
    pub fn retain_listed(&mut self, entries: &[JobBlocklistEntry]) {
        self.checked.retain(|key| entries.iter().any(|entry| &key_of(entry) == key));
    }

    /// The ticked entries, as the removal request sends them (in the list's order).
    pub fn selected(&self, entries: &[JobBlocklistEntry]) -> JobBlocklist {
        entries.iter().filter(|entry| self.contains(&key_of(entry))).map(request_entry).collect()
    }
}

/// An entry as a removal request carries it: the Manager identifies it by worker and task type.
pub fn request_entry(entry: &JobBlocklistEntry) -> JobBlocklistEntry {
    JobBlocklistEntry {
        worker_id: entry.worker_id.clone(),
        task_type: entry.task_type.clone(),
        worker_name: None,
    }
}

/// The name to show for an entry's worker: its id when the Manager sent no name.
pub fn worker_label(entry: &JobBlocklistEntry) -> String {
    entry.worker_name.clone().filter(|name| !name.is_empty()).unwrap_or_else(|| entry.worker_id.clone())
}

/// The task type a failed job ran out of workers for, from the Manager's reason in its activity.
pub fn no_workers_left_for(job: &Job) -> Option<String> {
    const MARK: &str = "no more workers left to run tasks of type \"";
    if job.status != JobStatus::Failed {
        return None;
    }
    let start = job.activity.find(MARK)? + MARK.len();
    let rest = &job.activity[start..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// Remembers the job's status; whether this one differs from the last.
fn status_changed(last: StoredValue<Option<JobStatus>>, status: &JobStatus) -> bool {
    last.try_update_value(|last| {
        let changed = last.as_ref() != Some(status);
        *last = Some(status.clone());
        changed
    })
    .unwrap_or(false)
}

/// The Blocklist section of the job pane.
#[component]
pub fn JobBlocklistSection(job_id: String, job: Memo<Option<Job>>) -> impl IntoView {
    let client = StoredValue::new(use_manager().client);
    let live = use_live();
    let entries = RwSignal::new(None::<JobBlocklist>);
    let fetch_error = RwSignal::new(None::<String>);
    let checks = RwSignal::new(BlocklistChecks::default());
    // Answers to older requests are dropped, so a slow one never overwrites a newer list.
    let ticket = StoredValue::new(0u64);
    let id = StoredValue::new(job_id);
    let fetch = move || {
        let mine = ticket.try_update_value(|ticket| {
            *ticket += 1;
            *ticket
        });
        let (client, id) = (client.get_value(), id.get_value());
        leptos::task::spawn_local(async move {
            let answer = client.fetch_job_blocklist(&id).await;
            if ticket.get_value() != mine.unwrap_or_default() {
                return;
            }
            match answer {
                Ok(list) => {
                    checks.update(|checks| checks.retain_listed(&list));
                    entries.set(Some(list));
                    fetch_error.set(None);
                }
                Err(failure) => {
                    fetch_error.set(Some(format!("The blocklist could not be loaded: {failure}")))
                }
            }
        });
    };
    let pending = StoredValue::new(0u64);
    let debounced_fetch = move || {
        let mine = pending.try_update_value(|pending| {
            *pending += 1;
            *pending
        });
        set_timeout(
            move || {
                if pending.get_value() == mine.unwrap_or_default() {
                    fetch()
                }
            },
            REFETCH_DEBOUNCE,
        );
    };
    // Once when the pane opens, and after every reconnection.
    Effect::new(move |_| {
        live.epoch().track();
        fetch();
    });
    // The Manager blocklists a worker while the job changes: follow this job's status changes.
    let last_status = StoredValue::new(job.with_untracked(|job| job.as_ref().map(|job| job.status.clone())));
    use_live_event(move |event| {
        if let LiveEvent::JobUpdate(update) = event {
            if update.id == id.get_value() && status_changed(last_status, &update.status) {
                debounced_fetch();
            }
        }
    });
    let note = move || {
        job.with(|job| job.as_ref().and_then(no_workers_left_for)).map(|task_type| {
            view! {
                <p class="notice blocklist-note" role="note">
                    {format!("This job failed because every worker able to run its \"{task_type}\" tasks was blocklisted for it (or had already failed the task). Remove workers from the blocklist below, then requeue the job to let it run again.")}
                </p>
            }
        })
    };
    view! {
        <section class="job-blocklist" aria-labelledby="blocklist-heading">
            <h3 id="blocklist-heading">"Blocklist"</h3>
            {note}
            {move || fetch_error.get().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
            <crate::read_only::Frozen><BlocklistEntries job_id=id.get_value() entries checks on_changed=Callback::new(move |()| fetch()) /></crate::read_only::Frozen>
        </section>
    }
}

/// The entries with their ticks and the remove buttons.
#[component]
fn BlocklistEntries(
    job_id: String,
    entries: RwSignal<Option<JobBlocklist>>,
    checks: RwSignal<BlocklistChecks>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let client = use_manager().client;
    let report = RwSignal::new(None::<Result<String, String>>);
    let remove = Action::new_local(move |chosen: &JobBlocklist| {
        let (client, job_id, chosen) = (client.clone(), job_id.clone(), chosen.clone());
        async move {
            let count = chosen.len();
            client.remove_job_blocklist(&job_id, &chosen).await.map_err(|failure| failure.to_string())?;
            Ok::<String, String>(match count {
                1 => "Removed 1 entry from the blocklist.".to_owned(),
                n => format!("Removed {n} entries from the blocklist."),
            })
        }
    });
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            let result = result.map_err(|message| format!("The blocklist was not changed: {message}"));
            report.set(Some(result));
            on_changed.run(());
        }
    });
    let remove_one = Callback::new(move |entry: JobBlocklistEntry| {
        remove.dispatch(vec![request_entry(&entry)]);
    });
    let remove_checked = move |_| {
        let chosen = entries.with_untracked(|list| {
            checks.with_untracked(|checks| checks.selected(list.as_deref().unwrap_or_default()))
        });
        if !chosen.is_empty() {
            remove.dispatch(chosen);
        }
    };
    let rows = move || entries.get().unwrap_or_default();
    // Only a change between loading, empty and listed rebuilds the table; rows follow in place,
    // so a refetch never replaces the checkbox a person is about to click.
    let shape = Memo::new(move |_| entries.with(|list| list.as_ref().map(Vec::is_empty)));
    let body = move || {
        match shape.get() {
        None => view! { <p class="muted">"Loading the blocklist…"</p> }.into_any(),
        Some(true) => view! { <p class="muted">"No worker is blocklisted for this job."</p> }.into_any(),
        Some(false) => view! {
            <table class="blocklist-table">
                <thead><tr><th><span class="visually-hidden">"Selected"</span></th><th>"Worker"</th><th>"Task type"</th><th></th></tr></thead>
                <tbody>
                    <For each=rows key=key_of let:entry>
                        <BlocklistRow entry checks remove_one />
                    </For>
                </tbody>
            </table>
        }
        .into_any(),
    }
    };
    view! {
        {body}
        <div class="blocklist-actions">
            <button type="button" on:click=remove_checked disabled=move || checks.with(BlocklistChecks::is_empty) || remove.pending().get()>
                "Remove from blocklist"
            </button>
            {move || report.get().map(|result| match result {
                Ok(text) => view! { <span class="action-report" role="status">{text}</span> }.into_any(),
                Err(text) => view! { <span class="field-error" role="alert">{text}</span> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn BlocklistRow(
    entry: JobBlocklistEntry,
    checks: RwSignal<BlocklistChecks>,
    remove_one: Callback<JobBlocklistEntry>,
) -> impl IntoView {
    let key = key_of(&entry);
    let name = worker_label(&entry);
    let checked = {
        let key = key.clone();
        move || checks.with(|checks| checks.contains(&key))
    };
    let on_change = move |event: leptos::ev::Event| {
        let ticked = event_target_checked(&event);
        checks.update(|checks| checks.set(key.clone(), ticked));
    };
    let select_label = format!("Select {name} ({})", entry.task_type);
    let remove_label = format!("Remove {name} ({}) from the blocklist", entry.task_type);
    let href = format!("/workers/{}", entry.worker_id);
    view! {
        <tr>
            <td>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=checked on:change=on_change />
                    <span class="visually-hidden">{select_label}</span>
                </label>
            </td>
            <td><A href=href>{name}</A></td>
            <td class="mono">{entry.task_type.clone()}</td>
            <td><button type="button" class="small" aria-label=remove_label on:click=move |_| remove_one.run(entry.clone())>"Remove"</button></td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::table::tests::job;

    fn entry(worker: &str, task_type: &str) -> JobBlocklistEntry {
        JobBlocklistEntry {
            worker_id: worker.into(),
            task_type: task_type.into(),
            worker_name: Some(format!("name-{worker}")),
        }
    }

    #[test]
    fn ticks_survive_a_refetch_that_still_lists_their_entries() {
        let mut checks = BlocklistChecks::default();
        checks.set(key_of(&entry("a", "blender")), true);
        checks.set(key_of(&entry("b", "blender")), true);
        checks.retain_listed(&[entry("a", "blender"), entry("c", "ffmpeg")]);
        assert!(checks.contains(&key_of(&entry("a", "blender"))));
        assert!(!checks.contains(&key_of(&entry("b", "blender"))), "a removed entry loses its tick");
    }

    #[test]
    fn the_removal_request_carries_the_ticked_pairs_without_names() {
        let list = [entry("a", "blender"), entry("a", "ffmpeg"), entry("b", "blender")];
        let mut checks = BlocklistChecks::default();
        checks.set(key_of(&list[2]), true);
        checks.set(key_of(&list[1]), true);
        checks.set(key_of(&list[1]), false);
        let chosen = checks.selected(&list);
        assert_eq!(
            chosen,
            [JobBlocklistEntry { worker_id: "b".into(), task_type: "blender".into(), worker_name: None }]
        );
        assert_eq!(serde_json::to_string(&chosen).unwrap(), r#"[{"worker_id":"b","task_type":"blender"}]"#);
    }

    #[test]
    fn a_job_failed_for_lack_of_workers_names_the_task_type() {
        let mut failed = job("j", "J", JobStatus::Failed, "t");
        failed.activity =
            "Changed to status \"failed\": no more workers left to run tasks of type \"blender\"".into();
        assert_eq!(no_workers_left_for(&failed), Some("blender".into()));
        failed.activity = "Changed to status \"failed\": too many tasks failed".into();
        assert_eq!(no_workers_left_for(&failed), None);
        let mut active = job("j", "J", JobStatus::Active, "t");
        active.activity = "no more workers left to run tasks of type \"blender\"".into();
        assert_eq!(no_workers_left_for(&active), None, "a requeued job no longer shows the note");
    }

    #[test]
    fn a_worker_without_a_name_shows_its_id() {
        let nameless =
            JobBlocklistEntry { worker_id: "w1".into(), task_type: "blender".into(), worker_name: None };
        assert_eq!(worker_label(&nameless), "w1");
        assert_eq!(worker_label(&entry("a", "blender")), "name-a");
    }
}
