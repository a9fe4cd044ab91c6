//! The farm's side of a test: what a test sets up and checks through the Manager's API, the way
//! another client (Blender's add-on, a script) would.

use std::time::Duration;

use flamenco_api::{Job, JobStatus, SubmittedJob, TaskStatus, TaskSummary};
use serde_json::json;

/// An HTTP client for one Manager.
#[derive(Clone)]
pub struct FarmApi {
    base: String,
    http: reqwest::Client,
}

impl FarmApi {
    pub fn new(base: &str) -> FarmApi {
        FarmApi { base: base.trim_end_matches('/').to_owned(), http: reqwest::Client::new() }
    }

    /// A frames job with `frames` tasks of one frame each.
    pub fn frames_job(name: &str, frames: u32) -> SubmittedJob {
        let settings = json!({
            "blendfile": "/render/jobs/scene.blend",
            "render_output_root": "/render/frames",
            "add_path_components": 0,
            "render_output_path": "/render/frames/e2e/######",
            "frames": format!("1-{frames}"),
            "chunk_size": 1,
            "fps": 24,
            "format": "PNG",
            "image_file_extension": ".png",
            "has_previews": false,
            "scene": "Scene",
        });
        SubmittedJob {
            name: name.into(),
            job_type: "simple-blender-render".into(),
            type_etag: None,
            priority: 50,
            settings: settings.as_object().cloned(),
            metadata: Some([("project".to_owned(), "e2e".to_owned())].into()),
            submitter_platform: "linux".into(),
            storage: None,
            worker_tag: None,
            initial_status: None,
        }
    }

    /// A single-image job with these `settings` (tile size, resolution, paths).
    pub fn single_image_job(name: &str, settings: serde_json::Value) -> SubmittedJob {
        SubmittedJob {
            name: name.into(),
            job_type: "single-image-render".into(),
            type_etag: None,
            priority: 50,
            settings: settings.as_object().cloned(),
            metadata: None,
            submitter_platform: "linux".into(),
            storage: None,
            worker_tag: None,
            initial_status: None,
        }
    }

    pub async fn submit(&self, job: &SubmittedJob) -> Job {
        let response = self
            .http
            .post(format!("{}/api/v3/jobs", self.base))
            .json(job)
            .send()
            .await
            .expect("simfarm answers");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "submitting {} failed with {status}: {body}", job.name);
        serde_json::from_str(&body).expect("a Job")
    }

    /// Every job the Manager has.
    pub async fn jobs(&self) -> Vec<Job> {
        self.get::<flamenco_api::JobsQueryResult>("/api/v3/jobs").await.jobs
    }

    /// What the Manager says it is (`GET /api/v3/version`).
    pub async fn version(&self) -> flamenco_api::FlamencoVersion {
        self.get("/api/v3/version").await
    }

    pub async fn job_count(&self) -> usize {
        self.jobs().await.len()
    }

    pub async fn job(&self, id: &str) -> Job {
        self.get(&format!("/api/v3/jobs/{id}")).await
    }

    pub async fn tasks(&self, job_id: &str) -> Vec<TaskSummary> {
        self.get::<flamenco_api::JobTasksSummary>(&format!("/api/v3/jobs/{job_id}/tasks")).await.tasks
    }

    pub async fn count_tasks(&self, job_id: &str, status: TaskStatus) -> usize {
        self.tasks(job_id).await.iter().filter(|task| task.status == status).count()
    }

    /// Asks the Manager to change a job's status, as another wrangler or a script would.
    pub async fn set_status(&self, id: &str, status: JobStatus, reason: &str) {
        let change = flamenco_api::JobStatusChange { status: status.clone(), reason: reason.into() };
        let url = format!("{}/api/v3/jobs/{id}/setstatus", self.base);
        let response = self.http.post(&url).json(&change).send().await.expect("simfarm answers");
        assert!(response.status().is_success(), "POST {url} ({status}): {}", response.status());
    }

    /// Waits until at least `count` of the job's tasks have `status`.
    pub async fn wait_for_tasks(&self, id: &str, status: TaskStatus, count: usize, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let now = self.count_tasks(id, status.clone()).await;
            if now >= count {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{now} tasks {status} after {within:?}, not {count}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.expect("simfarm answers");
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.expect("JSON as the API describes")
    }

    /// Waits until the job has `status` (checking often enough not to miss short-lived ones).
    pub async fn wait_for_status(&self, id: &str, status: JobStatus, within: Duration) -> Job {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let job = self.job(id).await;
            if job.status == status {
                return job;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "job {} is {} after {within:?}, not {status}",
                job.name,
                job.status
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
