//! What the Manager says about itself.

use serde::{Deserialize, Serialize};

use crate::FarmStatus;

/// The Manager's name and version (`FlamencoVersion`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlamencoVersion {
    /// For humans; includes the git version on non-release builds.
    pub version: String,
    pub shortversion: String,
    /// The name the Manager was given.
    pub name: String,
    pub git: String,
}

/// The farm's status (`FarmStatusReport`, also the `/status` event payload `EventFarmStatus`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FarmStatusReport {
    pub status: FarmStatus,
}

/// `EventFarmStatus` is a `FarmStatusReport`.
pub type EventFarmStatus = FarmStatusReport;
