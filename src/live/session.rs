//! One Engine.IO 3 / socket.io 2 session over one WebSocket: reads the server's frames, answers
//! what needs answering, keeps the connection alive and says when it is dead. Time comes in as
//! milliseconds from the caller, so the whole protocol is tested without a browser.

use std::collections::BTreeMap;

use flamenco_api::socketio::{Frame, Packet, ROOT_NAMESPACE};
use flamenco_api::{event_names, SocketIOSubscription};
use serde_json::Value;

use super::events::{decode_event, DecodeError, LiveEvent};

/// How long to wait for the server's `0{...}` handshake, and then for its `40`, before giving up
/// on this socket. Generous: a busy Manager behind a slow proxy still answers within this.
pub const HANDSHAKE_TIMEOUT_MS: f64 = 10_000.0;

/// After the handshake, how long to wait for the server's own `40` before sending one. Socket.io
/// 2 servers (Flamenco's go-socket.io, socketioxide with `v4`) put the client in `/` by themselves
/// and announce it with `40`; only a server that waits for the client needs ours. Sending it
/// unasked could join the namespace twice, so it is a fallback, not the first move.
pub const CONNECT_FALLBACK_MS: f64 = 1_000.0;

/// Bounds on the server's heartbeat settings, so that a zero or absurd value can neither make the
/// client ping in a tight loop nor wait forever.
const MIN_HEARTBEAT_MS: f64 = 1_000.0;
const MAX_HEARTBEAT_MS: f64 = 300_000.0;

/// Acknowledgements still awaited are forgotten beyond this many: a server that never answers
/// them must not make the map grow without end.
const MAX_PENDING_ACKS: usize = 64;

/// What the session asks its caller to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Send this text on the WebSocket.
    Send(String),
    /// The root namespace is joined: subscribe now.
    Connected,
    /// A live update to hand to the pages. Boxed: events are far larger than the other outputs.
    Event(Box<LiveEvent>),
    /// Something the developer console should show.
    Warn(String),
    /// Something worth a line in the console's verbose level only.
    Debug(String),
    /// A frame or a known event could not be read: whatever change it carried is lost, so the
    /// pages must fetch their data again. Says what was wrong.
    Unreadable(String),
    /// The connection is unusable, for this reason: close it and start again.
    Dead(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The WebSocket is opening or open; the server has not sent its handshake yet.
    AwaitingOpen,
    /// Handshake received; waiting for the server to put us in `/`.
    AwaitingConnect,
    /// In `/`: events flow.
    Connected,
    /// Declared dead; everything further is ignored.
    Dead,
}

/// The protocol state of one socket.
#[derive(Debug)]
pub struct Session {
    phase: Phase,
    /// Until when the current handshake step may take.
    handshake_deadline: f64,
    /// When to send our own `40` if the server has not sent one.
    connect_fallback_at: Option<f64>,
    ping_interval_ms: f64,
    ping_timeout_ms: f64,
    next_ping_at: Option<f64>,
    pong_deadline: Option<f64>,
    next_ack_id: u64,
    /// What each awaited acknowledgement was for.
    pending_acks: BTreeMap<u64, String>,
}

impl Session {
    /// A session for a socket being opened at `now`.
    pub fn new(now: f64) -> Self {
        Session {
            phase: Phase::AwaitingOpen,
            handshake_deadline: now + HANDSHAKE_TIMEOUT_MS,
            connect_fallback_at: None,
            ping_interval_ms: 25_000.0,
            ping_timeout_ms: 20_000.0,
            next_ping_at: None,
            pong_deadline: None,
            next_ack_id: 1,
            pending_acks: BTreeMap::new(),
        }
    }

    /// Whether the session is in `/` and may send events.
    pub fn is_connected(&self) -> bool {
        self.phase == Phase::Connected
    }

