//! Last-rendered images: where they are served, as Flamenco lays out its job storage, and the
//! live update when a job has a new one.

use std::sync::Arc;

use flamenco_api::{EventLastRenderedUpdate, JobLastRenderedImageInfo};

use super::{Farm, LiveEvent};
use crate::render::thumbnail::{Thumbnails, SPECS};

impl Farm {
    /// Where the last-rendered images of a job are served, as Flamenco lays out its job storage.
    pub fn last_rendered_info(&self, job_id: &str) -> Option<JobLastRenderedImageInfo> {
        self.thumbnails.get(job_id)?;
        Some(last_rendered_info(job_id))
    }

    /// The job whose image was rendered last, on the whole farm.
    pub fn last_rendered_job(&self) -> Option<&str> {
        self.last_rendered_job.as_deref()
    }

    pub fn thumbnails(&self, job_id: &str) -> Option<Arc<Thumbnails>> {
        self.thumbnails.get(job_id).cloned()
    }

    /// Stores a job's new last-rendered image and tells the clients.
    pub fn set_last_rendered(&mut self, job_id: &str, thumbnails: Thumbnails) {
        if !self.jobs.contains_key(job_id) || thumbnails.files.is_empty() {
            return;
        }
        self.thumbnails.insert(job_id.to_owned(), Arc::new(thumbnails));
        self.last_rendered_job = Some(job_id.to_owned());
        self.emit(LiveEvent::LastRendered(EventLastRenderedUpdate {
            job_id: job_id.to_owned(),
            thumbnail: last_rendered_info(job_id),
        }));
    }
}

/// Flamenco's job storage layout: `/job-files/job-<first 4 of id>/<id>`.
pub fn job_files_base(job_id: &str) -> String {
    let prefix: String = job_id.chars().take(4).collect();
    format!("/job-files/job-{prefix}/{job_id}")
}

fn last_rendered_info(job_id: &str) -> JobLastRenderedImageInfo {
    JobLastRenderedImageInfo {
        base: job_files_base(job_id),
        suffixes: SPECS.iter().map(|(name, _, _)| (*name).to_owned()).collect(),
    }
}
