//! One typed method per Manager endpoint the app uses, named after the OpenAPI `operationId`.

use flamenco_api::*;

use super::{ApiFailure, ManagerClient};
use jobs_answer::{JobsAnswerError, JobsReader};

mod jobs_answer;

/// Escapes an id for use in a URL path; ids come from the Manager and are not trusted to be UUIDs.
fn segment(id: &str) -> String {
    js_sys::encode_uri_component(id).into()
}

/// How long one batch of reading the job list may hold the page: well under the 50 ms that makes
/// a task "long", so that scrolling and typing stay smooth while 10,000 jobs are read.
const READ_BUDGET_MS: f64 = 8.0;

impl ManagerClient {
    /// `fetchJobs`: every job. The answer is read a batch at a time, letting the page paint between
    /// batches (see [`jobs_answer`]).
    pub async fn fetch_jobs(&self) -> Result<Vec<Job>, ApiFailure> {
        let path = "/api/v3/jobs";
        // Bytes rather than text: no copy of the whole answer into a string first; serde checks
        // each job's text as it reads it.
        let answer = self.get_bytes(path).await?;
        let unexpected = |error: JobsAnswerError| ApiFailure::UnexpectedBody {
            url: self.url(path),
            detail: error.to_string(),
        };
        let mut reader = JobsReader::new(&answer).map_err(unexpected)?;
        loop {
            let started = js_sys::Date::now();
            let more =
                reader.read_batch(|| js_sys::Date::now() - started < READ_BUDGET_MS).map_err(unexpected)?;
            if !more {
                return Ok(reader.into_jobs());
            }
            crate::ui::yield_now::yield_now().await;
        }
    }

    /// A GET whose answer is read as bytes, to be parsed by the caller.
    async fn get_bytes(&self, path: &str) -> Result<Vec<u8>, ApiFailure> {
        let url = self.url(path);
        let response = super::send(&url, gloo_net::http::Request::get(&url)).await?;
        // The headers came, then the connection failed: the Manager (or a proxy) went away mid-answer.
        response.binary().await.map_err(|error| ApiFailure::UnexpectedBody {
            url,
            detail: format!("the answer broke off before its end ({error})"),
        })
    }

    /// `fetchJob`.
    pub async fn fetch_job(&self, job_id: &str) -> Result<Job, ApiFailure> {
        self.get_json(&format!("/api/v3/jobs/{}", segment(job_id))).await
    }

    /// `fetchJobTasks`.
    pub async fn fetch_job_tasks(&self, job_id: &str) -> Result<Vec<TaskSummary>, ApiFailure> {
        self.get_json::<JobTasksSummary>(&format!("/api/v3/jobs/{}/tasks", segment(job_id)))
            .await
            .map(|summary| summary.tasks)
    }

    /// `setJobStatus`.
    pub async fn set_job_status(&self, job_id: &str, change: &JobStatusChange) -> Result<(), ApiFailure> {
        self.post_no_content(&format!("/api/v3/jobs/{}/setstatus", segment(job_id)), change).await
    }

    /// `setJobPriority`.
    pub async fn set_job_priority(&self, job_id: &str, priority: i32) -> Result<(), ApiFailure> {
        self.post_no_content(
            &format!("/api/v3/jobs/{}/setpriority", segment(job_id)),
            &JobPriorityChange { priority },
        )
        .await
    }

    /// `deleteJob`: marks the job for deletion.
    pub async fn delete_job(&self, job_id: &str) -> Result<(), ApiFailure> {
        self.delete(&format!("/api/v3/jobs/{}", segment(job_id))).await
    }

    /// `deleteJobWhatWouldItDo`.
    pub async fn what_would_delete_do(&self, job_id: &str) -> Result<JobDeletionInfo, ApiFailure> {
        self.get_json(&format!("/api/v3/jobs/{}/what-would-delete-do", segment(job_id))).await
    }

    /// `fetchJobLastRenderedInfo`; `None` when the job has no image yet (204).
    pub async fn fetch_last_rendered(
        &self,
        job_id: &str,
    ) -> Result<Option<JobLastRenderedImageInfo>, ApiFailure> {
        self.get_optional_json(&format!("/api/v3/jobs/{}/last-rendered", segment(job_id))).await
    }

    /// `fetchJobBlocklist`: the (worker, task type) pairs blocked on the job.
    pub async fn fetch_job_blocklist(&self, job_id: &str) -> Result<JobBlocklist, ApiFailure> {
        self.get_json(&format!("/api/v3/jobs/{}/blocklist", segment(job_id))).await
    }

