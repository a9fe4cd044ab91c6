//! A merge's run: the memory check, the files read or fetched as workers have room, and the
//! answers settled onto the page a few times a second.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use tilemerge::TileId;

use super::{ExportState, Preview, TileSource, SETTLE_EVERY_MS};
use crate::preview::browser;
use crate::preview::memory::{self, Budget, Hold, MemoryPlan, ASSUMED_PIXEL_BYTES};
use crate::preview::model::{FrameFigures, Passes, Plan, PlanError, TileStatus};
use crate::preview::timing::FrameTimes;
use crate::preview::worker::pool::{pool_size, Pool};
use crate::preview::worker::protocol::{Holding, Request, SessionId};

/// Tiles fetched from the farm at the same time (picked files are read by the workers).
const READERS: usize = 4;

impl Preview {
    /// Starts the workers on `plan` and sends them its queued tiles.
    pub(super) fn begin(self, plan: Result<Plan, PlanError>) {
        // An export of other files must not be offered for these.
        self.export.update(|state| {
            if let ExportState::Ready { url, .. } = state {
                browser::revoke(url);
            }
            *state = ExportState::Idle;
        });
        self.viewing.restart();
        self.levels.restart(None);
        self.inspector.restart();
        self.passes.set(Passes::default());
        self.pass.set(None);
        self.clear_seams();
        self.frame.set(None);
        self.times.set_value(FrameTimes::default());
        self.started_at.set_value(browser::now());
        self.plan.set(Some(plan.clone()));
        let Ok(mut plan) = plan else { return };
        self.levels.begun.set_value(Some(plan.clone()));
        let workers = pool_size(browser::cores());
        let needs = MemoryPlan {
            workers,
            image: plan.grid.image,
            file_bytes: plan.progress().bytes_total,
            pixel_bytes: ASSUMED_PIXEL_BYTES,
        };
        // Decided before a single file is read: a merge too large to hold whole would crash the
        // tab, so it is held as levels, or refused when even those would not fit.
        let budget = Budget::for_browser(browser::device_memory());
        let preferred = self.levels.preferred.get_untracked() || self.levels.forced.get_value();
        let overscan = plan.grid.overscan.saturating_mul(2);
        let tile = tilemerge::Size {
            width: plan.grid.tile.width.saturating_add(overscan),
            height: plan.grid.tile.height.saturating_add(overscan),
        };
        let holding = match memory::choose(&needs, &budget, tile, preferred) {
            Ok(Hold::Whole) => {
                self.memory.set_value(Some(needs));
                Holding::Picture
            }
            Ok(Hold::Levels { base }) => {
                self.memory.set_value(None);
                self.levels.restart(Some(base));
                Holding::Levels { base }
            }
            Err(refusal) => {
                plan.cancel();
                self.plan.set(Some(Ok(plan)));
                return self.problem.set(Some(refusal));
            }
        };
        let session = self.next_session();
        self.session.set_value(session);
        self.warm_up();
        let begun = self.pool.with_value(|pool| match pool {
            Some(pool) => pool.broadcast(&Request::Begin { session, grid: plan.grid, holding }),
            None => Err("there are no preview workers".into()),
        });
        if let Err(e) = begun {
            return self.problem.set(Some(e));
        }
        self.pool_used.set_value(true);
        self.busy_at_start
            .set_value(self.pool.with_value(|p| p.as_ref().map(Pool::busy).unwrap_or_default()));
        self.live.set(true);
        let tiles: Vec<(TileId, usize)> =
            plan.rows.iter().filter(|r| r.is_sent()).filter_map(|r| Some((r.tile?, r.file?))).collect();
        self.send_tiles(session, tiles);
    }

    /// Sends `tiles` (with their source) as workers have room, [`READERS`] at a time: a fetch
    /// waits on the network, so one at a time would leave the workers idle. A picked file goes to
    /// its worker unread, and the worker reads it while it decodes the tiles before it.
    pub(super) fn send_tiles(self, session: SessionId, tiles: Vec<(TileId, usize)>) {
        if tiles.is_empty() {
            return;
        }
        let queue = Rc::new(RefCell::new(tiles.into_iter()));
        for _ in 0..READERS {
            let queue = queue.clone();
            leptos::task::spawn_local(async move {
                loop {
                    // Cancel or a new merge ends this one: stop reading its files.
                    if !self.wait_for_room(session, None).await {
                        return;
                    }
                    let Some((tile, file)) = queue.borrow_mut().next() else { return };
                    if let Err(reason) = self.send_tile(session, tile, file, None).await {
                        self.settle(session, tile, TileStatus::Failed(reason));
                    }
                }
            });
        }
    }

