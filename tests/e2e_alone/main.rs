//! End-to-end tests of how the page keeps up under a stream of events, at CPU 4x. Each needs the
//! machine to itself: cargo runs test binaries one after another, so this one never shares the
//! cores with the other end-to-end tests' browsers (which made the page fall behind on 2 cores).
#![cfg(not(target_arch = "wasm32"))]

// The helpers of tests/e2e, of which this binary uses a few.
#[allow(dead_code, unused_imports)]
#[path = "../e2e/support/mod.rs"]
mod support;

mod big_job;
