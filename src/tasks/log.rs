//! A task's log: the tail, followed live while the task runs, and the whole log on request.
//!
//! The Manager's `tasklog` subscription joins the wrong room (FLAMENCO.md), so live lines may never
//! arrive over the socket; the tail is also polled while the task is active, and whichever source is
//! newer wins.

use std::time::Duration;

use flamenco_api::SubscriptionType;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::log_text::readable_log;
use crate::live::{use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;

/// How often the tail is fetched while the task runs.
const POLL_PERIOD: Duration = Duration::from_secs(2);

/// The log panel of one task.
#[component]
pub fn TaskLog(
    /// The task whose log this is.
    task_id: Signal<String>,
    /// Whether the task is running (the tail is followed only then).
    running: Signal<bool>,
) -> impl IntoView {
    let client = use_manager().client;
    let tail = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let full = RwSignal::new(None::<String>);
    use_subscription(SubscriptionType::TaskLog, move || Some(task_id.get()));
    use_live_event(move |event| {
        if let LiveEvent::TaskLog(update) = event {
            if update.task_id == task_id.get_untracked() {
                tail.update(|tail| tail.push_str(&update.log));
            }
        }
    });
    let fetch_tail = {
        let client = client.clone();
        move || {
            let client = client.clone();
            let id = task_id.get_untracked();
            spawn_local(async move {
                match client.fetch_task_log_tail(&id).await {
                    Ok(text) if task_id.get_untracked() == id => {
                        tail.set(text.unwrap_or_default());
                        error.set(None);
                    }
                    Ok(_) => {}
                    Err(failure) => error.set(Some(failure.to_string())),
                }
            });
        }
    };
    Effect::new({
        let fetch_tail = fetch_tail.clone();
        move |_| {
            task_id.track();
            running.track();
            full.set(None);
            fetch_tail();
        }
    });
    let poll = set_interval_with_handle(
        move || {
            if running.get_untracked() {
                fetch_tail();
            }
        },
        POLL_PERIOD,
    );
    if let Ok(handle) = poll {
        on_cleanup(move || handle.clear());
    }
    let load_full = Action::new_local(move |_: &()| {
        let client = client.clone();
        let id = task_id.get_untracked();
        async move {
            match client.fetch_task_log_info(&id).await {
                Ok(Some(info)) => {
                    client.fetch_text_at(&info.url).await.map_err(|failure| failure.to_string())
                }
                Ok(None) => Ok(String::new()),
                Err(failure) => Err(failure.to_string()),
            }
        }
    });
    Effect::new(move |_| match load_full.value().get() {
        Some(Ok(text)) => full.set(Some(text)),
        Some(Err(message)) => error.set(Some(format!("The full log could not be loaded: {message}"))),
        None => {}
    });
    let shown = move || full.with(|full| tail.with(|tail| readable_log(full.as_deref().unwrap_or(tail))));
    view! {
        <section class="task-log" aria-label="Task log">
            <div class="toolbar">
                <h3>{move || if full.with(Option::is_some) { "Full log" } else { "Log tail" }}</h3>
                {move || running.get().then(|| view! { <span class="following">"following"</span> })}
                <button type="button" on:click=move |_| { load_full.dispatch(()); } disabled=move || load_full.pending().get()>
                    "Show full log"
                </button>
            </div>
            {move || error.get().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
            <pre class="log" aria-live="off">{shown}</pre>
        </section>
    }
}
