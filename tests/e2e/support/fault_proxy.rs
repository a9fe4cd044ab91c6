//! A reverse proxy between Chromium and simfarm that breaks things on request, as networks,
//! proxies and Managers do: it cuts an answer off mid-body, holds requests for a path (a tile
//! server that stalls), rewrites JSON answers (fields a newer or older Manager would add or leave
//! out), puts frames of its own into the live WebSockets, and takes the Manager away (every
//! connection reset, new ones closed at once) after so many requests and brings it back.
//!
//! The page is loaded from the proxy, so it talks to its own origin as it does behind nginx.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify};
use tokio_tungstenite::tungstenite;

/// Rewrites one JSON answer in place.
pub type Rewrite = Arc<dyn Fn(&mut serde_json::Value) + Send + Sync>;

/// The proxy; dropping it stops it.
pub struct FaultProxy {
    /// Where the page is opened.
    pub url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Rules {
    /// Answers for this path still to be cut, and after how many bytes of their body.
    cuts: HashMap<String, (usize, u32)>,
    /// Requests whose path contains one of these wait until it is lifted.
    stalls: Vec<String>,
    /// JSON answers for this exact path go through the function.
    rewrites: HashMap<String, Rewrite>,
    /// The Manager dies at the request after this many whose path contains the text.
    dies_after: Option<(String, usize)>,
    /// Live frames from the Manager that contain one of these arrive garbled.
    garbles: Vec<String>,
}

struct Shared {
    /// The Manager's address; another one after [`FaultProxy::replace_manager`].
    upstream: Mutex<String>,
    http: reqwest::Client,
    rules: Mutex<Rules>,
    /// Woken whenever a stall is lifted.
    lifted: Notify,
    /// Moves on each death: connections from before fail.
    generation: AtomicU64,
    down: AtomicBool,
    /// Tells the live sockets the Manager died.
    deaths: watch::Sender<u64>,
    /// One sender per open live socket, for frames of the proxy's own.
    sockets: Mutex<Vec<mpsc::UnboundedSender<String>>>,
    /// Requests that matched `dies_after` so far.
    matched: AtomicUsize,
    /// Requests (answered or not) per path, for a test to wait on.
    seen: Mutex<HashMap<String, usize>>,
}

impl FaultProxy {
    /// A proxy in front of the server at `upstream` (`http://127.0.0.1:<port>`), passing everything on.
    pub async fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let address = listener.local_addr().expect("a bound address");
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream.trim_end_matches('/').to_owned()),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            rules: Mutex::default(),
            lifted: Notify::new(),
            generation: AtomicU64::new(0),
            down: AtomicBool::new(false),
            deaths: watch::channel(0).0,
            sockets: Mutex::default(),
            matched: AtomicUsize::new(0),
            seen: Mutex::default(),
        });
        let app = axum::Router::new()
            .route("/socket.io/", axum::routing::get(socket))
            .fallback(forward)
            .with_state(Arc::clone(&shared));
        let listener = Killable { listener, shared: Arc::clone(&shared) };
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FaultProxy { url: format!("http://{address}"), shared, task }
    }

    /// The next `times` answers for `path` (exactly, without the query) break off after `bytes`
    /// bytes of their body, the connection failing as when the server dies mid-answer.
    pub fn cut_next(&self, path: &str, bytes: usize, times: u32) {
        self.rules().cuts.insert(path.to_owned(), (bytes, times));
    }

    /// Requests whose path contains `part` get no answer until [`FaultProxy::lift`].
    pub fn stall(&self, part: &str) {
        self.rules().stalls.push(part.to_owned());
    }

    /// Lets the stalled requests for `part` (and later ones) through.
    pub fn lift(&self, part: &str) {
        self.rules().stalls.retain(|stalled| stalled != part);
        self.shared.lifted.notify_waiters();
    }

    /// JSON answers for `path` (exactly) are changed by `rewrite` from now on.
    pub fn rewrite(&self, path: &str, rewrite: impl Fn(&mut serde_json::Value) + Send + Sync + 'static) {
        self.rules().rewrites.insert(path.to_owned(), Arc::new(rewrite));
    }

    /// The Manager dies at the request after `count` requests whose path contains `part` have
    /// been answered: that one and every open connection fail, new ones are closed at once.
    pub fn die_after(&self, part: &str, count: usize) {
        self.shared.matched.store(0, Ordering::SeqCst);
        self.rules().dies_after = Some((part.to_owned(), count));
    }

    /// Whether the Manager is away.
    pub fn is_down(&self) -> bool {
        self.shared.down.load(Ordering::SeqCst)
    }

    /// The Manager is back (with what it had: a restarted Manager keeps its database).
    pub fn come_back(&self) {
        self.rules().dies_after = None;
        self.shared.down.store(false, Ordering::SeqCst);
    }

    /// Live frames from the Manager that contain `text` arrive cut short, unreadable: the update
    /// they carried is lost.
    pub fn garble_frames_containing(&self, text: &str) {
        self.rules().garbles.push(text.to_owned());
    }

    /// The Manager dies and another one comes up at the same address (`upstream`): a Manager
    /// restarted with another database, as the browser sees it.
    pub fn replace_manager(&self, upstream: &str) {
        self.shared.die();
        *self.shared.upstream.lock().expect("the upstream") = upstream.trim_end_matches('/').to_owned();
        self.come_back();
    }

    /// Sends `frame` as it is to every open live socket, as if the Manager had sent it.
    pub fn send_to_sockets(&self, frame: &str) -> usize {
        let mut sockets = self.shared.sockets.lock().expect("the socket list");
        sockets.retain(|socket| socket.send(frame.to_owned()).is_ok());
        sockets.len()
    }

    /// How many requests for `path` (exactly, without the query) the proxy has received.
    pub fn requests_to(&self, path: &str) -> usize {
        self.shared.seen.lock().expect("the request counts").get(path).copied().unwrap_or(0)
    }

    /// How many requests for paths containing `part` the proxy has received.
    pub fn requests_containing(&self, part: &str) -> usize {
        let seen = self.shared.seen.lock().expect("the request counts");
        seen.iter().filter(|(path, _)| path.contains(part)).map(|(_, count)| count).sum()
    }

    /// Waits until `what` holds, checking every 50 ms, for at most 30 s.
    pub async fn wait_until(&self, what: &str, mut check: impl FnMut(&FaultProxy) -> bool) {
        let deadline = tokio::time::Instant::now() + super::PATIENCE;
        while !check(self) {
            assert!(tokio::time::Instant::now() < deadline, "the proxy never saw {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn rules(&self) -> std::sync::MutexGuard<'_, Rules> {
        self.shared.rules.lock().expect("the proxy's rules")
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    fn die(&self) {
        self.down.store(true, Ordering::SeqCst);
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.deaths.send_replace(generation);
    }

    fn stalled(&self, path: &str) -> bool {
        self.rules.lock().expect("rules").stalls.iter().any(|part| path.contains(part))
    }
}

/// Passes a request on to simfarm, breaking it as the rules say.
async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    *shared.seen.lock().expect("counts").entry(path.clone()).or_default() += 1;
    loop {
        let lifted = shared.lifted.notified();
        if !shared.stalled(&path) {
            break;
        }
        lifted.await;
    }
    let dies_after = shared.rules.lock().expect("rules").dies_after.clone();
    if let Some((part, count)) = dies_after {
        if path.contains(&part) && shared.matched.fetch_add(1, Ordering::SeqCst) >= count {
            // Let the answers already given reach the browser, then die.
            tokio::time::sleep(Duration::from_millis(300)).await;
            shared.die();
        }
    }
    if shared.down.load(Ordering::SeqCst) {
        // Never reaches the browser: its connection is dead.
        return StatusCode::BAD_GATEWAY.into_response();
    }
    let query = request.uri().query().map(|query| format!("?{query}")).unwrap_or_default();
    let method = request.method().clone();
    let mut headers = request.headers().clone();
    for hop in ["host", "connection", "accept-encoding", "content-length", "keep-alive"] {
        headers.remove(hop);
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), usize::MAX).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let upstream = shared.upstream.lock().expect("the upstream").clone();
    let url = format!("{upstream}{path}{query}");
    let answer = match shared.http.request(method, &url).headers(headers).body(body).send().await {
        Ok(answer) => answer,
        Err(error) => return (StatusCode::BAD_GATEWAY, format!("{url}: {error}")).into_response(),
    };
    let status = answer.status();
    let mut headers: HeaderMap = answer.headers().clone();
    for hop in ["content-length", "transfer-encoding", "connection"] {
        headers.remove(hop);
    }
    let Ok(mut bytes) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let rewrite = shared.rules.lock().expect("rules").rewrites.get(&path).cloned();
    if let Some(rewrite) = rewrite {
        if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            rewrite(&mut value);
            bytes = Bytes::from(serde_json::to_vec(&value).expect("JSON"));
        }
    }
    let cut = {
        let mut rules = shared.rules.lock().expect("rules");
        let cut = rules.cuts.get_mut(&path).map(|(at, left)| {
            *left -= 1;
            (*at, *left)
        });
        if let Some((_, 0)) = cut {
            rules.cuts.remove(&path);
        }
        cut.map(|(at, _)| at)
    };
    let body = match cut {
        // The length of the whole answer is announced, part of it comes, then the connection fails.
        Some(at) if at < bytes.len() => {
            headers.insert("content-length", bytes.len().into());
            let part = bytes.slice(..at);
            // The failure waits a moment, so that the head and the part are sent first (hyper
            // drops an answer whose body fails before anything was written).
            let broken = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Err(io::Error::new(io::ErrorKind::ConnectionReset, "cut off by the fault proxy"))
            });
            Body::from_stream(futures::stream::iter([Ok(part)]).chain(broken))
        }
        _ => Body::from(bytes),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// A live socket: the browser's on one side, simfarm's on the other, and frames of the proxy's own.
