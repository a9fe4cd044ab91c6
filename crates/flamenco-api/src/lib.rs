//! Types of the Flamenco Manager API (`flamenco-openapi.yaml`, the contract) and the status rules that
//! Flamenco's own web app follows. No web or server dependencies: the dashboard, the stand-in Manager
//! and the tests all share these definitions.

pub mod config;
#[cfg(feature = "contract")]
pub mod contract;
mod enums;
pub mod error;
pub mod events;
pub mod job_types;
pub mod jobs;
pub mod meta;
pub mod rules;
pub mod setup;
pub mod socketio;
pub mod tasks;
pub mod workers;

pub use config::*;
pub use enums::{
    BlenderPathSource, FarmStatus, JobStatus, LifeCycleEventType, SettingSubtype, SettingType,
    SettingVisibility, SubscriptionOperation, SubscriptionType, TaskStatus, WorkerStatus,
};
pub use error::{ApiError, ManagerError};
pub use events::*;
pub use job_types::*;
pub use jobs::*;
pub use meta::*;
pub use rules::{JobAction, TaskAction};
pub use setup::*;
pub use tasks::*;
pub use workers::*;

/// A timestamp as the Manager sends it: RFC 3339 text (`format: date-time`). Kept as text so that
/// nothing is lost or reformatted on the way through; the app parses it where it shows it.
pub type Timestamp = String;
