//! Live updates over socket.io 2 / Engine.IO 3, WebSocket only, the way Flamenco Manager 3.9 answers
//! (FLAMENCO.md, "Measured"): polling is refused with 503; the handshake announces
//! `pingInterval` 30000 / `pingTimeout` 60000 but the server never pings; a client that sends
//! nothing for the idle timeout is dropped without a close frame; `2probe` gets a bare `3`;
//! malformed frames are ignored; any `EIO` and `sid` are accepted and EIO3 is spoken regardless.
//! Subscriptions follow Flamenco's rooms, its task-log room bug included.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use flamenco_api::socketio::{Frame, OpenInfo, Packet, ROOT_NAMESPACE};
use flamenco_api::{SocketIOSubscription, SubscriptionOperation, SubscriptionType};
use serde_json::Value;
use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::task::JoinHandle;

use crate::clock::is_uuid;
use crate::farm::events::{self, LiveEvent};

/// What the handshake announces, as the Manager does. The server itself never pings.
pub const PING_INTERVAL_MS: u64 = 30_000;
pub const PING_TIMEOUT_MS: u64 = 60_000;
/// How long a client may stay silent before the Manager drops it.
pub const IDLE_TIMEOUT: Duration = Duration::from_millis(PING_TIMEOUT_MS);
/// The Manager's answer to anything at `/socket.io/` that is not a WebSocket upgrade.
pub const NOT_WEBSOCKET: &str = "Upgrade failed: websocket: the client is not using the websocket protocol";

/// Events queued for one client; beyond this a slow client loses events (as a slow socket would).
const CLIENT_BUFFER: usize = 8192;

/// The connected clients and the rooms they are in.
pub struct Hub {
    clients: Mutex<HashMap<u64, Client>>,
    next_id: AtomicU64,
    idle_timeout: Duration,
}

struct Client {
    outbox: mpsc::Sender<String>,
    rooms: HashSet<String>,
}

impl Hub {
    /// A hub that drops clients silent for `idle_timeout` (the Manager: [`IDLE_TIMEOUT`]).
    pub fn new(idle_timeout: Duration) -> Arc<Hub> {
        Arc::new(Hub { clients: Mutex::new(HashMap::new()), next_id: AtomicU64::new(1), idle_timeout })
    }

    fn clients(&self) -> MutexGuard<'_, HashMap<u64, Client>> {
        // Every change to the map is a single insert or removal: a poisoned lock holds a whole state.
        self.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many clients are connected.
    pub fn client_count(&self) -> usize {
        self.clients().len()
    }

    /// Sends an event to every client in `room`.
    pub fn emit(&self, room: &str, name: &str, payload: &Value) {
        let text = Frame::event(name, payload.clone()).encode();
        for client in self.clients().values() {
            if client.rooms.contains(room) {
                // A full buffer drops the event for that client only; a closed one is leaving.
                let _ = client.outbox.try_send(text.clone());
            }
        }
    }

    fn join(&self, id: u64, rooms: Vec<String>, join: bool) {
        if let Some(client) = self.clients().get_mut(&id) {
            for room in rooms {
                if join {
                    client.rooms.insert(room);
                } else {
                    client.rooms.remove(&room);
                }
            }
        }
    }
}

/// `/socket.io/`: a WebSocket upgrade, whatever the query says; anything else is refused.
pub async fn endpoint(
    State(hub): State<Arc<Hub>>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    match upgrade {
        Ok(upgrade) => upgrade.on_upgrade(move |socket| serve(hub, socket)).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            NOT_WEBSOCKET,
        )
            .into_response(),
    }
}

/// One client's session, until it leaves, breaks the connection or stays silent too long.
async fn serve(hub: Arc<Hub>, mut socket: WebSocket) {
    let id = hub.next_id.fetch_add(1, Ordering::Relaxed);
    let (outbox, mut inbox) = mpsc::channel::<String>(CLIENT_BUFFER);
    let rooms = HashSet::from([events::ROOM_LIFECYCLE.to_owned(), events::ROOM_FARM_STATUS.to_owned()]);
    hub.clients().insert(id, Client { outbox, rooms });
    let open = Frame::Open(OpenInfo {
        sid: format!("{id:08x}"),
        upgrades: Vec::new(),
        ping_interval: PING_INTERVAL_MS,
        ping_timeout: PING_TIMEOUT_MS,
    });
    let greeted = async {
        socket.send(Message::text(open.encode())).await?;
        socket.send(Message::text(Frame::connect().encode())).await
    };
    if greeted.await.is_ok() {
        converse(&hub, id, &mut socket, &mut inbox).await;
    }
    hub.clients().remove(&id);
    // Dropping the socket closes the connection with no Engine.IO `1` and no WebSocket close
    // frame, as the Manager does to a client that went silent.
    drop(socket);
}

