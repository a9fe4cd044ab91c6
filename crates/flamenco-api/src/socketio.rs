//! A codec for the text frames of socket.io 2 over Engine.IO 3, the dialect Flamenco Manager speaks
//! at `/socket.io/?EIO=3&transport=websocket` (FLAMENCO.md, "Live updates").
//!
//! Pure parsing and encoding, no I/O: the browser app drives it from a `WebSocket`, simfarm's tests
//! from a native WebSocket client. Each WebSocket text message is one Engine.IO packet:
//!
//! | text | meaning |
//! |---|---|
//! | `0{"sid":..,"pingInterval":..}` | Engine.IO open, server to client |
//! | `1` | Engine.IO close |
//! | `2`, `2probe` / `3`, `3probe` | ping / pong, with optional data |
//! | `40`, `40/ns,` | socket.io connect to `/` or to a namespace |
//! | `41` | socket.io disconnect |
//! | `42["event",arg,...]` | an event |
//! | `42<id>["event",...]` | an event that asks for an acknowledgement |
//! | `43<id>[arg,...]` | the acknowledgement of event `<id>` |
//! | `44"message"` | a socket.io error (e.g. a refused namespace) |
//!
//! Keep-alive in Engine.IO 3 runs from the client: it sends `2` every `pingInterval` milliseconds
//! and the server answers `3` (Engine.IO 4 reversed this; a client written for it never pings and
//! is dropped after `pingInterval + pingTimeout`). [`Frame::Ping`] and [`Frame::Pong`] cover both
//! directions.
//!
//! Binary packets (`45`, `46`) are not used by Flamenco and are reported as
//! [`ParseError::Unsupported`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The namespace Flamenco uses; the only one whose name is left out of frames.
pub const ROOT_NAMESPACE: &str = "/";

/// One Engine.IO packet: one WebSocket text message.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// The handshake the server sends first (`0{...}`).
    Open(OpenInfo),
    /// The other side closes the Engine.IO session (`1`).
    Close,
    /// `2`, optionally with data (`2probe` during a transport upgrade).
    Ping(Option<String>),
    /// `3`, the answer to a ping, echoing its data.
    Pong(Option<String>),
    /// A socket.io packet (`4...`).
    Message(Packet),
    /// `5`: transport upgrade done.
    Upgrade,
    /// `6`: nothing; used to flush polling transports.
    Noop,
}

/// The payload of the Engine.IO open packet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenInfo {
    /// The Engine.IO session id.
    pub sid: String,
    /// Transports the client may upgrade to.
    #[serde(default)]
    pub upgrades: Vec<String>,
    /// How often, in milliseconds, the client is expected to ping (Engine.IO 3).
    #[serde(rename = "pingInterval")]
    pub ping_interval: u64,
    /// How long, in milliseconds, without a ping before the server drops the client.
    #[serde(rename = "pingTimeout")]
    pub ping_timeout: u64,
}

/// A socket.io packet, carried inside an Engine.IO message frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Packet {
    /// `0`: join a namespace. From the server: the join was accepted.
    Connect { namespace: String },
    /// `1`: leave a namespace.
    Disconnect { namespace: String },
    /// `2`: an event: `data[0]` is its name, the rest its arguments. With `id`, the sender asks
    /// for an acknowledgement carrying that id.
    Event { namespace: String, id: Option<u64>, data: Vec<Value> },
    /// `3`: the answer to the event with this `id`.
    Ack { namespace: String, id: u64, data: Vec<Value> },
    /// `4`: an error, e.g. a namespace the server refuses.
    Error { namespace: String, data: Value },
}

