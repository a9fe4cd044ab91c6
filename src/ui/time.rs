//! Times as people read them: "3 min ago", with the exact time on hover.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Milliseconds since the epoch of an RFC 3339 timestamp, as the browser parses it.
pub fn parse_timestamp_ms(timestamp: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(timestamp);
    ms.is_finite().then_some(ms)
}

/// "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; future times (clock skew) read "just now".
pub fn relative(then_ms: f64, now_ms: f64) -> String {
    let seconds = ((now_ms - then_ms) / 1000.0).floor();
    if seconds < 5.0 {
        "just now".to_owned()
    } else if seconds < 60.0 {
        format!("{seconds:.0} s ago")
    } else if seconds < 3600.0 {
        format!("{:.0} min ago", (seconds / 60.0).floor())
    } else if seconds < 86_400.0 {
        format!("{:.0} h ago", (seconds / 3600.0).floor())
    } else {
        format!("{:.0} d ago", (seconds / 86_400.0).floor())
    }
}

/// The local date and time of `ms` (since the epoch), as `Date.toLocaleString()` writes it.
///
/// One formatter serves every call: `toLocaleString` builds a new one each time, and a job pane
/// formats a time for each of its thousands of task rows and again on each task event.
pub fn local_time_text(ms: f64) -> String {
    thread_local! {
        static FORMAT: js_sys::Function = {
            let options = js_sys::Object::new();
            for field in ["year", "month", "day", "hour", "minute", "second"] {
                // Setting a field on a fresh plain object cannot fail.
                let _ = js_sys::Reflect::set(&options, &field.into(), &"numeric".into());
            }
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format()
        };
    }
    FORMAT
        .with(|format| format.call1(&JsValue::UNDEFINED, &js_sys::Date::new(&ms.into())))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// The current time, ticking every `period`, for relative times that stay right.
pub fn use_now(period: std::time::Duration) -> ReadSignal<f64> {
    let (now, set_now) = signal(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(js_sys::Date::now()), period) {
        on_cleanup(move || handle.clear());
    }
    now
}

/// A relative time with the exact timestamp as its tooltip, in a `<time>` element.
#[component]
pub fn RelativeTime(
    /// The RFC 3339 timestamp from the Manager.
    #[prop(into)]
    timestamp: Signal<String>,
    /// The current time in milliseconds (from [`use_now`]).
    now: ReadSignal<f64>,
) -> impl IntoView {
    let text = move || match parse_timestamp_ms(&timestamp.get()) {
        Some(then) => relative(then, now.get()),
        None => timestamp.get(),
    };
    let exact = move || {
        let raw = timestamp.get();
        parse_timestamp_ms(&raw).map(local_time_text).unwrap_or(raw)
    };
    view! { <time datetime=move || timestamp.get() title=exact>{text}</time> }
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn relative_times_read_naturally() {
        let now = 1_000_000_000.0;
        assert_eq!(relative(now - 1_000.0, now), "just now");
        assert_eq!(relative(now + 60_000.0, now), "just now", "clock skew is not 'in the future'");
        assert_eq!(relative(now - 42_000.0, now), "42 s ago");
        assert_eq!(relative(now - 5.5 * 60_000.0, now), "5 min ago");
        assert_eq!(relative(now - 3.2 * 3_600_000.0, now), "3 h ago");
        assert_eq!(relative(now - 50.0 * 3_600_000.0, now), "2 d ago");
    }
}
