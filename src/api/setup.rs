//! The Manager's first-run setup calls, used by the Setup Assistant.

use flamenco_api::{
    BlenderPathCheckResult, ManagerConfiguration, PathCheckInput, PathCheckResult, SetupAssistantConfig,
};

use super::{ApiFailure, ManagerClient};

impl ManagerClient {
    /// `getConfiguration`: whether the Manager is on its first run.
    pub async fn fetch_configuration(&self) -> Result<ManagerConfiguration, ApiFailure> {
        self.get_json("/api/v3/configuration").await
    }

    /// `checkSharedStoragePath`: whether the Manager can use a folder as shared storage.
    pub async fn check_shared_storage(&self, path: &str) -> Result<PathCheckResult, ApiFailure> {
        self.post_json(
            "/api/v3/configuration/check/shared-storage",
            &PathCheckInput { path: path.to_owned() },
        )
        .await
    }

    /// `findBlenderExePath`: the Blenders the Manager finds by itself.
    pub async fn find_blender(&self) -> Result<Vec<BlenderPathCheckResult>, ApiFailure> {
        self.get_json("/api/v3/configuration/check/blender").await
    }

    /// `checkBlenderExePath`: whether a command or path starts Blender.
    pub async fn check_blender(&self, path: &str) -> Result<BlenderPathCheckResult, ApiFailure> {
        self.post_json("/api/v3/configuration/check/blender", &PathCheckInput { path: path.to_owned() }).await
    }

    /// `saveSetupAssistantConfig`: saves both and makes the Manager restart.
    pub async fn save_setup_assistant(&self, setup: &SetupAssistantConfig) -> Result<(), ApiFailure> {
        self.post_no_content("/api/v3/configuration/setup-assistant", setup).await
    }
}