/// Why a text could not be read as a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The text is empty.
    Empty,
    /// The first character is not a known Engine.IO packet type.
    UnknownEngineType(char),
    /// The character after `4` is not a known socket.io packet type.
    UnknownPacketType(char),
    /// A packet type this codec does not handle (binary events and acks).
    Unsupported(&'static str),
    /// The JSON part could not be read, or has the wrong shape.
    BadPayload(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Empty => f.write_str("empty frame"),
            ParseError::UnknownEngineType(c) => write!(f, "unknown Engine.IO packet type {c:?}"),
            ParseError::UnknownPacketType(c) => write!(f, "unknown socket.io packet type {c:?}"),
            ParseError::Unsupported(what) => write!(f, "unsupported packet: {what}"),
            ParseError::BadPayload(why) => write!(f, "bad payload: {why}"),
        }
    }
}

impl std::error::Error for ParseError {}

impl Frame {
    /// Reads one WebSocket text message.
    pub fn parse(text: &str) -> Result<Frame, ParseError> {
        let mut chars = text.chars();
        let kind = chars.next().ok_or(ParseError::Empty)?;
        let rest = chars.as_str();
        let data = || if rest.is_empty() { None } else { Some(rest.to_owned()) };
        match kind {
            '0' => serde_json::from_str(rest)
                .map(Frame::Open)
                .map_err(|error| ParseError::BadPayload(format!("open packet: {error}"))),
            '1' => Ok(Frame::Close),
            '2' => Ok(Frame::Ping(data())),
            '3' => Ok(Frame::Pong(data())),
            '4' => Packet::parse(rest).map(Frame::Message),
            '5' => Ok(Frame::Upgrade),
            '6' => Ok(Frame::Noop),
            other => Err(ParseError::UnknownEngineType(other)),
        }
    }

    /// The WebSocket text message for this frame.
    pub fn encode(&self) -> String {
        match self {
            // Serializing a struct of strings and numbers cannot fail.
            Frame::Open(info) => format!("0{}", serde_json::to_string(info).unwrap_or_default()),
            Frame::Close => "1".to_owned(),
            Frame::Ping(data) => format!("2{}", data.as_deref().unwrap_or("")),
            Frame::Pong(data) => format!("3{}", data.as_deref().unwrap_or("")),
            Frame::Message(packet) => format!("4{}", packet.encode()),
            Frame::Upgrade => "5".to_owned(),
            Frame::Noop => "6".to_owned(),
        }
    }

    /// `40`: connect to the root namespace.
    pub fn connect() -> Frame {
        Frame::Message(Packet::Connect { namespace: ROOT_NAMESPACE.to_owned() })
    }

    /// `42["name",payload]` on the root namespace.
    pub fn event(name: &str, payload: Value) -> Frame {
        Frame::Message(Packet::Event {
            namespace: ROOT_NAMESPACE.to_owned(),
            id: None,
            data: vec![Value::String(name.to_owned()), payload],
        })
    }

    /// `42<id>["name",payload]`: an event that asks for an acknowledgement.
    pub fn event_with_ack(id: u64, name: &str, payload: Value) -> Frame {
        Frame::Message(Packet::Event {
            namespace: ROOT_NAMESPACE.to_owned(),
            id: Some(id),
            data: vec![Value::String(name.to_owned()), payload],
        })
    }

    /// `43<id>[args...]`: acknowledges event `id`.
    pub fn ack(id: u64, data: Vec<Value>) -> Frame {
        Frame::Message(Packet::Ack { namespace: ROOT_NAMESPACE.to_owned(), id, data })
    }

    /// The event's name and first argument, when this frame is an event (`42...`). Events without
    /// an argument give `Value::Null`.
    pub fn as_event(&self) -> Option<(&str, &Value)> {
        match self {
            Frame::Message(packet) => packet.as_event(),
            _ => None,
        }
    }
}

