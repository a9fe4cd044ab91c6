//! The merge's controller: the page's state as signals, the pool of workers, and what happens on
//! each answer. The components call its methods; none of them holds logic of its own.

use std::rc::Rc;

use js_sys::ArrayBuffer;
use leptos::prelude::*;
use tilemerge::{ExrLayout, TileId, DEFAULT_OVERSCAN};
use web_sys::{File, FileList};

use super::browser;
use super::model::{requested_overscan, requested_size, Passes, PickedFile, Plan, PlanError, TileStatus};
use super::worker::pool::Pool;
use super::worker::protocol::{Request, Response, SessionId};

mod viewing;

pub use viewing::{ProbeShown, Viewing};

/// Where the export is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportState {
    /// Nothing exported yet.
    Idle,
    /// A worker is writing the EXR.
    Working,
    /// The EXR is ready at this `blob:` URL.
    Ready(String),
    /// It could not be written, and why.
    Failed(String),
}

/// The state of the preview page; cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct Preview {
    /// Names and sizes of the picked files.
    pub files: RwSignal<Vec<PickedFile>>,
    /// Image width, height and overscan as typed (empty size: from the file names).
    pub width: RwSignal<String>,
    pub height: RwSignal<String>,
    pub overscan: RwSignal<String>,
    /// The layout and every tile's state, once files are picked.
    pub plan: RwSignal<Option<Result<Plan, PlanError>>>,
    /// The passes merged and the one shown.
    pub passes: RwSignal<Passes>,
    pub pass: RwSignal<Option<String>>,
    /// Exposure of the view, in stops.
    pub exposure: RwSignal<f32>,
    /// A problem with the workers or the typed layout.
    pub problem: RwSignal<Option<String>>,
    /// Whether the workers hold the merge (false before a merge and after Cancel).
    pub live: RwSignal<bool>,
    pub export: RwSignal<ExportState>,
    pub layout: RwSignal<ExrLayout>,
    /// Where the workers' pixels are drawn.
    pub canvas: NodeRef<leptos::html::Canvas>,
    /// Channel, zoom, probe and tile grid of the viewer.
    pub viewing: Viewing,
    blobs: StoredValue<Vec<File>, LocalStorage>,
    pool: StoredValue<Option<Pool>, LocalStorage>,
    session: StoredValue<SessionId>,
    export_session: StoredValue<Option<SessionId>>,
    next_id: StoredValue<SessionId>,
}

impl Preview {
    /// A page with nothing picked; its workers stop when the page goes.
    pub fn new() -> Preview {
        let preview = Preview {
            files: RwSignal::new(Vec::new()),
            width: RwSignal::new(String::new()),
            height: RwSignal::new(String::new()),
            overscan: RwSignal::new(DEFAULT_OVERSCAN.to_string()),
            plan: RwSignal::new(None),
            passes: RwSignal::new(Passes::default()),
            pass: RwSignal::new(None),
            exposure: RwSignal::new(0.0),
            problem: RwSignal::new(None),
            live: RwSignal::new(false),
            export: RwSignal::new(ExportState::Idle),
            layout: RwSignal::new(ExrLayout::MultiPart),
            canvas: NodeRef::new(),
            viewing: Viewing::new(),
            blobs: StoredValue::new_local(Vec::new()),
            pool: StoredValue::new_local(None),
            session: StoredValue::new(0),
            export_session: StoredValue::new(None),
            next_id: StoredValue::new(0),
        };
        on_cleanup(move || preview.stop());
        preview
    }

    /// Takes the files picked or dropped, and merges them.
    pub fn pick(self, list: Option<FileList>) {
        let Some(list) = list else { return };
        let files: Vec<File> = (0..list.length()).filter_map(|i| list.item(i)).collect();
        self.files.set(files.iter().map(|f| PickedFile { name: f.name(), bytes: f.size() as u64 }).collect());
        self.blobs.set_value(files);
        self.start();
    }

