//! `/api/v3/version` and `/api/v3/status`.

use axum::extract::State;
use flamenco_api::{FarmStatusReport, FlamencoVersion};

use super::{ok_json, ApiResult, ApiState};
use crate::farm;

/// The Flamenco version simfarm imitates.
pub const VERSION: &str = "3.9-beta1";

pub async fn version(State(state): State<ApiState>) -> ApiResult {
    ok_json(&FlamencoVersion {
        version: format!("{VERSION} (simfarm)"),
        shortversion: VERSION.into(),
        name: state.name.clone(),
        git: "simfarm".into(),
    })
}

pub async fn farm_status(State(state): State<ApiState>) -> ApiResult {
    let status = farm::lock(&state.farm).farm_status();
    ok_json(&FarmStatusReport { status })
}