impl Packet {
    /// Reads a socket.io packet: the text after an Engine.IO `4`.
    pub fn parse(text: &str) -> Result<Packet, ParseError> {
        let mut chars = text.chars();
        let kind = chars.next().ok_or(ParseError::Empty)?;
        let (namespace, rest) = split_namespace(chars.as_str());
        match kind {
            '0' => Ok(Packet::Connect { namespace }),
            '1' => Ok(Packet::Disconnect { namespace }),
            '2' => {
                let (id, json) = split_id(rest);
                let data = parse_array(json)?;
                if !matches!(data.first(), Some(Value::String(_))) {
                    return Err(ParseError::BadPayload("an event must start with its name".into()));
                }
                Ok(Packet::Event { namespace, id, data })
            }
            '3' => {
                let (id, json) = split_id(rest);
                let id = id.ok_or_else(|| ParseError::BadPayload("an ack needs an id".into()))?;
                Ok(Packet::Ack { namespace, id, data: parse_array(json)? })
            }
            '4' => {
                let data = if rest.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str(rest).map_err(|error| ParseError::BadPayload(error.to_string()))?
                };
                Ok(Packet::Error { namespace, data })
            }
            '5' => Err(ParseError::Unsupported("binary event")),
            '6' => Err(ParseError::Unsupported("binary ack")),
            other => Err(ParseError::UnknownPacketType(other)),
        }
    }

    /// The text of this packet, without the Engine.IO `4` in front.
    pub fn encode(&self) -> String {
        match self {
            Packet::Connect { namespace } => format!("0{}", namespace_prefix(namespace, false)),
            Packet::Disconnect { namespace } => format!("1{}", namespace_prefix(namespace, false)),
            Packet::Event { namespace, id, data } => format!(
                "2{}{}{}",
                namespace_prefix(namespace, true),
                id.map(|id| id.to_string()).unwrap_or_default(),
                Value::Array(data.clone())
            ),
            Packet::Ack { namespace, id, data } => {
                format!("3{}{id}{}", namespace_prefix(namespace, true), Value::Array(data.clone()))
            }
            Packet::Error { namespace, data } => format!("4{}{data}", namespace_prefix(namespace, true)),
        }
    }

    /// The namespace the packet belongs to.
    pub fn namespace(&self) -> &str {
        match self {
            Packet::Connect { namespace }
            | Packet::Disconnect { namespace }
            | Packet::Event { namespace, .. }
            | Packet::Ack { namespace, .. }
            | Packet::Error { namespace, .. } => namespace,
        }
    }

    /// The event's name and first argument, when this is an event.
    pub fn as_event(&self) -> Option<(&str, &Value)> {
        match self {
            Packet::Event { data, .. } => {
                let name = data.first()?.as_str()?;
                Some((name, data.get(1).unwrap_or(&Value::Null)))
            }
            _ => None,
        }
    }
}

/// Splits `/ns,rest` into the namespace and the rest; text without a leading `/` is on `/`.
fn split_namespace(text: &str) -> (String, &str) {
    if !text.starts_with('/') {
        return (ROOT_NAMESPACE.to_owned(), text);
    }
    match text.find(',') {
        Some(comma) => (text[..comma].to_owned(), &text[comma + 1..]),
        // `40/admin` without a comma: the whole text is the namespace.
        None => (text.to_owned(), ""),
    }
}

/// Splits a leading decimal ack id off the JSON that follows it. An id too large for a u64 is not
/// an id socket.io would send; it is left in place, so that the JSON part then fails to parse.
fn split_id(text: &str) -> (Option<u64>, &str) {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (None, text);
    }
    match text[..digits].parse() {
        Ok(id) => (Some(id), &text[digits..]),
        Err(_) => (None, text),
    }
}

fn parse_array(json: &str) -> Result<Vec<Value>, ParseError> {
    match serde_json::from_str(json) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(_) => Err(ParseError::BadPayload("expected a JSON array".into())),
        Err(error) => Err(ParseError::BadPayload(error.to_string())),
    }
}

