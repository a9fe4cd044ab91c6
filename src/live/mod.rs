//! Live updates from the Manager: a socket.io 2 / Engine.IO 3 client over the browser's
//! WebSocket (FLAMENCO.md, "Live updates").
//!
//! - [`provide_live`] once in `App`; [`use_live`] anywhere below.
//! - Pages hold subscriptions ([`LiveContext::subscribe`], [`use_subscription`]) and listen to
//!   events ([`LiveContext::on_event`], [`use_live_event`]).
//! - Events sent while disconnected are lost: pages make their REST fetches depend on
//!   [`LiveContext::epoch`], which moves on every (re)connect, after the subscriptions are sent.
//!
//! The logic lives in plain types with native tests: [`backoff`], [`subscriptions`], [`events`],
//! `session` (the protocol of one socket), `link` (the connection's whole life); `socket` is the
//! thin browser glue that carries out what `link` decides.

pub mod backoff;
mod components;
mod context;
pub mod events;
mod fetch_schedule;
mod link;
mod listeners;
mod session;
mod socket;
mod state;
pub mod subscriptions;

pub use components::{ConnectionIndicator, FarmStatusBadge, LiveGlitchNotice};
pub use context::{
    provide_live, use_live, use_live_event, use_subscription, ListenerGuard, LiveContext, SubscriptionGuard,
};
pub use events::{DecodeError, LiveEvent};
pub use fetch_schedule::{fetch_once_per_connection, FetchSchedule};
pub use flamenco_api::SubscriptionType;
pub use socket::{socket_url, Glitch};
pub use state::ConnectionState;
pub use subscriptions::SubscriptionKey;
