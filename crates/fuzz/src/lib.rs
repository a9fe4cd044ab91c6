//! Mutation fuzzing on stable Rust of what reads outside data: tilemerge's EXR header reading,
//! block check, decoding and placement, the tile-name parser, the job-settings layout and the
//! socket.io frame parser. A case ends in a result or a named error; a panic, a hang or an
//! allocation its input cannot justify is a failure (see [`run_guarded`]).

pub mod alloc;
pub mod exr_edit;
pub mod fixtures;
pub mod mutate;
pub mod preview_rounds;
pub mod targets;

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

pub use fixtures::{Fixture, FixtureTile};
pub use targets::{Case, Target};

// The fuzzer's binaries count allocations (`run_guarded`) with `alloc::Counting` as their global
// allocator: `fuzz` itself, this library's tests and `tests/regressions.rs` set it. Other users
// of the library (the browser test's rounds) keep their own.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A result.
    Ok,
    /// A named error, as its message.
    Error(String),
    /// A panic, or more memory than the input justifies: a bug.
    Failure(String),
}

/// The panic message, whatever its payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

thread_local! {
    static IN_CASE: Cell<bool> = const { Cell::new(false) };
    static PANICKED_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the default panic hook: inside a case it only notes where the panic happened (a
/// million cases must not each print a backtrace; the harness reports panics itself); a panic
/// of the harness's own code is printed.
pub fn silence_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        if IN_CASE.with(Cell::get) {
            PANICKED_AT.with(|p| *p.borrow_mut() = Some(at));
        } else {
            eprintln!("fuzz: the harness itself panicked at {at}: {info}");
        }
    }));
}

/// Runs one case, catching panics and measuring its allocations against `allowed_bytes`.
pub fn run_guarded(case: &Case, fixtures: &[Fixture]) -> Verdict {
    let allowed = case.allowed_bytes(fixtures);
    IN_CASE.with(|c| c.set(true));
    alloc::reset();
    let result = catch_unwind(AssertUnwindSafe(|| case.run(fixtures)));
    let usage = alloc::usage();
    IN_CASE.with(|c| c.set(false));
    match result {
        Err(payload) => {
            let at = PANICKED_AT.with(|p| p.borrow_mut().take()).unwrap_or_default();
            Verdict::Failure(format!("panic at {at}: {}", panic_message(payload.as_ref())))
        }
        Ok(_) if usage.peak > allowed => Verdict::Failure(format!(
            "allocated {} bytes at peak (largest block {}) for a {}-byte input; at most {allowed} are justified",
            usage.peak,
            usage.largest,
            case.input.len()
        )),
        Ok(Ok(())) => Verdict::Ok,
        Ok(Err(message)) => Verdict::Error(message),
    }
}

/// An error message with its numbers replaced, so errors that differ only in sizes or offsets
/// count as one.
pub fn normalise(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_number = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    if out.len() > 160 {
        let mut cut = 160;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Where failing inputs are kept, one folder per target: `crates/fuzz/regressions`.
pub fn regressions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions")
}
