//! `simple-blender-render`: Flamenco's built-in frames job type. Render tasks of `chunk_size`
//! frames each, then a `preview-video` task when FFmpeg can read the frames.

use flamenco_api::{Command, JobSettings};
use serde_json::{json, Value};

use super::{blender_command, fnv1a, render_output_path, thrown, AuthoredTask, CompileContext};
use crate::render::{FrameFormat, Work};

pub const NAME: &str = "simple-blender-render";
pub const LABEL: &str = "Simple Blender Render";
pub const DESCRIPTION: &str = "Render a sequence of frames, and create a preview video file";

/// More frames than this in one job is refused: a frame range like `1-999999999` must not eat the
/// Manager's memory.
const MAX_FRAMES: usize = 100_000;

/// Where the script throws, for the messages (see [`thrown`]).
const IN_COMPILE_JOB: &str = "compileJob (simple_blender_render.js:84:9(11))";
const IN_RENDER_TASKS: &str = "authorRenderTasks (simple_blender_render.js:115:31(14))";

/// The Python the render tasks run before rendering, as the job type passes it to Blender.
pub const RENDER_PYTHON: &str = "import bpy; bpy.context.scene.render.use_overwrite = True";

/// The FFmpeg arguments of the preview video, before the frame rate and `-y`.
const FFMPEG_ARGS: [&str; 10] =
    ["-c:v", "h264", "-crf", "20", "-g", "18", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-pix_fmt", "yuv420p"];

const VIDEO_FORMATS: [&str; 3] = ["FFMPEG", "AVI_RAW", "AVI_JPEG"];
const FFMPEG_INCOMPATIBLE: [&str; 4] = ["EXR", "MULTILAYER", "OPEN_EXR", "OPEN_EXR_MULTILAYER"];

/// The job type's settings, as Flamenco defines them.
pub fn settings() -> Vec<Value> {
    vec![
        json!({"key": "frames", "type": "string", "required": true,
               "eval": "f'{C.scene.frame_start}-{C.scene.frame_end}'",
               "evalInfo": {"showLinkButton": true, "description": "Scene frame range"},
               "description": "Frame range to render. Examples: '47', '1-30', '3, 5-10, 47-327'"}),
        json!({"key": "chunk_size", "type": "int32", "default": 1,
               "description": "Number of frames to render in one Blender render task", "visible": "submission"}),
        json!({"key": "render_output_root", "type": "string", "subtype": "dir_path", "required": true,
               "visible": "submission",
               "description": "Base directory of where render output is stored. Will have some job-specific parts appended to it"}),
        json!({"key": "add_path_components", "type": "int32", "required": true, "default": 0,
               "propargs": {"min": 0, "max": 32}, "visible": "submission",
               "description": "Number of path components of the current blend file to use in the render output path"}),
        json!({"key": "render_output_path", "type": "string", "subtype": "file_path", "editable": false,
               "eval": "str(Path(abspath(settings.render_output_root), last_n_dir_parts(settings.add_path_components), jobname, '{timestamp}', '######'))",
               "description": "Final file path of where render output will be saved"}),
        json!({"key": "blendfile", "type": "string", "required": true,
               "description": "Path of the Blend file to render", "visible": "web"}),
        json!({"key": "fps", "type": "float", "eval": "C.scene.render.fps / C.scene.render.fps_base", "visible": "hidden"}),
        json!({"key": "format", "type": "string", "required": true,
               "eval": "C.scene.render.image_settings.file_format", "visible": "web"}),
        json!({"key": "image_file_extension", "type": "string", "required": true,
               "eval": "C.scene.render.file_extension", "visible": "hidden",
               "description": "File extension used when rendering images"}),
        json!({"key": "has_previews", "type": "bool", "required": false,
               "eval": "C.scene.render.image_settings.use_preview", "visible": "hidden",
               "description": "Whether Blender will render preview images."}),
        json!({"key": "scene", "type": "string", "required": true, "eval": "C.scene.name", "visible": "web",
               "description": "Name of the scene to render."}),
    ]
}

/// Compiles a frames job. Like the JavaScript job type, only what it actually uses is checked.
pub fn compile(settings: &mut JobSettings, context: &CompileContext) -> Result<Vec<AuthoredTask>, String> {
    let format = text(settings.get("format"));
    if VIDEO_FORMATS.contains(&format.as_str()) {
        return Err(thrown(
            format!("This job type only renders images, and not \"{format}\""),
            IN_COMPILE_JOB,
        ));
    }
    let render_output = render_output_path(settings)?;
    settings.insert("render_output_path".into(), Value::from(render_output.clone()));
    let pattern = context
        .render_root
        .resolve(&render_output)
        .ok_or_else(|| format!("render output path {render_output:?} is not usable"))?;

    let frames_text = text(settings.get("frames"));
    // JavaScript hands `undefined` to Go as 0.
    let chunk_size = settings.get("chunk_size").and_then(Value::as_f64).unwrap_or(0.0);
    let chunks = chunk_frames(&frames_text, chunk_size)
        .map_err(|error| thrown(format!("GoError: {error}"), IN_RENDER_TASKS))?;
    let frames: Vec<i64> = chunks.concat();

    let seed = fnv1a(context.job_id.as_bytes());
    let frame_format = FrameFormat::from_setting(&format);
    let mut tasks = Vec::with_capacity(chunks.len() + 1);
    for chunk in &chunks {
        let range = merge_frames(chunk);
        let mut args = Vec::new();
        if let Some(scene) = settings.get("scene").and_then(Value::as_str) {
            args.extend([Value::from("--scene"), Value::from(scene)]);
        }
        args.extend([
            Value::from("--render-output"),
            Value::from(render_output.clone()),
            Value::from("--render-format"),
            Value::from(format.clone()),
            Value::from("--python-expr"),
            Value::from(RENDER_PYTHON),
            Value::from("--render-frame"),
            Value::from(range.replace('-', "..")),
        ]);
        tasks.push(AuthoredTask {
            name: format!("render-{range}"),
            task_type: "blender".into(),
            priority: 50,
            commands: vec![blender_command(settings, args, chunk.len() as i64)],
            depends_on: Vec::new(),
            work: Work::Frames {
                seed,
                pattern: pattern.clone(),
                frames: chunk.to_vec(),
                format: frame_format,
            },
        });
    }

    let needs_previews = FFMPEG_INCOMPATIBLE.contains(&format.as_str());
    let has_previews = settings.get("has_previews").and_then(Value::as_bool).unwrap_or(false);
    let fps = settings.get("fps").filter(|fps| fps.as_f64().is_some_and(|f| f != 0.0) || fps.is_string());
    if let (false, Some(fps)) = (needs_previews && !has_previews, fps) {
        let mut parameters = serde_json::Map::new();
        let render_dir =
            std::path::Path::new(&render_output).parent().map(|p| p.to_string_lossy().into_owned());
        let render_dir = render_dir.unwrap_or_default();
        let extension =
            if needs_previews { ".jpg".to_owned() } else { text(settings.get("image_file_extension")) };
        // Named after the blend file and the frames, first to last.
        let stem = blend_stem(settings.get("blendfile")).replace(".flamenco", "");
        let span = match (frames.first(), frames.last()) {
            (Some(first), Some(last)) if frames_text.contains(',') => format!("{first}-{last}"),
            _ => frames_text.clone(),
        };
        let mut args: Vec<Value> = FFMPEG_ARGS.iter().map(|arg| Value::from(*arg)).collect();
        args.extend([Value::from("-r"), fps.clone(), Value::from("-y")]);
        parameters.insert("exe".into(), Value::from("ffmpeg"));
        parameters.insert("fps".into(), fps.clone());
        parameters.insert("inputGlob".into(), Value::from(format!("{render_dir}/*{extension}")));
        parameters.insert("outputFile".into(), Value::from(format!("{render_dir}/{stem}-{span}.mp4")));
        parameters.insert("args".into(), Value::Array(args));
        tasks.push(AuthoredTask {
            name: "preview-video".into(),
            task_type: "ffmpeg".into(),
            priority: 50,
            commands: vec![Command { name: "frames-to-video".into(), parameters, total_step_count: 0 }],
            depends_on: (0..chunks.len()).collect(),
            work: Work::Nothing,
        });
    }
    Ok(tasks)
}

/// The file name of the blend file without its extension (`path.stem`); `undefined` without one.
fn blend_stem(blendfile: Option<&Value>) -> String {
    let path = text(blendfile);
    let name = path.rsplit(['/', '\\']).next().unwrap_or(&path);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
        _ => name.to_owned(),
    }
}

