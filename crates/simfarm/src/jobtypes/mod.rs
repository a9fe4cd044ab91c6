//! Job types: their definitions (`AvailableJobType`) and their compilers, which turn a submitted
//! job's settings into tasks the way Flamenco's JavaScript job types do.

mod echo_sleep;
mod frames;
pub mod scripts;
mod single_image;

use flamenco_api::{AvailableJobSetting, AvailableJobType, Command, JobMetadata, JobSettings, SubmittedJob};
use serde_json::Value;

use crate::render::{RenderRoot, Work};
use scripts::work::{task_work, WorkContext};
use scripts::{Script, ScriptFolder};

/// A task as a job type authors it, before the farm stores it.
#[derive(Clone, Debug)]
pub struct AuthoredTask {
    pub name: String,
    pub task_type: String,
    pub priority: i32,
    pub commands: Vec<Command>,
    /// Indices of the tasks (in the same job) that must complete first.
    pub depends_on: Vec<usize>,
    pub work: Work,
}

/// A compiled job: its settings as the job type left them, and its tasks.
#[derive(Clone, Debug)]
pub struct CompiledJob {
    pub settings: JobSettings,
    /// The metadata as the job type left it; `None` keeps the submitted metadata.
    pub metadata: Option<JobMetadata>,
    pub tasks: Vec<AuthoredTask>,
}

/// Why a submission does not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The submission's `type_etag` is not the job type's: 412.
    BadEtag,
    /// The job type does not exist or rejects the settings: 400 with this message.
    Invalid(String),
}

/// What a compiler needs besides the submission.
pub struct CompileContext<'a> {
    pub job_id: &'a str,
    pub render_root: &'a RenderRoot,
    /// Per-tile noise in the overscan (`--seam-noise`).
    pub seam_noise: bool,
}

/// The job types this Manager knows: built in, and from a folder of scripts.
pub struct JobTypes {
    types: Vec<AvailableJobType>,
    scripts: Option<ScriptFolder>,
}

impl Default for JobTypes {
    fn default() -> Self {
        JobTypes::new()
    }
}

impl JobTypes {
    /// Flamenco's built-in `echo-sleep-test` and `simple-blender-render`, and the third-party
    /// `single-image-render`, in name order as the Manager lists them.
    pub fn new() -> JobTypes {
        let types = vec![
            job_type(echo_sleep::NAME, echo_sleep::LABEL, echo_sleep::DESCRIPTION, echo_sleep::settings()),
            job_type(frames::NAME, frames::LABEL, frames::DESCRIPTION, frames::settings()),
            job_type(
                single_image::NAME,
                single_image::LABEL,
                single_image::DESCRIPTION,
                single_image::settings(),
            ),
        ];
        JobTypes { types, scripts: None }
    }

    /// The built-in job types and those of the scripts in `folder`, which is read again on every
    /// request, as the Manager reads its `scripts/` folder.
    pub fn with_scripts(folder: ScriptFolder) -> JobTypes {
        JobTypes { scripts: Some(folder), ..JobTypes::new() }
    }

    /// Every job type, for `GET /api/v3/jobs/types`, by name. A script that fails to load is
    /// left out (the Manager logs it and goes on).
    pub fn list(&self) -> Vec<AvailableJobType> {
        let mut types = self.types.clone();
        for script in self.scripts.iter().flat_map(ScriptFolder::scripts) {
            match script.job_type() {
                Ok(job_type) => {
                    types.retain(|built_in| built_in.name != job_type.name);
                    types.push(job_type);
                }
                Err(error) => eprintln!("simfarm: job type {} left out: {error}", script.file_name),
            }
        }
        types.sort_by(|a, b| a.name.cmp(&b.name));
        types
    }

    /// One job type by name.
    pub fn get(&self, name: &str) -> Option<AvailableJobType> {
        if let Some(script) = self.script(name) {
            return script.job_type().ok();
        }
        self.types.iter().find(|job_type| job_type.name == name).cloned()
    }

