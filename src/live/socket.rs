//! The browser side: one `WebSocket` at a time, one timer, and the signals. Everything it does is
//! decided by [`Link`]; this file only carries the [`Command`]s out and feeds events back in.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::events::LiveEvent;
use super::link::{Command, Link};
use super::state::ConnectionState;
use super::subscriptions::SubscriptionKey;

/// The WebSocket URL of the Manager at `base` (`http://farm:8080` → `ws://farm:8080/socket.io/...`).
/// A base without a scheme stays relative, which browsers resolve against the page.
pub fn socket_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let base = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_owned()
    };
    format!("{base}/socket.io/?EIO=3&transport=websocket")
}

/// Where the driver reports to.
pub struct Hooks {
    pub state: RwSignal<ConnectionState>,
    pub epoch: RwSignal<u64>,
    pub problem: RwSignal<Option<String>>,
    /// The last live update that could not be read.
    pub glitch: RwSignal<Option<Glitch>>,
    pub on_event: Box<dyn Fn(&LiveEvent)>,
}

/// A live update that could not be read: what it was, and a count that tells one from the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glitch {
    pub what: String,
    pub count: u64,
}

/// The open socket and the callbacks that must live as long as it.
struct Socket {
    ws: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

/// Runs a [`Link`] in the browser.
pub struct Driver {
    url: String,
    link: RefCell<Link>,
    socket: RefCell<Option<Socket>>,
    /// Which socket is current: callbacks of an older one are ignored.
    socket_id: Cell<u64>,
    /// The pending timer and the deadline it is for.
    timer: RefCell<Option<(f64, TimeoutHandle)>>,
    hooks: Hooks,
    this: Weak<Driver>,
}

impl Driver {
    pub fn new(url: String, hooks: Hooks) -> Rc<Driver> {
        Rc::new_cyclic(|this| Driver {
            url,
            link: RefCell::new(Link::new(js_sys::Math::random)),
            socket: RefCell::new(None),
            socket_id: Cell::new(0),
            timer: RefCell::new(None),
            hooks,
            this: this.clone(),
        })
    }

    /// The WebSocket URL in use.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn start(&self) {
        self.run(|link, now| link.start(now));
    }

    /// Leaves the namespace, closes the socket and cancels the timer, for good.
    pub fn stop(&self) {
        self.run(|link, _| link.stop());
        if let Some((_, handle)) = self.timer.borrow_mut().take() {
            handle.clear();
        }
    }

    pub fn subscribe(&self, key: SubscriptionKey) {
        self.run(move |link, _| link.subscribe(key));
    }

    pub fn unsubscribe(&self, key: &SubscriptionKey) {
        self.run(|link, _| link.unsubscribe(key));
    }

    /// Steps the link, then carries out what it asked for. The link is borrowed only while it
    /// steps, so commands may call back in (a listener subscribing, a guard dropping).
    fn run(&self, step: impl FnOnce(&mut Link, f64) -> Vec<Command>) {
        let now = js_sys::Date::now();
        let commands = match self.link.try_borrow_mut() {
            Ok(mut link) => step(&mut link, now),
            // Cannot happen (the link calls nothing outside itself), but must never panic.
            Err(_) => return warn("live updates: re-entered the connection logic; step skipped"),
        };
        for command in commands {
            self.execute(command);
        }
        self.reschedule(now);
    }

    fn execute(&self, command: Command) {
        match command {
            Command::Open => self.open(),
            Command::Close => self.close_socket(),
            Command::Send(text) => self.send(&text),
            Command::State(state) => {
                if self.hooks.state.try_get_untracked() != Some(state) {
                    self.hooks.state.try_set(state);
                }
            }
            Command::Established => {
                self.hooks.problem.try_set(None);
                self.hooks.epoch.try_update(|epoch| *epoch += 1);
            }
            Command::Event(event) => (self.hooks.on_event)(&event),
            Command::Lost(reason) => {
                debug(&format!("live updates lost: {reason}"));
                self.hooks.problem.try_set(Some(reason));
            }
            Command::Unreadable(what) => {
                self.hooks.glitch.try_update(|glitch| {
                    let count = glitch.as_ref().map_or(1, |glitch| glitch.count + 1);
                    *glitch = Some(Glitch { what, count });
                });
            }
            Command::Resync => {
                self.hooks.epoch.try_update(|epoch| *epoch += 1);
            }
            Command::Warn(text) => warn(&text),
            Command::Debug(text) => debug(&text),
        }
    }

