//! What simfarm's simulated workers do for the commands a job-type script authored, standing in
//! for what a real Worker's Blender or program would do:
//! - `blender-render` whose Python carries a `job = json.loads('...')` line of kind `tile`
//!   renders that tile of the job's picture, with Blender's own border maths, to its file;
//! - `blender-render` with `--render-output` and `--render-frame` renders those frames;
//! - `blender-render` whose Python (kind `denoise`) denoises a merged image copies it: simfarm's
//!   pictures have no noise;
//! - `blender-render` whose Python prints `Saved: '<file>'` makes that image the job's
//!   last-rendered one (a Worker uploads what Blender reports saving);
//! - `exec` of `tilemerge` runs the real `tilemerge` (next to simfarm's own executable, or on
//!   `PATH`), with the job's paths moved under the render root;
//! - anything else takes its time and writes nothing.

use std::path::{Path, PathBuf};

use flamenco_api::Command;
use serde::Deserialize;
use serde_json::Value;
use tilemerge::{Grid, Size, TileId};

use crate::jobtypes::frames::explode_frames;
use crate::render::procedural::Picture;
use crate::render::{FrameFormat, RenderRoot, TileRendering, Work};

/// What the work of a scripted task depends on besides its commands.
pub struct WorkContext<'a> {
    pub render_root: &'a RenderRoot,
    /// The `tilemerge` program that `exec` of `tilemerge` runs.
    pub tilemerge: &'a Path,
    /// The job's picture seed: tiles and frames of one job show one picture.
    pub seed: u64,
    pub seam_noise: bool,
}

/// The work of a task: each command's, in order.
pub fn task_work(commands: &[Command], context: &WorkContext) -> Work {
    let mut steps: Vec<Work> = commands
        .iter()
        .map(|command| command_work(command, context))
        .filter(|work| !matches!(work, Work::Nothing))
        .collect();
    match steps.len() {
        0 => Work::Nothing,
        1 => steps.remove(0),
        _ => Work::Steps(steps),
    }
}

fn command_work(command: &Command, context: &WorkContext) -> Work {
    let strings = |key: &str| -> Vec<String> {
        match command.parameters.get(key) {
            Some(Value::Array(items)) => items.iter().map(value_text).collect(),
            _ => Vec::new(),
        }
    };
    match command.name.as_str() {
        "blender-render" => blender_work(&strings("args"), context),
        "exec" => {
            let exe = command.parameters.get("exe").map(value_text).unwrap_or_default();
            exec_work(&exe, &strings("args"), context)
        }
        _ => Work::Nothing,
    }
}

/// A JSON value as the Worker passes it to a program: strings as they are, others as JSON.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The settings a tile's Python carries (`kind: "tile"`).
#[derive(Debug, Deserialize)]
struct TilePython {
    output: String,
    /// The image size after the render scale.
    size: [u32; 2],
    tile_size: [u32; 2],
    overscan: u32,
    /// The tile without overscan: x0, y0, x1, y1, Y counted from the bottom.
    tile: [u32; 4],
    /// The render border Blender is given: what it really renders.
    border: [f64; 4],
}

