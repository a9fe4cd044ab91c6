//! The header's live indicators.

use leptos::prelude::*;

use super::context::use_live;

/// Keeps only characters that are safe in a class name: a Manager may send any status text.
fn class_suffix(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect()
}

/// Hides text visually but keeps it for screen readers, inline so it needs no stylesheet rule.
const SPOKEN_ONLY: &str =
    "position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0";

/// A dot and "Live" / "Connecting…" / "Reconnecting in 3 s…", with details in its tooltip.
/// Classes: `live-indicator live-<connected|connecting|reconnecting>`, `live-dot`, `live-label`.
#[component]
pub fn ConnectionIndicator() -> impl IntoView {
    let live = use_live();
    let state = live.state();
    let problem = live.last_problem();
    let class = move || format!("live-indicator live-{}", state.with(|state| state.as_str()));
    let title = move || {
        let mut text = state.with(|state| state.details());
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
            <span class="live-label" aria-hidden="true">{move || state.with(|state| state.label())}</span>
            <span role="status" style=SPOKEN_ONLY>{move || state.with(|state| state.spoken_label())}</span>
        </span>
    }
}

/// "Farm: active" and so on. Classes: `farm-status farm-status-<value>` (`farm-status-pending`
/// before the first answer), plus `stale` while live updates are interrupted.
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
    view! { <span class=class title=title>{text}</span> }
}

#[cfg(test)]
mod tests {
    use super::class_suffix;

    #[test]
    fn status_classes_are_safe() {
        assert_eq!(class_suffix("inoperative"), "inoperative");
        assert_eq!(class_suffix("On Fire!\"<x>"), "on-fire---x-");
    }
}
