//! Starts Farmdeck in the browser: reads where the Manager is, then mounts the app.

fn main() {
    console_error_panic_hook::set_once();
    // Leptos' own spawn_local has no executor before mounting; wasm-bindgen's does.
    wasm_bindgen_futures::spawn_local(async {
        let settings = farmdeck::config::load().await;
        leptos::mount::mount_to_body(move || farmdeck::app::App(farmdeck::app::AppProps { settings }));
    });
}
