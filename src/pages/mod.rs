//! One module per page of the app.

mod placeholder;

pub use placeholder::{JobsPage, NotFound, PreviewPage, SubmitPage, WorkersPage};