async fn converse(hub: &Hub, id: u64, socket: &mut WebSocket, inbox: &mut mpsc::Receiver<String>) {
    let mut deadline = tokio::time::Instant::now() + hub.idle_timeout;
    loop {
        tokio::select! {
            outgoing = inbox.recv() => {
                let Some(text) = outgoing else { return };
                if socket.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
            incoming = tokio::time::timeout_at(deadline, socket.recv()) => {
                let Ok(incoming) = incoming else { return }; // silent too long
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                    // Pings, pongs and binary frames are traffic too, but carry nothing for us.
                    Some(Ok(_)) => {
                        deadline = tokio::time::Instant::now() + hub.idle_timeout;
                        continue;
                    }
                };
                deadline = tokio::time::Instant::now() + hub.idle_timeout;
                match answer(hub, id, text.as_str()) {
                    Reply::Nothing => {}
                    Reply::Send(text) => {
                        if socket.send(Message::text(text)).await.is_err() {
                            return;
                        }
                    }
                    Reply::Leave => return,
                }
            }
        }
    }
}

enum Reply {
    Nothing,
    Send(String),
    Leave,
}

/// What the server does with one text frame from a client.
fn answer(hub: &Hub, id: u64, text: &str) -> Reply {
    // A frame that does not parse is ignored, as the Manager does.
    let Ok(frame) = Frame::parse(text) else { return Reply::Nothing };
    match frame {
        // The Manager answers any ping, `2probe` included, with a bare `3`.
        Frame::Ping(_) => Reply::Send(Frame::Pong(None).encode()),
        Frame::Close => Reply::Leave,
        Frame::Message(Packet::Connect { namespace }) if namespace == ROOT_NAMESPACE => {
            Reply::Send(Frame::connect().encode())
        }
        Frame::Message(Packet::Disconnect { namespace }) if namespace == ROOT_NAMESPACE => Reply::Leave,
        Frame::Message(Packet::Event { namespace, id: ack, data }) if namespace == ROOT_NAMESPACE => {
            if data.first().and_then(Value::as_str) != Some(flamenco_api::event_names::SUBSCRIPTION) {
                return Reply::Nothing;
            }
            let payload = data.get(1).cloned().unwrap_or(Value::Null);
            match (subscribe(hub, id, payload), ack) {
                (Some(message), Some(ack)) => {
                    Reply::Send(Frame::ack(ack, vec![Value::from(message)]).encode())
                }
                _ => Reply::Nothing,
            }
        }
        _ => Reply::Nothing,
    }
}

/// Forwards the farm's events to their rooms, one at a time, so that clients see them in the order
/// the farm made them.
pub fn spawn_forwarder(hub: Arc<Hub>, mut events: UnboundedReceiver<LiveEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let (name, rooms, payload) = event.routing();
            for room in rooms {
                hub.emit(&room, name, &payload);
            }
        }
    })
}

/// Handles a `/subscription` request; returns Flamenco's answer text, or `None` when the Manager
/// sends no acknowledgement (a payload that is not a subscription of a known type).
fn subscribe(hub: &Hub, client: u64, data: Value) -> Option<&'static str> {
    let subscription = serde_json::from_value::<SocketIOSubscription>(data).ok()?;
    if subscription.uuid.as_deref().is_some_and(|uuid| !is_uuid(uuid)) {
        return Some("invalid UUID, ignoring request");
    }
    let rooms: Vec<String> = match (&subscription.subscription_type, &subscription.uuid) {
        (SubscriptionType::AllJobs, _) => vec![events::ROOM_JOBS.into()],
        (SubscriptionType::AllWorkers, _) => vec![events::ROOM_WORKERS.into()],
        (SubscriptionType::AllLastRendered, _) => vec![events::ROOM_LAST_RENDERED.into()],
        (SubscriptionType::AllWorkerTags, _) => vec![events::ROOM_WORKER_TAGS.into()],
        (SubscriptionType::Job, Some(job)) => {
            vec![events::room_for_job(job), events::room_for_job_last_rendered(job)]
        }
        (SubscriptionType::Job, None) => return Some("operation on job requires a UUID"),
        // Flamenco's bug, kept on purpose: a task-log subscription joins the room of a *job* with
        // the task's id, so `/tasklog` events (sent to `/tasklog/<task>`) never arrive. Clients
        // must poll `logtail`.
        (SubscriptionType::TaskLog, Some(task)) => vec![events::room_for_job(task)],
        (SubscriptionType::TaskLog, None) => return Some("operation on task requires a UUID"),
        (SubscriptionType::Unknown(_), _) => return None,
    };
    match subscription.op {
        SubscriptionOperation::Subscribe => hub.join(client, rooms, true),
        SubscriptionOperation::Unsubscribe => hub.join(client, rooms, false),
        SubscriptionOperation::Unknown(_) => {
            return Some(
                "unable to perform subscription operation: invalid subscription operation, ignoring request",
            )
        }
    }
    Some("ok")
}
