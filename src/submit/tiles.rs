//! What a single-image job's settings imply before it is submitted: the tile grid, the cost of the
//! 16 px overscan, and the published job type's known problems (FLAMENCO.md, "Single-image tiled
//! rendering").

use tilemerge::{Grid, Size};

use super::model::FormState;

/// Overscan the job type renders around every tile, clamped at the image edges, unless it has an
/// `overscan` setting.
pub const OVERSCAN: u32 = tilemerge::DEFAULT_OVERSCAN;

/// The third-party job type whose known problems the preview warns about.
pub const PUBLISHED_JOB_TYPE: &str = "single-image-render";

/// The settings a single-image job type has: the preview is shown for job types that have them all.
pub const KEYS: [&str; 4] = ["resolution_x", "resolution_y", "tile_size_x", "tile_size_y"];

/// Grids larger than this are described but not drawn.
const MAX_DRAWN_LINES: u32 = 400;

/// The tile layout of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TilePlan {
    /// The size Blender renders, after the render scale.
    pub width: u32,
    pub height: u32,
    pub tile_width: u32,
    pub tile_height: u32,
    /// Render scale in percent (100 when the job type has none).
    pub scale: u32,
    pub overscan: u32,
}

impl TilePlan {
    /// The plan the form's values give, when they are usable numbers.
    pub fn from_form(form: &FormState) -> Option<TilePlan> {
        let number = |key: &str, range: std::ops::RangeInclusive<u32>| {
            form.text(key).trim().parse::<u32>().ok().filter(|n| range.contains(n))
        };
        let optional = |key: &str, range, default| match form.text(key).trim() {
            "" => Some(default),
            _ => number(key, range),
        };
        let scale = optional("resolution_scale", 1..=1000, 100)?;
        let scaled = |side: u32| (u64::from(side) * u64::from(scale) / 100) as u32;
        let plan = TilePlan {
            width: scaled(number("resolution_x", 1..=65_536)?),
            height: scaled(number("resolution_y", 1..=65_536)?),
            tile_width: number("tile_size_x", 1..=65_536)?,
            tile_height: number("tile_size_y", 1..=65_536)?,
            scale,
            overscan: optional("overscan", 0..=4096, OVERSCAN)?,
        };
        (plan.width > 0 && plan.height > 0).then_some(plan)
    }

    pub fn columns(&self) -> u32 {
        self.width.div_ceil(self.tile_width)
    }

    pub fn rows(&self) -> u32 {
        self.height.div_ceil(self.tile_height)
    }

    pub fn tile_count(&self) -> u64 {
        u64::from(self.columns()) * u64::from(self.rows())
    }

    /// The grid as Blender renders it (tilemerge's geometry: float32 border rounding, clamped
    /// overscan); `None` for sizes it refuses.
    fn grid(&self) -> Option<Grid> {
        let image = Size { width: self.width, height: self.height };
        let tile = Size { width: self.tile_width, height: self.tile_height };
        Grid::new(image, tile, self.overscan).ok()
    }

    /// The extra share of pixels rendered because of the overscan (0.5 = half again as many).
    pub fn overscan_share(&self) -> f64 {
        let Some(grid) = self.grid() else { return 0.0 };
        let rendered: u64 =
            grid.tiles().into_iter().filter_map(|id| grid.rendered(id)).map(|rect| rect.area()).sum();
        let image = u64::from(self.width) * u64::from(self.height);
        rendered as f64 / image as f64 - 1.0
    }

    /// Column edges (x) and row edges (y, counted from the bottom as Blender does) inside the image,
    /// when the grid is small enough to draw.
    pub fn inner_edges(&self) -> Option<(Vec<u32>, Vec<u32>)> {
        if self.columns() + self.rows() > MAX_DRAWN_LINES {
            return None;
        }
        let xs = (1..self.columns()).map(|i| i * self.tile_width).collect();
        let ys = (1..self.rows()).map(|i| i * self.tile_height).collect();
        Some((xs, ys))
    }

