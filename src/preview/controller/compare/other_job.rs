//! B as another job's merge, in plain terms: which of the Manager's jobs are offered (other
//! single-image jobs of the merge's size, newest first), which one is chosen first (the newest
//! of the same name: the previous version of the shot), and where its tiles are on their way to
//! the workers, in words for the panel.

use flamenco_api::Job;
use tilemerge::{JobSettings, Size, TileId, DEFAULT_OVERSCAN};

use crate::api::ManagerClient;
use crate::preview::job::is_single_image;
use crate::preview::worker::protocol::SessionId;
use crate::settings::StorageMapping;

/// The job whose merge the page shows, and how to reach the Manager and the farm's storage.
#[derive(Debug, Clone, PartialEq)]
pub struct PageJob {
    pub id: String,
    pub name: String,
    pub client: ManagerClient,
    pub mappings: Vec<StorageMapping>,
}

/// A job that can be B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobChoice {
    pub id: String,
    pub name: String,
    /// Its status, as the Manager names it.
    pub status: String,
    /// When it was submitted (RFC 3339, as the Manager sends it).
    pub created: String,
    /// Its image size, from its settings.
    pub size: Size,
}

impl JobChoice {
    /// A job of the Manager as a choice: `None` for a job that is no single-image job, is being
    /// deleted, or whose settings make no tile grid.
    pub fn of(job: &Job) -> Option<JobChoice> {
        if !is_single_image(&job.job_type) || job.delete_requested_at.is_some() {
            return None;
        }
        let settings = serde_json::Value::Object(job.settings.clone()?);
        let grid = JobSettings::from_value(&settings).ok()?.grid(DEFAULT_OVERSCAN).ok()?;
        Some(JobChoice {
            id: job.id.clone(),
            name: job.name.clone(),
            status: job.status.as_str().to_string(),
            created: job.created.clone(),
            size: grid.image,
        })
    }

    /// As the select shows it: name, status and when it was submitted.
    pub fn label(&self) -> String {
        format!("{} — {} — {}", self.name, self.status, short_date(&self.created))
    }
}

/// `2026-12-01T13:02:11Z` as `2026-12-01 13:02`; anything else as it is.
fn short_date(timestamp: &str) -> String {
    match timestamp.get(..16) {
        Some(minutes) if minutes.as_bytes().get(10) == Some(&b'T') => minutes.replacen('T', " ", 1),
        _ => timestamp.to_string(),
    }
}

/// The jobs offered as B: others than `this` whose image is `size`, newest first (by the
/// Manager's timestamps, which sort as text when written alike).
pub fn offered(jobs: impl IntoIterator<Item = JobChoice>, this: &str, size: Size) -> Vec<JobChoice> {
    let mut offered: Vec<JobChoice> = jobs.into_iter().filter(|j| j.id != this && j.size == size).collect();
    offered.sort_by(|a, b| b.created.cmp(&a.created));
    offered
}

/// The job chosen first among `offered` (newest first): the newest named `name`, the previous
/// version of the same shot, else the newest.
pub fn default_choice<'a>(offered: &'a [JobChoice], name: &str) -> Option<&'a JobChoice> {
    offered.iter().find(|j| j.name == name).or(offered.first())
}

/// The Manager's list of jobs, as far as it has come.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum JobsState {
    /// Not asked for.
    #[default]
    Idle,
    Loading,
    /// The jobs offered, newest first.
    Ready(Vec<JobChoice>),
    /// It could not be fetched, and why.
    Failed(String),
}

/// One of B's tiles on its way to the workers.
#[derive(Debug, Clone, PartialEq)]
struct Sent {
    tile: TileId,
    url: String,
    answers: usize,
    failed: bool,
}

/// B's tiles: fetched from the farm's storage, sent to every worker of merge `session`, and
/// their answers counted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobLoad {
    pub session: SessionId,
    /// The job's id and name.
    pub job: String,
    pub name: String,
    /// Tiles of its grid, and those whose render task completed (the ones fetched).
    pub total: usize,
    pub wanted: usize,
    /// Tiles fetched, or that failed to be.
    pub fetched: usize,
    /// Tiles every worker kept.
    pub kept: usize,
    sent: Vec<Sent>,
    /// Tiles that could not be fetched or used, each with its URL and why.
    pub failures: Vec<String>,
    /// Why the job cannot be compared at all.
    pub refused: Option<String>,
    /// Whether its tasks have been read (before, `total` and `wanted` are not known).
    pub planned: bool,
}

impl JobLoad {
    /// Starting to load job `job` (named `name`) for merge `session`.
    pub fn new(session: SessionId, job: String, name: String) -> JobLoad {
        JobLoad { session, job, name, ..JobLoad::default() }
    }

    /// Its tasks read: `total` tiles of which `urls` are to be fetched.
    pub fn planned(&mut self, total: usize, urls: &[(TileId, String)]) {
        self.total = total;
        self.wanted = urls.len();
        self.sent = urls
            .iter()
            .map(|(tile, url)| Sent { tile: *tile, url: url.clone(), answers: 0, failed: false })
            .collect();
        self.planned = true;
    }

