//! The live connection's whole life, without a browser: which socket is current, when to retry,
//! what to subscribe to, and what the page shows. The browser glue (`socket.rs`) feeds it socket
//! events and timer ticks and carries out the [`Command`]s it returns.

use super::backoff::retry_delay_ms;
use super::events::LiveEvent;
use super::session::{Output, Session};
use super::state::ConnectionState;
use super::subscriptions::{SubscriptionKey, SubscriptionSet};

/// A connection that lasted this long is considered healthy: the next failure starts the backoff
/// from the beginning. A shorter one (a server that accepts and then drops at once) keeps
/// climbing the backoff, so a broken Manager is not hammered twice a second.
pub const STABLE_AFTER_MS: f64 = 10_000.0;

/// After an unreadable live update the pages fetch their data again, at most this often: a
/// Manager (or proxy) that garbles every frame must not make them fetch on every one.
pub const RESYNC_INTERVAL_MS: f64 = 5_000.0;

/// What the glue must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open a new WebSocket (closing any current one first).
    Open,
    /// Close the current WebSocket and forget it.
    Close,
    /// Send this text on the current WebSocket.
    Send(String),
    /// Show this state.
    State(ConnectionState),
    /// Connected and subscriptions sent: bump the epoch, so pages fetch what they missed.
    Established,
    /// Hand this to the event listeners. Boxed: events are far larger than the other commands.
    Event(Box<LiveEvent>),
    /// Why the connection was lost, for the indicator's tooltip and the console.
    Lost(String),
    /// A live update could not be read (this says what): tell the person, whose pages fetch again.
    Unreadable(String),
    /// Still connected, but an update was lost: bump the epoch, so pages fetch what they missed.
    Resync,
    /// A console warning.
    Warn(String),
    /// A console line at the verbose level.
    Debug(String),
}

enum Phase {
    /// Not started yet.
    Idle,
    /// A socket is opening or open.
    Online { session: Session, connected_at: Option<f64> },
    /// Waiting to retry; `tick_at` is when the countdown shown next changes.
    Waiting { retry_at: f64, tick_at: f64 },
    /// Shut down for good (the app is unmounting).
    Stopped,
}

/// The live client's logic.
pub struct Link {
    subscriptions: SubscriptionSet,
    phase: Phase,
    /// Failed attempts since the last stable connection.
    attempt: u32,
    /// 0.0..=1.0, for the backoff's jitter.
    random: Box<dyn FnMut() -> f64>,
    /// When the pages were last told to fetch again after an unreadable update.
    resynced_at: Option<f64>,
    /// An unreadable update arrived too soon after the last resync: one more is due.
    resync_due: bool,
}

impl Link {
    /// A link that takes its jitter from `random` (`Math.random` in the browser).
    pub fn new(random: impl FnMut() -> f64 + 'static) -> Self {
        Link {
            subscriptions: SubscriptionSet::default(),
            phase: Phase::Idle,
            attempt: 0,
            random: Box::new(random),
            resynced_at: None,
            resync_due: false,
        }
    }

    /// Opens the first connection.
    pub fn start(&mut self, now: f64) -> Vec<Command> {
        if !matches!(self.phase, Phase::Idle) {
            return Vec::new();
        }
        self.phase = Phase::Online { session: Session::new(now), connected_at: None };
        vec![Command::State(ConnectionState::Connecting), Command::Open]
    }

    /// Closes the connection for good.
    pub fn stop(&mut self) -> Vec<Command> {
        let goodbye = match &self.phase {
            Phase::Online { session, .. } => session.goodbye_frame(),
            _ => None,
        };
        self.phase = Phase::Stopped;
        goodbye.into_iter().map(Command::Send).chain([Command::Close]).collect()
    }

    /// A text message arrived on the current socket.
    pub fn socket_text(&mut self, text: &str, now: f64) -> Vec<Command> {
        let Phase::Online { session, .. } = &mut self.phase else { return Vec::new() };
        let outputs = session.on_text(text, now);
        self.carry_out(outputs, now)
    }

    /// The current socket closed or failed.
    pub fn socket_closed(&mut self, reason: &str, now: f64) -> Vec<Command> {
        if !matches!(self.phase, Phase::Online { .. }) {
            return Vec::new();
        }
        self.lose(reason, now)
    }

