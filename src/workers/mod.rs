//! Workers: the list, one worker's details, its status commands and tags.

mod page;
mod pane;
pub mod table;
mod tags;
pub mod task_role;

pub use page::{NoWorkerOpen, WorkersLayout};
pub use pane::WorkerPane;
