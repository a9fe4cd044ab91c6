//! Submitting jobs from the browser (issue 6): a form generated from the Manager's job types, with
//! validation before anything is sent, Submit as paused, drafts, resubmitting a copy, and a tile
//! preview for single-image jobs.

mod catalog;
mod computed;
mod draft;
pub mod eval;
mod fields;
mod form;
pub mod formats;
pub mod frames;
pub mod model;
mod outcome;
mod output_path;
mod page;
mod preview;
mod setting_field;
pub mod tiles;
pub mod validate;

pub use catalog::form_href;
pub use page::{SubmitPage, SubmitTypePage};
