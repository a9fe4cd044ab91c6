//! How a simulated Blender run fails: the kinds of failure a real render farm sees, each with the
//! lines Blender writes before it dies and the reason the Worker reports to the Manager.
//!
//! A real Worker reports a failed task with the activity `Failed: <reason>` and the same text in
//! the task log (Flamenco's `Listener.TaskFailed`); the reason of a Blender command is mostly its
//! exit status, so the telling part (the CUDA error, the missing file, the Python exception) is only
//! in the lines before it in the log. Numbers, paths and ids differ from task to task, as they do on
//! a real farm.

use std::fmt;
use std::str::FromStr;

use flamenco_api::SubmittedJob;
use serde_json::json;

use crate::clock::Rng;
use crate::seeding::Seeder;

/// A kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureKind {
    /// Blender crashes (signal 11) and writes its crash report.
    Segfault,
    /// Cycles cannot allocate GPU memory.
    GpuMemory,
    /// A texture the blend file links to is not on the shared storage.
    MissingFile,
    /// A Python script run with the render raises an exception.
    Python,
}

impl FailureKind {
    pub const ALL: [FailureKind; 4] =
        [FailureKind::Segfault, FailureKind::GpuMemory, FailureKind::MissingFile, FailureKind::Python];

    /// The name `--failing-job` uses.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Segfault => "segfault",
            FailureKind::GpuMemory => "gpu-memory",
            FailureKind::MissingFile => "missing-file",
            FailureKind::Python => "python",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for FailureKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        FailureKind::ALL.into_iter().find(|kind| kind.name() == text).ok_or_else(|| {
            let names: Vec<&str> = FailureKind::ALL.iter().map(|kind| kind.name()).collect();
            format!("unknown failure kind {text:?} (one of {})", names.join(", "))
        })
    }
}

/// One failed run: Blender's last lines, then the reason the Worker gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// Lines of Blender's output, as the Worker forwards them (`pid=N > ...`).
    pub log_lines: Vec<String>,
    /// The Worker's reason; the task's activity becomes `Failed: <reason>`.
    pub reason: String,
}

impl Failure {
    /// The activity the Worker sends, and the line it adds to the task log.
    pub fn activity(&self) -> String {
        format!("Failed: {}", self.reason)
    }
}

const SHOTS: [&str; 6] = ["sh010", "sh020", "sh040", "sc03_sh110", "sh150", "hero_020"];
const TEXTURES: [&str; 6] = [
    "wood_07.png",
    "brick_diffuse.exr",
    "leaf_alpha.png",
    "hdri_sky_4k.hdr",
    "fur_mask.tif",
    "metal_rough.png",
];
const OBJECTS: [&str; 5] = ["Fur.Sprite", "Forest.Trees.012", "Rig.Body", "Ocean.Surface", "Debris.Scatter"];
const KEYS: [&str; 4] = ["Camera.003", "Light.Key", "CH-hero.rig", "ViewLayer.Fx"];
const SCRIPTS: [&str; 3] = ["setup_render.py", "studio_startup.py", "fix_paths.py"];

/// Draws one failure of `kind` with its own numbers, paths and ids.
pub fn failure(kind: FailureKind, rng: &mut Rng, frame: i64) -> Failure {
    let pid = 1000 + rng.below(60_000);
    let shot = pick(rng, &SHOTS);
    let mem = 400.0 + rng.below(90_000) as f64 / 10.0;
    let progress = format!(
        "pid={pid} > Fra:{frame} Mem:{mem:.2}M (Peak {:.2}M) | Time:00:{:02}.{:02} | Mem:{:.2}M, Peak:{:.2}M | Scene, ViewLayer",
        mem * 1.4,
        rng.below(60),
        rng.below(100),
        mem * 0.8,
        mem * 1.1
    );
    let (lines, reason) = match kind {
        FailureKind::Segfault => (
            vec![
                format!("{progress} | Synchronizing object | {}", pick(rng, &OBJECTS)),
                format!("pid={pid} > Writing: /tmp/{shot}_lighting.crash.txt"),
                format!(
                    "pid={pid} > # Blender 4.2.3, Commit date: 2024-10-14 14:14, Hash {:012x}",
                    rng.next_u64() & 0xffff_ffff_ffff
                ),
                format!("pid={pid} > Segmentation fault (core dumped)"),
            ],
            "Blender exited with status 139 (Segmentation fault)".to_owned(),
        ),
        FailureKind::GpuMemory => (
            vec![
                format!("{progress} | Loading render kernels (may take a few minutes the first time)"),
                format!(
                    "pid={pid} > Error: CUDA error: out of memory in cuMemAlloc (device {}, {} bytes)",
                    rng.below(2),
                    64_000_000 + rng.below(900_000_000)
                ),
                format!(
                    "pid={pid} > Error: Not freed memory blocks: {}, total unfreed memory {:.3} MB",
                    1 + rng.below(40),
                    rng.below(5000) as f64 / 1000.0
                ),
            ],
            "Blender exited with status 1".to_owned(),
        ),
        FailureKind::MissingFile => (
            vec![
                format!("pid={pid} > Read blend: \"/render/shots/{shot}/{shot}_lighting.blend\""),
                format!(
                    "pid={pid} > Error: Cannot read file '/render/shots/{shot}/tex/{}': No such file or directory",
                    pick(rng, &TEXTURES)
                ),
            ],
            "Blender exited with status 1".to_owned(),
        ),
        FailureKind::Python => (
            vec![
                format!("pid={pid} > Traceback (most recent call last):"),
                format!(
                    "pid={pid} >   File \"/render/scripts/{}\", line {}, in <module>",
                    pick(rng, &SCRIPTS),
                    10 + rng.below(300)
                ),
                format!(
                    "pid={pid} > KeyError: 'bpy_prop_collection[key]: key \"{}\" not found'",
                    pick(rng, &KEYS)
                ),
            ],
            "Blender exited with status 1".to_owned(),
        ),
    };
    Failure { kind, log_lines: lines, reason }
}

