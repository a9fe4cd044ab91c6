//! Test helpers: a simfarm on a free port, an HTTP client that checks EVERY response against the
//! OpenAPI file, and a socket.io 2 test client built on the `flamenco_api::socketio` codec.
#![allow(dead_code)] // each test file uses a different part of this

use std::collections::VecDeque;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request};
use flamenco_api::contract::Contract;
use flamenco_api::socketio::{Frame, Packet};
use futures_util::{SinkExt, StreamExt};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use simfarm::{Config, Server};
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract::load().unwrap_or_else(|error| panic!("OpenAPI file: {error}")))
}

/// A fresh render root for one test.
pub fn temp_root(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("simfarm-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A simfarm for one test: fast tasks, no random failures, fixed seed.
pub async fn start(name: &str, workers: usize, task_seconds: f64) -> Server {
    start_with(test_config(name, workers, task_seconds)).await
}

/// The configuration [`start`] uses, for tests that change more of it.
pub fn test_config(name: &str, workers: usize, task_seconds: f64) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        render_root: Some(temp_root(name)),
        workers,
        task_seconds,
        failure_rate: 0.0,
        seed: Some(42),
        ..Config::default()
    }
}

pub async fn start_with(config: Config) -> Server {
    simfarm::start(config).await.expect("simfarm starts")
}

/// A response, already checked against the contract.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the handler error shape `{code, message}` with this status.
    pub fn assert_handler_error(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.text());
        let body = self.json();
        assert_eq!(body["code"], json!(status), "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }

    /// Asserts the request-validation shape: 400 with `{message}` and nothing else.
    pub fn assert_validation_error(&self) {
        assert_eq!(self.status, 400, "{}", self.text());
        let body = self.json();
        let object = body.as_object().expect("an object");
        assert_eq!(object.len(), 1, "only a message: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
}

/// An in-process client on the server's router.
#[derive(Clone)]
pub struct Client {
    router: axum::Router,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        Client { router: simfarm::router(&server.state) }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, "application/json").await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None, "application/json").await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body.to_string().into_bytes()), "application/json").await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body.to_string().into_bytes()), "application/json").await
    }

    /// Any request. Every response is validated against the OpenAPI file: bodies by the schema of
    /// the operation and status, and the shapes the Manager sends that the file does not declare
    /// (the request validator's `400 {message}`, FLAMENCO.md "Errors") in exactly those shapes.
    pub async fn send(&self, method: Method, path: &str, body: Option<Vec<u8>>, content_type: &str) -> Reply {
        let request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header("content-type", content_type)
            .body(body.map(Body::from).unwrap_or_else(Body::empty))
            .expect("request");
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        let reply = Reply { status, content_type, body };
        check_contract(method.as_str(), path, &reply);
        reply
    }
}

/// Checks one response against the contract (see [`Client::send`]), with the answers the real
/// Manager gives that the file does not declare ([`Contract::validate_manager_response`]).
pub fn check_contract(method: &str, path: &str, reply: &Reply) {
    if let Err(errors) = contract().validate_manager_response(method, path, reply.status, &reply.body) {
        panic!(
            "{method} {path} -> {} violates the contract: {errors:?}\nbody: {}",
            reply.status,
            reply.text()
        );
    }
    let described =
        path.starts_with("/api/") && contract().response_schema(method, path, reply.status).is_ok();
    if described
        && reply.status != 204
        && !reply.body.is_empty()
        && !reply.content_type.starts_with("text/plain")
    {
        assert!(
            reply.content_type.starts_with("application/json"),
            "{method} {path}: {}",
            reply.content_type
        );
    }
}

