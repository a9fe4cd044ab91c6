//! One record the Manager keeps changing (the open worker, the open task), held so that live updates
//! change only the values that changed.
//!
//! A `LocalResource` hands out a new value on every refetch, and the view under its `Transition` is
//! built again each time: on a busy farm that is every second, and whatever a person was in the middle
//! of (a ticked box, a confirmation, focus) is lost. A [`LiveRecord`] instead keeps one signal that a
//! refetch overwrites only when the answer differs; views are created once per opened record and read
//! their fields through memos, so a refetch re-renders the changed texts and nothing else.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiFailure;

/// Orders the answers of overlapping fetches: an answer older than one already shown is dropped.
/// Newer answers always win, so a stream of requests never starves the record of updates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tickets {
    issued: u64,
    applied: u64,
}

impl Tickets {
    /// The ticket of a new request.
    pub fn issue(&mut self) -> u64 {
        self.issued += 1;
        self.issued
    }

    /// Whether the answer to `ticket` may be shown; if so, older answers may not any more.
    pub fn accept(&mut self, ticket: u64) -> bool {
        if ticket > self.applied {
            self.applied = ticket;
            true
        } else {
            false
        }
    }
}

/// A record fetched again and again, shown from one signal that changes only when the record does.
pub struct LiveRecord<T: Send + Sync + 'static> {
    value: RwSignal<Option<T>>,
    failure: RwSignal<Option<ApiFailure>>,
    tickets: StoredValue<Tickets>,
}

impl<T: Send + Sync + 'static> Clone for LiveRecord<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for LiveRecord<T> {}

impl<T: Clone + PartialEq + Send + Sync + 'static> LiveRecord<T> {
    /// An empty record, owned by the calling component.
    pub fn new() -> Self {
        LiveRecord {
            value: RwSignal::new(None),
            failure: RwSignal::new(None),
            tickets: StoredValue::new(Tickets::default()),
        }
    }

    /// The record as last fetched; None until the first answer.
    pub fn value(&self) -> Signal<Option<T>> {
        self.value.into()
    }

    /// Why the last fetch failed; None once one succeeds. The value from before stays.
    pub fn failure(&self) -> Signal<Option<ApiFailure>> {
        self.failure.into()
    }

    /// Fetches the record with `fetch` and shows the answer unless a newer one is already shown.
    pub fn load(&self, fetch: impl Future<Output = Result<T, ApiFailure>> + 'static) {
        let Some(ticket) = self.tickets.try_update_value(Tickets::issue) else { return };
        let LiveRecord { value, failure, tickets } = *self;
        spawn_local(async move {
            let result = fetch.await;
            if tickets.try_update_value(|tickets| tickets.accept(ticket)) != Some(true) {
                return;
            }
            match result {
                Ok(fetched) => {
                    value.maybe_update(|shown| replace_if_changed(shown, fetched));
                    failure.maybe_update(|failure| failure.take().is_some());
                }
                Err(problem) => {
                    failure.try_set(Some(problem));
                }
            }
        });
    }
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Default for LiveRecord<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The alert for a record whose last fetch failed, naming it (`what`: "worker", "task"): it could not
/// be loaded, or, once a value is shown, that value is from before.
#[component]
pub fn LiveRecordProblem<T>(
    /// The record whose fetches are reported.
    record: LiveRecord<T>,
    /// What the record is, as the message names it.
    what: &'static str,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    move || {
        record.failure().get().map(|failure| {
            let text = if record.value().with_untracked(Option::is_some) {
                format!("Showing this {what} from before: {failure}")
            } else {
                format!("This {what} could not be loaded: {failure}")
            };
            view! { <p class="field-error" role="alert">{text}</p> }
        })
    }
}

/// Puts `fetched` in `shown` when it differs; true when it did (and readers must hear of it).
pub fn replace_if_changed<T: PartialEq>(shown: &mut Option<T>, fetched: T) -> bool {
    if shown.as_ref() == Some(&fetched) {
        false
    } else {
        *shown = Some(fetched);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_answers_of_older_requests_are_dropped_but_newer_ones_always_win() {
        let mut tickets = Tickets::default();
        let first = tickets.issue();
        let second = tickets.issue();
        let third = tickets.issue();
        assert!(tickets.accept(second));
        assert!(!tickets.accept(first), "older than what is shown");
        assert!(tickets.accept(third));
        assert!(!tickets.accept(third), "each answer once");
        // Requests outpacing answers: every answer newer than the shown one still gets through.
        let fourth = tickets.issue();
        let _fifth = tickets.issue();
        assert!(tickets.accept(fourth));
    }

    #[test]
    fn an_unchanged_answer_does_not_disturb_readers() {
        let mut shown = None;
        assert!(replace_if_changed(&mut shown, 3));
        assert!(!replace_if_changed(&mut shown, 3));
        assert!(replace_if_changed(&mut shown, 4));
        assert_eq!(shown, Some(4));
    }
}
