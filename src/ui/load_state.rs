//! The state of data fetched from the Manager: what is on screen stays there when a fetch fails.

use crate::api::ApiFailure;

/// Where a piece of data stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LoadState {
    /// Never loaded yet.
    #[default]
    Loading,
    /// Up to date (live events keep it so).
    Fresh,
    /// The last fetch failed; what is shown is from before. The failure says why.
    Stale(ApiFailure),
    /// Loading again after a reconnect; what is shown is from before.
    Refreshing,
}

impl LoadState {
    /// The state after a failed fetch: data already shown is kept and marked stale.
    pub fn failed(failure: ApiFailure) -> LoadState {
        LoadState::Stale(failure)
    }

    pub fn is_stale(&self) -> bool {
        matches!(self, LoadState::Stale(_))
    }

    /// A CSS class for the container of the data.
    pub fn as_str(&self) -> &'static str {
        match self {
            LoadState::Loading => "loading",
            LoadState::Fresh => "fresh",
            LoadState::Stale(_) => "stale",
            LoadState::Refreshing => "refreshing",
        }
    }
}
