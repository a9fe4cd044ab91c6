//! When a store fetches its whole list over REST: once per live connection, after it subscribed,
//! so that no event falls between the list and the updates.

use leptos::prelude::*;

use super::{ConnectionState, LiveContext};

/// When the whole list is fetched (10,000 jobs are half a megabyte compressed): once per live
/// connection, after it subscribed, so that no event falls between the list and the updates;
/// that is once per load and once per reconnect. If the live channel fails before it ever
/// connects (a proxy without WebSocket), the list is fetched once anyway, so it still shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchSchedule {
    /// The epoch the last fetch was for; `Some(0)` for the fetch without a connection.
    fetched_for: Option<u64>,
}

impl FetchSchedule {
    /// Whether to fetch now, at connection `epoch` (0 before the first connection), given whether
    /// the live channel is `failing` (retrying); records the fetch if so.
    pub fn wants_fetch(&mut self, epoch: u64, failing: bool) -> bool {
        let wanted = if epoch > 0 {
            self.fetched_for.is_none_or(|done| done < epoch)
        } else {
            failing && self.fetched_for.is_none()
        };
        if wanted {
            self.fetched_for = Some(epoch);
        }
        wanted
    }
}

/// Calls `fetch` as [`FetchSchedule`] says: once per live connection (and once without one when
/// the live channel cannot connect). Call it after subscribing.
pub fn fetch_once_per_connection(live: LiveContext, fetch: impl Fn() + 'static) {
    let schedule = StoredValue::new(FetchSchedule::default());
    Effect::new(move |_| {
        let epoch = live.epoch().get();
        let failing = matches!(live.state().get(), ConnectionState::Reconnecting { .. });
        if schedule.try_update_value(|schedule| schedule.wants_fetch(epoch, failing)) == Some(true) {
            fetch();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::FetchSchedule;

    #[test]
    fn the_list_is_fetched_once_per_connection() {
        let mut schedule = FetchSchedule::default();
        assert!(!schedule.wants_fetch(0, false), "not while the first connection is being made");
        assert!(schedule.wants_fetch(1, true), "once connected and subscribed");
        assert!(!schedule.wants_fetch(1, true), "not again for the same connection");
        assert!(!schedule.wants_fetch(1, true));
        assert!(schedule.wants_fetch(2, true), "once after a reconnect");
        assert!(!schedule.wants_fetch(2, true));
    }

    #[test]
    fn a_live_channel_that_never_connects_still_gets_the_list_once() {
        let mut schedule = FetchSchedule::default();
        assert!(!schedule.wants_fetch(0, false));
        assert!(schedule.wants_fetch(0, true), "the first attempt failed: fetch over REST alone");
        assert!(!schedule.wants_fetch(0, true), "the countdown ticking fetches nothing");
        assert!(schedule.wants_fetch(1, true), "the connection, when it comes, fetches once");
    }
}
