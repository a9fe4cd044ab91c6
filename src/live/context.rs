//! The live connection as the app's components see it: [`LiveContext`], the guards, and the
//! `use_*` helpers that tie subscriptions and listeners to a component's life.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use flamenco_api::{FarmStatus, FarmStatusReport, SubscriptionType};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::events::LiveEvent;
use super::fetch_schedule::CONNECT_GRACE;
use super::listeners::Listeners;
use super::socket::{socket_url, Driver, Glitch, Hooks};
use super::state::ConnectionState;
use super::subscriptions::{takes_uuid, SubscriptionKey};
use crate::api::ManagerClient;
use crate::manager::ManagerContext;
use crate::ui::first_rows::use_first_rows;

/// The non-`Send` half of the context, kept in the reactive arena's local storage.
struct Hub {
    driver: Rc<Driver>,
    listeners: Rc<RefCell<Listeners>>,
}

/// The live connection: its state, the epoch pages re-fetch on, the farm status, subscriptions and
/// event listeners. `Copy`: pass it into closures freely.
#[derive(Clone, Copy)]
pub struct LiveContext {
    state: RwSignal<ConnectionState>,
    epoch: RwSignal<u64>,
    farm_status: RwSignal<Option<FarmStatus>>,
    problem: RwSignal<Option<String>>,
    glitch: RwSignal<Option<Glitch>>,
    slow_to_connect: RwSignal<bool>,
    hub: StoredValue<Rc<Hub>, LocalStorage>,
}

/// Starts the live connection to the Manager at `manager_base_url` (as in `ManagerClient`), and
/// provides it to the components below. Call once, in `App`, after `provide_manager`. The socket is
/// closed when the calling component is cleaned up.
pub fn provide_live(manager_base_url: &str) -> LiveContext {
    let state = RwSignal::new(ConnectionState::Connecting);
    let epoch = RwSignal::new(0_u64);
    let farm_status = RwSignal::new(None::<FarmStatus>);
    let problem = RwSignal::new(None::<String>);
    let glitch = RwSignal::new(None::<Glitch>);
    let slow_to_connect = RwSignal::new(false);
    set_timeout(
        move || {
            if epoch.try_get_untracked() == Some(0) {
                slow_to_connect.try_set(true);
            }
        },
        CONNECT_GRACE,
    );
    // Bumped by every `/status` event and every status fetch: a fetch whose answer arrives after
    // a newer event (or a newer fetch) must not overwrite it.
    let status_ticket = StoredValue::new(0_u64);

    let listeners = Rc::new(RefCell::new(Listeners::default()));
    let on_event = {
        let listeners = Rc::downgrade(&listeners);
        move |event: &LiveEvent| {
            if let LiveEvent::FarmStatus(report) = event {
                status_ticket.try_update_value(|ticket| *ticket += 1);
                farm_status.try_set(Some(report.status.clone()));
            }
            // A snapshot, so handlers may add or remove listeners while being called.
            let handlers = match listeners.upgrade() {
                Some(listeners) => match listeners.try_borrow() {
                    Ok(listeners) => listeners.snapshot(),
                    Err(_) => return,
                },
                None => return,
            };
            for handler in handlers {
                handler(event);
            }
        }
    };
    let driver = Driver::new(
        socket_url(manager_base_url),
        Hooks { state, epoch, problem, glitch, on_event: Box::new(on_event) },
    );
    let hub = StoredValue::new_local(Rc::new(Hub { driver: Rc::clone(&driver), listeners }));
    let context = LiveContext { state, epoch, farm_status, problem, glitch, slow_to_connect, hub };
    provide_context(context);

    // The farm status: asked for once the job list's first rows are shown and after every
    // (re)connect, since `/status` events sent while disconnected are lost; kept current by the
    // events in between.
    let client = use_context::<ManagerContext>()
        .map(|manager| manager.client)
        .unwrap_or_else(|| ManagerClient::new(manager_base_url));
    let first_rows = use_first_rows();
    Effect::new(move |_| {
        if !first_rows.is_open() {
            return;
        }
        epoch.track();
        let Some(ticket) = status_ticket.try_update_value(|ticket| {
            *ticket += 1;
            *ticket
        }) else {
            return;
        };
        let client = client.clone();
        leptos::task::spawn_local(async move {
            match client.get_json::<FarmStatusReport>("/api/v3/status").await {
                Ok(report) if status_ticket.try_get_value() == Some(ticket) => {
                    farm_status.try_set(Some(report.status));
                }
                Ok(_) => {}
                // The Manager banner already says when the Manager is away; keep the last status.
                Err(error) => web_sys::console::debug_1(&JsValue::from_str(&format!("farm status: {error}"))),
            }
        });
    });

    // A Manager that comes back may be another one (restarted with another database, or another
    // Manager at the same address): its name and version are asked for again after a reconnect.
    if let Some(version) = use_context::<ManagerContext>().map(|manager| manager.version) {
        Effect::new(move |previous: Option<u64>| {
            let now = epoch.get();
            if previous.is_some_and(|previous| previous != now) && now > 1 {
                version.refetch();
            }
            now
        });
    }

    driver.start();
    on_cleanup(move || {
        hub.try_with_value(|hub| hub.driver.stop());
    });
    context
}

/// The live context provided by [`provide_live`]. Panics outside `App`, like `use_manager`: a bug.
pub fn use_live() -> LiveContext {
    expect_context::<LiveContext>()
}