    /// Reads one WebSocket text message.
    pub fn on_text(&mut self, text: &str, now: f64) -> Vec<Output> {
        if self.phase == Phase::Dead {
            return Vec::new();
        }
        let frame = match Frame::parse(text) {
            Ok(frame) => frame,
            // One bad frame is the server's bug (or a proxy's), not a reason to drop the connection;
            // but it may have carried an update, so the pages fetch again.
            Err(error) => {
                return vec![
                    Output::Warn(format!("live updates: unreadable frame {}: {error}", clip(text))),
                    Output::Unreadable(format!("an unreadable message ({error})")),
                ]
            }
        };
        match frame {
            Frame::Open(info) => {
                if self.phase != Phase::AwaitingOpen {
                    return vec![Output::Debug("live updates: a second handshake, ignored".into())];
                }
                self.ping_interval_ms = (info.ping_interval as f64).clamp(MIN_HEARTBEAT_MS, MAX_HEARTBEAT_MS);
                self.ping_timeout_ms = (info.ping_timeout as f64).clamp(MIN_HEARTBEAT_MS, MAX_HEARTBEAT_MS);
                self.phase = Phase::AwaitingConnect;
                self.handshake_deadline = now + HANDSHAKE_TIMEOUT_MS;
                self.connect_fallback_at = Some(now + CONNECT_FALLBACK_MS);
                // Engine.IO 3: the client pings every pingInterval; the server drops a silent one.
                self.next_ping_at = Some(now + self.ping_interval_ms);
                Vec::new()
            }
            Frame::Close => self.die("the Manager closed the session"),
            // Engine.IO 4 servers ping instead; answering costs nothing and keeps them happy too.
            Frame::Ping(data) => vec![Output::Send(Frame::Pong(data).encode())],
            Frame::Pong(_) => {
                if self.pong_deadline.take().is_some() {
                    self.next_ping_at = Some(now + self.ping_interval_ms);
                }
                Vec::new()
            }
            Frame::Message(packet) => self.on_packet(packet),
            Frame::Upgrade | Frame::Noop => Vec::new(),
        }
    }

    fn on_packet(&mut self, packet: Packet) -> Vec<Output> {
        if packet.namespace() != ROOT_NAMESPACE {
            return vec![Output::Debug(format!(
                "live updates: packet for namespace {} ignored",
                packet.namespace()
            ))];
        }
        match packet {
            Packet::Connect { .. } => {
                if self.phase == Phase::Connected {
                    // The answer to our fallback `40` after the server's own: already in.
                    return Vec::new();
                }
                self.phase = Phase::Connected;
                self.connect_fallback_at = None;
                vec![Output::Connected]
            }
            Packet::Disconnect { .. } => self.die("the Manager disconnected this client"),
            Packet::Error { data, .. } => self.die(&format!("the Manager refused the connection: {data}")),
            Packet::Event { id, data, .. } => {
                let mut outputs = Vec::new();
                if let Some(id) = id {
                    // Flamenco's events ask for nothing back; an empty acknowledgement is all a
                    // server asking for one can expect from a dashboard.
                    outputs.push(Output::Send(Frame::ack(id, Vec::new()).encode()));
                }
                let name = data.first().and_then(Value::as_str).unwrap_or_default();
                let payload = data.get(1).unwrap_or(&Value::Null);
                match decode_event(name, payload) {
                    Ok(event) => outputs.push(Output::Event(Box::new(event))),
                    // A newer Manager's event: nothing this version shows depends on it.
                    Err(error @ DecodeError::UnknownEvent(_)) => {
                        outputs.push(Output::Debug(format!("live updates: {error}")))
                    }
                    Err(error) => {
                        outputs.push(Output::Warn(format!("live updates: {error}")));
                        outputs.push(Output::Unreadable(format!("an unreadable \"{name}\" update")));
                    }
                }
                outputs
            }
            Packet::Ack { id, data, .. } => {
                let Some(what) = self.pending_acks.remove(&id) else { return Vec::new() };
                match data.first().and_then(Value::as_str) {
                    Some("ok") | None => Vec::new(),
                    Some(answer) => {
                        vec![Output::Warn(format!("live updates: the Manager refused {what}: {answer}"))]
                    }
                }
            }
        }
    }

    /// Acts on the deadlines that have passed by `now`.
    pub fn on_timer(&mut self, now: f64) -> Vec<Output> {
        match self.phase {
            Phase::Dead => return Vec::new(),
            Phase::AwaitingOpen | Phase::AwaitingConnect if now >= self.handshake_deadline => {
                let step = if self.phase == Phase::AwaitingOpen { "handshake" } else { "namespace connect" };
                return self
                    .die(&format!("no {step} from the Manager within {} s", HANDSHAKE_TIMEOUT_MS / 1000.0));
            }
            _ => {}
        }
        if self.pong_deadline.is_some_and(|deadline| now >= deadline) {
            return self.die(&format!("no answer to a ping within {} ms", self.ping_timeout_ms));
        }
        let mut outputs = Vec::new();
        if self.connect_fallback_at.is_some_and(|at| now >= at) {
            self.connect_fallback_at = None;
            outputs.push(Output::Send(Frame::connect().encode()));
        }
        if self.next_ping_at.is_some_and(|at| now >= at) {
            self.next_ping_at = None;
            self.pong_deadline = Some(now + self.ping_timeout_ms);
            outputs.push(Output::Send(Frame::Ping(None).encode()));
        }
        outputs
    }

    /// The next time [`Session::on_timer`] has something to do.
    pub fn next_deadline(&self) -> Option<f64> {
        let handshake = matches!(self.phase, Phase::AwaitingOpen | Phase::AwaitingConnect)
            .then_some(self.handshake_deadline);
        [handshake, self.connect_fallback_at, self.next_ping_at, self.pong_deadline]
            .into_iter()
            .flatten()
            .reduce(f64::min)
    }