    /// A timer set for [`Link::next_deadline`] fired.
    pub fn timer(&mut self, now: f64) -> Vec<Command> {
        match &mut self.phase {
            Phase::Online { session, .. } => {
                let outputs = session.on_timer(now);
                let mut commands = self.carry_out(outputs, now);
                if self.resync_due && matches!(self.phase, Phase::Online { .. }) {
                    commands.extend(self.resync(now));
                }
                commands
            }
            Phase::Waiting { retry_at, .. } if now >= *retry_at => {
                self.phase = Phase::Online { session: Session::new(now), connected_at: None };
                vec![Command::State(self.retrying(0.0)), Command::Open]
            }
            Phase::Waiting { retry_at, tick_at } => {
                let left = *retry_at - now;
                *tick_at = (now + 1000.0).min(*retry_at);
                vec![Command::State(self.retrying(left))]
            }
            Phase::Idle | Phase::Stopped => Vec::new(),
        }
    }

    /// When [`Link::timer`] should be called next, in the same clock as `now`.
    pub fn next_deadline(&self) -> Option<f64> {
        match &self.phase {
            Phase::Online { session, .. } => {
                let resync = self.resync_due.then(|| self.resync_at()).flatten();
                [session.next_deadline(), resync].into_iter().flatten().reduce(f64::min)
            }
            Phase::Waiting { tick_at, .. } => Some(*tick_at),
            Phase::Idle | Phase::Stopped => None,
        }
    }

    /// Adds a holder of `key`; tells the Manager if it is the first and the link is connected.
    pub fn subscribe(&mut self, key: SubscriptionKey) -> Vec<Command> {
        let message = key.subscribe_message();
        if !self.subscriptions.acquire(key) {
            return Vec::new();
        }
        self.send_subscription(&message)
    }

    /// Removes a holder of `key`; tells the Manager if it was the last and the link is connected.
    pub fn unsubscribe(&mut self, key: &SubscriptionKey) -> Vec<Command> {
        if !self.subscriptions.release(key) {
            return Vec::new();
        }
        self.send_subscription(&key.unsubscribe_message())
    }

    /// The subscriptions wanted now.
    #[cfg(test)]
    pub fn subscriptions(&self) -> &SubscriptionSet {
        &self.subscriptions
    }

