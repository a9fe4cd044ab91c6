//! The checks and answer of Flamenco's first-run Setup Assistant (`/configuration/check/...`,
//! `/configuration/setup-assistant`); whether it is needed is `ManagerConfiguration::is_first_run`.

use serde::{Deserialize, Serialize};

use crate::BlenderPathSource;

/// A path or command to check (`PathCheckInput`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathCheckInput {
    pub path: String,
}

/// Whether a folder can be the shared storage (`PathCheckResult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathCheckResult {
    pub path: String,
    pub is_usable: bool,
    /// Why it is (not) usable, in words.
    pub cause: String,
}

/// A Blender the Manager found or checked (`BlenderPathCheckResult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlenderPathCheckResult {
    /// What was given to find it.
    pub input: String,
    /// The program that was found.
    pub path: String,
    pub source: BlenderPathSource,
    pub is_usable: bool,
    /// Why it is (not) usable, in words (the Blender version when it is).
    pub cause: String,
}

/// What the Setup Assistant saves (`SetupAssistantConfig`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupAssistantConfig {
    #[serde(rename = "storageLocation")]
    pub storage_location: String,
    #[serde(rename = "blenderExecutable")]
    pub blender_executable: BlenderPathCheckResult,
}
