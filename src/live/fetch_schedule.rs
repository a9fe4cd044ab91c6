//! When a store fetches its whole list over REST: once per live connection, after it subscribed,
//! so that no event falls between the list and the updates.

use std::time::Duration;

use leptos::prelude::*;

use super::{ConnectionState, LiveContext};

/// How long the first connection may take before lists are fetched without it. A normal
/// connection takes a few round trips; a proxy that neither upgrades nor refuses the WebSocket
/// would otherwise hold the rows back until the handshake times out.
pub const CONNECT_GRACE: Duration = Duration::from_millis(1500);

/// When the whole list is fetched (10,000 jobs are half a megabyte): once per live connection,
/// after it subscribed, so that no event falls between the list and the updates; that is once per
/// load and once per reconnect. If the live channel fails before it ever connects (a proxy without
/// WebSocket), or has not connected within [`CONNECT_GRACE`] (a WebSocket that hangs), the list is
/// fetched once anyway, so it still shows; the connection, when it comes, fetches it once more.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchSchedule {
    /// The epoch the last fetch was for; `Some(0)` for the fetch without a connection.
    fetched_for: Option<u64>,
}

impl FetchSchedule {
    /// Whether to fetch now, at connection `epoch` (0 before the first connection), given whether
    /// the page is `without_live` updates (the channel is retrying, or slow to make its first
    /// connection); records the fetch if so.
    pub fn wants_fetch(&mut self, epoch: u64, without_live: bool) -> bool {
        let wanted = if epoch > 0 {
            self.fetched_for.is_none_or(|done| done < epoch)
        } else {
            without_live && self.fetched_for.is_none()
        };
        if wanted {
            self.fetched_for = Some(epoch);
        }
        wanted
    }
}

/// Calls `fetch` as [`FetchSchedule`] says: once per live connection (and once without one when
/// the live channel cannot connect or is slow to), as soon as `ready` (tracked) says it may.
/// Call it after subscribing.
pub fn fetch_once_per_connection(
    live: LiveContext,
    ready: impl Fn() -> bool + 'static,
    fetch: impl Fn() + 'static,
) {
    let schedule = StoredValue::new(FetchSchedule::default());
    Effect::new(move |_| {
        if !ready() {
            return;
        }
        let epoch = live.epoch().get();
        let failing = matches!(live.state().get(), ConnectionState::Reconnecting { .. });
        let without_live = failing || live.slow_to_connect().get();
        if schedule.try_update_value(|schedule| schedule.wants_fetch(epoch, without_live)) == Some(true) {
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
        assert!(schedule.wants_fetch(1, false), "once connected and subscribed");
        assert!(!schedule.wants_fetch(1, false), "not again for the same connection");
        assert!(!schedule.wants_fetch(1, true), "nor when the grace period ends after the connection");
        assert!(!schedule.wants_fetch(1, true), "nor when that connection is lost");
        assert!(schedule.wants_fetch(2, false), "once after a reconnect");
        assert!(!schedule.wants_fetch(2, false));
    }

    #[test]
    fn a_live_channel_that_never_connects_still_gets_the_list_once() {
        let mut schedule = FetchSchedule::default();
        assert!(!schedule.wants_fetch(0, false));
        assert!(schedule.wants_fetch(0, true), "the first attempt failed: fetch over REST alone");
        assert!(!schedule.wants_fetch(0, true), "the countdown ticking fetches nothing");
        assert!(schedule.wants_fetch(1, true), "the connection, when it comes, fetches once");
        assert!(!schedule.wants_fetch(1, false));
    }

    #[test]
    fn a_hanging_socket_gets_the_list_after_the_grace_period_then_once_per_connection() {
        let mut schedule = FetchSchedule::default();
        assert!(!schedule.wants_fetch(0, false), "within the grace period: wait for the connection");
        assert!(schedule.wants_fetch(0, true), "grace period over: fetch over REST alone");
        assert!(!schedule.wants_fetch(0, true), "the handshake timing out later fetches nothing more");
        assert!(schedule.wants_fetch(1, false), "the connection, when it comes, fetches once");
        assert!(!schedule.wants_fetch(1, true));
        assert!(schedule.wants_fetch(2, false), "and each reconnect once");
    }
}
