//! The job's "Time left" fact: [`Estimate`] of its tasks, recomputed on a slow clock rather than on
//! every task event (a busy job sends several a second, and the figure moves in minutes).

use std::collections::HashMap;
use std::time::Duration;

use flamenco_api::TaskStatus;
use leptos::prelude::*;

use crate::jobs::estimate::Estimate;
use crate::live::{use_live_event, LiveEvent};
use crate::problems::rules::timestamp_ms;
use crate::tasks::UseJobTasksReturn;
use crate::ui::load_state::LoadState;
use crate::ui::time::use_now;

/// How often the estimate is worked out again.
const RECOMPUTE_EVERY: Duration = Duration::from_secs(5);

/// `<dt>`/`<dd>` of the job's remaining time, for the job's facts list.
#[component]
pub fn JobTimeLeft(
    /// The job whose tasks `tasks` follows.
    job_id: String,
    /// The job's tasks, as the pane follows them.
    tasks: UseJobTasksReturn,
) -> impl IntoView {
    let started = use_task_starts(job_id);
    let now = use_now(RECOMPUTE_EVERY);
    let text = Memo::new(move |_| {
        let now_ms = now.get();
        if tasks.state.with(|state| matches!(state, LoadState::Loading)) {
            return "…".to_owned();
        }
        let estimate = tasks.table.with_untracked(|table| {
            started.with_value(|started| Estimate::of(table.tasks(), started, now_ms))
        });
        estimate.text()
    });
    view! {
        <dt>"Time left"</dt>
        <dd class="job-time-left">{text}</dd>
    }
}

/// When each of the job's tasks was seen starting: the task list has no start times, and a start
/// seen live is exact where the guess from the worker's previous finish is not.
fn use_task_starts(job_id: String) -> StoredValue<HashMap<String, f64>> {
    let started = StoredValue::new(HashMap::new());
    use_live_event(move |event| {
        let LiveEvent::TaskUpdate(update) = event else { return };
        if update.job_id != job_id {
            return;
        }
        let starting = update.status == TaskStatus::Active
            && update.previous_status.as_ref().is_some_and(|previous| *previous != TaskStatus::Active);
        if let (true, Some(at)) = (starting, timestamp_ms(&update.updated)) {
            started.update_value(|started| {
                started.insert(update.id.clone(), at);
            });
        }
    });
    started
}