    /// `removeJobBlocklist`: a DELETE with the entries to remove as its body.
    pub async fn remove_job_blocklist(&self, job_id: &str, entries: &JobBlocklist) -> Result<(), ApiFailure> {
        self.delete_json(&format!("/api/v3/jobs/{}/blocklist", segment(job_id)), entries).await
    }

    /// `setJobTag`: `None` lets any worker run the job.
    pub async fn set_job_tag(&self, job_id: &str, tag_id: Option<String>) -> Result<(), ApiFailure> {
        self.post_no_content(
            &format!("/api/v3/jobs/{}/settag", segment(job_id)),
            &JobTagChange { id: tag_id, name: None },
        )
        .await
    }

    /// `deleteJobMass`: marks every job last updated at or before the time for deletion.
    pub async fn delete_jobs_updated_before(&self, last_updated_max: &str) -> Result<(), ApiFailure> {
        let selection = JobMassDeletionSelection { last_updated_max: last_updated_max.to_owned() };
        self.delete_json("/api/v3/jobs/mass-delete", &selection).await
    }

    /// A DELETE with a JSON body, whose success answer has none (204).
    async fn delete_json<B: serde::Serialize>(&self, path: &str, body: &B) -> Result<(), ApiFailure> {
        let url = self.url(path);
        let request = gloo_net::http::Request::delete(&url)
            .json(body)
            .map_err(|error| ApiFailure::Request { url: url.clone(), detail: error.to_string() })?;
        super::send_built(&url, request).await.map(drop)
    }

    /// `getJobType`.
    pub async fn fetch_job_type(&self, name: &str) -> Result<AvailableJobType, ApiFailure> {
        self.get_json(&format!("/api/v3/jobs/type/{}", segment(name))).await
    }

    /// `fetchTask`.
    pub async fn fetch_task(&self, task_id: &str) -> Result<Task, ApiFailure> {
        self.get_json(&format!("/api/v3/tasks/{}", segment(task_id))).await
    }

    /// `setTaskStatus`.
    pub async fn set_task_status(&self, task_id: &str, change: &TaskStatusChange) -> Result<(), ApiFailure> {
        self.post_no_content(&format!("/api/v3/tasks/{}/setstatus", segment(task_id)), change).await
    }

    /// `fetchTaskLogTail`: the last lines of the log; `None` before there is any (204).
    pub async fn fetch_task_log_tail(&self, task_id: &str) -> Result<Option<String>, ApiFailure> {
        self.get_optional_text(&format!("/api/v3/tasks/{}/logtail", segment(task_id))).await
    }

    /// `fetchTaskLogInfo`; `None` before there is any log (204).
    pub async fn fetch_task_log_info(&self, task_id: &str) -> Result<Option<TaskLogInfo>, ApiFailure> {
        self.get_optional_json(&format!("/api/v3/tasks/{}/log", segment(task_id))).await
    }

    /// The whole log, from the URL `fetchTaskLogInfo` gave (host-relative).
    pub async fn fetch_text_at(&self, host_relative_url: &str) -> Result<String, ApiFailure> {
        self.get_optional_text(host_relative_url).await.map(Option::unwrap_or_default)
    }

    /// `fetchWorkers`.
    pub async fn fetch_workers(&self) -> Result<Vec<WorkerSummary>, ApiFailure> {
        self.get_json::<WorkerList>("/api/v3/worker-mgt/workers").await.map(|list| list.workers)
    }

    /// `fetchWorker`.
    pub async fn fetch_worker(&self, worker_id: &str) -> Result<Worker, ApiFailure> {
        self.get_json(&format!("/api/v3/worker-mgt/workers/{}", segment(worker_id))).await
    }

    /// `requestWorkerStatusChange`.
    pub async fn request_worker_status_change(
        &self,
        worker_id: &str,
        change: &WorkerStatusChangeRequest,
    ) -> Result<(), ApiFailure> {
        self.post_no_content(&format!("/api/v3/worker-mgt/workers/{}/setstatus", segment(worker_id)), change)
            .await
    }

    /// `setWorkerTags`.
    pub async fn set_worker_tags(&self, worker_id: &str, tag_ids: Vec<String>) -> Result<(), ApiFailure> {
        self.post_no_content(
            &format!("/api/v3/worker-mgt/workers/{}/settags", segment(worker_id)),
            &WorkerTagChangeRequest { tag_ids },
        )
        .await
    }

