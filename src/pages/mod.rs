//! Pages that are not a feature folder of their own yet.

mod placeholder;

pub use placeholder::NotFound;
