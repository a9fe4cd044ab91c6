//! Status badges and progress bars, the same colours everywhere (`--status-<value>` in main.css).

use leptos::prelude::*;

/// A status as a coloured label. The text is the Manager's value, so an unknown status still reads.
#[component]
pub fn StatusBadge(
    /// The status value (`JobStatus::as_str()`, `TaskStatus::as_str()`, ...).
    #[prop(into)]
    status: Signal<String>,
) -> impl IntoView {
    view! { <span class=move || format!("status-badge status-{}", css_token(&status.get()))>{status}</span> }
}

/// A thin progress bar with its percentage for screen readers.
#[component]
pub fn ProgressBar(
    /// Progress in `0.0..=1.0`.
    #[prop(into)]
    fraction: Signal<f64>,
    /// The status whose colour the bar takes.
    #[prop(into)]
    status: Signal<String>,
    /// What the bar measures, for its accessible name.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let percent = move || (fraction.get() * 100.0).round().clamp(0.0, 100.0);
    view! {
        <span
            class=move || format!("progress status-{}", css_token(&status.get()))
            role="progressbar"
            aria-label=label
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=move || percent().to_string()
        >
            <span class="progress-fill" style:width=move || format!("{}%", percent())></span>
        </span>
    }
}

/// Keeps a status usable in a class name whatever the Manager sent.
pub fn css_token(value: &str) -> String {
    let token: String = value
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() || ch == '-' { ch.to_ascii_lowercase() } else { '-' })
        .collect();
    if token.is_empty() {
        "unknown".into()
    } else {
        token
    }
}

#[cfg(test)]
mod tests {
    use super::css_token;

    #[test]
    fn statuses_become_safe_class_names() {
        assert_eq!(css_token("pause-requested"), "pause-requested");
        assert_eq!(css_token("x\" onclick=\"y"), "x--onclick--y");
        assert_eq!(css_token(""), "unknown");
    }
}