    /// Waits until `worker` (or any worker) has room for another tile; false once the merge or
    /// export `session` is over (cancelled, replaced, or the page closed): read no more files then.
    pub(super) async fn wait_for_room(self, session: SessionId, worker: Option<usize>) -> bool {
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

    /// Moves a tile's bytes to a worker (`worker`, or the least busy): fetched here from the farm,
    /// or, for a picked file, read by the worker itself.
    pub(super) async fn send_tile(
        self,
        session: SessionId,
        tile: TileId,
        file: usize,
        worker: Option<usize>,
    ) -> Result<(), String> {
        let source =
            self.sources.try_with_value(|s| s.get(file).cloned()).flatten().ok_or("the file is gone")?;
        let request = Request::Tile { session, tile, draw: Some(self.tile_draw()) };
        match source {
            // The worker reads a picked file itself: its bytes never pass through this thread.
            TileSource::File(file) => self.to_worker(worker, |pool, to| pool.send_file(to, &request, &file)),
            TileSource::Url(url) => {
                let started = browser::now();
                let bytes = browser::fetch_bytes(&url).await?;
                if !self.is_current(session) {
                    // Cancelled while the tile was fetched: its answer would only confuse the next merge.
                    return Ok(());
                }
                self.times.update_value(|t| t.reading += browser::now() - started);
                self.to_worker(worker, |pool, to| pool.send(to, &request, Some(&bytes)))
            }
        }
    }

    /// Sends with `send` to `worker`, or to the least busy one.
    fn to_worker(
        self,
        worker: Option<usize>,
        send: impl FnOnce(&Pool, usize) -> Result<(), String>,
    ) -> Result<(), String> {
        self.pool
            .try_with_value(|pool| {
                let pool = pool.as_ref().ok_or("the merge was cancelled")?;
                send(pool, worker.unwrap_or_else(|| pool.least_busy()))
            })
            .unwrap_or_else(|| Err("the page was closed".into()))
    }

    /// Checks the memory estimate again once a header told the size of a pixel; stops the merge
    /// with the figures when it no longer fits.
    pub(super) fn refine_memory(self, pixel_bytes: u64) {
        let Some(Some(needs)) = self.memory.try_get_value() else { return };
        self.memory.set_value(None);
        let needs = MemoryPlan { pixel_bytes: pixel_bytes.max(1), ..needs };
        if memory::refusal(&needs, &Budget::for_browser(browser::device_memory())).is_some() {
            // Too large to hold whole after all: the same tiles are merged again, as levels.
            self.levels.forced.set_value(true);
            if let Some(plan) = self.levels.begun.get_value() {
                self.stop();
                self.begin(Ok(plan));
            }
        }
    }

    /// Records a tile's outcome; once every tile is answered, the image is drawn.
    pub(super) fn settle(self, session: SessionId, tile: TileId, status: TileStatus) {
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
    pub(super) fn apply_settled(self) {
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
        let at = browser::now() - self.started_at.get_value();
        self.times.update_value(|t| t.all_placed = at);
        if self.plan.with_untracked(|p| matches!(p, Some(Ok(p)) if p.progress().is_finished())) {
            self.render();
        }
    }

    /// Counts a worker's pixels drawn; once every worker has drawn, the view is on screen.
    pub(super) fn note_drawn(self) {
        self.workers_drawn.set_value(self.workers_drawn.get_value() + 1);
        if self.workers_drawn.get_value() >= self.workers() {
            self.note_frame_on_screen();
        }
    }

    /// The view is on screen: for the first complete merge, its time, where the time went and
    /// its memory are recorded (shown to the user, and read by the benchmark).
    pub(super) fn note_frame_on_screen(self) {
        let complete = self.plan.with_untracked(|p| matches!(p, Some(Ok(p)) if p.is_complete()));
        let workers =
            self.pool.with_value(|pool| pool.as_ref().map(|p| (p.size(), p.peak_memory(), p.busy())));
        let Some((size, worker_bytes, busy)) = workers else { return };
        if complete && self.frame.get_untracked().is_none() {
            let since = self.busy_at_start.get_value();
            let times = FrameTimes {
                worker_tiles: busy.tiles - since.tiles,
                worker_render: busy.render - since.render,
                ..self.times.get_value()
            };
            self.frame.set(Some(FrameFigures {
                millis: browser::now() - self.started_at.get_value(),
                times,
                workers: size,
                worker_bytes,
                page_bytes: browser::wasm_memory_bytes(),
            }));
        }
    }
}
