//! The farm-wide Problems view (`/problems`): failed jobs, active jobs with failed tasks, stuck
//! tasks, workers that fail many tasks, workers that went offline while working, each linking to
//! where it is fixed. Derived from the Manager's existing API and live events; only the tasks of
//! active jobs are looked at.

pub mod report;
pub mod rules;
mod store;
mod view;
mod watch;

pub use view::ProblemsPage;
