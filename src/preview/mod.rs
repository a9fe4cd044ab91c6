//! The merge preview: a single-image job's EXR tiles stitched in the browser. Files are decoded
//! and merged in a pool of Web Workers ([`worker`]); the page only draws what they return.

mod browser;
mod controller;
pub mod job;
mod job_page;
pub mod keys;
pub mod levels;
pub mod listing;
pub mod memory;
pub mod model;
mod page;
mod parts;
pub mod seams;
pub mod timing;
pub mod view;
pub mod worker;

pub use job_page::JobPreviewPage;
pub use page::PreviewPage;