/// Polls `check` until it gives `Some`, or panics after `seconds`.
pub async fn eventually<T, F, Fut>(seconds: f64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The spec's own example submission.
pub fn example_submission() -> Value {
    contract().schema("SubmittedJob").expect("schema")["example"].clone()
}

/// The example submission as a job of one-frame render tasks and no preview video.
pub fn frames_job(name: &str, frames: &str) -> Value {
    let mut job = example_submission();
    job["name"] = json!(name);
    job["settings"]["frames"] = json!(frames);
    job["settings"]["chunk_size"] = json!(1);
    job["settings"]["fps"] = json!(0); // no preview-video task
    job
}

/// Submits a job; returns its id.
pub async fn submit(client: &Client, job: Value) -> String {
    let reply = client.post("/api/v3/jobs", job).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["id"].as_str().expect("id").to_owned()
}

pub async fn job_status(client: &Client, job_id: &str) -> String {
    client.get(&format!("/api/v3/jobs/{job_id}")).await.json()["status"].as_str().unwrap_or("").to_owned()
}

pub async fn tasks(client: &Client, job_id: &str) -> Vec<Value> {
    let reply = client.get(&format!("/api/v3/jobs/{job_id}/tasks")).await;
    reply.json()["tasks"].as_array().cloned().unwrap_or_default()
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A socket.io 2 client, as the dashboard's: WebSocket only, Engine.IO 3.
pub struct SocketClient {
    socket: Socket,
    next_ack: u64,
    events: VecDeque<(String, Value)>,
}

impl SocketClient {
    pub async fn connect(server: &Server) -> SocketClient {
        let url = format!("ws://{}/socket.io/?EIO=3&transport=websocket", server.addr);
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("websocket connects");
        let mut client = SocketClient { socket, next_ack: 1, events: VecDeque::new() };
        let open = client.frame(5.0).await.expect("open frame");
        assert!(matches!(open, Frame::Open(_)), "{open:?}");
        // socket.io 2 servers connect clients to `/` by themselves; asking again is harmless.
        client.send(Frame::connect()).await;
        let connected = client.frame(5.0).await.expect("namespace connect");
        assert!(matches!(connected, Frame::Message(Packet::Connect { .. })), "{connected:?}");
        client
    }

    pub async fn send(&mut self, frame: Frame) {
        self.socket.send(Message::text(frame.encode())).await.expect("send");
    }

    async fn frame(&mut self, seconds: f64) -> Option<Frame> {
        let deadline = Duration::from_secs_f64(seconds);
        loop {
            let message = tokio::time::timeout(deadline, self.socket.next()).await.ok()??.ok()?;
            if let Message::Text(text) = message {
                return Some(Frame::parse(text.as_str()).unwrap_or_else(|e| panic!("bad frame {text}: {e}")));
            }
        }
    }

    /// Emits `/subscription` with an ack id and returns the server's answer text.
    pub async fn subscribe(&mut self, kind: &str, uuid: Option<&str>) -> String {
        let mut payload = json!({"op": "subscribe", "type": kind});
        if let Some(uuid) = uuid {
            payload["uuid"] = json!(uuid);
        }
        self.request("/subscription", payload).await
    }

    pub async fn request(&mut self, event: &str, payload: Value) -> String {
        let id = self.next_ack;
        self.next_ack += 1;
        self.send(Frame::event_with_ack(id, event, payload)).await;
        loop {
            match self.frame(5.0).await.expect("ack") {
                Frame::Message(Packet::Ack { id: got, data, .. }) if got == id => {
                    return data.first().and_then(Value::as_str).unwrap_or_default().to_owned();
                }
                frame => self.buffer(frame),
            }
        }
    }

    fn buffer(&mut self, frame: Frame) {
        if let Some((name, payload)) = frame.as_event() {
            self.events.push_back((name.to_owned(), payload.clone()));
        }
    }

    /// The next event, waiting at most `seconds`.
    pub async fn next_event(&mut self, seconds: f64) -> Option<(String, Value)> {
        if let Some(event) = self.events.pop_front() {
            return Some(event);
        }
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        loop {
            let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
            if left <= 0.0 {
                return None;
            }
            let frame = self.frame(left).await?;
            if let Frame::Ping(data) = &frame {
                self.send(Frame::Pong(data.clone())).await;
                continue;
            }
            self.buffer(frame);
            if let Some(event) = self.events.pop_front() {
                return Some(event);
            }
        }
    }

    /// Collects events until `done` says so or `seconds` pass.
    pub async fn collect_until(
        &mut self,
        seconds: f64,
        mut done: impl FnMut(&str, &Value) -> bool,
    ) -> Vec<(String, Value)> {
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let mut events = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Some((name, payload)) = self.next_event(left.as_secs_f64()).await else { break };
            let finished = done(&name, &payload);
            events.push((name, payload));
            if finished {
                break;
            }
        }
        events
    }
}

/// Checks an event payload against its schema in the contract.
pub fn check_event(name: &str, payload: &Value) {
    let schema = match name {
        "/jobs" => "EventJobUpdate",
        "/task" => "EventTaskUpdate",
        "/tasklog" => "EventTaskLogUpdate",
        "/last-rendered" => "EventLastRenderedUpdate",
        "/workers" => "EventWorkerUpdate",
        "/workertags" => "EventWorkerTagUpdate",
        "/status" => "EventFarmStatus",
        "/lifecycle" => "EventLifeCycle",
        other => panic!("unknown event {other}"),
    };
    // A deleted job goes out with Go's zero values, as Flamenco sends it; the rest must validate.
    if payload.get("was_deleted") == Some(&json!(true)) {
        return;
    }
    if let Err(errors) = contract().validate(schema, payload) {
        panic!("{name} event violates {schema}: {errors:?}\n{payload}");
    }
}