    fn script(&self, name: &str) -> Option<Script> {
        self.scripts.as_ref().and_then(|folder| folder.script(name))
    }

    /// Compiles a submission into tasks, checking the etag first like Flamenco does.
    pub fn compile(&self, job: &SubmittedJob, context: &CompileContext) -> Result<CompiledJob, CompileError> {
        if let Some(folder) = &self.scripts {
            if let Some(script) = folder.script(&job.job_type) {
                check_etag(job, &script.etag)?;
                return compile_script(&script, job, context, folder.tilemerge());
            }
        }
        let job_type =
            self.get(&job.job_type).ok_or_else(|| CompileError::Invalid("job type unknown".into()))?;
        check_etag(job, &job_type.etag)?;
        let mut settings = job.settings.clone().unwrap_or_default();
        let tasks = match job_type.name.as_str() {
            echo_sleep::NAME => Ok(echo_sleep::compile(&settings)),
            frames::NAME => frames::compile(&mut settings, context),
            single_image::NAME => single_image::compile(&mut settings, context),
            _ => Err("job type unknown".to_owned()),
        }
        .map_err(CompileError::Invalid)?;
        Ok(CompiledJob { settings, metadata: None, tasks })
    }
}

/// A submission's etag must be the job type's, when it has one.
fn check_etag(job: &SubmittedJob, etag: &str) -> Result<(), CompileError> {
    match job.type_etag.as_deref() {
        Some(sent) if !sent.is_empty() && sent != etag => Err(CompileError::BadEtag),
        _ => Ok(()),
    }
}

/// Runs a script's `compileJob`, and gives each task what simfarm's workers do for its commands.
fn compile_script(
    script: &Script,
    job: &SubmittedJob,
    context: &CompileContext,
    tilemerge: &std::path::Path,
) -> Result<CompiledJob, CompileError> {
    let scripted = script.compile(job, context.job_id).map_err(|error| CompileError::Invalid(error.0))?;
    let work_context = WorkContext {
        render_root: context.render_root,
        tilemerge,
        seed: fnv1a(context.job_id.as_bytes()),
        seam_noise: context.seam_noise,
    };
    let tasks = scripted
        .tasks
        .into_iter()
        .map(|task| AuthoredTask {
            work: task_work(&task.commands, &work_context),
            name: task.name,
            task_type: task.task_type,
            priority: task.priority as i32,
            commands: task.commands,
            depends_on: task.dependencies,
        })
        .collect();
    let metadata = scripted.metadata.and_then(|value| match value {
        Value::Object(map) => Some(
            map.into_iter()
                .map(|(key, value)| (key, value.as_str().map_or_else(|| value.to_string(), str::to_owned)))
                .collect(),
        ),
        _ => None,
    });
    Ok(CompiledJob { settings: scripted.settings.unwrap_or_default(), metadata, tasks })
}

fn job_type(name: &str, label: &str, description: &str, settings: Vec<Value>) -> AvailableJobType {
    let settings: Vec<AvailableJobSetting> =
        settings.into_iter().filter_map(|setting| serde_json::from_value(setting).ok()).collect();
    // The Manager's etag is the SHA-1 of the job type's script; here, of its definition and of
    // this build's compilers (a new simfarm may author tasks differently), so it changes with both.
    let definition = serde_json::to_string(&(name, label, description, &settings)).unwrap_or_default();
    AvailableJobType {
        name: name.to_owned(),
        label: label.to_owned(),
        description: Some(description.to_owned()),
        settings,
        etag: sha1_hex(&[definition.as_bytes(), env!("CARGO_PKG_VERSION").as_bytes()]),
    }
}

