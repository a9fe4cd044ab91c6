//! Reading a Flamenco job's settings: the fixtures' `job.json` and the Manager's
//! `GET /api/v3/jobs/{id}` answer both hold them in a `settings` object.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::layout::{Grid, LayoutError, Size, TileId};

/// The settings of a Single Image Render job that define its tiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSettings {
    /// Tile width without overscan.
    pub tile_size_x: u32,
    /// Tile height without overscan.
    pub tile_size_y: u32,
    /// Image width.
    pub resolution_x: u32,
    /// Image height.
    pub resolution_y: u32,
    /// Render scale in percent: Blender renders `resolution * scale / 100` pixels (the published
    /// job type requires 100; Single Image Tiles takes any).
    pub resolution_scale: u32,
    /// Overscan around each tile, when the job type has the setting (Single Image Tiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overscan: Option<u32>,
    /// The folder the tiles were written to (ends in `.../tiles`), if known.
    pub render_output_path: Option<String>,
}

impl JobSettings {
    /// Reads the settings from a job as JSON: a Manager's `GET /api/v3/jobs/{id}` answer or a
    /// fixture's `job.json` (both hold a `settings` object), or a bare settings object.
    pub fn from_json(text: &str) -> Result<JobSettings, LayoutError> {
        let value: Value = serde_json::from_str(text).map_err(|err| LayoutError::Json(err.to_string()))?;
        JobSettings::from_value(&value)
    }

    /// Like [`JobSettings::from_json`], from already parsed JSON.
    pub fn from_value(value: &Value) -> Result<JobSettings, LayoutError> {
        let settings = value.get("settings").unwrap_or(value);
        // The Manager does not enforce types, so a setting may arrive as a number or a string.
        let int = |key: &str, default: Option<u32>| -> Result<u32, LayoutError> {
            let Some(raw) = settings.get(key) else {
                return default.ok_or_else(|| LayoutError::MissingSetting(key.to_string()));
            };
            let bad = || LayoutError::BadSetting { key: key.to_string(), value: raw.to_string() };
            let number = match raw {
                Value::Number(n) => n.as_f64().ok_or_else(bad)?,
                Value::String(s) => s.trim().parse::<f64>().map_err(|_| bad())?,
                _ => return Err(bad()),
            };
            if number.fract() != 0.0 || !(1.0..=f64::from(u32::MAX)).contains(&number) {
                return Err(bad());
            }
            Ok(number as u32)
        };
        Ok(JobSettings {
            tile_size_x: int("tile_size_x", Some(64))?,
            tile_size_y: int("tile_size_y", Some(64))?,
            resolution_x: int("resolution_x", None)?,
            resolution_y: int("resolution_y", None)?,
            resolution_scale: int("resolution_scale", Some(100))?,
            overscan: match settings.get("overscan") {
                None | Some(Value::Null) => None,
                Some(raw) => Some(raw.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                    LayoutError::BadSetting { key: "overscan".into(), value: raw.to_string() }
                })?),
            },
            render_output_path: settings
                .get("render_output_path")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    /// The tile grid these settings describe, at the render scale, with the job's own overscan
    /// or else `overscan`.
    pub fn grid(&self, overscan: u32) -> Result<Grid, LayoutError> {
        let image = self.image_size()?;
        Grid::new(
            image,
            Size { width: self.tile_size_x, height: self.tile_size_y },
            self.overscan.unwrap_or(overscan),
        )
    }

    /// The size Blender renders: the resolution times the render scale, rounded down.
    pub fn image_size(&self) -> Result<Size, LayoutError> {
        let scaled = |side: u32| (u64::from(side) * u64::from(self.resolution_scale) / 100) as u32;
        let size = Size { width: scaled(self.resolution_x), height: scaled(self.resolution_y) };
        if size.width == 0 || size.height == 0 {
            return Err(LayoutError::UnsupportedScale(self.resolution_scale));
        }
        Ok(size)
    }
}

/// The path of a tile inside the job's tile folder (`render_output_path`), for fetching it.
pub fn tile_path(render_output_path: &str, id: TileId) -> String {
    let dir = render_output_path.trim_end_matches(['/', '\\']);
    format!("{dir}/{}", id.file_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_a_job_or_a_bare_object() {
        let job = r#"{"id":"x","settings":{"tile_size_x":100,"tile_size_y":"70","resolution_x":256,
            "resolution_y":160.0,"resolution_scale":100,"render_output_path":"/r/job/tiles/"}}"#;
        let s = JobSettings::from_json(job).unwrap();
        assert_eq!((s.tile_size_x, s.tile_size_y, s.resolution_x, s.resolution_y), (100, 70, 256, 160));
        assert_eq!(
            tile_path(s.render_output_path.as_deref().unwrap(), TileId { x0: 0, y0: 0, x1: 100, y1: 70 }),
            "/r/job/tiles/0-0-100-70.exr"
        );
        let g = s.grid(16).unwrap();
        assert_eq!((g.columns(), g.rows()), (3, 3));
        assert!(
            matches!(JobSettings::from_json(r#"{"resolution_x":1}"#), Err(LayoutError::MissingSetting(k)) if k == "resolution_y")
        );
        assert!(matches!(
            JobSettings::from_json(r#"{"resolution_x":1.5,"resolution_y":2}"#),
            Err(LayoutError::BadSetting { .. })
        ));
        let half =
            r#"{"resolution_x":360,"resolution_y":641,"resolution_scale":50,"tile_size_x":64,"overscan":0}"#;
        let grid = JobSettings::from_json(half).unwrap().grid(16).unwrap();
        assert_eq!((grid.image, grid.overscan), (Size { width: 180, height: 320 }, 0));
        let tiny = r#"{"resolution_x":10,"resolution_y":10,"resolution_scale":5}"#;
        assert_eq!(JobSettings::from_json(tiny).unwrap().grid(16), Err(LayoutError::UnsupportedScale(5)));
        assert!(matches!(JobSettings::from_json("{"), Err(LayoutError::Json(_))));
    }
}