    /// A tile fetched (`Ok`) or not (`Err`, with the reason naming its URL).
    pub fn fetched(&mut self, tile: TileId, outcome: Result<(), String>) {
        self.fetched += 1;
        if let Err(reason) = outcome {
            if let Some(sent) = self.sent.iter_mut().find(|s| s.tile == tile) {
                sent.failed = true;
            }
            self.failures.push(format!("{tile}: {reason}"));
        }
    }

    /// A worker's answer to a tile; once all `workers` kept it, it is part of B.
    pub fn answered(&mut self, tile: TileId, outcome: Result<(), String>, workers: usize) {
        let Some(sent) = self.sent.iter_mut().find(|s| s.tile == tile) else { return };
        sent.answers += 1;
        match outcome {
            Err(reason) if !sent.failed => {
                sent.failed = true;
                self.failures.push(format!("{}: {reason}", sent.url));
            }
            Ok(()) if !sent.failed && sent.answers == workers => self.kept += 1,
            _ => {}
        }
    }

    /// Whether every tile is kept or failed.
    pub fn is_done(&self) -> bool {
        self.planned && self.refused.is_none() && self.kept + self.failed() == self.wanted
    }

    /// Tiles that failed to be fetched or kept.
    fn failed(&self) -> usize {
        self.sent.iter().filter(|s| s.failed).count()
    }

    /// Whether B can be compared: done, with a tile at least.
    pub fn is_ready(&self) -> bool {
        self.is_done() && self.kept > 0
    }

    /// Where it is, in words.
    pub fn status(&self) -> String {
        let name = &self.name;
        if let Some(reason) = &self.refused {
            return reason.clone();
        }
        if !self.planned {
            return format!("Reading the tasks of \"{name}\"…");
        }
        if self.fetched < self.wanted {
            return format!("Fetching {} of {} tiles of \"{name}\"…", self.fetched, self.wanted);
        }
        if !self.is_done() {
            return format!("Checking the {} tiles of \"{name}\"…", self.wanted);
        }
        let (kept, total) = (self.kept, self.total);
        match total - kept.min(total) {
            _ if kept == 0 => format!("B (\"{name}\") has none of its {total} tiles: there is nothing to compare."),
            0 => format!("B is \"{name}\": all {total} tiles."),
            lacking => format!(
                "B (\"{name}\") has {kept} of {total} tiles: the {lacking} it lacks are left out of the figures."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, name: &str, created: &str, width: u32) -> JobChoice {
        JobChoice {
            id: id.into(),
            name: name.into(),
            status: "completed".into(),
            created: created.into(),
            size: Size { width, height: 160 },
        }
    }

    #[test]
    fn other_jobs_of_the_size_are_offered_newest_first_the_same_name_chosen_first() {
        let size = Size { width: 256, height: 160 };
        let jobs = [
            job("a", "Shot", "2026-12-01T10:00:00Z", 256),
            job("b", "Other", "2026-12-01T12:00:00Z", 256),
            job("c", "Shot", "2026-12-01T11:00:00Z", 256),
            job("d", "Shot", "2026-12-01T13:00:00Z", 512),
            job("this", "Shot", "2026-12-01T14:00:00Z", 256),
        ];
        let offered = offered(jobs.clone(), "this", size);
        let ids: Vec<&str> = offered.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "a"], "others of the size, newest first");
        assert_eq!(default_choice(&offered, "Shot").map(|j| j.id.as_str()), Some("c"));
        assert_eq!(default_choice(&offered, "New shot").map(|j| j.id.as_str()), Some("b"));
        assert_eq!(default_choice(&[], "Shot"), None);
        assert_eq!(jobs[0].label(), "Shot — completed — 2026-12-01 10:00");
        assert_eq!(short_date("yesterday"), "yesterday");
    }

    #[test]
    fn a_load_counts_every_workers_answer_and_names_what_failed() {
        let tile = |x0| TileId { x0, y0: 0, x1: x0 + 64, y1: 64 };
        let mut load = JobLoad::new(1, "b".into(), "Shot v1".into());
        assert_eq!(load.status(), "Reading the tasks of \"Shot v1\"…");
        let urls: Vec<(TileId, String)> =
            [0, 64, 128].map(|x| (tile(x), format!("/renders/t/{x}.exr"))).into();
        load.planned(4, &urls);
        load.fetched(tile(0), Ok(()));
        assert_eq!(load.status(), "Fetching 1 of 3 tiles of \"Shot v1\"…");
        load.fetched(tile(64), Err("/renders/t/64.exr answered HTTP 404 Not Found".into()));
        load.fetched(tile(128), Ok(()));
        for _ in 0..2 {
            load.answered(tile(0), Ok(()), 2);
        }
        assert!(!load.is_done());
        load.answered(tile(128), Err("the file is cut short".into()), 2);
        load.answered(tile(128), Err("the file is cut short".into()), 2);
        assert!(load.is_done() && load.is_ready());
        assert_eq!(load.failures.len(), 2, "{:?}", load.failures);
        assert!(load.failures[1].starts_with("/renders/t/128.exr: the file is cut short"));
        assert_eq!(
            load.status(),
            "B (\"Shot v1\") has 1 of 4 tiles: the 3 it lacks are left out of the figures."
        );
    }
}
