//! The merge's controller: the page's state as signals, the pool of workers, and what happens on
//! each answer. The components call its methods; none of them holds logic of its own.

use std::rc::Rc;

use js_sys::ArrayBuffer;
use leptos::prelude::*;
use tilemerge::{Compression, ExrLayout, TileId, DEFAULT_OVERSCAN};
use web_sys::{DataTransfer, File, FileList, FileSystemEntry};

use super::browser;
use super::listing::{exr_links, Listed};
use super::memory::{self, Budget, MemoryPlan, ASSUMED_PIXEL_BYTES};
use super::model::{
    requested_overscan, requested_size, FrameFigures, Passes, PickedFile, Plan, PlanError, TileStatus,
};
use super::seams::SeamCheck;
use super::worker::pool::{pool_size, Pool};
use super::worker::protocol::{Holding, Request, Response, SessionId};

/// Where a tile's bytes come from.
#[derive(Clone)]
pub enum TileSource {
    /// A picked or dropped file.
    File(File),
    /// A URL fetched over HTTP (a job's storage, or a folder URL's listing).
    Url(String),
}

mod viewing;

pub use viewing::{ProbeShown, Viewing};

/// Whether a file found in a folder is an EXR (by its name, as Blender writes them).
fn is_exr(file: &File) -> bool {
    file.name().to_ascii_lowercase().ends_with(".exr")
}

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

/// Where the seam check of the pass on screen is.
#[derive(Debug, Clone, PartialEq)]
pub enum SeamState {
    /// Not checked (or the pass changed since).
    Idle,
    /// The first worker is comparing this pass's overscan.
    Working(String),
    /// The result, for the pass it names.
    Ready(SeamCheck),
    /// It could not be done, and why.
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
    /// How long the first full frame took and the memory it needed, once it is on screen.
    pub frame: RwSignal<Option<FrameFigures>>,
    pub layout: RwSignal<ExrLayout>,
    pub compression: RwSignal<Compression>,
    /// The seam check of the pass on screen, and whether its map is shown over the image.
    pub seams: RwSignal<SeamState>,
    pub show_seams: RwSignal<bool>,
    /// Where the workers' pixels are drawn.
    pub canvas: NodeRef<leptos::html::Canvas>,
    /// Where the seam map is drawn, over the image.
    pub seam_canvas: NodeRef<leptos::html::Canvas>,
    /// What the merge needs, until a tile's header has told the real size of a pixel.
    memory: StoredValue<Option<MemoryPlan>>,
    sources: StoredValue<Vec<TileSource>, LocalStorage>,
    /// Channel, zoom, probe and tile grid of the viewer.
    pub viewing: Viewing,
    pool: StoredValue<Option<Pool>, LocalStorage>,
    session: StoredValue<SessionId>,
    /// The first worker's session holding every placed tile's file, for the export and the seam
    /// check, and whether all of them have been sent to it.
    export_session: StoredValue<Option<SessionId>>,
    files_sent: StoredValue<bool>,
    next_id: StoredValue<SessionId>,
    /// When the merge began (`performance.now()`), and the workers that drew the latest render.
    started_at: StoredValue<f64>,
    workers_drawn: StoredValue<usize>,
    /// Tiles answered and not yet shown (see [`Preview::settle`]).
    settling: StoredValue<Vec<(SessionId, TileId, TileStatus)>>,
    /// Whether a merge has begun on the pool's workers (else they were only warmed up).
    pool_used: StoredValue<bool>,
}

