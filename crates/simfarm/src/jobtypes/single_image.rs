//! `single-image-render`: the third-party "Single Image Render" job type. One `render-<x0>-<y0>`
//! task per tile (16 px overscan, cropped to the border), then a `merge` task depending on all.

use flamenco_api::JobSettings;
use serde_json::{json, Value};

use super::{blender_command, fnv1a, int_setting, render_output_path, AuthoredTask, CompileContext};
use tilemerge::{Grid, LayoutError, Size, TileId, DEFAULT_OVERSCAN};

use crate::render::procedural::Picture;
use crate::render::{TileRendering, Work};

pub const NAME: &str = "single-image-render";
pub const LABEL: &str = "Single Image Render";
pub const DESCRIPTION: &str = "Distributed rendering of a single image.";

/// Limits that keep one submission from exhausting the Manager: the merge holds the whole image.
const MAX_SIDE: i64 = 16_384;
const MAX_PIXELS: i64 = 40_000_000;
const MAX_TILES: u64 = 10_000;

/// The job type's settings, exactly those of the published script.
pub fn settings() -> Vec<Value> {
    vec![
        json!({"key": "tile_size_x", "type": "int32", "default": 64, "description": "Tile size in pixels for the X axis"}),
        json!({"key": "tile_size_y", "type": "int32", "default": 64, "description": "Tile size in pixels for the Y axis"}),
        json!({"key": "frame", "type": "int32", "required": true, "eval": "C.scene.frame_current",
               "description": "Frame to render. Examples: '47', '1'"}),
        json!({"key": "render_output_root", "type": "string", "subtype": "dir_path", "required": true,
               "visible": "submission",
               "description": "Base directory of where render output is stored. Will have some job-specific parts appended to it"}),
        json!({"key": "add_path_components", "type": "int32", "required": true, "default": 0,
               "propargs": {"min": 0, "max": 32}, "visible": "submission",
               "description": "Number of path components of the current blend file to use in the render output path"}),
        json!({"key": "render_output_path", "type": "string", "subtype": "file_path", "editable": false,
               "eval": "str(Path(abspath(settings.render_output_root), last_n_dir_parts(settings.add_path_components), jobname, '{timestamp}', 'tiles'))",
               "description": "Final file path of where render output will be saved"}),
        json!({"key": "blendfile", "type": "string", "required": true,
               "description": "Path of the Blend file to render", "visible": "web"}),
        json!({"key": "format", "type": "string", "required": true,
               "eval": "C.scene.render.image_settings.file_format", "visible": "web"}),
        json!({"key": "image_file_extension", "type": "string", "required": true,
               "eval": "C.scene.render.file_extension", "visible": "hidden",
               "description": "File extension used when rendering images"}),
        json!({"key": "resolution_x", "type": "int32", "required": true, "eval": "C.scene.render.resolution_x",
               "visible": "hidden", "description": "Resolution X"}),
        json!({"key": "resolution_y", "type": "int32", "required": true, "eval": "C.scene.render.resolution_y",
               "visible": "hidden", "description": "Resolution Y"}),
        json!({"key": "resolution_scale", "type": "int32", "required": true,
               "eval": "C.scene.render.resolution_percentage", "visible": "hidden",
               "description": "Resolution scale"}),
    ]
}

