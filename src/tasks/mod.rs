//! A job's tasks: the list, one task's details and actions, and its log followed live.

pub mod assigned;
mod details;
pub mod fetch_queue;
pub mod follow;
mod list;
mod log;
mod log_text;
mod store;
pub mod table;

pub use details::TaskPane;
pub use list::TaskList;
pub use store::{use_job_tasks, UseJobTasksReturn};
