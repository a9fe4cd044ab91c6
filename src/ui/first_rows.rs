//! Rows first: on a first load, everything the job list does not need (the farm status, the worker
//! tags, the worker list, the first-run check) waits until the list painted its first rows, so that
//! a phone on a slow link spends its first round trips and CPU on what the wrangler came to see.

use std::time::Duration;

use leptos::prelude::*;

/// Longest wait for the first rows: a list that never comes (a Manager that hangs) must not hold
/// back the rest of the page for good.
const SAFETY_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether the first page opened shows the job list: `/jobs`, a job or a task in it; not the job
/// preview (`/jobs/<id>/preview`), which is a page of its own.
pub fn first_page_shows_job_list(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    // `/` redirects to the job list.
    if path == "/" {
        return true;
    }
    let Some(rest) = path.strip_prefix("/jobs") else { return false };
    let parts: Vec<&str> = rest.split('/').skip(1).collect();
    match parts.as_slice() {
        [] | [_] => rest.is_empty() || rest.starts_with('/'),
        [_, "tasks", _] => true,
        _ => false,
    }
}

/// The gate: false until the job list painted its first rows (or has none to paint, or failed, or
/// the first page is not the job list, or the safety timeout passed); then true for good.
#[derive(Clone, Copy)]
pub struct FirstRows {
    open: RwSignal<bool>,
}

impl FirstRows {
    /// Whether what waits for the first rows may start now. Tracked: read it in an effect.
    pub fn is_open(&self) -> bool {
        self.open.get()
    }

    /// Opens the gate after the browser painted what is in the page now.
    pub fn open_after_paint(&self) {
        if self.open.get_untracked() {
            return;
        }
        let gate = *self;
        // A frame callback runs before that frame's paint; a timeout from there runs after it.
        request_animation_frame(move || set_timeout(move || gate.open_now(), Duration::ZERO));
    }

    /// Opens the gate now (the list failed, or it is not on the page). Once: what waits for it
    /// starts once.
    pub fn open_now(&self) {
        if self.open.try_get_untracked() == Some(false) {
            self.open.set(true);
        }
    }
}

/// Provides the gate; call first thing in `App`.
pub fn provide_first_rows() -> FirstRows {
    let path = window().location().pathname().unwrap_or_default();
    let gate = FirstRows { open: RwSignal::new(!first_page_shows_job_list(&path)) };
    provide_context(gate);
    set_timeout(move || gate.open_now(), SAFETY_TIMEOUT);
    gate
}

/// The gate, or an open one where no app provided it.
pub fn use_first_rows() -> FirstRows {
    use_context::<FirstRows>().unwrap_or_else(|| FirstRows { open: RwSignal::new(true) })
}

#[cfg(test)]
mod tests {
    use super::first_page_shows_job_list;

    #[test]
    fn the_job_list_and_what_opens_inside_it_wait_for_rows() {
        for path in ["/", "", "/jobs", "/jobs/", "/jobs/abc", "/jobs/abc/", "/jobs/abc/tasks/t1"] {
            assert!(first_page_shows_job_list(path), "{path}");
        }
    }

    #[test]
    fn other_pages_do_not_wait() {
        for path in ["/workers", "/jobs/abc/preview", "/jobsx", "/tags", "/setup", "/jobs/a/tasks", "/submit"]
        {
            assert!(!first_page_shows_job_list(path), "{path}");
        }
    }
}
