//! The tasks of the open job: fetched when the job opens and after every reconnect, kept current by
//! `/task` events, and fetched again when the Manager says so (`refresh_tasks`) or an event names a
//! task the list lacks.

use std::collections::HashMap;

use flamenco_api::SubscriptionType;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::table::{TaskEventEffect, TaskTable};
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
use crate::ui::load_state::LoadState;

/// The open job's tasks.
#[derive(Clone, Copy)]
pub struct UseJobTasksReturn {
    /// Every task: for counts, the filter and anything about the job as a whole.
    pub table: RwSignal<TaskTable>,
    pub state: RwSignal<LoadState>,
    /// What each row follows instead of the whole table.
    pub rows: RowTriggers,
}

/// One trigger per task row: an event for one task wakes that row only, not the thousands of
/// others a big job has.
#[derive(Clone, Copy)]
pub struct RowTriggers(StoredValue<HashMap<String, ArcTrigger>, LocalStorage>);

impl RowTriggers {
    fn new() -> Self {
        RowTriggers(StoredValue::new_local(HashMap::new()))
    }

    /// The trigger the row of task `id` tracks.
    pub fn for_row(&self, id: &str) -> ArcTrigger {
        self.0
            .try_update_value(|triggers| triggers.entry(id.to_owned()).or_default().clone())
            .unwrap_or_default()
    }

    fn notify(&self, id: &str) {
        let trigger = self.0.try_with_value(|triggers| triggers.get(id).cloned()).flatten();
        if let Some(trigger) = trigger {
            trigger.notify();
        }
    }

    /// After a whole new list: every row looks again (each re-renders only if its task changed).
    fn notify_all(&self) {
        let triggers: Vec<ArcTrigger> =
            self.0.try_with_value(|triggers| triggers.values().cloned().collect()).unwrap_or_default();
        for trigger in triggers {
            trigger.notify();
        }
    }
}

/// Follows the tasks of the job `job_id` for as long as the calling component lives.
pub fn use_job_tasks(job_id: Signal<String>) -> UseJobTasksReturn {
    let client = use_manager().client;
    let live = use_live();
    let table = RwSignal::new(TaskTable::default());
    let state = RwSignal::new(LoadState::Loading);
    let refetch_count = RwSignal::new(0_u32);
    let rows = RowTriggers::new();
    use_subscription(SubscriptionType::Job, move || Some(job_id.get()));
    Effect::new(move |_| {
        live.epoch().track();
        refetch_count.track();
        let id = job_id.get();
        let client = client.clone();
        if table.with_untracked(|table| table.job_id != id) {
            table.set(TaskTable::new(id.clone(), Vec::new()));
            state.set(LoadState::Loading);
        }
        spawn_local(async move {
            match client.fetch_job_tasks(&id).await {
                // A slow answer for a job that is no longer open must not overwrite the new one.
                Ok(tasks) if job_id.get_untracked() == id => {
                    table.set(TaskTable::new(id, tasks));
                    rows.notify_all();
                    state.set(LoadState::Fresh);
                }
                Ok(_) => {}
                Err(failure) => state.set(LoadState::failed(failure)),
            }
        });
    });
    use_live_event(move |event| match event {
        LiveEvent::TaskUpdate(update) => {
            let effect = table.try_maybe_update(|table| {
                let effect = table.apply(update);
                (effect == TaskEventEffect::Updated, effect)
            });
            match effect {
                Some(TaskEventEffect::Updated) => rows.notify(&update.id),
                Some(TaskEventEffect::Unknown) => refetch_count.update(|count| *count += 1),
                Some(TaskEventEffect::Ignored) | None => {}
            }
        }
        LiveEvent::JobUpdate(update) if update.refresh_tasks && update.id == job_id.get_untracked() => {
            refetch_count.update(|count| *count += 1);
        }
        _ => {}
    });
    UseJobTasksReturn { table, state, rows }
}