async fn socket(State(shared): State<Arc<Shared>>, upgrade: WebSocketUpgrade, request: Request) -> Response {
    let query = request.uri().query().unwrap_or_default().to_owned();
    let upstream = shared.upstream.lock().expect("the upstream").clone();
    let url = format!("{}/socket.io/?{query}", upstream.replacen("http://", "ws://", 1));
    let Ok((upstream, _)) = tokio_tungstenite::connect_async(&url).await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let (inject, injected) = mpsc::unbounded_channel();
    shared.sockets.lock().expect("sockets").push(inject);
    let deaths = shared.deaths.subscribe();
    upgrade.on_upgrade(move |browser| relay(shared, browser, upstream, injected, deaths))
}

async fn relay(
    shared: Arc<Shared>,
    mut browser: WebSocket,
    mut upstream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
    mut injected: mpsc::UnboundedReceiver<String>,
    mut deaths: watch::Receiver<u64>,
) {
    loop {
        tokio::select! {
            from_browser = browser.recv() => match from_browser {
                Some(Ok(Message::Text(text))) => {
                    if upstream.send(tungstenite::Message::text(text.as_str())).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            from_manager = upstream.next() => match from_manager {
                Some(Ok(tungstenite::Message::Text(text))) => {
                    let garbled = {
                        let rules = shared.rules.lock().expect("rules");
                        rules.garbles.iter().any(|part| text.as_str().contains(part.as_str()))
                    };
                    // Cut in the middle, as a broken proxy or a Manager's bug would send it.
                    let text = text.as_str();
                    let half = (0..=text.len() / 2).rev().find(|at| text.is_char_boundary(*at)).unwrap_or(0);
                    let text = if garbled { &text[..half] } else { text };
                    if browser.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
                Some(Ok(tungstenite::Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            Some(frame) = injected.recv() => {
                if browser.send(Message::text(frame)).await.is_err() {
                    return;
                }
            }
            // The Manager died: both ends go, without a goodbye.
            _ = deaths.changed() => return,
        }
    }
}

/// The listener: while the Manager is away, connections are closed as soon as they come.
struct Killable {
    listener: TcpListener,
    shared: Arc<Shared>,
}

impl axum::serve::Listener for Killable {
    type Io = KillableStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, address)) = self.listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            if self.shared.down.load(Ordering::SeqCst) {
                drop(stream);
                continue;
            }
            let generation = self.shared.generation.load(Ordering::SeqCst);
            return (KillableStream { stream, generation, shared: Arc::clone(&self.shared) }, address);
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A connection that fails once the Manager has died after it was opened.
struct KillableStream {
    stream: TcpStream,
    generation: u64,
    shared: Arc<Shared>,
}

impl KillableStream {
    fn dead(&self) -> bool {
        self.shared.generation.load(Ordering::SeqCst) != self.generation
    }
}

fn reset() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "the Manager died (fault proxy)")
}

impl AsyncRead for KillableStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.dead() {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.dead() {
            return Poll::Ready(Err(reset()));
        }
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
