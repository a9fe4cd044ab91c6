//! Starts Farmdeck in the browser: reads where the Manager is, then mounts the app.

/// Counts the heap's bytes, for the soak's figures (`farmdeck::heap`).
#[global_allocator]
static HEAP: farmdeck::heap::CountingHeap = farmdeck::heap::CountingHeap;

fn main() {
    console_error_panic_hook::set_once();
    // Leptos' own spawn_local has no executor before mounting; wasm-bindgen's does.
    wasm_bindgen_futures::spawn_local(async {
        let settings = farmdeck::config::load().await;
        leptos::mount::mount_to_body(move || farmdeck::app::App(farmdeck::app::AppProps { settings }));
    });
}
