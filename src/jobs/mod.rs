//! Jobs: the list, their details and controls, shared by every page through [`JobsStore`].

pub mod bulk;
mod controls;
mod details;
pub mod estimate;
mod list;
mod mass_delete;
mod page;
pub mod query;
pub mod selection;
mod store;
pub mod table;

pub use controls::{execute, ActionReportLine, JobActionButtons};
pub use details::JobPane;
pub use page::{JobsLayout, NoJobOpen, NoTaskOpen};
pub use store::{provide_jobs_store, use_jobs, JobsStore};
