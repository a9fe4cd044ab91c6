//! Small pieces of interface that every feature uses.

pub mod first_rows;
pub mod following_link;
pub mod image_sources;
pub mod live_record;
pub mod load_state;
pub mod row_window;
pub mod status;
pub mod time;
pub mod url;
pub mod yield_now;
