//! Says clearly when the Manager cannot be reached, and offers to try again.

use leptos::prelude::*;

use crate::manager::use_manager;

/// Shown under the header while the Manager is unreachable, and when the configuration had a problem.
#[component]
pub fn ManagerBanner() -> impl IntoView {
    let manager = use_manager();
    let url = manager.client.base_url().to_owned();
    let source = manager.settings.source.describe();
    let config_problem = manager.settings.problem.clone();
    let version = manager.version;
    let unreachable = move || match version.get() {
        Some(Err(failure)) => Some(view! {
            <section class="banner banner-error" role="alert">
                <h2>{format!("Cannot reach the Manager at {url}")}</h2>
                <p class="detail">{failure.to_string()}</p>
                <p class="hint">
                    {format!("The address is {source}. Farmdeck keeps trying every few seconds.")}
                </p>
                <button type="button" on:click=move |_| version.refetch()>"Retry now"</button>
            </section>
        }),
        _ => None,
    };
    view! {
        {config_problem.map(|problem| view! {
            <section class="banner banner-warning" role="status">
                <p>{format!("Configuration problem: {problem}")}</p>
            </section>
        })}
        {unreachable}
    }
}
