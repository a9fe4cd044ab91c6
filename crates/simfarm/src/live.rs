//! Live updates over socket.io 2 / Engine.IO 3 (WebSocket only, like Flamenco's server), with
//! Flamenco's subscription rooms, including its task-log room bug.

use flamenco_api::{SocketIOSubscription, SubscriptionOperation, SubscriptionType};
use serde_json::Value;
use socketioxide::extract::{AckSender, Data, SocketRef};
use socketioxide::layer::SocketIoLayer;
use socketioxide::{SocketIo, TransportType};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

use crate::clock::is_uuid;
use crate::farm::events::{self, LiveEvent};

/// The socket.io layer to put on the router, and the handle to emit through.
pub fn layer() -> (SocketIoLayer, SocketIo) {
    let (layer, io) = SocketIo::builder()
        .transports([TransportType::Websocket])
        // A client subscribed to everything on a busy farm gets many events at once.
        .max_buffer_size(8192)
        .build_layer();
    io.ns("/", async |socket: SocketRef| {
        socket.join([events::ROOM_LIFECYCLE, events::ROOM_FARM_STATUS]);
        socket.on(flamenco_api::event_names::SUBSCRIPTION, on_subscription);
    });
    (layer, io)
}

/// Forwards the farm's events to their rooms, one at a time, so that clients see them in the order
/// the farm made them.
pub fn spawn_forwarder(io: SocketIo, mut events: UnboundedReceiver<LiveEvent>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let (name, rooms, payload) = event.routing();
            for room in rooms {
                // A full client buffer drops the event for that client only, as a slow socket would.
                let _ = io.to(room).emit(name, &payload).await;
            }
        }
    })
}

async fn on_subscription(socket: SocketRef, Data(data): Data<Value>, ack: AckSender) {
    let answer = subscribe(&socket, data);
    // The ack fails only when the client is gone.
    let _ = ack.send(&answer);
}

/// Handles a `/subscription` request and returns Flamenco's answer text.
fn subscribe(socket: &SocketRef, data: Value) -> String {
    // A payload that is not a subscription reaches Flamenco's handler as an empty one.
    let Ok(subscription) = serde_json::from_value::<SocketIOSubscription>(data) else {
        return "unknown subscription type, ignoring request".into();
    };
    if subscription.uuid.as_deref().is_some_and(|uuid| !is_uuid(uuid)) {
        return "invalid UUID, ignoring request".into();
    }
    let rooms: Vec<String> = match (&subscription.subscription_type, &subscription.uuid) {
        (SubscriptionType::AllJobs, _) => vec![events::ROOM_JOBS.into()],
        (SubscriptionType::AllWorkers, _) => vec![events::ROOM_WORKERS.into()],
        (SubscriptionType::AllLastRendered, _) => vec![events::ROOM_LAST_RENDERED.into()],
        (SubscriptionType::AllWorkerTags, _) => vec![events::ROOM_WORKER_TAGS.into()],
        (SubscriptionType::Job, Some(job)) => {
            vec![events::room_for_job(job), events::room_for_job_last_rendered(job)]
        }
        (SubscriptionType::Job, None) => return "operation on job requires a UUID".into(),
        // Flamenco's bug, kept on purpose: a task-log subscription joins the room of a *job* with
        // the task's id, so `/tasklog` events (sent to `/tasklog/<task>`) never arrive. Clients
        // must poll `logtail`.
        (SubscriptionType::TaskLog, Some(task)) => vec![events::room_for_job(task)],
        (SubscriptionType::TaskLog, None) => return "operation on task requires a UUID".into(),
        (SubscriptionType::Unknown(_), _) => return "unknown subscription type, ignoring request".into(),
    };
    match subscription.op {
        SubscriptionOperation::Subscribe => socket.join(rooms),
        SubscriptionOperation::Unsubscribe => socket.leave(rooms),
        SubscriptionOperation::Unknown(_) => {
            return "unable to perform subscription operation: invalid subscription operation, ignoring request"
                .into()
        }
    }
    "ok".into()
}
