//! Job types from JavaScript files (`simfarm --scripts DIR`), loaded as the Manager loads the
//! `scripts/` folder next to its executable: every `*.js` of at least 8 bytes is a job type named
//! after its file (`single_image_tiles.js` is `single-image-tiles`), read again on every request,
//! and overriding a built-in job type of the same name. Its etag is the SHA-1 of the file.

mod engine;
mod gopath;
mod throw_sites;
pub mod work;

use std::path::{Path, PathBuf};

use flamenco_api::{AvailableJobSetting, AvailableJobType, Command, JobSettings, SubmittedJob};
use serde::Deserialize;
use serde_json::Value;

use engine::Engine;
pub use engine::ScriptError;

/// Files shorter than this are not job types (the Manager's own rule).
const MIN_SCRIPT_BYTES: u64 = 8;

/// The folder of job-type scripts.
#[derive(Clone, Debug)]
pub struct ScriptFolder {
    dir: PathBuf,
    tilemerge: PathBuf,
}

/// One script, as read from the folder.
pub struct Script {
    pub name: String,
    pub file_name: String,
    source: String,
    pub etag: String,
}

/// What `compileJob` left in the job: the job as the Manager stores it.
#[derive(Debug, Deserialize)]
pub struct ScriptedJob {
    pub settings: Option<JobSettings>,
    pub metadata: Option<Value>,
    pub tasks: Vec<ScriptedTask>,
}

/// A task as the script authored it; `dependencies` are indices into the job's tasks.
#[derive(Debug, Deserialize)]
pub struct ScriptedTask {
    pub name: String,
    #[serde(rename = "type")]
    pub task_type: String,
    pub priority: f64,
    pub commands: Vec<Command>,
    pub dependencies: Vec<usize>,
}

#[derive(Deserialize)]
struct JobTypeDefinition {
    label: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    settings: Vec<AvailableJobSetting>,
}

impl ScriptFolder {
    /// The scripts in `dir`, whose `exec` of `tilemerge` runs the program `tilemerge`.
    pub fn new(dir: PathBuf, tilemerge: PathBuf) -> ScriptFolder {
        ScriptFolder { dir, tilemerge }
    }

    pub fn tilemerge(&self) -> &Path {
        &self.tilemerge
    }

    /// The scripts in the folder now, by name. A folder that cannot be read has none.
    pub fn scripts(&self) -> Vec<Script> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut scripts: Vec<Script> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let file_name = entry.file_name().to_str()?.to_owned();
                let stem = file_name.strip_suffix(".js")?;
                let metadata = entry.metadata().ok()?;
                if !metadata.is_file() || metadata.len() < MIN_SCRIPT_BYTES {
                    return None;
                }
                let bytes = std::fs::read(entry.path()).ok()?;
                Some(Script {
                    name: stem.replace('_', "-"),
                    etag: super::sha1_hex(&[&bytes]),
                    source: String::from_utf8_lossy(&bytes).into_owned(),
                    file_name,
                })
            })
            .collect();
        scripts.sort_by(|a, b| a.name.cmp(&b.name));
        scripts
    }

    /// The script of one job type, if the folder has it.
    pub fn script(&self, name: &str) -> Option<Script> {
        self.scripts().into_iter().find(|script| script.name == name)
    }
}

impl Script {
    fn engine(&self) -> Engine<'_> {
        Engine::new(&self.file_name, &self.source)
    }

    /// The job type its `JOB_TYPE` describes.
    pub fn job_type(&self) -> Result<AvailableJobType, ScriptError> {
        let value = self.engine().job_type()?;
        let definition: JobTypeDefinition = serde_json::from_value(value).map_err(|error| {
            ScriptError(format!("{}: JOB_TYPE is not a proper job type: {error}", self.file_name))
        })?;
        Ok(AvailableJobType {
            name: self.name.clone(),
            label: definition.label,
            description: definition.description,
            settings: definition.settings,
            etag: self.etag.clone(),
        })
    }

    /// Runs `compileJob` on a submission that will get `job_id`, created now.
    pub fn compile(&self, job: &SubmittedJob, job_id: &str) -> Result<ScriptedJob, ScriptError> {
        let submitted = serde_json::json!({
            "id": job_id,
            "name": job.name,
            "type": job.job_type,
            "priority": job.priority,
            "settings": job.settings.clone().unwrap_or_default(),
            "metadata": job.metadata.clone(),
        });
        let created = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e6;
        let value = self.engine().compile(&submitted, created)?;
        let job: ScriptedJob = serde_json::from_value(value)
            .map_err(|error| ScriptError(format!("the job the script authored cannot be stored: {error}")))?;
        Ok(job)
    }
}
