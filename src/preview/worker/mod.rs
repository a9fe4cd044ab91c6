//! The preview's Web Workers: the [`protocol`] both sides speak, the [`engine`] that merges tiles
//! inside a worker (plain Rust, tested natively), the worker's message loop ([`serve`]) and the
//! page's [`pool`] of workers.

mod blob_files;
pub mod engine;
pub mod pool;
pub mod protocol;
mod serve;
mod stream_export;

pub use serve::serve;
