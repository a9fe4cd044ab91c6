//! The browser side of notifications: choices in local storage (shared by the tabs through the
//! `storage` event), the notifier lock (Web Locks: the tab holding it shows the alerts, the next tab
//! takes over when it closes), the permission, and showing an alert. Runs on every page, so it stays
//! small: the settings and bells that change the choices are in lazily loaded code.

use std::cell::RefCell;
use std::rc::Rc;

use flamenco_api::SubscriptionType;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::rules::{Alert, NotifyChoices, SentLog, Watcher};
use crate::jobs::use_jobs;
use crate::live::{use_live, LiveEvent, SubscriptionGuard};

const CHOICES_KEY: &str = "farmdeck.notify.choices";
const SENT_KEY: &str = "farmdeck.notify.sent";
/// Held by the one tab that shows desktop notifications.
const LOCK_NAME: &str = "farmdeck-desktop-notifier";

/// Whether this browser lets the page show desktop notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// No Notification API here, or not over https/localhost (browsers allow it only there).
    Unsupported,
    /// Not asked yet (or the question was dismissed).
    Ask,
    Granted,
    Denied,
}

impl Permission {
    /// What the browser says now.
    pub fn current() -> Permission {
        let Some(window) = web_sys::window() else { return Permission::Unsupported };
        let has_api = js_sys::Reflect::has(&window, &"Notification".into()).unwrap_or(false);
        if !has_api || !window.is_secure_context() {
            return Permission::Unsupported;
        }
        match web_sys::Notification::permission() {
            web_sys::NotificationPermission::Granted => Permission::Granted,
            web_sys::NotificationPermission::Denied => Permission::Denied,
            _ => Permission::Ask,
        }
    }
}

/// The app-wide notifier: what this browser chose, and whether this tab is the one that notifies.
#[derive(Clone, Copy)]
pub struct Notifier {
    pub choices: RwSignal<NotifyChoices>,
    pub permission: RwSignal<Permission>,
    /// This tab holds the notifier lock.
    pub leader: RwSignal<bool>,
}

impl Notifier {
    /// Changes the choices and saves them for every tab.
    pub fn change(&self, edit: impl FnOnce(&mut NotifyChoices)) {
        self.choices.update(edit);
        if let Some(storage) = storage() {
            let _ = storage.set_item(CHOICES_KEY, &self.choices.with_untracked(NotifyChoices::to_text));
        }
    }

    /// Asks the browser for permission (call from a click) and turns desktop notifications on if
    /// it is given.
    pub fn ask_permission(&self) {
        let notifier = *self;
        let Ok(asked) = web_sys::Notification::request_permission() else { return };
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
            let permission = Permission::current();
            notifier.permission.set(permission);
            if permission == Permission::Granted {
                notifier.change(|choices| choices.desktop = true);
            }
        });
    }

    fn notify(&self, alert: Option<Alert>) {
        let Some(alert) = alert else { return };
        let wanted = self.leader.get_untracked() && self.choices.with_untracked(|c| c.desktop);
        if !wanted || Permission::current() != Permission::Granted || !claim(&alert.key) {
            return;
        }
        show(&alert);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn saved_choices() -> NotifyChoices {
    storage()
        .and_then(|s| s.get_item(CHOICES_KEY).ok().flatten())
        .map(|t| NotifyChoices::parse(&t))
        .unwrap_or_default()
}

/// Claims an alert in the log the tabs share; without storage, this tab alone decides.
fn claim(key: &str) -> bool {
    let Some(storage) = storage() else { return true };
    let mut log = storage.get_item(SENT_KEY).ok().flatten().map(|t| SentLog::parse(&t)).unwrap_or_default();
    let fresh = log.claim(key);
    if fresh {
        let _ = storage.set_item(SENT_KEY, &log.to_text());
    }
    fresh
}

fn show(alert: &Alert) {
    let options = web_sys::NotificationOptions::new();
    options.set_body(&alert.body);
    // An equal tag replaces a shown notification instead of adding one: a last guard, should two
    // tabs ever both show one.
    options.set_tag(&alert.key);
    if let Ok(shown) = web_sys::Notification::new_with_options(&alert.title, &options) {
        let focus = Closure::once_into_js(|| {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
            }
        });
        shown.set_onclick(focus.dyn_ref());
    }
}