impl LiveContext {
    /// Where the connection stands, for indicators.
    pub fn state(&self) -> Signal<ConnectionState> {
        self.state.into()
    }

    /// Bumped each time the connection is (re)established and the subscriptions are sent again,
    /// and when a live update could not be read (at most every few seconds). Read it in a
    /// resource's fetcher so the page re-fetches what it missed. 0 until the first connection.
    pub fn epoch(&self) -> Signal<u64> {
        self.epoch.into()
    }

    /// The farm's status: fetched after the job list's first rows and on every new epoch, then kept by `/status` events.
    /// None until the first answer.
    pub fn farm_status(&self) -> Signal<Option<FarmStatus>> {
        self.farm_status.into()
    }

    /// Whether the first connection took longer than [`CONNECT_GRACE`]: lists are then fetched
    /// without it, so that a WebSocket that hangs does not hold them back.
    pub fn slow_to_connect(&self) -> Signal<bool> {
        self.slow_to_connect.into()
    }

    /// Why the connection was last lost; None once it is back.
    pub fn last_problem(&self) -> Signal<Option<String>> {
        self.problem.into()
    }

    /// The last live update that could not be read, if any.
    pub fn last_glitch(&self) -> Signal<Option<Glitch>> {
        self.glitch.into()
    }

    /// The WebSocket URL in use.
    pub fn socket_url(&self) -> String {
        self.hub.try_with_value(|hub| hub.driver.url().to_owned()).unwrap_or_default()
    }

    /// Wants `kind` (with the job or task id for `job` and `tasklog`) until the guard is dropped.
    /// Holders are counted: the Manager is told on the first and the last. Wanted subscriptions are
    /// sent again after every reconnect. A `tasklog` subscription does not deliver log lines (the
    /// Manager's room bug): poll `logtail` too.
    pub fn subscribe(&self, kind: SubscriptionType, uuid: Option<String>) -> SubscriptionGuard {
        let key = SubscriptionKey::new(kind, uuid);
        let hub = self.hub.try_with_value(Rc::downgrade).unwrap_or_default();
        if let Some(hub) = hub.upgrade() {
            hub.driver.subscribe(key.clone());
        }
        SubscriptionGuard { hub, key }
    }

    /// Calls `handler` for every live event until the guard is dropped.
    pub fn on_event(&self, handler: impl Fn(&LiveEvent) + 'static) -> ListenerGuard {
        let listeners = self.hub.try_with_value(|hub| Rc::downgrade(&hub.listeners)).unwrap_or_default();
        let id = listeners
            .upgrade()
            .and_then(|listeners| listeners.try_borrow_mut().ok().map(|mut list| list.add(Rc::new(handler))))
            .unwrap_or(0);
        ListenerGuard { listeners, id }
    }
}

/// Holds one subscription; dropping it releases it.
#[must_use = "the subscription ends when the guard is dropped"]
pub struct SubscriptionGuard {
    hub: Weak<Hub>,
    key: SubscriptionKey,
}

impl SubscriptionGuard {
    /// What this guard holds.
    pub fn key(&self) -> &SubscriptionKey {
        &self.key
    }
}

impl Drop for SubscriptionGuard {
    fn drop(&mut self) {
        if let Some(hub) = self.hub.upgrade() {
            hub.driver.unsubscribe(&self.key);
        }
    }
}

/// Keeps one event handler registered; dropping it removes the handler.
#[must_use = "the handler is removed when the guard is dropped"]
pub struct ListenerGuard {
    listeners: Weak<RefCell<Listeners>>,
    id: u64,
}

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        if let Some(listeners) = self.listeners.upgrade() {
            if let Ok(mut listeners) = listeners.try_borrow_mut() {
                listeners.remove(self.id);
            }
        }
    }
}

/// Subscribes to `kind` for as long as the calling component lives, following `uuid` as it
/// changes (e.g. the selected job). For `job` and `tasklog`, a None uuid means no subscription;
/// other kinds ignore the uuid. On a change the new subscription is made before the old one is
/// released, so an unchanged key is never briefly unsubscribed.
pub fn use_subscription(kind: SubscriptionType, uuid: impl Fn() -> Option<String> + 'static) {
    let live = use_live();
    let current = StoredValue::new_local(None::<SubscriptionGuard>);
    Effect::new(move |_| {
        let uuid = uuid();
        let wanted = if takes_uuid(&kind) && uuid.is_none() {
            None
        } else {
            Some(SubscriptionKey::new(kind.clone(), uuid))
        };
        let unchanged = current
            .try_with_value(|guard| guard.as_ref().map(SubscriptionGuard::key) == wanted.as_ref())
            .unwrap_or(true);
        if unchanged {
            return;
        }
        let new = wanted.map(|key| live.subscribe(key.kind, key.uuid));
        // Dropped outside the stored value's lock: releasing calls into the connection.
        let old = current.try_update_value(|guard| std::mem::replace(guard, new));
        drop(old);
    });
    on_cleanup(move || {
        let old = current.try_update_value(Option::take);
        drop(old);
    });
}

/// Calls `handler` for every live event for as long as the calling component lives.
pub fn use_live_event(handler: impl Fn(&LiveEvent) + 'static) {
    let guard = StoredValue::new_local(Some(use_live().on_event(handler)));
    on_cleanup(move || {
        let old = guard.try_update_value(Option::take);
        drop(old);
    });
}