    fn send_subscription(&mut self, message: &flamenco_api::SocketIOSubscription) -> Vec<Command> {
        match &mut self.phase {
            Phase::Online { session, .. } => {
                session.subscription_frame(message).map(Command::Send).into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    fn carry_out(&mut self, outputs: Vec<Output>, now: f64) -> Vec<Command> {
        let mut commands = Vec::new();
        for output in outputs {
            match output {
                Output::Send(text) => commands.push(Command::Send(text)),
                Output::Connected => commands.extend(self.connected(now)),
                Output::Event(event) => commands.push(Command::Event(event)),
                Output::Warn(text) => commands.push(Command::Warn(text)),
                Output::Debug(text) => commands.push(Command::Debug(text)),
                Output::Unreadable(what) => {
                    commands.push(Command::Unreadable(what));
                    self.resync_due = true;
                    commands.extend(self.resync(now));
                }
                Output::Dead(reason) => {
                    commands.extend(self.lose(&reason, now));
                    // Nothing the dead session said after this matters.
                    break;
                }
            }
        }
        commands
    }

    /// The namespace is joined: send every wanted subscription, then let the pages re-fetch.
    fn connected(&mut self, now: f64) -> Vec<Command> {
        let Phase::Online { session, connected_at } = &mut self.phase else { return Vec::new() };
        *connected_at = Some(now);
        let mut commands: Vec<Command> = self
            .subscriptions
            .keys()
            .filter_map(|key| session.subscription_frame(&key.subscribe_message()))
            .map(Command::Send)
            .collect();
        commands.push(Command::State(ConnectionState::Connected));
        commands.push(Command::Established);
        commands
    }

    /// When the next resync may happen.
    fn resync_at(&self) -> Option<f64> {
        Some(self.resynced_at.map_or(f64::NEG_INFINITY, |at| at + RESYNC_INTERVAL_MS))
    }

    /// Tells the pages to fetch again, if one is due and the last was long enough ago.
    fn resync(&mut self, now: f64) -> Vec<Command> {
        if !self.resync_due || self.resync_at().is_some_and(|at| now < at) {
            return Vec::new();
        }
        self.resync_due = false;
        self.resynced_at = Some(now);
        vec![Command::Resync]
    }

    fn lose(&mut self, reason: &str, now: f64) -> Vec<Command> {
        // The reconnect fetches everything anyway.
        self.resync_due = false;
        if let Phase::Online { connected_at: Some(since), .. } = self.phase {
            if now - since >= STABLE_AFTER_MS {
                self.attempt = 0;
            }
        }
        self.attempt = self.attempt.saturating_add(1);
        let wait = f64::from(retry_delay_ms(self.attempt, (self.random)()));
        self.phase = Phase::Waiting { retry_at: now + wait, tick_at: now + wait.min(1000.0) };
        vec![Command::Close, Command::Lost(reason.to_owned()), Command::State(self.retrying(wait))]
    }

    fn retrying(&self, left_ms: f64) -> ConnectionState {
        // `left_ms` is at most the backoff maximum, so it fits; negative means "now".
        ConnectionState::Reconnecting { attempt: self.attempt, retry_in_ms: left_ms.max(0.0).round() as u32 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamenco_api::SubscriptionType;

    const OPEN: &str = r#"0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;

    fn link() -> Link {
        Link::new(|| 0.0)
    }

    fn sent(commands: &[Command]) -> Vec<&str> {
        commands
            .iter()
            .filter_map(|c| if let Command::Send(text) = c { Some(text.as_str()) } else { None })
            .collect()
    }

    fn state(commands: &[Command]) -> Option<ConnectionState> {
        commands.iter().rev().find_map(|c| if let Command::State(state) = c { Some(*state) } else { None })
    }

    fn connect(link: &mut Link, now: f64) -> Vec<Command> {
        assert!(link.socket_text(OPEN, now).is_empty());
        link.socket_text("40", now)
    }

    fn key(kind: SubscriptionType, uuid: Option<&str>) -> SubscriptionKey {
        SubscriptionKey::new(kind, uuid.map(str::to_owned))
    }

    #[test]
    fn starting_connects_and_subscriptions_wait_for_the_namespace() {
        let mut link = link();
        assert_eq!(link.start(0.0), [Command::State(ConnectionState::Connecting), Command::Open]);
        assert!(link.start(0.0).is_empty(), "started once");
        assert!(link.subscribe(key(SubscriptionType::AllJobs, None)).is_empty(), "not connected yet");
        let commands = connect(&mut link, 10.0);
        assert_eq!(sent(&commands), [r#"421["/subscription",{"op":"subscribe","type":"allJobs"}]"#]);
        assert_eq!(&commands[1..], [Command::State(ConnectionState::Connected), Command::Established]);
    }

    #[test]
    fn subscriptions_are_counted_and_sent_at_once_when_connected() {
        let mut link = link();
        link.start(0.0);
        connect(&mut link, 0.0);
        let job = key(SubscriptionType::Job, Some("j1"));
        assert_eq!(sent(&link.subscribe(job.clone())).len(), 1);
        assert!(link.subscribe(job.clone()).is_empty(), "a second holder shares it");
        assert!(link.unsubscribe(&job).is_empty(), "one holder is left");
        let commands = link.unsubscribe(&job);
        assert!(sent(&commands)[0].contains(r#""op":"unsubscribe""#), "{commands:?}");
        assert!(link.unsubscribe(&job).is_empty());
        assert_eq!(link.subscriptions().keys().count(), 0);
    }

    #[test]
    fn a_lost_connection_backs_off_counts_down_retries_and_resubscribes() {
        let mut link = link();
        link.start(0.0);
        link.subscribe(key(SubscriptionType::AllWorkers, None));
        link.subscribe(key(SubscriptionType::Job, Some("j1")));
        connect(&mut link, 0.0);

        let commands = link.socket_closed("closed (code 1006)", 1_000.0);
        assert_eq!(commands[0], Command::Close);
        assert_eq!(commands[1], Command::Lost("closed (code 1006)".into()));
        assert_eq!(state(&commands), Some(ConnectionState::Reconnecting { attempt: 1, retry_in_ms: 500 }));
        assert!(link.socket_closed("error", 1_001.0).is_empty(), "the error after the close is no news");
        assert!(link.socket_text("40", 1_001.0).is_empty(), "nothing from a closed socket counts");
        assert_eq!(link.next_deadline(), Some(1_500.0));
        assert_eq!(
            link.timer(1_500.0),
            [Command::State(ConnectionState::Reconnecting { attempt: 1, retry_in_ms: 0 }), Command::Open]
        );

        // The retry fails too: the wait doubles, and the countdown ticks each second.
        link.socket_closed("refused", 1_600.0);
        link.socket_closed("refused", 1_600.0);
        assert_eq!(link.next_deadline(), Some(2_600.0));
        link.timer(2_600.0);
        link.socket_closed("refused", 2_700.0);
        assert_eq!(link.next_deadline(), Some(3_700.0));
        assert_eq!(
            state(&link.timer(3_700.0)),
            Some(ConnectionState::Reconnecting { attempt: 3, retry_in_ms: 1000 })
        );
        assert_eq!(link.next_deadline(), Some(4_700.0));
        assert_eq!(link.timer(4_700.0).last(), Some(&Command::Open));

        let commands = connect(&mut link, 4_800.0);
        let subscriptions = sent(&commands);
        assert_eq!(subscriptions.len(), 2, "{commands:?}");
        assert!(subscriptions.iter().all(|text| text.contains("subscribe")));
        assert_eq!(commands.last(), Some(&Command::Established));
    }

    #[test]
    fn only_a_stable_connection_resets_the_backoff() {
        let mut link = link();
        link.start(0.0);
        link.socket_closed("refused", 0.0);
        link.timer(500.0);
        connect(&mut link, 600.0);
        // Dropped after a moment: the backoff keeps climbing.
        let commands = link.socket_closed("dropped", 700.0);
        assert_eq!(state(&commands), Some(ConnectionState::Reconnecting { attempt: 2, retry_in_ms: 1000 }));
        link.timer(1_700.0);
        connect(&mut link, 1_800.0);
        let commands = link.socket_closed("dropped", 1_800.0 + STABLE_AFTER_MS);
        assert_eq!(state(&commands), Some(ConnectionState::Reconnecting { attempt: 1, retry_in_ms: 500 }));
    }

    #[test]
    fn a_dead_heartbeat_reconnects() {
        let mut link = link();
        link.start(0.0);
        connect(&mut link, 0.0);
        assert_eq!(sent(&link.timer(25_000.0)), ["2"]);
        let commands = link.timer(45_000.0);
        assert_eq!(commands[0], Command::Close);
        assert!(matches!(&commands[1], Command::Lost(why) if why.contains("ping")));
    }

    #[test]
    fn events_pass_through_and_the_session_ending_stops_reading() {
        let mut link = link();
        link.start(0.0);
        connect(&mut link, 0.0);
        assert!(matches!(
            link.socket_text(r#"42["/status",{"status":"idle"}]"#, 1.0).as_slice(),
            [Command::Event(_)]
        ));
        assert_eq!(link.socket_text("1", 2.0)[0], Command::Close);
        assert!(link.socket_text(r#"42["/status",{"status":"idle"}]"#, 3.0).is_empty());
    }

    #[test]
    fn an_unreadable_update_makes_the_pages_fetch_again_at_most_every_interval() {
        let mut link = link();
        link.start(0.0);
        connect(&mut link, 0.0);
        let commands = link.socket_text(r#"42["/jobs",{"garbage":true}]"#, 1_000.0);
        assert!(
            matches!(commands.as_slice(), [Command::Warn(_), Command::Unreadable(what), Command::Resync] if what.contains("/jobs")),
            "{commands:?}"
        );
        // More garbage soon after: said, but the fetch waits for the interval.
        let commands = link.socket_text("4garbage", 2_000.0);
        assert!(!commands.contains(&Command::Resync), "{commands:?}");
        assert!(commands.iter().any(|c| matches!(c, Command::Unreadable(_))), "{commands:?}");
        link.socket_text("4more", 3_000.0);
        assert_eq!(link.next_deadline(), Some(1_000.0 + RESYNC_INTERVAL_MS));
        assert_eq!(link.timer(1_000.0 + RESYNC_INTERVAL_MS), [Command::Resync], "one fetch for both");
        assert_eq!(link.next_deadline(), Some(25_000.0), "then only the heartbeat");
        assert!(link.timer(10_000.0).is_empty());

        // Unknown events are a newer Manager's, not lost updates.
        assert!(matches!(
            link.socket_text(r#"42["unknown-event",{}]"#, 20_000.0).as_slice(),
            [Command::Debug(_)]
        ));
        // A reconnect fetches anyway: a due resync is dropped with the connection.
        let mut link = self::link();
        link.start(0.0);
        connect(&mut link, 0.0);
        link.socket_text("4x", 1_000.0);
        link.socket_text("4x", 2_000.0);
        link.socket_closed("gone", 2_100.0);
        assert_eq!(link.timer(2_600.0).last(), Some(&Command::Open));
        assert_eq!(connect(&mut link, 3_000.0).last(), Some(&Command::Established));
        assert_eq!(link.next_deadline(), Some(28_000.0), "no resync after the reconnect, only the heartbeat");
    }

    #[test]
    fn stopping_says_goodbye_and_ignores_everything_after() {
        let mut link = link();
        link.start(0.0);
        connect(&mut link, 0.0);
        assert_eq!(link.stop(), [Command::Send("41".into()), Command::Close]);
        assert!(link.socket_closed("closed", 1.0).is_empty());
        assert!(link.timer(100_000.0).is_empty());
        assert_eq!(link.next_deadline(), None);
        assert!(link.subscribe(key(SubscriptionType::AllJobs, None)).is_empty());

        let mut waiting = Link::new(|| 0.5);
        waiting.start(0.0);
        waiting.socket_closed("refused", 0.0);
        assert_eq!(waiting.stop(), [Command::Close]);
    }
}
