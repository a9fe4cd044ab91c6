//! Pages that belong to no feature (the one for an unknown address), and the routes of the pages
//! whose code is loaded when they are first opened.

pub mod lazy;
mod placeholder;

pub use placeholder::NotFound;