fn blender_work(args: &[String], context: &WorkContext) -> Work {
    let after = |flag: &str| args.iter().position(|arg| arg == flag).and_then(|at| args.get(at + 1));
    if let Some(python) = after("--python-expr") {
        if let Some(saved) = saved_line(python) {
            return match context.render_root.resolve(&saved) {
                Some(path) => Work::LastRendered { image: path },
                None => Work::Nothing,
            };
        }
        if let Some(job) = python_job(python) {
            match job.get("kind").and_then(Value::as_str) {
                Some("tile") => {
                    return match serde_json::from_value::<TilePython>(job) {
                        Ok(tile) => tile_work(&tile, context).unwrap_or(Work::Nothing),
                        Err(_) => Work::Nothing,
                    };
                }
                // simfarm's pictures have no noise: denoised, they stay as they are.
                Some("denoise") => {
                    let path = |key: &str| {
                        job.get(key).and_then(Value::as_str).and_then(|p| context.render_root.resolve(p))
                    };
                    if let (Some(from), Some(to)) = (path("input"), path("output")) {
                        return Work::CopyFile { from, to };
                    }
                }
                _ => {}
            }
        }
    }
    match (after("--render-output"), after("--render-frame")) {
        (Some(output), Some(frames)) => {
            let (Some(pattern), Ok(frames)) = (context.render_root.resolve(output), explode_frames(frames))
            else {
                return Work::Nothing;
            };
            let format = FrameFormat::from_setting(after("--render-format").map_or("PNG", String::as_str));
            Work::Frames { seed: context.seed, pattern: with_extension(pattern, format), frames, format }
        }
        _ => Work::Nothing,
    }
}

/// Blender adds the format's extension to an output path that does not end in it.
fn with_extension(pattern: PathBuf, format: FrameFormat) -> PathBuf {
    let extension = format.extension();
    let has_it = pattern
        .extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| ext.eq_ignore_ascii_case(extension));
    if has_it {
        return pattern;
    }
    let mut text = pattern.into_os_string();
    text.push(".");
    text.push(extension);
    PathBuf::from(text)
}

fn tile_work(tile: &TilePython, context: &WorkContext) -> Option<Work> {
    let size = |[width, height]: [u32; 2]| Size { width, height };
    let grid = Grid::new(size(tile.size), size(tile.tile_size), tile.overscan).ok()?;
    let [x0, y0, x1, y1] = tile.tile;
    let id = TileId { x0, y0, x1, y1 };
    let output = context.render_root.resolve(&tile.output)?;
    // tilemerge finds tiles by their names: a file named otherwise is not this tile.
    if !grid.contains(id) || output.file_name()?.to_str()? != id.file_name() {
        return None;
    }
    let picture = Picture { width: tile.size[0], height: tile.size[1], seed: context.seed };
    Some(Work::Tile {
        picture,
        grid,
        tile: id,
        dir: output.parent()?.to_path_buf(),
        seam_noise: context.seam_noise,
        rendering: TileRendering::Border(tile.border),
    })
}

/// The object a Python snippet reads with `job = json.loads('...')`, if it has that line.
fn python_job(python: &str) -> Option<Value> {
    let line = python.lines().find_map(|line| line.trim().strip_prefix("job = json.loads('"))?;
    let literal = line.strip_suffix("')")?;
    serde_json::from_str(&python_unescape(literal)).ok()
}

/// The file of a `print("Saved: '<file>'")` line, the way a Worker reads Blender's output.
fn saved_line(python: &str) -> Option<String> {
    let job = python_job(python)?;
    (job.get("kind").and_then(Value::as_str) == Some("last-rendered"))
        .then(|| job.get("image").and_then(Value::as_str).map(str::to_owned))
        .flatten()
}

/// A single-quoted Python string's text: `\\` and `\'` escapes.
fn python_unescape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    let mut chars = literal.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `exec` runs only `tilemerge`: simfarm does not run arbitrary programs a script names.
fn exec_work(exe: &str, args: &[String], context: &WorkContext) -> Work {
    let program = Path::new(exe).file_stem().and_then(|stem| stem.to_str());
    if program != Some("tilemerge") {
        return Work::Nothing;
    }
    // Every absolute path names shared storage, which is the render root here.
    let mut rerooted = Vec::with_capacity(args.len());
    for arg in args {
        if arg.starts_with('/') {
            match context.render_root.resolve(arg) {
                Some(path) => rerooted.push(path.display().to_string()),
                None => return Work::Nothing,
            }
        } else {
            rerooted.push(arg.clone());
        }
    }
    let png = rerooted.iter().position(|arg| arg == "--png").and_then(|at| rerooted.get(at + 1));
    let image = png.map(PathBuf::from);
    Work::Exec { program: context.tilemerge.to_path_buf(), args: rerooted, image }
}