/// A failure of a random kind, for `--failure-rate`.
pub fn random_failure(rng: &mut Rng, frame: i64) -> Failure {
    let kind = FailureKind::ALL[rng.below(FailureKind::ALL.len())];
    failure(kind, rng, frame)
}

/// A seed made from some text (FNV-1a), e.g. a worker's and a task's id.
pub fn seed_of(parts: &[&str]) -> u64 {
    parts
        .iter()
        .flat_map(|part| part.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len())]
}

/// What `--failing-job` asks for: how many tasks fail with each kind, e.g. `segfault=3,python=2`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FailurePlan(pub Vec<(FailureKind, usize)>);

impl FailurePlan {
    /// How many tasks fail in all.
    pub fn failing(&self) -> usize {
        self.0.iter().map(|(_, count)| count).sum()
    }

    /// The kind each failing task gets, kinds taking turns so that they are mixed in the job.
    pub fn kinds_in_order(&self) -> Vec<FailureKind> {
        let mut left = self.0.clone();
        let mut order = Vec::with_capacity(self.failing());
        while left.iter().any(|(_, count)| *count > 0) {
            for (kind, count) in left.iter_mut().filter(|(_, count)| *count > 0) {
                order.push(*kind);
                *count -= 1;
            }
        }
        order
    }
}

impl FromStr for FailurePlan {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut plan = Vec::new();
        for part in text.split(',').map(str::trim).filter(|part| !part.is_empty()) {
            let (kind, count) =
                part.split_once('=').ok_or_else(|| format!("expected KIND=COUNT, got {part:?}"))?;
            let kind: FailureKind = kind.trim().parse()?;
            let count: usize = count
                .trim()
                .parse()
                .map_err(|_| format!("the count of {kind} is not a number: {count:?}"))?;
            if plan.iter().any(|(seen, _)| *seen == kind) {
                return Err(format!("{kind} is given twice"));
            }
            plan.push((kind, count));
        }
        if plan.iter().all(|(_, count)| *count == 0) {
            return Err("no task would fail: give at least one KIND=COUNT with a count above 0".into());
        }
        Ok(FailurePlan(plan))
    }
}

/// The job `--failing-job` seeds: a frames job that failed, whose tasks failed as `plan` says.
/// Returns its id, or `None` when the job type refused it.
pub fn seed_failing_job(seeder: &Seeder, plan: &FailurePlan) -> Option<String> {
    use crate::farm::seeded_failures::{AFTER, COMPLETED_BEFORE};
    let root = seeder.render_root.path().to_string_lossy().into_owned();
    let frames = COMPLETED_BEFORE + plan.failing() + AFTER;
    let name = "sh010 lighting (failing)";
    let submitted = SubmittedJob {
        name: name.to_owned(),
        job_type: "simple-blender-render".into(),
        type_etag: None,
        priority: 50,
        settings: json!({
            "blendfile": "/render/shots/sh010/sh010_lighting.blend",
            "render_output_root": root,
            "render_output_path": format!("{root}/frames/sh010-lighting/{{timestamp}}/######"),
            "frames": format!("1-{frames}"), "chunk_size": 1, "fps": 24, "format": "PNG",
            "has_previews": false, "image_file_extension": ".png", "add_path_components": 0
        })
        .as_object()
        .cloned(),
        metadata: Some([("user.name".to_owned(), "Demo Artist".to_owned())].into()),
        submitter_platform: "linux".into(),
        storage: None,
        worker_tag: None,
        initial_status: None,
    };
    let job_id = seeder.submit(submitted)?;
    crate::farm::lock(seeder.farm).seed_failures(&job_id, plan);
    Some(job_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_reads_kinds_and_counts_and_names_what_is_wrong() {
        let plan: FailurePlan = "segfault=3, missing-file=2".parse().unwrap();
        assert_eq!(plan.0, vec![(FailureKind::Segfault, 3), (FailureKind::MissingFile, 2)]);
        assert_eq!(plan.failing(), 5);
        use FailureKind::*;
        assert_eq!(plan.kinds_in_order(), vec![Segfault, MissingFile, Segfault, MissingFile, Segfault]);
        assert!("segfault".parse::<FailurePlan>().unwrap_err().contains("KIND=COUNT"));
        assert!("melted=2".parse::<FailurePlan>().unwrap_err().contains("unknown failure kind"));
        assert!("python=x".parse::<FailurePlan>().unwrap_err().contains("not a number"));
        assert!("python=0".parse::<FailurePlan>().unwrap_err().contains("no task would fail"));
        assert!("python=1,python=2".parse::<FailurePlan>().unwrap_err().contains("twice"));
    }

    #[test]
    fn failures_of_one_kind_differ_in_their_details_but_not_in_their_shape() {
        let mut rng = Rng::new(3);
        for kind in FailureKind::ALL {
            let a = failure(kind, &mut rng, 1);
            let b = failure(kind, &mut rng, 2);
            assert_ne!(a.log_lines, b.log_lines, "{kind}");
            assert_eq!(a.log_lines.len(), b.log_lines.len());
            assert!(a.activity().starts_with("Failed: Blender exited with status "));
        }
        let oom = failure(FailureKind::GpuMemory, &mut rng, 1);
        assert!(oom.log_lines[1].contains("Error: CUDA error: out of memory in cuMemAlloc"));
    }
}
