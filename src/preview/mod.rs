//! The merge preview: a single-image job's EXR tiles stitched in the browser. Files are decoded
//! and merged in a pool of Web Workers ([`worker`]); the page only draws what they return.

mod browser;
mod controller;
pub mod model;
mod page;
mod parts;
pub mod view;
pub mod worker;

pub use page::PreviewPage;
