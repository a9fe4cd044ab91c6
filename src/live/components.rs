//! The header's live indicators.

use leptos::prelude::*;

use super::context::use_live;
use super::state::ConnectionState;
use crate::manager::ManagerContext;

/// Keeps only characters that are safe in a class name: a Manager may send any status text.
fn class_suffix(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

/// What the indicator shows: the connection's state, unless the socket is connected while the
/// Manager's API is not reachable. The Manager's WebSocket accepts any origin but its CORS rule
/// refuses most, so a page can be connected to the socket while every REST call fails: then
/// nothing on screen is live, and the indicator must not say so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indicated {
    Connection(ConnectionState),
    ApiRefused,
}

impl Indicated {
    pub fn new(state: ConnectionState, api_reachable: bool) -> Indicated {
        if state.is_connected() && !api_reachable {
            Indicated::ApiRefused
        } else {
            Indicated::Connection(state)
        }
    }

    fn class(&self) -> &'static str {
        match self {
            Indicated::Connection(state) => state.as_str(),
            Indicated::ApiRefused => "api-refused",
        }
    }

    fn label(&self) -> String {
        match self {
            Indicated::Connection(state) => state.label(),
            Indicated::ApiRefused => "No API access".to_owned(),
        }
    }

    fn spoken_label(&self) -> &'static str {
        match self {
            Indicated::Connection(state) => state.spoken_label(),
            Indicated::ApiRefused => "Live updates connected, but the Manager's API cannot be reached",
        }
    }

    fn details(&self) -> String {
        match self {
            Indicated::Connection(state) => state.details(),
            Indicated::ApiRefused => "The Manager's live channel accepts this page, but its API does not \
                answer it (usually its CORS rule refusing this page's origin): nothing shown is live."
                .to_owned(),
        }
    }
}

/// A dot and "Live" / "Connecting…" / "Reconnecting in 3 s…" / "No API access", with details in
/// its tooltip. Classes: `live-indicator live-<connected|connecting|reconnecting|api-refused>`,
/// `live-dot`, `live-label`.
#[component]
pub fn ConnectionIndicator() -> impl IntoView {
    let live = use_live();
    let state = live.state();
    let problem = live.last_problem();
    let version = use_context::<ManagerContext>().map(|manager| manager.version);
    let api_reachable = move || !version.is_some_and(|version| matches!(version.get(), Some(Err(_))));
    let shown = move || Indicated::new(state.get(), api_reachable());
    let class = move || format!("live-indicator live-{}", shown().class());
    let title = move || {
        let mut text = shown().details();
        if !state.with(|state| state.is_connected()) {
            if let Some(problem) = problem.get() {
                text.push_str(&format!("\nLast problem: {problem}."));
            }
        }
        text
    };
    // The countdown changes every second; screen readers hear only the state, which does not.
    view! {
        <span class=class title=title>
            <span class="live-dot" aria-hidden="true"></span>
            <span class="live-label" aria-hidden="true">{move || shown().label()}</span>
            <span role="status" class="visually-hidden">{move || shown().spoken_label()}</span>
        </span>
    }
}

/// A dot in the status colour and "Farm: active" and so on. Classes: `farm-status
/// farm-status-<value>` (`farm-status-pending` before the first answer), plus `stale` while live
/// updates are interrupted; `farm-dot`.
#[component]
pub fn FarmStatusBadge() -> impl IntoView {
    let live = use_live();
    let status = live.farm_status();
    let state = live.state();
    let class = move || {
        let value = status.with(|status| status.as_ref().map(|s| class_suffix(s.as_str())));
        let stale = if state.with(|state| state.is_connected()) { "" } else { " stale" };
        format!("farm-status farm-status-{}{stale}", value.as_deref().unwrap_or("pending"))
    };
    let text = move || match status.get() {
        Some(status) => format!("Farm: {status}"),
        None => "Farm: …".to_owned(),
    };
    let title = move || {
        let base = "The farm's overall status, as the Manager reports it.";
        if state.with(|state| state.is_connected()) {
            base.to_owned()
        } else {
            format!("{base} Live updates are interrupted: this may be out of date.")
        }
    };
    view! {
        <span class=class title=title>
            <span class="farm-dot" aria-hidden="true"></span>
            {text}
        </span>
    }
}

/// How long the notice about an unreadable live update stays after the last one.
const GLITCH_SHOWN: std::time::Duration = std::time::Duration::from_secs(20);

/// What the person reads when a live update could not be read.
pub fn glitch_message(what: &str) -> String {
    format!(
        "A live update from the Manager could not be read ({what}); the data shown was fetched again, \
         and live updates go on."
    )
}

/// Says, for a while, that a live update could not be read and that the data was fetched again.
#[component]
pub fn LiveGlitchNotice() -> impl IntoView {
    let glitch = use_live().last_glitch();
    // The count of the last glitch whose time is up: shown until then.
    let expired = RwSignal::new(0_u64);
    Effect::new(move |_| {
        if let Some(count) = glitch.with(|glitch| glitch.as_ref().map(|glitch| glitch.count)) {
            set_timeout(
                move || {
                    expired.try_update(|expired| *expired = (*expired).max(count));
                },
                GLITCH_SHOWN,
            );
        }
    });
    move || {
        let glitch = glitch.get().filter(|glitch| glitch.count > expired.get())?;
        Some(view! {
            <section class="banner banner-warning live-glitch" role="status">
                <p>{glitch_message(&glitch.what)}</p>
            </section>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{class_suffix, glitch_message, ConnectionState, Indicated};

    #[test]
    fn the_glitch_message_names_what_was_wrong_and_what_was_done() {
        let text = glitch_message("an unreadable \"/jobs\" update");
        assert!(text.contains("\"/jobs\"") && text.contains("fetched again"), "{text}");
    }

    #[test]
    fn a_socket_without_the_api_is_not_called_live() {
        let refused = Indicated::new(ConnectionState::Connected, false);
        assert_eq!(refused, Indicated::ApiRefused);
        assert_ne!(refused.label(), "Live");
        assert_eq!(refused.class(), "api-refused");
        let live = Indicated::new(ConnectionState::Connected, true);
        assert_eq!(live.label(), "Live");
        let away = ConnectionState::Reconnecting { attempt: 1, retry_in_ms: 0 };
        assert_eq!(Indicated::new(away, false), Indicated::Connection(away), "a lost socket says so itself");
    }

    #[test]
    fn status_classes_are_safe() {
        assert_eq!(class_suffix("inoperative"), "inoperative");
        assert_eq!(class_suffix("On Fire!\"<x>"), "on-fire---x-");
    }
}
