//! The Manager's settings (`/manager`): its settings file in a form that checks every value
//! before saving, and its variables and shared storage per platform.

pub mod fields;
mod form;
pub mod model;
mod page;
mod resolved;
mod variables;

pub use page::ManagerSettingsPage;
