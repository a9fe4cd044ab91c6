//! The merge preview's Web Worker: decodes and merges EXR tiles off the page's thread. Trunk builds
//! it from index.html (`data-type="worker"`); all of its code is in `farmdeck::preview::worker`.

fn main() {
    console_error_panic_hook::set_once();
    farmdeck::preview::worker::serve();
}