/// `/ns,` for other namespaces, nothing for `/`. Connect and disconnect packets end with the
/// namespace itself in socket.io 2 (`40/ns`), but a trailing comma is accepted by servers too;
/// events need the comma to separate the namespace from the id or JSON.
fn namespace_prefix(namespace: &str, needs_comma: bool) -> String {
    if namespace == ROOT_NAMESPACE || namespace.is_empty() {
        String::new()
    } else if needs_comma {
        format!("{namespace},")
    } else {
        namespace.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_open_handshake_is_read() {
        let frame =
            Frame::parse(r#"0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#).unwrap();
        let Frame::Open(info) = &frame else { panic!("not an open frame: {frame:?}") };
        assert_eq!(info.sid, "abc");
        assert_eq!(info.ping_interval, 25000);
        assert_eq!(Frame::parse(&frame.encode()).unwrap(), frame);
        assert!(matches!(Frame::parse("0{not json"), Err(ParseError::BadPayload(_))));
    }

    #[test]
    fn pings_and_pongs_keep_their_data() {
        assert_eq!(Frame::parse("2").unwrap(), Frame::Ping(None));
        assert_eq!(Frame::parse("3probe").unwrap(), Frame::Pong(Some("probe".into())));
        assert_eq!(Frame::Ping(Some("probe".into())).encode(), "2probe");
        assert_eq!(Frame::Pong(None).encode(), "3");
    }

    #[test]
    fn connect_and_disconnect_on_the_root_and_other_namespaces() {
        assert_eq!(Frame::connect().encode(), "40");
        assert_eq!(Frame::parse("40").unwrap(), Frame::connect());
        assert_eq!(
            Frame::parse("40/admin,").unwrap(),
            Frame::Message(Packet::Connect { namespace: "/admin".into() })
        );
        assert_eq!(
            Frame::parse("40/admin").unwrap(),
            Frame::Message(Packet::Connect { namespace: "/admin".into() })
        );
        assert_eq!(Frame::parse("41").unwrap(), Frame::Message(Packet::Disconnect { namespace: "/".into() }));
    }

    #[test]
    fn events_with_and_without_ack_ids() {
        let frame = Frame::parse(r#"42["/jobs",{"id":"j1"}]"#).unwrap();
        assert_eq!(frame.as_event(), Some(("/jobs", &json!({"id": "j1"}))));
        assert_eq!(frame, Frame::event("/jobs", json!({"id": "j1"})));
        assert_eq!(frame.encode(), r#"42["/jobs",{"id":"j1"}]"#);

        let asking = Frame::event_with_ack(7, "/subscription", json!({"op": "subscribe"}));
        assert_eq!(asking.encode(), r#"427["/subscription",{"op":"subscribe"}]"#);
        assert_eq!(Frame::parse(&asking.encode()).unwrap(), asking);

        let other_ns = Frame::parse(r#"42/ns,12["x"]"#).unwrap();
        assert_eq!(
            other_ns,
            Frame::Message(Packet::Event { namespace: "/ns".into(), id: Some(12), data: vec![json!("x")] })
        );
        assert_eq!(other_ns.encode(), r#"42/ns,12["x"]"#);
        assert_eq!(other_ns.as_event(), Some(("x", &Value::Null)));
    }

    #[test]
    fn acks_carry_their_id_and_values() {
        let ack = Frame::parse(r#"43123["ok"]"#).unwrap();
        assert_eq!(ack, Frame::ack(123, vec![json!("ok")]));
        assert_eq!(ack.encode(), r#"43123["ok"]"#);
        assert!(matches!(Frame::parse(r#"43["ok"]"#), Err(ParseError::BadPayload(_))));
    }

    #[test]
    fn malformed_frames_are_errors_not_panics() {
        for text in [
            "",
            "9",
            "4",
            "47",
            "42",
            "42{}",
            "42[1]",
            "42[\"a\"",
            "4299999999999999999999[\"a\"]",
            "45",
            "é",
        ] {
            assert!(Frame::parse(text).is_err(), "{text:?} should not parse");
        }
        assert_eq!(Frame::parse("44\"bad ns\"").unwrap().encode(), "44\"bad ns\"");
        assert_eq!(Frame::parse("1").unwrap(), Frame::Close);
        assert_eq!(Frame::parse("5").unwrap(), Frame::Upgrade);
        assert_eq!(Frame::parse("6").unwrap(), Frame::Noop);
    }
}