/// A setting as JavaScript's string conversion would show it (`undefined` for a missing one).
fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => "undefined".to_owned(),
    }
}

/// The Manager's `frameChunker`: the frames of `range` in chunks of `chunk_size`, or why not in
/// its Go chunker's words.
pub fn chunk_frames(range: &str, chunk_size: f64) -> Result<Vec<Vec<i64>>, String> {
    // NaN (a size JavaScript left undefined) is refused too.
    if !(chunk_size >= 1.0 && chunk_size.fract() == 0.0) {
        return Err(format!("invalid chunk size, must be positive number: {chunk_size}"));
    }
    let frames = explode_frames(range)?;
    Ok(frames.chunks(chunk_size.min(frames.len() as f64) as usize).map(<[i64]>::to_vec).collect())
}

/// Frame ranges like `1-10`, `3, 5-10, 47-327` or Blender's `1..10` into sorted, unique frames.
pub fn explode_frames(range: &str) -> Result<Vec<i64>, String> {
    // In the words of the Manager's Go frame chunker.
    let invalid = |why: &str| format!("invalid range {range:?}: {why}");
    let range = range.trim();
    if range.is_empty() {
        return Err(invalid("empty range"));
    }
    let mut frames = std::collections::BTreeSet::new();
    for part in range.replace("..", "-").split(',') {
        let parse = |text: &str| {
            let text = text.trim();
            text.parse::<i64>()
                .map_err(|_| invalid(&format!("strconv.Atoi: parsing {text:?}: invalid syntax")))
        };
        // Like the chunker, every dash separates: there are no negative frames, and a range that
        // ends before it starts gives no frames.
        let (start, end) = match part.trim().split('-').collect::<Vec<_>>().as_slice() {
            [single] => (parse(single)?, parse(single)?),
            [start, end] => (parse(start)?, parse(end)?),
            _ => return Err(invalid(&format!("{:?} has more than one dash", part.trim()))),
        };
        if end >= start && (end - start) as u64 >= MAX_FRAMES as u64 {
            return Err(invalid("too many frames"));
        }
        for frame in start..=end {
            frames.insert(frame);
            if frames.len() > MAX_FRAMES {
                return Err(invalid("too many frames"));
            }
        }
    }
    if frames.is_empty() {
        return Err(invalid("empty range"));
    }
    Ok(frames.into_iter().collect())
}

