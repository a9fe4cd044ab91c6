//! A single-image job as a merge: its grid from the settings, its tiles' URLs from the storage
//! mappings, and each tile's state from its render task.

use serde_json::Value;
use tilemerge::{tile_path, Grid, JobSettings, TileId, DEFAULT_OVERSCAN};

use super::model::{Plan, TileStatus};
use crate::settings::{map_path, StorageMapping};

/// Why a job cannot be previewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobPlanError {
    /// Not a single-image job: it has no tiles.
    NotSingleImage(String),
    /// Its settings make no tile grid, and why.
    NoGrid(String),
    /// The settings name no tile folder.
    NoOutputPath,
    /// The tile folder has no URL (see Settings).
    Unmapped(String),
}

impl std::fmt::Display for JobPlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobPlanError::NotSingleImage(kind) => {
                write!(f, "This is a \"{kind}\" job, not a single-image job: it has no tiles to merge.")
            }
            JobPlanError::NoGrid(reason) => write!(f, "This job's settings make no tile grid: {reason}"),
            JobPlanError::NoOutputPath => {
                write!(f, "This job's settings name no render output path for its tiles.")
            }
            JobPlanError::Unmapped(reason) => write!(f, "{reason}"),
        }
    }
}

/// Whether a job type renders one image in tiles (`single-image-render`, however it is spelled).
pub fn is_single_image(job_type: &str) -> bool {
    let name = job_type.to_ascii_lowercase().replace(['_', ' '], "-");
    name.contains("single-image")
}

/// The tile a task renders: the job type names them `render-<x0>-<y0>`.
pub fn tile_for_task(grid: &Grid, task_name: &str) -> Option<TileId> {
    let (x0, y0) = task_name.trim().strip_prefix("render-")?.split_once('-')?;
    let (x0, y0) = (x0.parse::<u32>().ok()?, y0.parse::<u32>().ok()?);
    grid.tiles().into_iter().find(|t| t.x0 == x0 && t.y0 == y0)
}

/// The merge of a job: every tile's state and where to fetch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPlan {
    /// Tiles with completed tasks are queued; the others wait.
    pub plan: Plan,
    /// The URL of each tile, in the grid's order (the rows' `file` index).
    pub urls: Vec<String>,
}

/// Plans the merge of a job from its type, settings and tasks (name and status).
pub fn plan_job(
    job_type: &str,
    settings: &Value,
    tasks: &[(String, String)],
    mappings: &[StorageMapping],
) -> Result<JobPlan, JobPlanError> {
    if !is_single_image(job_type) {
        return Err(JobPlanError::NotSingleImage(job_type.to_string()));
    }
    let settings = JobSettings::from_value(settings).map_err(|e| JobPlanError::NoGrid(e.to_string()))?;
    let grid = settings.grid(DEFAULT_OVERSCAN).map_err(|e| JobPlanError::NoGrid(e.to_string()))?;
    let output =
        settings.render_output_path.filter(|p| !p.trim().is_empty()).ok_or(JobPlanError::NoOutputPath)?;
    let urls = grid
        .tiles()
        .into_iter()
        .map(|tile| map_path(mappings, &tile_path(&output, tile)))
        .collect::<Result<Vec<String>, _>>()
        .map_err(|e| JobPlanError::Unmapped(e.to_string()))?;
    let status_of = |tile: TileId| {
        let task = tasks.iter().find(|(name, _)| tile_for_task(&grid, name) == Some(tile));
        match task {
            Some((_, status)) if status == "completed" => TileStatus::Queued,
            Some((_, status)) => TileStatus::NotRendered(format!("task {status}")),
            None => TileStatus::NotRendered("no render task".into()),
        }
    };
    Ok(JobPlan { plan: Plan::for_job(grid, status_of), urls })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> Value {
        json!({"tile_size_x": 64, "tile_size_y": 64, "resolution_x": 100, "resolution_y": 64,
               "resolution_scale": 100, "render_output_path": "/render/My Shot/2026/tiles"})
    }

    fn maps() -> Vec<StorageMapping> {
        vec![StorageMapping { path: "/render".into(), url: "/renders/".into() }]
    }

    fn tasks(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect()
    }

    #[test]
    fn render_tasks_name_their_tiles() {
        let grid = tilemerge::Grid::new(
            tilemerge::Size { width: 100, height: 64 },
            tilemerge::Size { width: 64, height: 64 },
            16,
        )
        .expect("grid");
        assert_eq!(tile_for_task(&grid, "render-64-0"), Some(TileId { x0: 64, y0: 0, x1: 100, y1: 64 }));
        for other in ["merge", "render-32-0", "render-0", "render-a-b", "render-0-0-0"] {
            assert_eq!(tile_for_task(&grid, other), None, "{other}");
        }
        assert!(is_single_image("single-image-render") && !is_single_image("simple-blender-render"));
    }

    #[test]
    fn a_job_plan_fetches_completed_tiles_and_waits_for_the_rest() {
        let list = tasks(&[("render-0-0", "completed"), ("render-64-0", "active"), ("merge", "queued")]);
        let job = plan_job("single-image-render", &json!({ "settings": settings() }), &list, &maps())
            .expect("a plan");
        assert_eq!(
            job.urls,
            ["/renders/My%20Shot/2026/tiles/0-0-64-64.exr", "/renders/My%20Shot/2026/tiles/64-0-100-64.exr"]
        );
        assert_eq!(job.plan.rows[0].status, TileStatus::Queued);
        assert_eq!(job.plan.rows[1].status, TileStatus::NotRendered("task active".into()));
        assert_eq!(job.plan.rows[1].name, "64-0-100-64.exr");
        let none = plan_job("single-image-render", &settings(), &[], &maps()).expect("a plan");
        assert_eq!(none.plan.count("not-rendered"), 2);
    }

    #[test]
    fn jobs_that_cannot_be_previewed_say_why() {
        let no = |job_type: &str, settings: Value, maps: &[StorageMapping]| {
            plan_job(job_type, &settings, &[], maps).expect_err("no plan").to_string()
        };
        assert!(no("simple-blender-render", settings(), &maps()).contains("not a single-image job"));
        // At 1 %, 100 x 64 px leave no pixels.
        let mut tiny = settings();
        tiny["resolution_scale"] = json!(1);
        assert!(no("single-image-render", tiny, &maps()).contains("no tile grid"));
        let mut bare = settings();
        bare.as_object_mut().map(|o| o.remove("render_output_path"));
        assert!(no("single-image-render", bare, &maps()).contains("render output path"));
        let unmapped = no("single-image-render", settings(), &[]);
        assert!(
            unmapped.contains("/render/My Shot/2026/tiles/0-0-64-64.exr") && unmapped.contains("Settings"),
            "{unmapped}"
        );
    }
}
