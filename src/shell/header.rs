//! The top bar: the product, which Manager this is, and the navigation.

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::live::{ConnectionIndicator, FarmStatusBadge};
use crate::manager::use_manager;
use crate::notifications::{LatestNotice, NotificationsLink};
use crate::read_only::Writable;

/// The header with the Manager's name and version, and links to every page.
#[component]
pub fn AppHeader() -> impl IntoView {
    let header = NodeRef::<html::Header>::new();
    super::header_height::use_header_height(header);
    view! {
        <header class="app-header" node_ref=header>
            <a class="brand" href="/">"Farmdeck"</a>
            <ManagerIdentity />
            <FarmStatusBadge />
            <ConnectionIndicator />
            <LatestNotice />
            <nav aria-label="Main">
                <A href="/jobs">"Jobs"</A>
                <A href="/workers">"Workers"</A>
                <A href="/tags">"Tags"</A>
                <Writable><A href="/submit">"Submit"</A></Writable>
                <A href="/preview">"Preview"</A>
                <A href="/last-rendered">"Last rendered"</A>
                <A href="/manager">"Manager"</A>
                <A href="/settings">"Settings"</A>
                <NotificationsLink />
                <A href="/problems">"Problems"</A>
                <A href="/timeline">"Timeline"</A>
            </nav>
        </header>
    }
}

/// The Manager's name and version, or where the app is trying to reach it.
#[component]
fn ManagerIdentity() -> impl IntoView {
    let manager = use_manager();
    let url = manager.client.base_url().to_owned();
    let identity = move || match manager.version.get() {
        Some(Ok(version)) => view! {
            <span class="manager-name">{version.name}</span>
            <span class="manager-version" title=version.git>{format!("Flamenco {}", version.version)}</span>
        }
        .into_any(),
        Some(Err(_)) => view! { <span class="manager-name offline">{url.clone()}</span> }.into_any(),
        None => view! { <span class="manager-name pending">"Connecting…"</span> }.into_any(),
    };
    view! { <div class="manager-identity" aria-live="polite">{identity}</div> }
}
