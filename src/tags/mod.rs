//! Worker tags: the farm's tags shared by every page (names for ids, live), and the Tags page.

mod card;
mod members;
mod page;
mod rules;
mod store;

pub use page::TagsPage;
pub use store::{provide_worker_tags, use_worker_tags, WorkerTagsStore};