/// The `tilemerge` next to simfarm's executable (they are built together), else from `PATH`.
pub fn default_tilemerge() -> PathBuf {
    let beside = std::env::current_exe().ok().and_then(|exe| {
        exe.parent().map(|dir| dir.join(format!("tilemerge{}", std::env::consts::EXE_SUFFIX)))
    });
    match beside {
        Some(path) if path.is_file() => path,
        _ => PathBuf::from("tilemerge"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn command(name: &str, parameters: Value) -> Command {
        let Value::Object(parameters) = parameters else { panic!("parameters are an object") };
        Command { name: name.into(), parameters, total_step_count: 1 }
    }

    fn run(commands: &[Command]) -> Work {
        let root = RenderRoot::new(PathBuf::from("/farm"));
        let context = WorkContext {
            render_root: &root,
            tilemerge: Path::new("/bin/tilemerge"),
            seed: 3,
            seam_noise: false,
        };
        task_work(commands, &context)
    }

    #[test]
    fn python_settings_are_read_back_with_their_quotes() {
        // As the job type writes it: JSON, then escaped for a single-quoted Python string.
        let settings = json!({"kind": "last-rendered", "image": "/render/it's/a\\b.png"});
        let literal = settings.to_string().replace('\\', "\\\\").replace('\'', "\\'");
        let python = format!("import json\njob = json.loads('{literal}')\nprint(job)");
        assert_eq!(python_job(&python), Some(settings));
        assert_eq!(python_job("import bpy\nbpy.ops.render.render()"), None);
    }

    #[test]
    fn commands_become_the_work_a_worker_would_do() {
        // Only tilemerge runs, with the job's paths under the render root.
        let exec = command(
            "exec",
            json!({"exe": "tilemerge", "args": ["merge", "/render/x/tiles", "--png", "/render/x/m.png", "--size", "8x8"]}),
        );
        match run(&[exec]) {
            Work::Exec { program, args, image } => {
                assert_eq!(program, Path::new("/bin/tilemerge"));
                assert_eq!(
                    args,
                    ["merge", "/farm/render/x/tiles", "--png", "/farm/render/x/m.png", "--size", "8x8"]
                );
                assert_eq!(image, Some(PathBuf::from("/farm/render/x/m.png")));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(run(&[command("exec", json!({"exe": "rm", "args": ["-rf", "/"]}))]), Work::Nothing));
        // Frames get Blender's extension; two commands make steps.
        let frames = command(
            "blender-render",
            json!({"args": ["--render-output", "/render/f/####", "--render-format", "JPEG", "--render-frame", "1..2"]}),
        );
        match run(std::slice::from_ref(&frames)) {
            Work::Frames { pattern, frames, .. } => {
                assert_eq!((pattern, frames), (PathBuf::from("/farm/render/f/####.jpg"), vec![1, 2]));
            }
            other => panic!("{other:?}"),
        }
        let echo = command("echo", json!({"message": "hi"}));
        assert!(matches!(run(&[frames.clone(), echo, frames]), Work::Steps(steps) if steps.len() == 2));
        // A tile whose file is not named after it is not that tile.
        let tile = |output: &str| {
            let settings = json!({"kind": "tile", "output": output, "size": [100, 100], "tile_size": [64, 64],
                                  "overscan": 16, "tile": [0, 0, 64, 64], "border": [0.0, 0.8, 0.0, 0.8]});
            let python = format!("import json\njob = json.loads('{settings}')");
            command("blender-render", json!({"args": ["--python-expr", python]}))
        };
        assert!(matches!(run(&[tile("/render/t/0-0-64-64.exr")]), Work::Tile { tile, .. } if tile.x1 == 64));
        assert!(matches!(run(&[tile("/render/t/tile.exr")]), Work::Nothing));
    }
}