/// Waits for the notifier lock and marks this tab the leader once it has it; the lock is held
/// until the tab closes. Without Web Locks (an old browser), every tab notifies and the shared log
/// of sent alerts keeps each alert to one tab.
fn request_leadership(leader: RwSignal<bool>) {
    let Some(window) = web_sys::window() else { return };
    let locks = js_sys::Reflect::get(&window.navigator(), &"locks".into()).ok().filter(JsValue::is_object);
    let request = locks.as_ref().and_then(|locks| js_sys::Reflect::get(locks, &"request".into()).ok());
    let (Some(locks), Some(request)) = (locks, request.and_then(|f| f.dyn_into::<js_sys::Function>().ok()))
    else {
        leader.set(true);
        return;
    };
    // Settles the held lock's promise, which releases the lock.
    let release = Rc::new(RefCell::new(None::<js_sys::Function>));
    let granted = {
        let release = release.clone();
        Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |_lock| {
            leader.set(true);
            // Settles only when the page is left: the lock stays with this tab while it is open.
            js_sys::Promise::new(&mut |settle, _| *release.borrow_mut() = Some(settle))
        })
    };
    let ask = move || {
        let _ = request.call2(&locks, &LOCK_NAME.into(), granted.as_ref());
    };
    ask();
    // Leaving the page hands the lock over at once: in a test, Chromium kept the lock of a page
    // navigated away from (none listed as held, yet no waiting tab was granted it).
    let left =
        Closure::<dyn Fn(web_sys::PageTransitionEvent)>::new(move |_: web_sys::PageTransitionEvent| {
            if let Some(settle) = release.borrow_mut().take() {
                leader.set(false);
                let _ = settle.call0(&JsValue::NULL);
            }
        });
    // A page restored from the back-forward cache asks again.
    let back =
        Closure::<dyn Fn(web_sys::PageTransitionEvent)>::new(move |event: web_sys::PageTransitionEvent| {
            if event.persisted() {
                ask();
            }
        });
    let _ = window.add_event_listener_with_callback("pagehide", left.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("pageshow", back.as_ref().unchecked_ref());
    left.forget();
    back.forget();
}

/// Another tab changed the choices: take them over.
fn follow_other_tabs(choices: RwSignal<NotifyChoices>) {
    let Some(window) = web_sys::window() else { return };
    let changed = Closure::<dyn Fn(web_sys::StorageEvent)>::new(move |event: web_sys::StorageEvent| {
        if event.key().as_deref() == Some(CHOICES_KEY) {
            choices.set(saved_choices());
        }
    });
    let _ = window.add_event_listener_with_callback("storage", changed.as_ref().unchecked_ref());
    changed.forget();
}

/// Creates the notifier and its rules engine; call in `App` after the jobs store.
pub fn provide_notifier() -> Notifier {
    let notifier = Notifier {
        choices: RwSignal::new(saved_choices()),
        permission: RwSignal::new(Permission::current()),
        leader: RwSignal::new(false),
    };
    provide_context(notifier);
    follow_other_tabs(notifier.choices);
    request_leadership(notifier.leader);
    let live = use_live();
    let jobs = use_jobs();
    let watcher = StoredValue::new_local(Watcher::default());
    let job_name =
        move |id: &str| jobs.table.with_untracked(|table| table.get(id).map(|job| job.name.clone()));
    let listener = live.on_event(move |event| {
        // Every live event passes here, on every page: read the choices in place, not a copy.
        let alert = notifier.choices.with_untracked(|choices| {
            watcher
                .try_update_value(|watcher| match event {
                    LiveEvent::JobUpdate(update) => {
                        watcher.job_event(choices, update, job_name(&update.id).as_deref())
                    }
                    LiveEvent::TaskUpdate(update) => {
                        watcher.task_event(choices, update, job_name(&update.job_id).as_deref())
                    }
                    LiveEvent::WorkerUpdate(update) => watcher.worker_event(choices, update),
                    LiveEvent::FarmStatus(report) => {
                        watcher.farm_event(choices, &report.status, js_sys::Date::now())
                    }
                    _ => None,
                })
                .flatten()
        });
        notifier.notify(alert);
    });
    StoredValue::new_local(listener);
    follow_belled_tasks(notifier);
    notifier
}

/// A task's first failure comes as a `/task` event, sent only to the job's subscribers.
fn follow_belled_tasks(notifier: Notifier) {
    let live = use_live();
    let guards = StoredValue::new_local(Vec::<(String, SubscriptionGuard)>::new());
    Effect::new(move |_| {
        let wanted = notifier.choices.with(NotifyChoices::jobs_watching_tasks);
        let dropped = guards.try_update_value(|guards| {
            let (kept, gone): (Vec<_>, Vec<_>) =
                std::mem::take(guards).into_iter().partition(|(id, _)| wanted.contains(id));
            *guards = kept;
            for id in wanted {
                if !guards.iter().any(|(held, _)| *held == id) {
                    let guard = live.subscribe(SubscriptionType::Job, Some(id.clone()));
                    guards.push((id, guard));
                }
            }
            gone
        });
        // Released outside the stored value: releasing calls into the connection.
        drop(dropped);
    });
}

/// The app-wide notifier.
pub fn use_notifier() -> Notifier {
    expect_context::<Notifier>()
}
