//! B as another job's merge, the page's work: the Manager's jobs listed when that source is
//! chosen, the chosen job's tasks read and planned like the page's own job, and its completed
//! tiles fetched from the farm's storage a few at a time and sent to every worker.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use tilemerge::TileId;

use super::other_job::{default_choice, offered, JobChoice, JobLoad, JobsState, PageJob};
use super::CompareSource;
use crate::preview::browser;
use crate::preview::controller::Preview;
use crate::preview::job::plan_job;
use crate::preview::model::TileStatus;
use crate::preview::worker::protocol::{Request, SessionId};

/// B's tiles fetched at the same time (as many as the merge's own tiles, see `run`).
const FETCHERS: usize = 4;

impl Preview {
    /// The page is the preview of `job`: another job's merge can be B.
    pub fn offer_other_jobs(self, job: PageJob) {
        if self.compare.page_job.with_untracked(|j| j.as_ref() != Some(&job)) {
            self.compare.page_job.set(Some(job));
        }
    }

    /// What B is, as the user chose it; another job's merge lists the Manager's jobs first.
    pub fn choose_source(self, source: CompareSource) {
        let compare = self.compare;
        compare.other_pass.set(None);
        compare.source.set(source);
        let listed = compare.jobs.with_untracked(|j| matches!(j, JobsState::Loading | JobsState::Ready(_)));
        if source == CompareSource::OtherJob && !listed {
            self.list_jobs();
        }
    }

    /// Fetches the Manager's jobs and offers those of the merge's size; the first is loaded.
    fn list_jobs(self) {
        let Some(page) = self.compare.page_job.get_untracked() else { return };
        let Some(size) =
            self.plan.with_untracked(|p| p.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.grid.image))
        else {
            return;
        };
        self.compare.jobs.set(JobsState::Loading);
        leptos::task::spawn_local(async move {
            let listed = page.client.fetch_jobs().await;
            let state = match listed {
                Ok(jobs) => JobsState::Ready(offered(jobs.iter().filter_map(JobChoice::of), &page.id, size)),
                Err(e) => JobsState::Failed(format!("The Manager's jobs could not be listed: {e}")),
            };
            let first = match &state {
                JobsState::Ready(jobs) => default_choice(jobs, &page.name).map(|j| j.id.clone()),
                _ => None,
            };
            // The page was left meanwhile.
            if self.compare.jobs.try_set(state).is_some() {
                return;
            }
            if let (None, Some(first)) = (self.compare.other_job.get_untracked(), first) {
                self.choose_job(first);
            }
        });
    }

    /// Job `id` chosen as B: its tiles are fetched and sent to the workers.
    pub fn choose_job(self, id: String) {
        self.compare.other_job.set(Some(id));
        self.load_job();
    }

    /// Reads the chosen job's tasks, plans its merge and sends its completed tiles to every
    /// worker of the running merge.
    pub(super) fn load_job(self) {
        let compare = self.compare;
        let (Some(page), Some(id)) = (compare.page_job.get_untracked(), compare.other_job.get_untracked())
        else {
            return;
        };
        let Some(size) =
            self.plan.with_untracked(|p| p.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.grid.image))
        else {
            return;
        };
        if !self.live.get_untracked() || self.workers() == 0 {
            return;
        }
        let name = compare.jobs.with_untracked(|j| match j {
            JobsState::Ready(jobs) => jobs.iter().find(|j| j.id == id).map(|j| j.name.clone()),
            _ => None,
        });
        let session = self.session.get_value();
        compare.load.set(JobLoad::new(session, id.clone(), name.unwrap_or_else(|| id.clone())));
        leptos::task::spawn_local(async move {
            let fetched = match page.client.fetch_job(&id).await {
                Ok(job) => page.client.fetch_job_tasks(&id).await.map(|tasks| (job, tasks)),
                Err(e) => Err(e),
            };
            if !self.loading(session, &id) {
                return;
            }
            let planned =
                fetched.map_err(|e| format!("its tasks could not be read: {e}")).and_then(|(job, tasks)| {
                    let settings = serde_json::to_value(&job.settings).unwrap_or_default();
                    let named: Vec<(String, String)> =
                        tasks.iter().map(|t| (t.name.clone(), t.status.as_str().to_string())).collect();
                    plan_job(&job.job_type, &settings, &named, &page.mappings).map_err(|e| e.to_string())
                });
            let planned = planned.and_then(|planned| {
                let theirs = planned.plan.grid.image;
                if theirs == size {
                    Ok(planned)
                } else {
                    Err(format!(
                        "its image is {theirs} pixels but this merge is {size}: they cannot be compared"
                    ))
                }
            });
            let planned = match planned {
                Ok(planned) => planned,
                Err(reason) => {
                    return compare
                        .load
                        .update(|l| l.refused = Some(format!("\"{}\" cannot be B: {reason}", l.name)));
                }
            };
            let grid = planned.plan.grid;
            let urls: Vec<(TileId, String)> = planned
                .plan
                .rows
                .iter()
                .filter(|r| r.status == TileStatus::Queued)
                .filter_map(|r| Some((r.tile?, planned.urls.get(r.file?)?.clone())))
                .collect();
            compare.load.update(|l| l.planned(grid.tiles().len(), &urls));
            let queue = Rc::new(RefCell::new(urls.into_iter()));
            for _ in 0..FETCHERS {
                let (queue, id) = (queue.clone(), id.clone());
                leptos::task::spawn_local(async move {
                    loop {
                        let Some((tile, url)) = queue.borrow_mut().next() else { return };
                        let bytes = browser::fetch_bytes(&url).await;
                        if !self.loading(session, &id) {
                            return;
                        }
                        let request = Request::OtherJobTile { session, job: id.clone(), grid, tile };
                        let sent = bytes
                            .and_then(|bytes| self.send_to_all(session, &request, &bytes, self.workers()));
                        self.load_step(|l| l.fetched(tile, sent));
                    }
                });
            }
        });
    }

    /// Whether job `id` is still being loaded for merge `session` (not replaced, not left).
    fn loading(self, session: SessionId, id: &str) -> bool {
        let current = self.session.try_get_value() == Some(session);
        current && self.compare.load.try_with_untracked(|l| l.session == session && l.job == id) == Some(true)
    }

    /// A worker's answer to one of B's tiles.
    pub(in crate::preview::controller) fn other_job_tile(
        self,
        session: SessionId,
        job: String,
        tile: TileId,
        outcome: Result<(), String>,
    ) {
        let workers = self.workers();
        if self.compare.load.with_untracked(|l| l.session == session && l.job == job) {
            self.load_step(|l| l.answered(tile, outcome, workers));
        }
    }

    /// Takes a step of B's load; the last one compares (B is complete then).
    fn load_step(self, step: impl FnOnce(&mut JobLoad)) {
        let done = self.compare.load.try_update(|l| {
            let was = l.is_done();
            step(l);
            !was && l.is_done()
        });
        if done == Some(true) {
            self.request_compare();
        }
    }
}