/// The SHA-1 of the parts, one after the other, as 40 lower-case hex digits.
fn sha1_hex(parts: &[&[u8]]) -> String {
    use sha1::{Digest, Sha1};
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A JavaScript exception as the Manager's script runtime reports it: the message, then where in
/// the job type's script it was thrown (`<message> at <function> (<script>:<line>:<column>(<pc>))`).
/// Only `renderOutputPath (simple_blender_render.js:99:9(9))` was read off a real Manager; the other
/// places name the function that throws, at a position in that script.
pub(crate) fn thrown(message: impl std::fmt::Display, place: &str) -> String {
    format!("{message} at {place}")
}

/// FNV-1a, 64 bits: a stable hash for etags and per-job picture seeds.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Where the render output check throws, as measured on Manager 3.9.
const RENDER_OUTPUT_PATH_THROW: &str = "renderOutputPath (simple_blender_render.js:99:9(9))";

/// The `render_output_path` setting with `{timestamp}` filled in, as both job types do.
fn render_output_path(settings: &JobSettings) -> Result<String, String> {
    match settings.get("render_output_path") {
        Some(Value::String(path)) if !path.is_empty() => {
            Ok(path.replace("{timestamp}", &crate::clock::path_timestamp()))
        }
        _ => Err(thrown("no render_output_path setting!", RENDER_OUTPUT_PATH_THROW)),
    }
}

/// A setting read as JavaScript would read a number: JSON numbers only.
fn number_setting(settings: &JobSettings, key: &str) -> Option<f64> {
    settings.get(key).and_then(Value::as_f64)
}

/// A setting that must be a whole number within `range`.
fn int_setting(
    settings: &JobSettings,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, String> {
    let value = number_setting(settings, key).ok_or_else(|| format!("setting {key:?} must be a number"))?;
    if value.fract() != 0.0 || !range.contains(&(value as i64)) {
        return Err(format!(
            "setting {key:?} must be a whole number from {} to {}, not {value}",
            range.start(),
            range.end()
        ));
    }
    Ok(value as i64)
}

/// The `blender-render` command both job types author.
fn blender_command(settings: &JobSettings, args: Vec<Value>, steps: i64) -> Command {
    let mut parameters = serde_json::Map::new();
    parameters.insert("exe".into(), Value::from("{blender}"));
    parameters.insert("exeArgs".into(), Value::from("{blenderArgs}"));
    parameters.insert("argsBefore".into(), Value::Array(Vec::new()));
    parameters.insert("blendfile".into(), settings.get("blendfile").cloned().unwrap_or(Value::Null));
    parameters.insert("args".into(), Value::Array(args));
    Command { name: "blender-render".into(), parameters, total_step_count: steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submitted(value: Value) -> SubmittedJob {
        serde_json::from_value(value).expect("a valid submission")
    }

    #[test]
    fn the_job_types_are_listed_with_stable_sha1_etags() {
        let types = JobTypes::new();
        assert_eq!(types.list().len(), 3);
        for job_type in types.list() {
            assert_eq!(job_type.etag.len(), 40, "{}", job_type.etag);
            assert!(job_type.etag.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        }
        assert_ne!(types.list()[0].etag, types.list()[1].etag);
        assert_eq!(types.get("single-image-render").map(|t| t.settings.len()), Some(12));
        assert_eq!(JobTypes::new().list()[0].etag, types.list()[0].etag);
    }

    #[test]
    fn an_outdated_etag_is_refused_and_a_missing_one_skips_the_check() {
        let types = JobTypes::new();
        let root = RenderRoot::new("/tmp/simfarm-test".into());
        let context = CompileContext { job_id: "j", render_root: &root, seam_noise: false };
        let mut job = submitted(serde_json::json!({
            "name": "x", "type": "simple-blender-render", "priority": 50, "submitter_platform": "linux",
            "type_etag": "old",
            "settings": {"frames": "1-3", "chunk_size": 1, "render_output_path": "/r/x/######"}
        }));
        assert_eq!(types.compile(&job, &context).err(), Some(CompileError::BadEtag));
        job.type_etag = None;
        assert_eq!(types.compile(&job, &context).map(|c| c.tasks.len()).ok(), Some(3));
        job.job_type = "nope".into();
        assert!(matches!(types.compile(&job, &context), Err(CompileError::Invalid(_))));
    }
}