    fn open(&self) {
        self.close_socket();
        let ws = match WebSocket::new(&self.url) {
            Ok(ws) => ws,
            Err(error) => {
                let reason = format!("cannot open {}: {}", self.url, describe(&error));
                return self.run(|link, now| link.socket_closed(&reason, now));
            }
        };
        let id = self.socket_id.get() + 1;
        self.socket_id.set(id);

        let on_message = self.callback(id, |driver, event: MessageEvent| {
            // Engine.IO 3 over WebSocket sends text only; binary frames are not Flamenco's.
            if let Some(text) = event.data().as_string() {
                driver.run(|link, now| link.socket_text(&text, now));
            }
        });
        let on_close = self.callback(id, |driver, event: CloseEvent| {
            let reason = match event.reason() {
                reason if reason.is_empty() => format!("the connection closed (code {})", event.code()),
                reason => format!("the connection closed (code {}: {reason})", event.code()),
            };
            driver.run(|link, now| link.socket_closed(&reason, now));
        });
        // Browsers give no detail on WebSocket errors (on purpose); the close that follows has
        // the code, but the first of the two already starts the retry.
        let on_error = self.callback(id, |driver, _: Event| {
            driver.run(|link, now| link.socket_closed("the connection failed", now));
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *self.socket.borrow_mut() =
            Some(Socket { ws, _on_message: on_message, _on_close: on_close, _on_error: on_error });
    }

    /// A socket callback that reaches the driver only while socket `id` is the current one.
    fn callback<E>(&self, id: u64, handle: impl Fn(&Driver, E) + 'static) -> Closure<dyn FnMut(E)>
    where
        E: wasm_bindgen::convert::FromWasmAbi + 'static,
    {
        let this = self.this.clone();
        Closure::new(move |event: E| {
            if let Some(driver) = this.upgrade() {
                if driver.socket_id.get() == id {
                    handle(&driver, event);
                }
            }
        })
    }

    fn close_socket(&self) {
        let Some(socket) = self.socket.borrow_mut().take() else { return };
        self.socket_id.set(self.socket_id.get() + 1);
        socket.ws.set_onmessage(None);
        socket.ws.set_onclose(None);
        socket.ws.set_onerror(None);
        if matches!(socket.ws.ready_state(), WebSocket::CONNECTING | WebSocket::OPEN) {
            // 1000: a normal closure, so the Manager logs no error for a page going away.
            let _ = socket.ws.close_with_code(1000);
        }
        // This may run inside one of the socket's own callbacks: free them once it has returned.
        set_timeout(move || drop(socket), Duration::ZERO);
    }

    fn send(&self, text: &str) {
        let socket = self.socket.borrow();
        let Some(socket) = socket.as_ref().filter(|socket| socket.ws.ready_state() == WebSocket::OPEN) else {
            return debug(&format!("live updates: not connected, not sent: {text}"));
        };
        if let Err(error) = socket.ws.send_with_str(text) {
            warn(&format!("live updates: could not send {text}: {}", describe(&error)));
        }
    }

    /// Sets the one timer for the link's next deadline, unless it is already set for it.
    fn reschedule(&self, now: f64) {
        let deadline = match self.link.try_borrow() {
            Ok(link) => link.next_deadline(),
            Err(_) => return,
        };
        let mut timer = self.timer.borrow_mut();
        if timer.as_ref().map(|(at, _)| *at) == deadline {
            return;
        }
        if let Some((_, handle)) = timer.take() {
            handle.clear();
        }
        let Some(deadline) = deadline else { return };
        let this = self.this.clone();
        let wait = Duration::from_millis((deadline - now).max(0.0).ceil() as u64);
        let fire = move || {
            if let Some(driver) = this.upgrade() {
                // Forget the fired timer first, so the same deadline can be set again if the
                // timer fired a hair early.
                driver.timer.borrow_mut().take();
                driver.run(|link, now| link.timer(now));
            }
        };
        match set_timeout_with_handle(fire, wait) {
            Ok(handle) => *timer = Some((deadline, handle)),
            Err(error) => warn(&format!("live updates: cannot set a timer: {}", describe(&error))),
        }
    }
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(text));
}

fn debug(text: &str) {
    web_sys::console::debug_1(&JsValue::from_str(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_urls_follow_the_manager_s_scheme_host_and_path() {
        assert_eq!(socket_url("http://farm:8080"), "ws://farm:8080/socket.io/?EIO=3&transport=websocket");
        assert_eq!(
            socket_url("https://farm.example/"),
            "wss://farm.example/socket.io/?EIO=3&transport=websocket"
        );
        assert_eq!(
            socket_url("https://proxy.example/flamenco"),
            "wss://proxy.example/flamenco/socket.io/?EIO=3&transport=websocket"
        );
        assert_eq!(socket_url(""), "/socket.io/?EIO=3&transport=websocket");
    }
}
