//! Notifications: what happened on the farm this session, from live events, in one app-wide store;
//! and desktop notifications for belled jobs and farm rules, shown by one tab of the browser.

mod bell;
mod desktop;
pub mod history;
pub mod rules;
mod settings;
mod store;
mod view;

pub use bell::JobBellToggle;
pub use desktop::{provide_notifier, use_notifier, Notifier, Permission};
pub use store::{provide_notifications, use_notifications, NotificationsStore};
pub use view::{LatestNotice, NotificationsLink, NotificationsPage};
