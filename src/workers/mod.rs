//! Workers: the list, one worker's details, its status commands and tags.

mod page;
pub mod table;

pub use page::{NoWorkerOpen, WorkerPane, WorkersLayout};
