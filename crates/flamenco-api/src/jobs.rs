//! Jobs: submission, the stored job, queries and the changes a client asks for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{JobStatus, Timestamp};

/// Job settings: free-form values, checked by the job type's compiler script (`JobSettings`).
pub type JobSettings = serde_json::Map<String, serde_json::Value>;

/// Arbitrary metadata strings, `a.b.c` keys for structure (`JobMetadata`).
pub type JobMetadata = BTreeMap<String, String>;

/// A job definition as a client submits it (`SubmittedJob`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubmittedJob {
    pub name: String,
    #[serde(rename = "type")]
    pub job_type: String,
    /// The job type's `etag`; the Manager answers 412 when it is outdated. Omitted: no check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_etag: Option<String>,
    /// The Manager takes a submission without one as 50, its documented default.
    #[serde(default = "default_priority")]
    pub priority: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<JobSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JobMetadata>,
    /// Lower-case OS name of the submitter (Go's `runtime.GOOS`), or `manager`.
    pub submitter_platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<JobStorageInfo>,
    /// Worker tag id that limits which workers may run the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_tag: Option<String>,
    /// `paused` to submit a job that waits for a Resume; omitted means `queued`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_status: Option<JobStatus>,
}

/// The priority of a job submitted without one (`SubmittedJob.priority` default).
pub const DEFAULT_PRIORITY: i32 = 50;

fn default_priority() -> i32 {
    DEFAULT_PRIORITY
}

/// A job as the Manager stores it (`Job`: `SubmittedJob` plus the Manager's fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub job_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_etag: Option<String>,
    pub priority: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<JobSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JobMetadata>,
    pub submitter_platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<JobStorageInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_status: Option<JobStatus>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub status: JobStatus,
    /// What happened last, in words.
    pub activity: String,
    pub steps_completed: i64,
    pub steps_total: i64,
    /// Set once deletion was requested: the job is going away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_requested_at: Option<Timestamp>,
}

impl Job {
    /// Progress as a fraction in `0.0..=1.0`; 0 for a job without steps.
    pub fn progress(&self) -> f64 {
        progress_fraction(self.steps_completed, self.steps_total)
    }

    /// A setting's value, if the job has it.
    pub fn setting(&self, key: &str) -> Option<&serde_json::Value> {
        self.settings.as_ref()?.get(key)
    }
}

/// `completed / total` clamped to `0.0..=1.0`, 0 when there is nothing to count.
pub fn progress_fraction(completed: i64, total: i64) -> f64 {
    if total <= 0 {
        return 0.0;
    }
    (completed as f64 / total as f64).clamp(0.0, 1.0)
}

/// Storage info the Manager uses to clean up after a job (`JobStorageInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobStorageInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shaman_checkout_id: Option<String>,
}

/// What deleting a job will remove besides the job itself (`JobDeletionInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobDeletionInfo {
    pub shaman_checkout: bool,
}

/// A query over jobs (`JobsQuery`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_in: Option<Vec<JobStatus>>,
    /// Metadata filters in SQL `LIKE` notation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Settings filters in SQL `LIKE` notation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<JobSettings>,
}

/// The answer to a jobs query (`JobsQueryResult`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobsQueryResult {
    pub jobs: Vec<Job>,
}

/// A requested job status change (`JobStatusChange`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobStatusChange {
    pub status: JobStatus,
    pub reason: String,
}

/// A requested job priority change (`JobPriorityChange`), 0 to 100.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPriorityChange {
    pub priority: i32,
}

/// Where to find a job's last-rendered image: `{base}/{suffix}` (`JobLastRenderedImageInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobLastRenderedImageInfo {
    pub base: String,
    pub suffixes: Vec<String>,
}

impl JobLastRenderedImageInfo {
    /// Host-relative URLs of the image, one per suffix (the Manager sends sizes as suffixes).
    pub fn urls(&self) -> impl Iterator<Item = String> + '_ {
        let base = self.base.trim_end_matches('/');
        self.suffixes.iter().map(move |suffix| format!("{base}/{}", suffix.trim_start_matches('/')))
    }
}

/// One (worker, task type) pair blocked on a job (`JobBlocklistEntry`). `worker_name` is sent by
/// the Manager and may be left out of a removal request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JobBlocklistEntry {
    pub worker_id: String,
    pub task_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_name: Option<String>,
}

/// Workers not allowed certain task types on a job (`JobBlocklist`).
pub type JobBlocklist = Vec<JobBlocklistEntry>;

/// A new worker tag for a job (`JobTagChange`): its id, or nothing to let any worker run it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobTagChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Which jobs a mass deletion selects (`JobMassDeletionSelection`): those last updated at or before
/// this RFC 3339 time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobMassDeletionSelection {
    pub last_updated_max: String,
}

/// The tasks of a job, in summary (`JobTasksSummary`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobTasksSummary {
    #[serde(default)]
    pub tasks: Vec<crate::TaskSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submission_without_priority_reads_as_50() {
        let job: SubmittedJob =
            serde_json::from_str(r#"{"name": "x", "type": "t", "submitter_platform": ""}"#).unwrap();
        assert_eq!(job.priority, 50);
        let job: SubmittedJob =
            serde_json::from_str(r#"{"name": "x", "type": "t", "priority": 7, "submitter_platform": ""}"#)
                .unwrap();
        assert_eq!(job.priority, 7);
    }

    #[test]
    fn progress_is_clamped_and_safe_without_steps() {
        assert_eq!(progress_fraction(0, 0), 0.0);
        assert_eq!(progress_fraction(5, 10), 0.5);
        assert_eq!(progress_fraction(12, 10), 1.0);
        assert_eq!(progress_fraction(-3, 10), 0.0);
    }

    #[test]
    fn last_rendered_urls_join_base_and_suffix_with_one_slash() {
        let info = JobLastRenderedImageInfo {
            base: "/job-files/ab/cd/".into(),
            suffixes: vec!["last-rendered-small.jpg".into(), "/last-rendered.jpg".into()],
        };
        let urls: Vec<String> = info.urls().collect();
        assert_eq!(urls, ["/job-files/ab/cd/last-rendered-small.jpg", "/job-files/ab/cd/last-rendered.jpg"]);
    }
}
