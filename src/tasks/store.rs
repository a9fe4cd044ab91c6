//! The tasks of the open job: fetched when the job opens and after every reconnect, kept current by
//! `/task` events, and fetched again when the Manager says so (`refresh_tasks`) or an event names a
//! task the list lacks.

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
    pub table: RwSignal<TaskTable>,
    pub state: RwSignal<LoadState>,
}

/// Follows the tasks of the job `job_id` for as long as the calling component lives.
pub fn use_job_tasks(job_id: Signal<String>) -> UseJobTasksReturn {
    let client = use_manager().client;
    let live = use_live();
    let table = RwSignal::new(TaskTable::default());
    let state = RwSignal::new(LoadState::Loading);
    let refetch_count = RwSignal::new(0_u32);
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
                    state.set(LoadState::Fresh);
                }
                Ok(_) => {}
                Err(failure) => state.set(LoadState::failed(failure)),
            }
        });
    });
    use_live_event(move |event| match event {
        LiveEvent::TaskUpdate(update) => {
            let effect = table.try_update(|table| table.apply(update));
            if effect == Some(TaskEventEffect::Unknown) {
                refetch_count.update(|count| *count += 1);
            }
        }
        LiveEvent::JobUpdate(update) if update.refresh_tasks && update.id == job_id.get_untracked() => {
            refetch_count.update(|count| *count += 1);
        }
        _ => {}
    });
    UseJobTasksReturn { table, state }
}
