//! The parts of the screen that every page shares.

mod header;
mod manager_banner;

pub use header::AppHeader;
pub use manager_banner::ManagerBanner;
