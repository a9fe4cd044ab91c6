//! Notifications: what happened on the farm this session, from live events, in one app-wide store.

pub mod history;
mod store;
mod view;

pub use store::{provide_notifications, use_notifications, NotificationsStore};
pub use view::{LatestNotice, NotificationsLink, NotificationsPage};
