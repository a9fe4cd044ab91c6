//! Failure triage: a job's failed tasks grouped by cause (the failure text with what differs between
//! equal failures masked), and which workers failed them. Plain logic; the view is in the job pane
//! (`crate::jobs::details::triage`).

pub mod cause;
pub mod details;
pub mod groups;
pub mod mask;
pub mod matrix;
pub mod requeue;
