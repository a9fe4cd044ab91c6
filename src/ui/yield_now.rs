//! Giving the page back to the browser in the middle of long work, so that it can paint and take
//! input: no single task holds the main thread for long.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Resolves in a later task. `scheduler.yield()` where the browser has it (it keeps this work
/// ahead of other queued tasks); otherwise a zero timeout, which browsers stretch to 4 ms after a
/// few nested ones.
pub async fn yield_now() {
    let _ = JsFuture::from(next_task()).await;
}

fn next_task() -> Promise {
    let global = js_sys::global();
    let scheduler = Reflect::get(&global, &JsValue::from_str("scheduler")).unwrap_or(JsValue::UNDEFINED);
    let yield_fn = Reflect::get(&scheduler, &JsValue::from_str("yield"))
        .ok()
        .and_then(|value| value.dyn_into::<Function>().ok());
    if let Some(promise) = yield_fn
        .and_then(|yield_fn| yield_fn.call0(&scheduler).ok())
        .and_then(|value| value.dyn_into::<Promise>().ok())
    {
        return promise;
    }
    timeout(0)
}

/// Waits `ms` milliseconds without blocking the page.
pub async fn sleep(ms: i32) {
    // The promise only resolves.
    let _ = JsFuture::from(timeout(ms)).await;
}

fn timeout(ms: i32) -> Promise {
    Promise::new(&mut |resolve, _| {
        let scheduled =
            web_sys::window().map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms));
        if !matches!(scheduled, Some(Ok(_))) {
            // No timer (no window): go on at once rather than wait forever.
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}
