//! The socket.io endpoint as a real WebSocket client meets it, answering like Flamenco Manager 3.9
//! (FLAMENCO.md, "Measured"): WebSocket only, EIO3 whatever the client asks, no server pings,
//! silent clients dropped without a word, `2probe` answered `3`, junk ignored, and no
//! acknowledgement for subscriptions of an unknown type.

mod common;

use std::time::{Duration, Instant};

use common::*;
use flamenco_api::socketio::{Frame, Packet};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Short enough to keep the tests quick, long enough to tell apart from a prompt answer.
const IDLE: Duration = Duration::from_millis(900);

async fn farm(name: &str) -> simfarm::Server {
    start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        render_root: Some(temp_root(name)),
        workers: 0,
        seed: Some(3),
        socket_idle_timeout: IDLE,
        ..simfarm::Config::default()
    })
    .await
}

async fn open(server: &simfarm::Server, query: &str) -> Socket {
    let url = format!("ws://{}/socket.io/{query}", server.addr);
    tokio_tungstenite::connect_async(url).await.expect("websocket connects").0
}

/// The next text message within `seconds`; `Err` with what happened instead.
/// The next text frame within `seconds`. The Manager's startup broadcast reaches a client that
/// connected while the farm was starting, at any point of its conversation: it answers nothing a
/// test sends, so it is passed over.
async fn next_text(socket: &mut Socket, seconds: f64) -> Result<String, String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(seconds);
    loop {
        let frame = match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => Err("timeout".into()),
            Ok(None) => Err("closed".into()),
            Ok(Some(Err(error))) => Err(format!("error: {error}")),
            Ok(Some(Ok(Message::Text(text)))) => Ok(text.as_str().to_owned()),
            Ok(Some(Ok(other))) => Err(format!("non-text message: {other:?}")),
        };
        match frame {
            Ok(text) if text.starts_with("42[\"/lifecycle\",{\"type\":\"manager-startup\"") => continue,
            other => return other,
        }
    }
}

async fn send(socket: &mut Socket, text: &str) {
    socket.send(Message::text(text)).await.expect("send");
}

/// Reads the handshake: the open packet's JSON, then `40`.
async fn handshake(socket: &mut Socket) -> serde_json::Value {
    let open = next_text(socket, 5.0).await.expect("open packet");
    let info: serde_json::Value =
        serde_json::from_str(open.strip_prefix('0').expect("an open packet")).expect("json");
    assert_eq!(next_text(socket, 5.0).await.as_deref(), Ok("40"));
    info
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_is_refused_with_the_managers_503() {
    let server = farm("socket-polling").await;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    let request = "GET /socket.io/?EIO=3&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body).unwrap_or("");
    assert_eq!(body, "Upgrade failed: websocket: the client is not using the websocket protocol");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handshake_announces_30s_60s_and_the_server_never_pings() {
    let server = farm("socket-handshake").await;
    let mut socket = open(&server, "?EIO=3&transport=websocket").await;
    let info = handshake(&mut socket).await;
    assert_eq!(info["pingInterval"], 30000);
    assert_eq!(info["pingTimeout"], 60000);
    assert_eq!(info["upgrades"], json!([]));
    assert!(info["sid"].as_str().is_some_and(|sid| !sid.is_empty()), "{info}");
    // Kept alive by our pings, the socket stays open past the idle timeout; the server never
    // pings on its own: every frame it sends is an answer `3`.
    let until = Instant::now() + IDLE * 2;
    while Instant::now() < until {
        send(&mut socket, "2").await;
        assert_eq!(next_text(&mut socket, 2.0).await.as_deref(), Ok("3"));
        tokio::time::sleep(IDLE / 4).await;
    }
    assert_eq!(next_text(&mut socket, 0.3).await, Err("timeout".to_owned()), "nothing unasked");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_dropped_without_a_close_packet() {
    let server = farm("socket-idle").await;
    let mut socket = open(&server, "?EIO=3&transport=websocket").await;
    handshake(&mut socket).await;
    let started = Instant::now();
    // No `1`, no `2`, no WebSocket close frame: the connection just ends.
    let end = next_text(&mut socket, 10.0).await;
    let waited = started.elapsed();
    let end = end.expect_err("no text frame at all");
    assert!(end == "closed" || end.starts_with("error:"), "{end}");
    assert!(!end.contains("Close"), "{end}");
    assert!(waited >= IDLE - Duration::from_millis(100), "dropped after {waited:?}");
    assert!(waited < IDLE * 4, "dropped after {waited:?}");
    eprintln!("silent client dropped after {waited:?} (idle timeout {IDLE:?})");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_is_answered_3_and_junk_is_ignored() {
    let server = farm("socket-junk").await;
    let mut socket = open(&server, "?EIO=3&transport=websocket").await;
    handshake(&mut socket).await;
    send(&mut socket, "2probe").await;
    assert_eq!(next_text(&mut socket, 2.0).await.as_deref(), Ok("3"));
    for junk in ["", "x", "42[not json", "4z", "9", "42{\"a\":1}", "421"] {
        send(&mut socket, junk).await;
    }
    socket.send(Message::binary(vec![0u8, 1, 2])).await.expect("send binary");
    // Unknown subscription type: no acknowledgement; the next request is answered normally.
    let unknown = Frame::event_with_ack(7, "/subscription", json!({"op": "subscribe", "type": "planets"}));
    send(&mut socket, &unknown.encode()).await;
    let not_an_object = Frame::event_with_ack(8, "/subscription", json!("allJobs"));
    send(&mut socket, &not_an_object.encode()).await;
    let known = Frame::event_with_ack(9, "/subscription", json!({"op": "subscribe", "type": "allJobs"}));
    send(&mut socket, &known.encode()).await;
    let reply = Frame::parse(&next_text(&mut socket, 2.0).await.expect("an ack")).expect("a frame");
    match reply {
        Frame::Message(Packet::Ack { id, data, .. }) => {
            assert_eq!(id, 9, "only the known subscription is acknowledged");
            assert_eq!(data, vec![json!("ok")]);
        }
        other => panic!("expected the ack of 9, got {other:?}"),
    }
    // Still open and subscribed: a job submission arrives as a `/jobs` event.
    let client = Client::new(&server);
    submit(&client, example_submission()).await;
    let event = Frame::parse(&next_text(&mut socket, 5.0).await.expect("an event")).expect("a frame");
    let (name, payload) = event.as_event().expect("an event");
    assert_eq!(name, "/jobs");
    check_event(name, payload);
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_eio_and_sid_are_accepted_and_eio3_is_spoken() {
    let server = farm("socket-eio").await;
    for query in ["?EIO=4&transport=websocket", "", "?transport=websocket&sid=no-such-session"] {
        let mut socket = open(&server, query).await;
        let info = handshake(&mut socket).await;
        assert_eq!(info["pingInterval"], 30000, "{query}");
        // EIO3: the client pings and the server answers (EIO4 would have the server ping).
        send(&mut socket, "2").await;
        assert_eq!(next_text(&mut socket, 2.0).await.as_deref(), Ok("3"), "{query}");
        let subscribe =
            Frame::event_with_ack(1, "/subscription", json!({"op": "subscribe", "type": "allWorkers"}));
        send(&mut socket, &subscribe.encode()).await;
        assert_eq!(next_text(&mut socket, 2.0).await.as_deref(), Ok("431[\"ok\"]"), "{query}");
    }
    server.stop();
}
