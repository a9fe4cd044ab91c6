//! Flamenco's first-run Setup Assistant in the browser: a shared storage folder and a Blender, each
//! checked by the Manager on its own machine, then saved together. Offered by a banner while the
//! Manager says it is on its first run, and from the Manager settings at any time.

mod banner;
pub mod model;
mod page;
mod steps;

pub use banner::{provide_first_run, FirstRunBanner};
pub use page::SetupPage;