/// Compiles a single-image job into tile tasks and the merge task.
pub fn compile(settings: &mut JobSettings, context: &CompileContext) -> Result<Vec<AuthoredTask>, String> {
    let render_output = render_output_path(settings)?;
    // The script compares with `!==`, so only the number 100 passes.
    if settings.get("resolution_scale").and_then(Value::as_f64) != Some(100.0) {
        return Err(
            "Flamenco currently does not support rendering with a resolution scale other than 100%".into()
        );
    }
    let width = int_setting(settings, "resolution_x", 1..=MAX_SIDE)?;
    let height = int_setting(settings, "resolution_y", 1..=MAX_SIDE)?;
    if width * height > MAX_PIXELS {
        return Err(format!("an image of {width}x{height} is more than this Manager can merge"));
    }
    let tile_width = int_setting(settings, "tile_size_x", 1..=MAX_SIDE)?;
    let tile_height = int_setting(settings, "tile_size_y", 1..=MAX_SIDE)?;
    let too_many = |count: u64| format!("{count} tiles are too many; make the tiles larger");
    let size = |width: i64, height: i64| Size { width: width as u32, height: height as u32 };
    let grid =
        Grid::new(size(width, height), size(tile_width, tile_height), DEFAULT_OVERSCAN).map_err(|error| {
            match error {
                LayoutError::TooManyTiles { columns, rows, .. } => {
                    too_many(u64::from(columns) * u64::from(rows))
                }
                other => other.to_string(),
            }
        })?;
    let tile_count = u64::from(grid.columns()) * u64::from(grid.rows());
    if tile_count > MAX_TILES {
        return Err(too_many(tile_count));
    }
    settings.insert("render_output_path".into(), Value::from(render_output.clone()));
    let tiles_dir = context
        .render_root
        .resolve(&render_output)
        .ok_or_else(|| format!("render output path {render_output:?} is not usable"))?;
    // The merge goes beside the tiles folder, to `.../merged` (Blender adds the extension).
    let merged = tiles_dir.parent().unwrap_or(&tiles_dir).join("merged.exr");
    let merge_output = match render_output.rsplit_once('/') {
        Some((parent, _)) => format!("{parent}/merged"),
        None => "merged".to_owned(),
    };

    let (width, height) = (grid.image.width, grid.image.height);
    let picture = Picture { width, height, seed: fnv1a(context.job_id.as_bytes()) };
    let tiles = grid.tiles();
    let format = settings.get("format").cloned().unwrap_or(Value::Null);
    let mut tasks = Vec::with_capacity(tiles.len() + 1);
    for tile in &tiles {
        let expression = format!(
            "import bpy\nrender = bpy.context.scene.render\noverscan = {overscan}\n\
             render.border_min_x = max({x0} - overscan, 0) / {width}\n\
             render.border_min_y = max({y0} - overscan, 0) / {height}\n\
             render.border_max_x = min({x1} + overscan, {width}) / {width}\n\
             render.border_max_y = min({y1} + overscan, {width}) / {height}\n\
             render.use_border = True\nrender.use_crop_to_border = True\n\
             bpy.ops.render.render(write_still=True)",
            overscan = grid.overscan,
            x0 = tile.x0,
            y0 = tile.y0,
            x1 = tile.x1,
            y1 = tile.y1,
        );
        // Blender adds the extension: `<x0>-<y0>-<x1>-<y1>.exr`.
        let output = format!("{render_output}/{tile}");
        let args = vec![
            Value::from("--render-output"),
            Value::from(output),
            Value::from("--render-format"),
            format.clone(),
            Value::from("--python-expr"),
            Value::from(expression),
        ];
        tasks.push(AuthoredTask {
            name: task_name(*tile),
            task_type: "blender".into(),
            priority: 50,
            commands: vec![blender_command(settings, args, 0)],
            depends_on: Vec::new(),
            work: Work::Tile {
                picture,
                grid,
                tile: *tile,
                dir: tiles_dir.clone(),
                seam_noise: context.seam_noise,
                rendering: TileRendering::PublishedJobType,
            },
        });
    }
    let merge_args = vec![
        Value::from("--render-output"),
        Value::from(merge_output),
        Value::from("--render-format"),
        format,
        Value::from("--python-expr"),
        Value::from(format!("# merge the tiles in {render_output} with the compositor")),
    ];
    tasks.push(AuthoredTask {
        name: "merge".into(),
        task_type: "blender".into(),
        priority: 50,
        commands: vec![blender_command(settings, merge_args, 0)],
        depends_on: (0..tiles.len()).collect(),
        work: Work::Merge { grid, dir: tiles_dir, output: merged },
    });
    Ok(tasks)
}

/// The task the job type creates for a tile.
fn task_name(tile: TileId) -> String {
    format!("render-{}-{}", tile.x0, tile.y0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::RenderRoot;

    fn settings(extra: Value) -> JobSettings {
        let mut base = json!({
            "tile_size_x": 64, "tile_size_y": 64, "frame": 1, "resolution_x": 320, "resolution_y": 180,
            "resolution_scale": 100, "format": "OPEN_EXR_MULTILAYER", "image_file_extension": ".exr",
            "render_output_path": "/render/shot/{timestamp}/tiles", "blendfile": "/render/scene.blend"
        });
        if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
            base.extend(extra.clone());
        }
        base.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn one_task_per_tile_and_a_merge_depending_on_all() {
        let root = RenderRoot::new("/tmp/simfarm-root".into());
        let context = CompileContext { job_id: "job", render_root: &root, seam_noise: false };
        let mut s = settings(json!({}));
        let tasks = compile(&mut s, &context).unwrap();
        assert_eq!(tasks.len(), 16);
        assert_eq!(tasks[0].name, "render-0-0");
        assert_eq!(tasks[5].name, "render-0-64");
        assert_eq!(tasks[15].name, "merge");
        assert_eq!(tasks[15].depends_on.len(), 15);
        assert!(!s["render_output_path"].as_str().unwrap().contains("{timestamp}"));
    }

    #[test]
    fn bad_settings_are_refused_with_a_message() {
        let root = RenderRoot::new("/tmp/simfarm-root".into());
        let context = CompileContext { job_id: "job", render_root: &root, seam_noise: false };
        for bad in [
            json!({"resolution_scale": 50}),
            json!({"resolution_scale": "100"}),
            json!({"tile_size_x": 0}),
            json!({"tile_size_y": "64"}),
            json!({"resolution_x": 1.5}),
            json!({"resolution_x": 100000}),
            json!({"tile_size_x": 1, "tile_size_y": 1}),
            json!({"render_output_path": ""}),
            json!({"render_output_path": "/a/../../etc"}),
        ] {
            assert!(compile(&mut settings(bad.clone()), &context).is_err(), "{bad}");
        }
    }
}