    /// Rows of tiles (counted from the bottom, 0-based) that the published job type renders short or
    /// not at all: it clamps the top overscan with the width, which on a portrait image cuts the top
    /// rows (FLAMENCO.md). Each tile is compared with what Blender would render without that bug.
    pub fn cut_short_rows(&self) -> Vec<u32> {
        let Some(grid) = self.grid() else { return Vec::new() };
        let mut rows: Vec<u32> = grid
            .tiles()
            .into_iter()
            .filter(|id| grid.rendered_by_published_job_type(*id) != grid.rendered(*id))
            .map(|id| id.y0 / self.tile_height)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// Bottom edge (y from the bottom) of the lowest row that is cut short.
    pub fn cut_from(&self) -> Option<u32> {
        self.cut_short_rows().first().map(|row| row * self.tile_height)
    }
}

/// Warnings about the published job type's known problems with these settings; other job types
/// (Single Image Tiles) have none of them.
pub fn warnings(job_type: &str, form: &FormState, plan: Option<&TilePlan>) -> Vec<String> {
    let mut warnings = Vec::new();
    if job_type != PUBLISHED_JOB_TYPE {
        return warnings;
    }
    let scale = form.text("resolution_scale");
    let scale = scale.trim();
    if !scale.is_empty() && scale.parse::<f64>().ok() != Some(100.0) {
        warnings.push(format!(
            "Render scale {scale} %: the published job type only renders at 100 % and will refuse this job."
        ));
    }
    if let Some(plan) = plan {
        let rows = plan.cut_short_rows();
        if !rows.is_empty() {
            let tiles = rows.len() as u64 * u64::from(plan.columns());
            warnings.push(format!(
                "Portrait image: the published job type clamps the top overscan with the width ({} px), so the top {} of {} rows ({tiles} tiles) will come out cut short or fail.",
                plan.width,
                rows.len(),
                plan.rows()
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamenco_api::AvailableJobType;

    fn plan(width: u32, height: u32, tile: u32) -> TilePlan {
        TilePlan { width, height, tile_width: tile, tile_height: tile, scale: 100, overscan: OVERSCAN }
    }

    #[test]
    fn the_grid_covers_the_image_with_narrower_last_tiles() {
        let plan = plan(960, 540, 128);
        assert_eq!((plan.columns(), plan.rows(), plan.tile_count()), (8, 5, 40));
        let (xs, ys) = plan.inner_edges().unwrap();
        assert_eq!(xs, [128, 256, 384, 512, 640, 768, 896]);
        assert_eq!(ys, [128, 256, 384, 512]);
    }

    #[test]
    fn overscan_share_counts_clamped_edges() {
        // One tile: no overscan at all.
        assert_eq!(plan(64, 64, 64).overscan_share(), 0.0);
        // Two columns of 64: each renders 80 wide, 160 of 128.
        let share = plan(128, 64, 64).overscan_share();
        assert!((share - 0.25).abs() < 1e-9, "{share}");
    }

    #[test]
    fn portrait_images_lose_their_top_tiles() {
        let plan = plan(100, 300, 64);
        assert_eq!(plan.rows(), 5);
        // Rows with tops 128, 192, 256, 300 are above the width of 100.
        assert_eq!(plan.cut_short_rows(), [1, 2, 3, 4]);
        assert_eq!(plan.cut_from(), Some(64));
        assert!(self::plan(300, 100, 64).cut_short_rows().is_empty(), "landscape images are fine");
    }

    #[test]
    fn warnings_name_the_scale_and_the_portrait_problem() {
        let job_type: AvailableJobType = serde_json::from_value(serde_json::json!({
            "name": "s", "label": "S", "etag": "e", "settings": [
                {"key": "resolution_x", "type": "int32"}, {"key": "resolution_y", "type": "int32"},
                {"key": "tile_size_x", "type": "int32"}, {"key": "tile_size_y", "type": "int32"},
                {"key": "resolution_scale", "type": "int32"}
            ]
        }))
        .unwrap();
        let mut form = FormState::defaults(&job_type);
        for (key, value) in [
            ("resolution_x", "100"),
            ("resolution_y", "300"),
            ("tile_size_x", "64"),
            ("tile_size_y", "64"),
            ("resolution_scale", "50"),
        ] {
            form.set_text(key, value.into());
        }
        let plan = TilePlan::from_form(&form).unwrap();
        assert_eq!((plan.width, plan.height), (50, 150), "the plan is at the render scale");
        let warnings = warnings(PUBLISHED_JOB_TYPE, &form, Some(&self::plan(100, 300, 64)));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("50 %"));
        assert!(warnings[1].contains("top 4 of 5 rows (8 tiles)"), "{}", warnings[1]);
        form.set_text("resolution_scale", "100".into());
        form.set_text("resolution_y", "abc".into());
        assert_eq!(TilePlan::from_form(&form), None);
        assert!(super::warnings(PUBLISHED_JOB_TYPE, &form, None).is_empty());
    }

    #[test]
    fn single_image_tiles_plans_at_its_scale_and_overscan_without_the_published_warnings() {
        let job_type: AvailableJobType = serde_json::from_value(serde_json::json!({
            "name": "single-image-tiles", "label": "Single Image Tiles", "etag": "e", "settings": [
                {"key": "resolution_x", "type": "int32"}, {"key": "resolution_y", "type": "int32"},
                {"key": "resolution_scale", "type": "int32", "default": 100},
                {"key": "tile_size_x", "type": "int32", "default": 256}, {"key": "tile_size_y", "type": "int32", "default": 256},
                {"key": "overscan", "type": "int32", "default": 16}
            ]
        }))
        .unwrap();
        let mut form = FormState::defaults(&job_type);
        for (key, value) in [
            ("resolution_x", "360"),
            ("resolution_y", "640"),
            ("resolution_scale", "50"),
            ("tile_size_x", "64"),
            ("tile_size_y", "64"),
            ("overscan", "0"),
        ] {
            form.set_text(key, value.into());
        }
        let plan = TilePlan::from_form(&form).unwrap();
        assert_eq!((plan.width, plan.height, plan.tile_count(), plan.overscan), (180, 320, 15, 0));
        assert_eq!(plan.overscan_share(), 0.0, "no overscan, no extra pixels");
        assert!(warnings("single-image-tiles", &form, Some(&plan)).is_empty());
        form.set_text("overscan", "-1".into());
        assert_eq!(TilePlan::from_form(&form), None);
    }
}
