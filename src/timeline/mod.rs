//! The worker timeline (`/timeline`): which task ran on which worker when, over the last hours,
//! with each worker's and the farm's utilisation. The Manager keeps no such history: the runs are
//! pieced together from task events and task lists, and kept in this browser's IndexedDB so that a
//! reload (or a job deleted since) does not lose them.

mod data;
pub mod model;
mod rows;
mod store;
mod view;
pub mod window;

pub use view::TimelinePage;