    /// (Re)starts the merge of the picked files with the layout as typed.
    pub fn start(self) {
        self.stop();
        self.problem.set(None);
        // An export of other files must not be offered for these.
        self.export.update(|state| {
            if let ExportState::Ready(url) = state {
                browser::revoke(url);
            }
            *state = ExportState::Idle;
        });
        self.viewing.restart();
        self.passes.set(Passes::default());
        self.pass.set(None);
        let (size, overscan) = match (
            requested_size(&self.width.get_untracked(), &self.height.get_untracked()),
            requested_overscan(&self.overscan.get_untracked()),
        ) {
            (Ok(size), Ok(overscan)) => (size, overscan),
            (Err(e), _) | (_, Err(e)) => return self.problem.set(Some(e)),
        };
        let plan = Plan::new(&self.files.get_untracked(), size, overscan);
        self.plan.set(Some(plan.clone()));
        let Ok(plan) = plan else { return };
        let session = self.next_session();
        self.session.set_value(session);
        let pool = match Pool::start_for_browser(Rc::new(move |_, response, buffer| {
            self.answer(response, buffer)
        })) {
            Ok(pool) => pool,
            Err(e) => return self.problem.set(Some(format!("Cannot start the preview workers: {e}"))),
        };
        if let Err(e) = pool.broadcast(&Request::Begin { session, grid: plan.grid }) {
            return self.problem.set(Some(e));
        }
        self.pool.set_value(Some(pool));
        self.live.set(true);
        let tiles: Vec<(TileId, usize)> =
            plan.rows.iter().filter(|r| r.is_sent()).filter_map(|r| Some((r.tile?, r.file?))).collect();
        if tiles.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            for (tile, file) in tiles {
                // Cancel or a new merge ends this one: stop reading its files.
                if !self.wait_for_room(session, None).await {
                    return;
                }
                if let Err(reason) = self.send_tile(session, tile, file, None).await {
                    self.settle(session, tile, TileStatus::Failed(reason));
                }
            }
        });
    }

    /// Waits until `worker` (or any worker) has room for another tile; false once the merge or
    /// export `session` is over (cancelled, replaced, or the page closed): read no more files then.
    async fn wait_for_room(self, session: SessionId, worker: Option<usize>) -> bool {
        loop {
            if !self.is_current(session) {
                return false;
            }
            match self.pool.try_with_value(|pool| pool.as_ref().map(|p| p.has_room(worker))).flatten() {
                Some(true) => return true,
                Some(false) => browser::sleep(20).await,
                None => return false,
            }
        }
    }

    /// Reads a tile's file and moves its bytes to a worker (`worker`, or the least busy).
    async fn send_tile(
        self,
        session: SessionId,
        tile: TileId,
        file: usize,
        worker: Option<usize>,
    ) -> Result<(), String> {
        let file = self.blobs.try_with_value(|b| b.get(file).cloned()).flatten().ok_or("the file is gone")?;
        let bytes = browser::read_file(&file).await.map_err(|e| format!("cannot read the file: {e}"))?;
        if !self.is_current(session) {
            // Cancelled while the file was read: its answer would only confuse the next merge.
            return Ok(());
        }
        self.pool
            .try_with_value(|pool| {
                let pool = pool.as_ref().ok_or("the merge was cancelled")?;
                let worker = worker.unwrap_or_else(|| pool.least_busy());
                pool.send(worker, &Request::Tile { session, tile }, Some(&bytes))
            })
            .unwrap_or_else(|| Err("the page was closed".into()))
    }

    /// Stops the workers: whatever they were doing is lost.
    pub fn stop(self) {
        // Dropping the pool terminates its workers.
        self.pool.try_set_value(None);
        self.viewing.forget_requests();
        self.live.try_set(false);
        self.plan.try_update(|plan| {
            if let Some(Ok(plan)) = plan {
                plan.cancel();
            }
        });
        if self.export.try_get_untracked() == Some(ExportState::Working) {
            self.export.try_set(ExportState::Idle);
        }
    }

    /// Asks every worker to draw the chosen pass and channel; each answers with its tiles' pixels.
    /// The pass's range comes first (see [`Viewing`]): false colour spans the whole image.
    pub fn render(self) {
        let (Some(pass), Some(Some(Ok(_)))) = (self.pass.get_untracked(), self.plan.try_get_untracked())
        else {
            return;
        };
        self.ask_range(pass);
    }

    /// Builds the merged EXR in one worker from the placed tiles' files, read again.
    pub fn export(self) {
        let Some(Some(Ok(plan))) = self.plan.try_get_untracked() else { return };
        // The export is a canvas of its own beside the preview's, in one worker.
        let export_session = self.next_session();
        self.export_session.set_value(Some(export_session));
        self.export.set(ExportState::Working);
        let layout = self.layout.get_untracked();
        let tiles: Vec<(TileId, usize)> = plan.placed().filter_map(|r| Some((r.tile?, r.file?))).collect();
        self.with_pool(|pool| {
            pool.send(0, &Request::Begin { session: export_session, grid: plan.grid }, None)
        });
        leptos::task::spawn_local(async move {
            for (tile, file) in tiles {
                if !self.wait_for_room(export_session, Some(0)).await {
                    return;
                }
                if let Err(reason) = self.send_tile(export_session, tile, file, Some(0)).await {
                    self.export_session.try_set_value(None);
                    self.with_pool(|pool| pool.send(0, &Request::End { session: export_session }, None));
                    self.export.try_set(ExportState::Failed(format!("{tile}: {reason}")));
                    return;
                }
            }
            self.with_pool(|pool| pool.send(0, &Request::Export { session: export_session, layout }, None));
        });
    }

    /// Handles a worker's answer.
    fn answer(self, response: Response, buffer: Option<ArrayBuffer>) {
        let current = self.session.try_get_value();
        let exporting = self.export_session.try_get_value().flatten();
        match response {
            Response::Ready => {}
            Response::Placed { session, tile, passes, .. } if Some(session) == current => {
                self.passes.update(|p| p.merge(&passes));
                if self.pass.get_untracked().is_none() {
                    self.pass.set(self.passes.with_untracked(|p| p.default_pass().cloned()));
                }
                self.settle(session, tile, TileStatus::Placed);
            }
            Response::Failed { session, tile, reason } if Some(session) == current => {
                self.settle(session, tile, TileStatus::Failed(reason));
            }
            Response::Failed { session, tile, reason } if Some(session) == exporting => {
                // An export missing a tile the preview shows would be wrong: give it up.
                self.export_session.set_value(None);
                self.with_pool(|pool| pool.send(0, &Request::End { session }, None));
                self.export.set(ExportState::Failed(format!("{tile}: {reason}")));
            }
            Response::Rendered { session, width, height, regions } if Some(session) == current => {
                let drawn = match (self.canvas.get_untracked(), buffer) {
                    (Some(canvas), Some(rgba)) => {
                        browser::draw_regions(&canvas, width, height, &regions, &rgba)
                    }
                    // A worker with no tiles placed sends no pixels.
                    _ => Ok(()),
                };
                if let Err(e) = drawn {
                    self.problem.set(Some(format!("Cannot draw the image: {e}")));
                }
            }
            Response::Ranged { session, ticket, kind, range } if Some(session) == current => {
                self.ranged(ticket, kind, range);
            }
            Response::Probed { session, x, y, reading } if Some(session) == current => {
                self.probed(x, y, reading);
            }
            Response::Exported { session } if Some(session) == exporting => {
                self.with_pool(|pool| pool.send(0, &Request::End { session }, None));
                let url = buffer
                    .ok_or_else(|| "the worker sent no file".to_string())
                    .and_then(|exr| browser::blob_url(&exr, "image/x-exr"));
                self.export.update(|state| {
                    if let ExportState::Ready(old) = state {
                        browser::revoke(old);
                    }
                    *state = match url {
                        Ok(url) => ExportState::Ready(url),
                        Err(e) => ExportState::Failed(e),
                    };
                });
            }
            Response::Error { session, reason } if session.is_some() && session == exporting => {
                self.export.set(ExportState::Failed(reason));
            }
            Response::Error { reason, .. } => self.problem.set(Some(reason)),
            // Answers for a merge that was replaced or cancelled.
            _ => {}
        }
    }

    /// Records a tile's outcome; once every tile is answered, the image is drawn.
    fn settle(self, session: SessionId, tile: TileId, status: TileStatus) {
        if self.session.try_get_value() != Some(session) {
            return;
        }
        self.plan.update(|plan| {
            if let Some(Ok(plan)) = plan {
                plan.settle(tile, status);
            }
        });
        if self.plan.with_untracked(|p| matches!(p, Some(Ok(p)) if p.progress().is_finished())) {
            self.render();
        }
    }

    /// Whether `session` is the running merge or export (not cancelled, replaced, or closed).
    fn is_current(self, session: SessionId) -> bool {
        let current = self.session.try_get_value() == Some(session)
            || self.export_session.try_get_value() == Some(Some(session));
        current && self.live.try_get_untracked().unwrap_or(false)
    }

    fn next_session(self) -> SessionId {
        let id = self.next_id.get_value().wrapping_add(1);
        self.next_id.set_value(id);
        id
    }

    fn with_pool(self, send: impl FnOnce(&Pool) -> Result<(), String>) {
        let sent = self.pool.try_with_value(|pool| pool.as_ref().map(send));
        if let Some(Some(Err(e))) = sent {
            self.problem.try_set(Some(e));
        }
    }
}
