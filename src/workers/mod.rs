//! Workers: the list, one worker's details, its status commands and tags.

mod delete;
mod page;
mod pane;
mod sleep_rules;
mod sleep_schedule;
pub mod table;
mod tags;
pub mod task_role;

pub use page::{NoWorkerOpen, WorkersLayout};
pub use pane::WorkerPane;
