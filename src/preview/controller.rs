//! The merge's controller: the page's state as signals and the pool of workers. The components
//! call its methods; none of them holds logic of its own. Its methods are grouped by what they do:
//! what is merged (`sources`), a merge's run (`run`), the export and seam check (`files`), the
//! workers' answers (`answers`) and the viewer (`viewing`).

use std::rc::Rc;

use leptos::prelude::*;
use tilemerge::{Compression, ExrLayout, TileId, DEFAULT_OVERSCAN};
use web_sys::File;

use super::browser;
use super::memory::MemoryPlan;
use super::model::{FrameFigures, Passes, PickedFile, Plan, PlanError, TileStatus};
use super::seams::SeamCheck;
use super::timing::FrameTimes;
use super::worker::pool::{pool_size, Pool, WorkerTime};
use super::worker::protocol::SessionId;

/// Where a tile's bytes come from.
#[derive(Clone)]
pub enum TileSource {
    /// A picked or dropped file.
    File(File),
    /// A URL fetched over HTTP (a job's storage, or a folder URL's listing).
    Url(String),
}

mod answers;
mod compare;
mod export_stream;
mod files;
mod inspect;
mod levels;
mod measure;
mod progressive;
mod rectangle;
mod render_time;
mod run;
mod sources;
mod viewing;

pub use compare::{
    decibels, figure, CompareMode, CompareSource, Comparing, DifferenceLook, Figures, JobsState, PageJob,
    ReferenceState,
};
pub use inspect::{Inspector, MetadataState, Subject};
pub use levels::Levels;
pub use measure::{HistogramShown, HistogramState, Measure, StatsShown, StatsState};
pub use rectangle::{RectField, RectPointer};
pub use render_time::{timed_tiles, TimedTile, RAMP};
pub use viewing::{ProbeShown, Viewing};

/// The name the merged EXR is saved under.
pub const EXR_FILE_NAME: &str = "merged.exr";

/// The name a PNG of the view is saved under: the pass on screen, without path separators.
pub fn png_file_name(pass: Option<&str>) -> String {
    format!("{}.png", pass.unwrap_or("view").replace(['/', '\\'], "_"))
}

/// Where the export is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportState {
    /// Nothing exported yet.
    Idle,
    /// A worker is writing the EXR.
    Working,
    /// The file is ready at this `blob:` URL; `started` says whether its download began by itself
    /// (when it did not, the link shown is the way to it).
    Ready { url: String, started: bool },
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
    /// The metadata panel's subject and answer.
    pub inspector: Inspector,
    /// The histogram, the rectangle's statistics and the render-time overlay.
    pub measure: Measure,
    /// The A/B comparison: B, how it is shown, the figures.
    pub compare: Comparing,
    /// A frame held as levels, and the detail drawn where the view zooms in.
    pub levels: Levels,
    pool: StoredValue<Option<Pool>, LocalStorage>,
    session: StoredValue<SessionId>,
    /// The first worker's session holding every placed tile's file, for the export and the seam
    /// check, and whether all of them have been sent to it.
    export_session: StoredValue<Option<SessionId>>,
    files_sent: StoredValue<bool>,
    next_id: StoredValue<SessionId>,
    /// When the merge began (`performance.now()`), and the workers that drew the latest render.
    started_at: StoredValue<f64>,
    /// Where the merge's time goes, and the workers' time spent before it began.
    times: StoredValue<FrameTimes>,
    busy_at_start: StoredValue<WorkerTime>,
    /// The tiles on the canvas drawn as they were placed.
    progressive: StoredValue<progressive::Progressive>,
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
            inspector: Inspector::new(),
            measure: Measure::new(),
            compare: Comparing::new(),
            levels: Levels::new(),
            pool: StoredValue::new_local(None),
            session: StoredValue::new(0),
            export_session: StoredValue::new(None),
            files_sent: StoredValue::new(false),
            next_id: StoredValue::new(0),
            started_at: StoredValue::new(0.0),
            times: StoredValue::new(FrameTimes::default()),
            busy_at_start: StoredValue::new(WorkerTime::default()),
            progressive: StoredValue::new(Default::default()),
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