/// Sorted frames back into Flamenco's range text: `1-3`, `9,10`, `4`.
pub fn merge_frames(frames: &[i64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |from: i64, to: i64| match to - from {
        0 => parts.push(from.to_string()),
        1 => parts.extend([from.to_string(), to.to_string()]),
        _ => parts.push(format!("{from}-{to}")),
    };
    let Some(&first) = frames.first() else { return String::new() };
    let (mut start, mut previous) = (first, first);
    for &frame in &frames[1..] {
        if frame > previous + 1 {
            push(start, previous);
            start = frame;
        }
        previous = frame;
    }
    push(start, previous);
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ranges_chunk_like_flamenco() {
        let frames = explode_frames("1-10").unwrap();
        let chunks: Vec<String> = frames.chunks(3).map(merge_frames).collect();
        assert_eq!(chunks, ["1-3", "4-6", "7-9", "10"]);
        assert_eq!(merge_frames(&explode_frames("3, 5-10, 47").unwrap()[..3]), "3,5,6");
        assert_eq!(explode_frames("1..3").unwrap(), [1, 2, 3]);
        assert_eq!(explode_frames("1-3, 10-1").unwrap(), [1, 2, 3], "a reversed range gives no frames");
    }

    #[test]
    fn bad_or_huge_ranges_are_refused() {
        for bad in ["", "a-b", "1-2-3", "1-999999999", "5-", "-2-1", "-5"] {
            assert!(explode_frames(bad).is_err(), "{bad:?}");
        }
        assert!(explode_frames("10-1").is_err());
    }
}
