//! The app's components in real Chromium (wasm-bindgen-test), without a server behind them.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use farmdeck::app::{App, AppProps};
use farmdeck::config::{resolve, FileLookup};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Waits for an element matching `selector` whose text contains `text`; its text once found.
async fn wait_for_text(selector: &str, text: &str) -> String {
    let document = web_sys::window().and_then(|window| window.document()).expect("a document");
    for _ in 0..200 {
        if let Ok(found) = document.query_selector_all(selector) {
            for index in 0..found.length() {
                let content = found.item(index).and_then(|node| node.text_content()).unwrap_or_default();
                if content.contains(text) {
                    return content;
                }
            }
        }
        gloo_timers::future::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {selector} containing \"{text}\" appeared");
}

#[wasm_bindgen_test]
async fn an_unreachable_manager_is_named_with_where_its_address_came_from() {
    // Port 9 (discard) refuses connections at once: no Manager there.
    let settings = resolve(Some("http://127.0.0.1:9"), &FileLookup::Absent, "http://127.0.0.1:1");
    leptos::mount::mount_to_body(move || App(AppProps { settings }));
    let alert = wait_for_text("[role=alert]", "Cannot reach the Manager at http://127.0.0.1:9").await;
    assert!(alert.contains("?manager="), "{alert}");
    let navigation = wait_for_text("nav", "Jobs").await;
    for page in ["Workers", "Submit", "Preview"] {
        assert!(navigation.contains(page), "navigation lacks {page}: {navigation}");
    }
}
