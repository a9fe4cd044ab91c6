//! A global allocator that counts, per thread, the bytes live since the last [`reset`], their
//! peak and the largest single request: the harness compares them with what a case's input can
//! justify. Per thread, so the watchdog and parallel `cargo test` threads do not mix in.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts and forwards to the system allocator.
pub struct Counting;

thread_local! {
    // `const` cells without destructors: reading them never allocates, which an allocator needs.
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
    static LARGEST: Cell<u64> = const { Cell::new(0) };
}

fn grew(size: usize) {
    let size = size as i64;
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(size);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size as u64)));
}

fn shrank(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(size as i64)));
}

// SAFETY: every call is forwarded unchanged to `System`; the bookkeeping touches only
// thread-local integers.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: forwarded with the caller's own guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrank(layout.size());
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Old and new block coexist during the copy.
        grew(new_size);
        shrank(layout.size());
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What a thread allocated since its last [`reset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Most bytes live at once (allocated since the reset and not yet freed).
    pub peak: u64,
    /// The largest single allocation.
    pub largest: u64,
}

/// Starts counting afresh on this thread.
pub fn reset() {
    LIVE.with(|c| c.set(0));
    PEAK.with(|c| c.set(0));
    LARGEST.with(|c| c.set(0));
}

/// This thread's usage since its last [`reset`].
pub fn usage() -> Usage {
    Usage { peak: PEAK.with(Cell::get).max(0) as u64, largest: LARGEST.with(Cell::get) }
}