    /// The frame that emits `/subscription` with `message`, asking for an acknowledgement so that
    /// a refusal shows in the console. None while not in `/`: the caller sends everything again
    /// once connected.
    pub fn subscription_frame(&mut self, message: &SocketIOSubscription) -> Option<String> {
        if !self.is_connected() {
            return None;
        }
        let payload = serde_json::to_value(message).ok()?;
        let id = self.next_ack_id;
        self.next_ack_id += 1;
        let what = format!(
            "{} {}{}",
            message.op,
            message.subscription_type,
            message.uuid.as_deref().map(|uuid| format!(" {uuid}")).unwrap_or_default()
        );
        self.pending_acks.insert(id, what);
        while self.pending_acks.len() > MAX_PENDING_ACKS {
            self.pending_acks.pop_first();
        }
        Some(Frame::event_with_ack(id, event_names::SUBSCRIPTION, payload).encode())
    }

    /// `41`: leave `/` politely before closing, when in it.
    pub fn goodbye_frame(&self) -> Option<String> {
        self.is_connected()
            .then(|| Frame::Message(Packet::Disconnect { namespace: ROOT_NAMESPACE.to_owned() }).encode())
    }

    fn die(&mut self, reason: &str) -> Vec<Output> {
        self.phase = Phase::Dead;
        self.connect_fallback_at = None;
        self.next_ping_at = None;
        self.pong_deadline = None;
        vec![Output::Dead(reason.to_owned())]
    }
}