    /// `fetchWorkerTags`.
    pub async fn fetch_worker_tags(&self) -> Result<Vec<WorkerTag>, ApiFailure> {
        self.get_json::<WorkerTagList>("/api/v3/worker-mgt/tags").await.map(|list| list.tags)
    }

    /// `deleteWorker`. The Manager accepts it for any worker; the app offers it for offline ones only.
    pub async fn delete_worker(&self, worker_id: &str) -> Result<(), ApiFailure> {
        self.delete(&format!("/api/v3/worker-mgt/workers/{}", segment(worker_id))).await
    }

    /// `fetchWorkerSleepSchedule`; `None` when the worker has none (204).
    pub async fn fetch_worker_sleep_schedule(
        &self,
        worker_id: &str,
    ) -> Result<Option<WorkerSleepSchedule>, ApiFailure> {
        self.get_optional_json(&format!("/api/v3/worker-mgt/workers/{}/sleep-schedule", segment(worker_id)))
            .await
    }

    /// `setWorkerSleepSchedule`.
    pub async fn set_worker_sleep_schedule(
        &self,
        worker_id: &str,
        schedule: &WorkerSleepSchedule,
    ) -> Result<(), ApiFailure> {
        self.post_no_content(
            &format!("/api/v3/worker-mgt/workers/{}/sleep-schedule", segment(worker_id)),
            schedule,
        )
        .await
    }

    /// `createWorkerTag`: the Manager answers with the tag and its new id.
    pub async fn create_worker_tag(&self, tag: &WorkerTag) -> Result<WorkerTag, ApiFailure> {
        self.post_json("/api/v3/worker-mgt/tags", tag).await
    }

    /// `updateWorkerTag`.
    pub async fn update_worker_tag(&self, tag_id: &str, tag: &WorkerTag) -> Result<(), ApiFailure> {
        let url = self.url(&format!("/api/v3/worker-mgt/tag/{}", segment(tag_id)));
        let request = gloo_net::http::Request::put(&url)
            .json(tag)
            .map_err(|error| ApiFailure::Request { url: url.clone(), detail: error.to_string() })?;
        super::send_built(&url, request).await.map(drop)
    }

    /// `deleteWorkerTag`: workers leave the tag, and jobs that used it lose it.
    pub async fn delete_worker_tag(&self, tag_id: &str) -> Result<(), ApiFailure> {
        self.delete(&format!("/api/v3/worker-mgt/tag/{}", segment(tag_id))).await
    }

    /// `getFarmStatus`.
    pub async fn fetch_farm_status(&self) -> Result<FarmStatusReport, ApiFailure> {
        self.get_json("/api/v3/status").await
    }

    // ── Farm pages: the last-rendered image and the Manager's configuration ──

    /// `fetchGlobalLastRenderedInfo`: the farm's newest render; `None` before there is any (204).
    pub async fn fetch_global_last_rendered(&self) -> Result<Option<JobLastRenderedImageInfo>, ApiFailure> {
        self.get_optional_json("/api/v3/jobs/last-rendered").await
    }

    /// `getConfigurationFile`: the Manager's settings file as a JSON object.
    pub async fn fetch_configuration_file(
        &self,
    ) -> Result<serde_json::Map<String, serde_json::Value>, ApiFailure> {
        self.get_json("/api/v3/configuration/file").await
    }

    /// `updateConfigurationFile`: overwrites the settings file; the Manager applies it on restart.
    pub async fn update_configuration_file(
        &self,
        file: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), ApiFailure> {
        let url = self.url("/api/v3/configuration/file");
        let request = gloo_net::http::Request::put(&url)
            .json(file)
            .map_err(|error| ApiFailure::Request { url: url.clone(), detail: error.to_string() })?;
        super::send_built(&url, request).await.map(drop)
    }

    /// `getVariables`: each variable's value for this audience and platform.
    pub async fn fetch_variables(
        &self,
        audience: ManagerVariableAudience,
        platform: &str,
    ) -> Result<ManagerVariables, ApiFailure> {
        self.get_json(&format!("/api/v3/configuration/variables/{}/{}", audience.as_str(), segment(platform)))
            .await
    }

    /// `getSharedStorage`: where shared storage is for this audience and platform.
    pub async fn fetch_shared_storage(
        &self,
        audience: ManagerVariableAudience,
        platform: &str,
    ) -> Result<SharedStorageLocation, ApiFailure> {
        self.get_json(&format!(
            "/api/v3/configuration/shared-storage/{}/{}",
            audience.as_str(),
            segment(platform)
        ))
        .await
    }
}
