//! The farm's last-rendered image, full screen, updated live.

pub mod model;
mod page;

pub use page::LastRenderedPage;