/// The start of a frame, for a log line.
fn clip(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{:?}…", &text[..end]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamenco_api::{FarmStatus, FarmStatusReport, SubscriptionType};

    const OPEN: &str = r#"0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;

    fn sends(outputs: &[Output]) -> Vec<&str> {
        outputs
            .iter()
            .filter_map(|output| if let Output::Send(text) = output { Some(text.as_str()) } else { None })
            .collect()
    }

    fn connected(now: f64) -> Session {
        let mut session = Session::new(now);
        assert!(session.on_text(OPEN, now).is_empty());
        assert_eq!(session.on_text("40", now), [Output::Connected]);
        session
    }

    #[test]
    fn the_server_s_40_connects_without_a_fallback() {
        let mut session = connected(0.0);
        assert!(session.is_connected());
        // No `40` of ours, ever: the next deadline is the first ping.
        assert_eq!(session.next_deadline(), Some(25_000.0));
        assert!(session.on_timer(5_000.0).is_empty());
    }

    #[test]
    fn a_server_that_waits_for_the_client_gets_our_40() {
        let mut session = Session::new(0.0);
        session.on_text(OPEN, 100.0);
        assert_eq!(session.next_deadline(), Some(100.0 + CONNECT_FALLBACK_MS));
        assert!(session.on_timer(500.0).is_empty());
        assert_eq!(sends(&session.on_timer(1_100.0)), ["40"]);
        assert!(session.on_timer(1_200.0).is_empty(), "sent once");
        assert_eq!(session.on_text("40", 1_300.0), [Output::Connected]);
        assert!(session.on_text("40", 1_400.0).is_empty(), "a second 40 is no second connect");
    }

    #[test]
    fn a_silent_server_is_given_up_on() {
        let mut session = Session::new(0.0);
        assert_eq!(session.next_deadline(), Some(HANDSHAKE_TIMEOUT_MS));
        assert!(
            matches!(session.on_timer(HANDSHAKE_TIMEOUT_MS).as_slice(), [Output::Dead(why)] if why.contains("handshake"))
        );
        assert!(session.on_timer(HANDSHAKE_TIMEOUT_MS + 1.0).is_empty(), "dead once");
        assert!(session.on_text("40", 0.0).is_empty());

        let mut session = Session::new(0.0);
        session.on_text(OPEN, 0.0);
        session.on_timer(CONNECT_FALLBACK_MS);
        assert!(
            matches!(session.on_timer(HANDSHAKE_TIMEOUT_MS).as_slice(), [Output::Dead(why)] if why.contains("namespace"))
        );
    }

    #[test]
    fn the_client_pings_every_interval_and_drops_a_server_that_stops_answering() {
        let mut session = connected(0.0);
        assert_eq!(sends(&session.on_timer(25_000.0)), ["2"]);
        assert_eq!(session.next_deadline(), Some(45_000.0), "waiting for the pong");
        assert!(session.on_text("3", 25_050.0).is_empty());
        assert_eq!(session.next_deadline(), Some(50_050.0), "the next ping, an interval after the pong");
        assert_eq!(sends(&session.on_timer(50_050.0)), ["2"]);
        let outputs = session.on_timer(70_050.0);
        assert!(matches!(outputs.as_slice(), [Output::Dead(why)] if why.contains("ping")), "{outputs:?}");
    }

    #[test]
    fn heartbeat_settings_are_kept_within_sane_bounds() {
        let mut session = Session::new(0.0);
        session.on_text(r#"0{"sid":"s","pingInterval":0,"pingTimeout":0}"#, 0.0);
        session.on_text("40", 0.0);
        assert_eq!(session.next_deadline(), Some(MIN_HEARTBEAT_MS));
    }

    #[test]
    fn server_pings_are_answered_with_their_data() {
        let mut session = connected(0.0);
        assert_eq!(sends(&session.on_text("2", 1.0)), ["3"]);
        assert_eq!(sends(&session.on_text("2probe", 1.0)), ["3probe"]);
    }

    #[test]
    fn events_are_decoded_and_acknowledged_when_asked() {
        let mut session = connected(0.0);
        assert_eq!(
            session.on_text(r#"42["/status",{"status":"idle"}]"#, 1.0),
            [Output::Event(Box::new(LiveEvent::FarmStatus(FarmStatusReport { status: FarmStatus::Idle })))]
        );
        let outputs = session.on_text(r#"4217["/status",{"status":"active"}]"#, 1.0);
        assert_eq!(sends(&outputs), ["4317[]"]);
        assert!(
            matches!(outputs.last(), Some(Output::Event(event)) if matches!(**event, LiveEvent::FarmStatus(_)))
        );
    }

    #[test]
    fn bad_frames_and_payloads_are_reported_not_fatal() {
        let mut session = connected(0.0);
        for text in ["", "9x", "42[1]", "42{", "4garbage", r#"42["/jobs",{"id":3}]"#] {
            let outputs = session.on_text(text, 1.0);
            assert!(
                matches!(outputs.as_slice(), [Output::Warn(_), Output::Unreadable(_)]),
                "{text:?}: {outputs:?}"
            );
        }
        let outputs = session.on_text(r#"42["/jobs",{"id":3}]"#, 1.0);
        assert!(matches!(&outputs[0], Output::Warn(why) if why.contains("/jobs")), "{outputs:?}");
        assert!(matches!(&outputs[1], Output::Unreadable(why) if why.contains("\"/jobs\"")), "{outputs:?}");
        assert!(matches!(session.on_text(r#"42["/new-thing",1]"#, 1.0).as_slice(), [Output::Debug(_)]));
        assert!(matches!(session.on_text(r#"42/admin,["/jobs",{}]"#, 1.0).as_slice(), [Output::Debug(_)]));
        assert!(session.is_connected());
        let long = format!("9{}", "x".repeat(500));
        let Output::Warn(line) = &session.on_text(&long, 1.0)[0] else { panic!() };
        assert!(line.len() < 200, "{line}");
    }

    #[test]
    fn the_server_ending_the_session_is_fatal() {
        for text in ["1", "41", r#"44"unauthorised""#] {
            let mut session = connected(0.0);
            assert!(matches!(session.on_text(text, 1.0).as_slice(), [Output::Dead(_)]), "{text}");
            assert!(!session.is_connected());
            assert_eq!(session.next_deadline(), None);
        }
    }

    #[test]
    fn subscriptions_ask_for_an_ack_and_refusals_are_reported() {
        let mut session = Session::new(0.0);
        let message = SocketIOSubscription::subscribe(SubscriptionType::Job, Some("j1".into()));
        assert_eq!(session.subscription_frame(&message), None, "not before the namespace connect");
        let mut session = connected(0.0);
        assert_eq!(
            session.subscription_frame(&message).as_deref(),
            Some(r#"421["/subscription",{"op":"subscribe","type":"job","uuid":"j1"}]"#)
        );
        let second = session.subscription_frame(&message).unwrap_or_default();
        assert!(second.starts_with("422["), "{second}");
        assert!(session.on_text(r#"431["ok"]"#, 1.0).is_empty());
        let refused = session.on_text(r#"432["invalid UUID, ignoring request"]"#, 1.0);
        assert!(
            matches!(refused.as_slice(), [Output::Warn(why)] if why.contains("subscribe job j1") && why.contains("invalid UUID")),
            "{refused:?}"
        );
        assert!(session.on_text(r#"4399["?"]"#, 1.0).is_empty(), "unknown ids are ignored");
        for _ in 0..200 {
            session.subscription_frame(&message);
        }
        assert!(session.pending_acks.len() <= MAX_PENDING_ACKS);
    }

    #[test]
    fn goodbye_only_when_in_the_namespace() {
        assert_eq!(Session::new(0.0).goodbye_frame(), None);
        assert_eq!(connected(0.0).goodbye_frame().as_deref(), Some("41"));
    }
}
