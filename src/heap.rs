//! How many bytes the app's heap holds now. WebAssembly memory only ever grows, so its size is the
//! heap's high-water mark: a burst once needed it. The soak (`scripts/soak`) reads this count
//! beside it, to tell memory still held (a leak) from memory needed once.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use wasm_bindgen::prelude::wasm_bindgen;

static IN_USE: AtomicUsize = AtomicUsize::new(0);

/// The system allocator (dlmalloc on wasm32), counting the bytes it has handed out and not had
/// back. The app's binary installs it (`src/main.rs`); in other binaries the count stays 0.
pub struct CountingHeap;

// SAFETY: every call goes to `System` unchanged, with the same arguments; the count beside it is
// only read for figures.
unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let block = unsafe { System.alloc_zeroed(layout) };
        if !block.is_null() {
            IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(block, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            IN_USE.fetch_add(new_size, Ordering::Relaxed);
            IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        moved
    }
}

/// The bytes the heap holds now (exported to JavaScript as `heapInUse`).
#[wasm_bindgen(js_name = heapInUse)]
pub fn heap_in_use() -> f64 {
    IN_USE.load(Ordering::Relaxed) as f64
}
