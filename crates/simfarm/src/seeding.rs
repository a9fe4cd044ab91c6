//! Seeded farms: `--demo` (a believable farm with jobs in every settled status and one
//! single-image job rendering) and `--seed-jobs N` (many jobs, for load tests).

use flamenco_api::{JobStatus, SubmittedJob, TaskStatus, WorkerStatus, WorkerTag};
use serde_json::{json, Value};

use crate::farm::{self, SharedFarm};
use crate::jobtypes::{CompileContext, JobTypes};
use crate::render::RenderRoot;

const SHOTS: [&str; 12] = [
    "Sprite Fright sh010",
    "Sprite Fright sh020",
    "Charge 03_sc",
    "Wing It final",
    "Cosmos Laundromat 12",
    "Spring lighting test",
    "Agent 327 teaser",
    "Caminandes 4",
    "Product turntable",
    "Archviz lobby",
    "Hero close-up",
    "Forest flythrough",
];

/// What seeding needs.
pub struct Seeder<'a> {
    pub farm: &'a SharedFarm,
    pub job_types: &'a JobTypes,
    pub render_root: &'a RenderRoot,
    pub seam_noise: bool,
}

impl Seeder<'_> {
    /// Compiles and stores a job; returns its id, or `None` if the job type refused it.
    pub fn submit(&self, submitted: SubmittedJob) -> Option<String> {
        let job_id = farm::lock(self.farm).rng.uuid();
        let context =
            CompileContext { job_id: &job_id, render_root: self.render_root, seam_noise: self.seam_noise };
        let compiled = self.job_types.compile(&submitted, &context).ok()?;
        farm::lock(self.farm).store_job(job_id.clone(), submitted, compiled);
        Some(job_id)
    }

    fn frames_job(&self, name: &str, frames: &str, chunk: i64, priority: i32) -> Option<String> {
        let root = self.render_root.path().to_string_lossy().into_owned();
        self.submit(submission(
            name,
            "simple-blender-render",
            priority,
            json!({
                "blendfile": format!("/projects/{}.blend", slug(name)),
                "render_output_root": root,
                "render_output_path": format!("{root}/frames/{}/{{timestamp}}/######", slug(name)),
                "frames": frames, "chunk_size": chunk, "fps": 24, "format": "PNG",
                "has_previews": false, "image_file_extension": ".png", "add_path_components": 0
            }),
            None,
        ))
    }

    /// A single-image job rendering into the render root.
    pub fn single_image_job(&self, name: &str, size: (u32, u32), tile: u32, paused: bool) -> Option<String> {
        let root = self.render_root.path().to_string_lossy().into_owned();
        self.submit(submission(
            name,
            "single-image-render",
            60,
            json!({
                "tile_size_x": tile, "tile_size_y": tile, "frame": 1,
                "resolution_x": size.0, "resolution_y": size.1, "resolution_scale": 100,
                "format": "OPEN_EXR_MULTILAYER", "image_file_extension": ".exr",
                "render_output_root": root, "add_path_components": 0,
                "render_output_path": format!("{root}/single/{}/{{timestamp}}/tiles", slug(name)),
                "blendfile": format!("/projects/{}.blend", slug(name))
            }),
            paused.then_some(JobStatus::Paused),
        ))
    }

    /// The demo farm: jobs in every settled status, a single-image job for the workers to render,
    /// a paused and a failed job, and workers awake, asleep and offline.
    pub fn demo(&self, worker_ids: &[String]) {
        let statuses = [
            JobStatus::Completed,
            JobStatus::Completed,
            JobStatus::Completed,
            JobStatus::Canceled,
            JobStatus::Failed,
            JobStatus::Paused,
            JobStatus::Queued,
        ];
        for index in 0..36 {
            let name = format!("{} v{:02}", SHOTS[index % SHOTS.len()], index / SHOTS.len() + 1);
            let status = statuses[index % statuses.len()].clone();
            let Some(job_id) = self.frames_job(&name, "1-24", 4, 50) else { continue };
            self.settle(&job_id, status, index);
        }
        let queued = self.frames_job("Spring lighting test v04", "1-40", 5, 40);
        let _ = queued;
        self.single_image_job("Poster 4K hero frame", (640, 360), 64, false);
        self.single_image_job("Title card (paused)", (320, 180), 64, true);

        let mut farm = farm::lock(self.farm);
        let gpu = farm.create_tag(WorkerTag {
            id: None,
            name: "GPU".into(),
            description: Some("Workers with a GPU".into()),
        });
        farm.create_tag(WorkerTag { id: None, name: "Render nodes".into(), description: None });
        if let Some(first) = worker_ids.first() {
            if let Some(gpu) = gpu.id {
                farm.set_worker_tags(first, &[gpu]);
            }
        }
        // Some workers asleep and offline, as on a real farm in the evening.
        let n = worker_ids.len();
        if n >= 4 {
            farm.worker_set_status(&worker_ids[n - 1], WorkerStatus::Offline);
            farm.worker_set_status(&worker_ids[n - 2], WorkerStatus::Asleep);
        }
    }

    /// Puts a freshly stored job into a settled status with believable task statuses.
    fn settle(&self, job_id: &str, status: JobStatus, variant: usize) {
        let mut farm = farm::lock(self.farm);
        match status {
            JobStatus::Completed => farm.seed_state(job_id, status, |_| TaskStatus::Completed),
            JobStatus::Canceled => farm.seed_state(job_id, status, |i| {
                if i < 2 {
                    TaskStatus::Completed
                } else {
                    TaskStatus::Canceled
                }
            }),
            JobStatus::Failed => farm.seed_state(job_id, status, move |i| match i {
                0 => TaskStatus::Completed,
                1 => TaskStatus::Failed,
                _ if variant % 2 == 0 => TaskStatus::Canceled,
                _ => TaskStatus::Canceled,
            }),
            JobStatus::Paused => farm.seed_state(job_id, status, |i| {
                if i < 3 {
                    TaskStatus::Completed
                } else {
                    TaskStatus::Paused
                }
            }),
            _ => {}
        }
    }

    /// `count` jobs for load tests: mostly completed, some queued, paused, failed or canceled.
    pub fn many(&self, count: usize) {
        let root = self.render_root.path().to_string_lossy().into_owned();
        for index in 0..count {
            let name = format!("load-{index:05} {}", SHOTS[index % SHOTS.len()]);
            let submitted = submission(
                &name,
                "simple-blender-render",
                (index % 100) as i32,
                json!({
                    "blendfile": "/projects/load.blend", "render_output_root": root,
                    "render_output_path": format!("{root}/load/{index:05}/######"),
                    "frames": "1-6", "chunk_size": 3, "format": "PNG", "image_file_extension": ".png"
                }),
                None,
            );
            let Some(job_id) = self.submit(submitted) else { continue };
            let status = match index % 20 {
                0 => JobStatus::Queued,
                1 => JobStatus::Paused,
                2 => JobStatus::Failed,
                3 => JobStatus::Canceled,
                _ => JobStatus::Completed,
            };
            self.settle(&job_id, status, index);
        }
    }
}

fn submission(
    name: &str,
    job_type: &str,
    priority: i32,
    settings: Value,
    initial: Option<JobStatus>,
) -> SubmittedJob {
    SubmittedJob {
        name: name.to_owned(),
        job_type: job_type.to_owned(),
        type_etag: None,
        priority,
        settings: settings.as_object().cloned(),
        metadata: Some(
            [
                ("user.name".to_owned(), "Demo Artist".to_owned()),
                ("project".to_owned(), "Farmdeck demo".to_owned()),
            ]
            .into(),
        ),
        submitter_platform: "linux".into(),
        storage: None,
        worker_tag: None,
        initial_status: initial,
    }
}

fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}
