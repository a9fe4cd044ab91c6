//! The parts of the screen that every page shares.

mod addon_link;
mod header;
mod header_height;
mod manager_banner;

pub use addon_link::AddonLink;
pub use header::AppHeader;
pub use manager_banner::ManagerBanner;
