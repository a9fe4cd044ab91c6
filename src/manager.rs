//! The Manager the app talks to, shared with every component through context.

use flamenco_api::FlamencoVersion;
use leptos::prelude::*;

use crate::api::{ApiFailure, ManagerClient};
use crate::config::Settings;

/// How often to ask again while the Manager cannot be reached.
const RECONNECT_DELAY: std::time::Duration = std::time::Duration::from_secs(5);

/// What every page needs to know about the Manager.
#[derive(Clone)]
pub struct ManagerContext {
    pub client: ManagerClient,
    pub settings: Settings,
    /// The Manager's name and version; an error while it cannot be reached.
    pub version: LocalResource<Result<FlamencoVersion, ApiFailure>>,
}

/// Creates the context for `settings` and provides it to the component tree below.
pub fn provide_manager(settings: Settings) -> ManagerContext {
    let client = ManagerClient::new(settings.manager_url.clone());
    let version = {
        let client = client.clone();
        LocalResource::new(move || {
            let client = client.clone();
            async move { client.version().await }
        })
    };
    // While the Manager is away, keep asking, so the app recovers by itself when it returns.
    Effect::new(move || {
        if let Some(Err(_)) = version.get() {
            set_timeout(move || version.refetch(), RECONNECT_DELAY);
        }
    });
    let context = ManagerContext { client, settings, version };
    provide_context(context.clone());
    context
}

/// The Manager context; panics only if a component is used outside [`crate::app::App`], a bug.
pub fn use_manager() -> ManagerContext {
    expect_context::<ManagerContext>()
}