/// How long answers gather before the page shows them.
const SETTLE_EVERY_MS: i32 = 100;

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
            frame: RwSignal::new(None),
            layout: RwSignal::new(ExrLayout::MultiPart),
            compression: RwSignal::new(Compression::Zip),
            seams: RwSignal::new(SeamState::Idle),
            show_seams: RwSignal::new(true),
            canvas: NodeRef::new(),
            seam_canvas: NodeRef::new(),
            memory: StoredValue::new(None),
            sources: StoredValue::new_local(Vec::new()),
            viewing: Viewing::new(),
            pool: StoredValue::new_local(None),
            session: StoredValue::new(0),
            export_session: StoredValue::new(None),
            files_sent: StoredValue::new(false),
            next_id: StoredValue::new(0),
            started_at: StoredValue::new(0.0),
            workers_drawn: StoredValue::new(0),
            settling: StoredValue::new(Vec::new()),
            pool_used: StoredValue::new(false),
        };
        on_cleanup(move || {
            preview.stop();
            // Warmed-up workers too: the page is gone.
            preview.pool.try_set_value(None);
        });
        preview
    }

    /// Takes the files picked or dropped, and merges them.
    pub fn pick(self, list: Option<FileList>) {
        let Some(list) = list else { return };
        self.pick_files((0..list.length()).filter_map(|i| list.item(i)).collect());
    }

    /// Takes the files of a picked folder: its EXRs (a job's folder also holds other files).
    pub fn pick_folder(self, list: Option<FileList>) {
        let Some(list) = list else { return };
        self.pick_files((0..list.length()).filter_map(|i| list.item(i)).filter(is_exr).collect());
    }

    /// Takes what was dropped: files as they are, and the EXRs inside dropped folders.
    pub fn drop_transfer(self, transfer: DataTransfer) {
        let entries = browser::dropped_entries(&transfer);
        if !entries.iter().any(FileSystemEntry::is_directory) {
            return self.pick(transfer.files());
        }
        leptos::task::spawn_local(async move {
            match browser::files_under(entries).await {
                Ok(files) => self.pick_files(files.into_iter().filter(is_exr).collect()),
                Err(e) => self.problem.set(Some(format!("The dropped folder could not be read: {e}"))),
            }
        });
    }

    fn pick_files(self, files: Vec<File>) {
        self.files.set(files.iter().map(|f| PickedFile { name: f.name(), bytes: f.size() as u64 }).collect());
        self.sources.set_value(files.into_iter().map(TileSource::File).collect());
        self.start();
    }

    /// Takes the files a folder URL's listing names, and merges them.
    pub fn pick_urls(self, listed: Vec<Listed>) {
        self.files.set(listed.iter().map(|l| PickedFile { name: l.name.clone(), bytes: 0 }).collect());
        self.sources.set_value(listed.into_iter().map(|l| TileSource::Url(l.url)).collect());
        self.start();
    }

    /// Reads a folder URL's listing and merges the `.exr` files it links to.
    pub fn load_folder(self, url: String) {
        let url = url.trim().to_string();
        if url.is_empty() {
            return self.problem.set(Some("Give the URL of a folder of tiles.".into()));
        }
        self.problem.set(None);
        leptos::task::spawn_local(async move {
            let listed = match browser::fetch_text(&url).await {
                Ok(body) => exr_links(&url, &body),
                Err(e) => Err(format!("The folder listing could not be loaded: {e}")),
            };
            // The page was left while the listing was fetched.
            if self.live.try_get_untracked().is_none() {
                return;
            }
            match listed {
                Ok(listed) => self.pick_urls(listed),
                Err(e) => self.problem.set(Some(e)),
            }
        });
    }

    /// (Re)starts the merge of the picked files with the layout as typed.
    pub fn start(self) {
        self.stop();
        self.problem.set(None);
        let (size, overscan) = match (
            requested_size(&self.width.get_untracked(), &self.height.get_untracked()),
            requested_overscan(&self.overscan.get_untracked()),
        ) {
            (Ok(size), Ok(overscan)) => (size, overscan),
            (Err(e), _) | (_, Err(e)) => return self.problem.set(Some(e)),
        };
        self.begin(Plan::new(&self.files.get_untracked(), size, overscan));
    }

    /// Starts the merge of a job's tiles: `plan` says which are ready, `urls` where each is.
    pub fn start_job(self, plan: Plan, urls: Vec<String>) {
        self.stop();
        self.problem.set(None);
        self.files.set(plan.rows.iter().map(|r| PickedFile { name: r.name.clone(), bytes: 0 }).collect());
        self.sources.set_value(urls.into_iter().map(TileSource::Url).collect());
        self.begin(Ok(plan));
    }

    /// A job's render task for `tile` is now `status`: a tile just rendered is fetched and merged.
    pub fn task_status(self, tile: TileId, status: &str) {
        // After Cancel the merge is over: a tile rendered now would stay queued for ever.
        if !self.live.get_untracked() {
            return;
        }
        let mut fetch = None;
        self.plan.update(|plan| {
            if let Some(Ok(plan)) = plan {
                fetch = plan.task_status(tile, status);
            }
        });
        if let Some(file) = fetch {
            self.send_tiles(self.session.get_value(), vec![(tile, file)]);
        }
    }

    /// Starts the workers on `plan` and sends them its queued tiles.
    fn begin(self, plan: Result<Plan, PlanError>) {
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
        self.clear_seams();
        self.frame.set(None);
        self.started_at.set_value(browser::now());
        self.plan.set(Some(plan.clone()));
        let Ok(mut plan) = plan else { return };
        let workers = pool_size(browser::cores());
        let needs = MemoryPlan {
            workers,
            image: plan.grid.image,
            file_bytes: plan.progress().bytes_total,
            pixel_bytes: ASSUMED_PIXEL_BYTES,
        };
        // Refused before a single file is read: a merge too large would crash the tab.
        if let Some(refusal) = memory::refusal(&needs, &Budget::for_browser(browser::device_memory())) {
            plan.cancel();
            self.plan.set(Some(Ok(plan)));
            return self.problem.set(Some(refusal));
        }
        self.memory.set_value(Some(needs));
        let session = self.next_session();
        self.session.set_value(session);
        self.warm_up();
        let begun = self.pool.with_value(|pool| match pool {
            Some(pool) => {
                pool.broadcast(&Request::Begin { session, grid: plan.grid, holding: Holding::Picture })
            }
            None => Err("there are no preview workers".into()),
        });
        if let Err(e) = begun {
            return self.problem.set(Some(e));
        }
        self.pool_used.set_value(true);
        self.live.set(true);
        let tiles: Vec<(TileId, usize)> =
            plan.rows.iter().filter(|r| r.is_sent()).filter_map(|r| Some((r.tile?, r.file?))).collect();
        self.send_tiles(session, tiles);
    }

    /// Reads or fetches `tiles` (with their source) one by one, as workers have room.
    fn send_tiles(self, session: SessionId, tiles: Vec<(TileId, usize)>) {
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
            let room = self.pool.try_with_value(|pool| {
                pool.as_ref().map(|p| if p.has_room(worker) { None } else { Some(p.next_answer()) })
            });
            match room.flatten() {
                Some(None) => return true,
                Some(Some(answered)) => {
                    // Woken by the next answer; the timeout only guards against a worker that
                    // died without answering (its tiles would never free their room).
                    let timeout = Box::pin(crate::ui::yield_now::sleep(250));
                    let _ = futures::future::select(answered, timeout).await;
                }
                None => return false,
            }
        }
    }

    /// Reads or fetches a tile's bytes and moves them to a worker (`worker`, or the least busy).
    async fn send_tile(
        self,
        session: SessionId,
        tile: TileId,
        file: usize,
        worker: Option<usize>,
    ) -> Result<(), String> {
        let source =
            self.sources.try_with_value(|s| s.get(file).cloned()).flatten().ok_or("the file is gone")?;
        let bytes = match source {
            TileSource::File(file) => {
                browser::read_file(&file).await.map_err(|e| format!("cannot read the file: {e}"))?
            }
            TileSource::Url(url) => browser::fetch_bytes(&url).await?,
        };
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

    /// Starts the workers before there is anything for them, so that the first merge does not
    /// wait for them to load (a worker's WebAssembly takes a moment to compile).
    pub fn warm_up(self) {
        if self.pool.with_value(Option::is_some) {
            return;
        }
        let workers = pool_size(browser::cores());
        match Pool::start(workers, Rc::new(move |_, response, buffer| self.answer(response, buffer))) {
            Ok(pool) => {
                self.pool.set_value(Some(pool));
                self.pool_used.set_value(false);
            }
            Err(e) => self.problem.set(Some(format!("Cannot start the preview workers: {e}"))),
        }
    }

    /// Stops the workers: whatever they were doing is lost.
    pub fn stop(self) {
        // Dropping the pool terminates its workers, and with them every session; workers that
        // were only warmed up hold nothing and are kept for the next merge.
        if self.pool_used.try_get_value() != Some(false) {
            self.pool.try_set_value(None);
        }
        self.export_session.try_set_value(None);
        self.files_sent.try_set_value(false);
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
        if matches!(self.seams.try_get_untracked(), Some(SeamState::Working(_))) {
            self.seams.try_set(SeamState::Idle);
        }
    }

    /// Asks every worker to draw the chosen pass and channel; each answers with its tiles' pixels.
    /// The pass's range comes first (see [`Viewing`]): false colour spans the whole image.
    pub fn render(self) {
        let (Some(pass), Some(Some(Ok(_)))) = (self.pass.get_untracked(), self.plan.try_get_untracked())
        else {
            return;
        };
        self.workers_drawn.set_value(0);
        self.ask_range(pass);
    }

    /// Writes the merged EXR in the first worker, from the placed tiles' files.
    pub fn export(self) {
        self.export.set(ExportState::Working);
        let (layout, compression) = (self.layout.get_untracked(), self.compression.get_untracked());
        self.with_files(move |session| Request::Export { session, layout, compression });
    }

    /// Compares neighbouring tiles' overscan in the pass on screen, in the first worker.
    pub fn check_seams(self) {
        let Some(pass) = self.pass.get_untracked() else { return };
        self.clear_seams();
        self.seams.set(SeamState::Working(pass.clone()));
        self.with_files(move |session| Request::CheckSeams { session, pass: pass.clone() });
    }

    /// Whether the first worker is busy with an export or a seam check.
    pub fn files_busy(self) -> bool {
        self.export.with(|e| *e == ExportState::Working)
            || self.seams.with(|s| matches!(s, SeamState::Working(_)))
    }

    /// Forgets the seam check and clears its map: it belonged to another pass or merge.
    pub fn clear_seams(self) {
        self.seams.try_set(SeamState::Idle);
        if let Some(canvas) = self.seam_canvas.get_untracked() {
            let (w, h) = (canvas.width(), canvas.height());
            // Clearing a canvas cannot fail in a way worth telling.
            let _ = browser::reset_canvas(&canvas, w, h);
        }
    }

    /// Sends `request` to the first worker's session of files, first filling it with every placed
    /// tile's file (read again) when it is not filled yet: the export and the seam check share it.
    fn with_files(self, request: impl Fn(SessionId) -> Request + 'static) {
        let Some(Some(Ok(plan))) = self.plan.try_get_untracked() else { return };
        if let (Some(session), true) = (self.export_session.get_value(), self.files_sent.get_value()) {
            return self.with_pool(|pool| pool.send(0, &request(session), None));
        }
        let session = self.next_session();
        self.export_session.set_value(Some(session));
        self.files_sent.set_value(false);
        let tiles: Vec<(TileId, usize)> = plan.placed().filter_map(|r| Some((r.tile?, r.file?))).collect();
        self.with_pool(|pool| {
            pool.send(0, &Request::Begin { session, grid: plan.grid, holding: Holding::Files }, None)
        });
        leptos::task::spawn_local(async move {
            for (tile, file) in tiles {
                if !self.wait_for_room(session, Some(0)).await {
                    return;
                }
                if let Err(reason) = self.send_tile(session, tile, file, Some(0)).await {
                    return self.files_failed(session, format!("{tile}: {reason}"));
                }
            }
            if self.export_session.try_get_value() == Some(Some(session)) {
                self.files_sent.set_value(true);
                self.with_pool(|pool| pool.send(0, &request(session), None));
            }
        });
    }

    /// The first worker's session of files lost a tile: what waited for it fails.
    fn files_failed(self, session: SessionId, reason: String) {
        // An export or seam check missing a tile the preview shows would be wrong: give it up.
        self.export_session.try_set_value(None);
        self.files_sent.try_set_value(false);
        self.with_pool(|pool| pool.send(0, &Request::End { session }, None));
        self.fail_files_work(reason);
    }

    /// Whatever the first worker was doing for the page failed, and why.
    fn fail_files_work(self, reason: String) {
        if self.export.try_get_untracked() == Some(ExportState::Working) {
            self.export.try_set(ExportState::Failed(reason.clone()));
        }
        if matches!(self.seams.try_get_untracked(), Some(SeamState::Working(_))) {
            self.seams.try_set(SeamState::Failed(reason));
        }
    }

    /// Checks the memory estimate again once a header told the size of a pixel; stops the merge
    /// with the figures when it no longer fits.
    fn refine_memory(self, pixel_bytes: u64) {
        let Some(Some(needs)) = self.memory.try_get_value() else { return };
        self.memory.set_value(None);
        let needs = MemoryPlan { pixel_bytes: pixel_bytes.max(1), ..needs };
        if let Some(refusal) = memory::refusal(&needs, &Budget::for_browser(browser::device_memory())) {
            self.stop();
            self.problem.set(Some(refusal));
        }
    }

    /// Handles a worker's answer.
    fn answer(self, response: Response, buffer: Option<ArrayBuffer>) {
        let current = self.session.try_get_value();
        let exporting = self.export_session.try_get_value().flatten();
        match response {
            Response::Ready => {}
            Response::Placed { session, tile, passes, pixel_bytes, .. } if Some(session) == current => {
                self.refine_memory(pixel_bytes);
                if !self.live.get_untracked() {
                    return;
                }
                // Every tile reports the same passes: the list changes (and redraws) only when new.
                if self.passes.with_untracked(|known| passes.iter().any(|p| !known.0.contains(p))) {
                    self.passes.update(|p| p.merge(&passes));
                }
                if self.pass.get_untracked().is_none() {
                    self.pass.set(self.passes.with_untracked(|p| p.default_pass().cloned()));
                }
                self.settle(session, tile, TileStatus::Placed);
            }
            Response::Failed { session, tile, reason } if Some(session) == current => {
                self.settle(session, tile, TileStatus::Failed(reason));
            }
            Response::Failed { session, tile, reason } if Some(session) == exporting => {
                self.files_failed(session, format!("{tile}: {reason}"));
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
                self.note_drawn();
            }
            Response::Ranged { session, ticket, kind, range } if Some(session) == current => {
                self.ranged(ticket, kind, range);
            }
            Response::Probed { session, x, y, reading } if Some(session) == current => {
                self.probed(x, y, reading);
            }
            Response::Exported { session } if Some(session) == exporting => {
                // The session stays: a seam check or another export reuses its files.
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
            Response::Seams { session, check, width, height } if Some(session) == exporting => {
                let wanted =
                    self.seams.with_untracked(|s| matches!(s, SeamState::Working(p) if *p == check.pass));
                if !wanted || self.pass.get_untracked().as_ref() != Some(&check.pass) {
                    // Checked for a pass no longer on screen.
                    return;
                }
                let drawn = match (self.seam_canvas.get_untracked(), buffer) {
                    (Some(canvas), Some(rgba)) => {
                        browser::reset_canvas(&canvas, width, height).and_then(|()| {
                            let all = tilemerge::Rect { x: 0, y: 0, width, height };
                            browser::draw_regions(&canvas, width, height, &[all], &rgba)
                        })
                    }
                    _ => Ok(()),
                };
                match drawn {
                    Ok(()) => self.seams.set(SeamState::Ready(check)),
                    Err(e) => self.seams.set(SeamState::Failed(format!("Cannot draw the seam map: {e}"))),
                }
            }
            Response::Error { session, reason } if session.is_some() && session == exporting => {
                self.fail_files_work(reason);
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
        // Answers are applied to the page together, a few times a second: applying each one
        // (the tile list, the grid, the bar) would keep the page's thread too busy to read and
        // send the next files, and the workers would wait for it.
        let first = self.settling.try_update_value(|queue| {
            queue.push((session, tile, status));
            queue.len() == 1
        });
        // The last answer awaited is shown at once: the image is drawn after it.
        if self.pool.try_with_value(|p| p.as_ref().is_some_and(Pool::is_idle)) == Some(true) {
            return self.apply_settled();
        }
        if first == Some(true) {
            leptos::task::spawn_local(async move {
                crate::ui::yield_now::sleep(SETTLE_EVERY_MS).await;
                self.apply_settled();
            });
        }
    }

    /// Applies the answers gathered by [`Preview::settle`]; once every tile is answered, the
    /// image is drawn.
    fn apply_settled(self) {
        let Some(settled) = self.settling.try_update_value(std::mem::take) else { return };
        let current = self.session.try_get_value();
        let settled: Vec<_> = settled.into_iter().filter(|(session, ..)| Some(*session) == current).collect();
        if settled.is_empty() {
            return;
        }
        self.plan.update(|plan| {
            if let Some(Ok(plan)) = plan {
                for (_, tile, status) in settled {
                    plan.settle(tile, status);
                }
            }
        });
        if self.plan.with_untracked(|p| matches!(p, Some(Ok(p)) if p.progress().is_finished())) {
            self.render();
        }
    }

    /// Counts a worker's pixels drawn; when every worker has drawn the first complete merge, its
    /// time and memory are recorded (shown to the user, and read by the benchmark).
    fn note_drawn(self) {
        self.workers_drawn.set_value(self.workers_drawn.get_value() + 1);
        let complete = self.plan.with_untracked(|p| matches!(p, Some(Ok(p)) if p.is_complete()));
        let workers = self.pool.with_value(|pool| pool.as_ref().map(|p| (p.size(), p.peak_memory())));
        let Some((size, worker_bytes)) = workers else { return };
        if complete && self.workers_drawn.get_value() >= size && self.frame.get_untracked().is_none() {
            self.frame.set(Some(FrameFigures {
                millis: browser::now() - self.started_at.get_value(),
                workers: size,
                worker_bytes,
                page_bytes: browser::wasm_memory_bytes(),
            }));
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
