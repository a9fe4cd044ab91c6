//! A/B comparison, the page's side: what B is (a reference EXR the user picks, sent to every
//! worker, another pass of the merge, or another job's merge, see `job_source`), how the two are
//! shown (wipe, side by side, difference, toggle), and the figures: each worker compares its own
//! tiles and the page merges their sums, gathered by ticket like the inspector's answers, into
//! exact figures over the whole image.

use js_sys::ArrayBuffer;
use leptos::prelude::*;
use tilemerge::analysis::{Comparison, DifferencePartial, DifferenceView};
use tilemerge::view::{Mapping, ValueRange};
use tilemerge::{PassKind, Rect};
use web_sys::File;

use super::Preview;
use crate::preview::browser;
use crate::preview::worker::protocol::{Other, Request, SessionId};

mod choices;
mod gather;
mod job_source;
mod other_job;

pub use choices::{decibels, figure, CompareMode, CompareSource, DifferenceLook};
use gather::{CompareGather, ReferenceGather};
pub use other_job::{JobLoad, JobsState, PageJob};

/// The reference file, as the workers have it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ReferenceState {
    /// None picked.
    #[default]
    None,
    /// Sent to the workers, which are checking it.
    Loading(String),
    /// Every worker holds it; its passes (full names).
    Ready { name: String, passes: Vec<String> },
    /// It cannot be used, and why.
    Failed(String),
}

/// The comparison's figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Figures {
    /// Nothing compared.
    #[default]
    Idle,
    /// The workers are comparing (the figures shown before stay until the new ones come).
    Working,
    /// The figures of A's pass against B's.
    Ready { a: String, b: String, comparison: Comparison },
    /// It could not be done, and why.
    Failed(String),
}

/// The comparison's state; cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct Comparing {
    /// What B is.
    pub source: RwSignal<CompareSource>,
    pub reference: RwSignal<ReferenceState>,
    /// B's pass as chosen; `None`: A's pass in the reference, or the merge's first other pass.
    pub other_pass: RwSignal<Option<String>>,
    pub mode: RwSignal<CompareMode>,
    pub look: RwSignal<DifferenceLook>,
    /// Multiplier of the difference picture.
    pub gain: RwSignal<f32>,
    /// A pixel differing by more than this in a channel counts as over it.
    pub threshold: RwSignal<f32>,
    pub figures: RwSignal<Figures>,
    /// The job whose merge this is (none on the file preview): another job's merge can be B.
    pub page_job: RwSignal<Option<PageJob>>,
    /// The jobs offered as B, the one chosen (its id) and its tiles on their way.
    pub jobs: RwSignal<JobsState>,
    pub other_job: RwSignal<Option<String>>,
    pub load: RwSignal<JobLoad>,
    /// Whether the toggle shows B (else A).
    pub show_b: RwSignal<bool>,
    /// The wipe's divider, in image pixels from the left (`None`: the middle).
    pub wipe: RwSignal<Option<f64>>,
    /// Where B, B again (the side-by-side pane) and the difference are drawn.
    pub other_canvas: NodeRef<leptos::html::Canvas>,
    pub side_canvas: NodeRef<leptos::html::Canvas>,
    pub difference_canvas: NodeRef<leptos::html::Canvas>,
    file: StoredValue<Option<File>, LocalStorage>,
    /// The merge whose workers were sent the reference.
    sent_to: StoredValue<Option<SessionId>>,
    referenced: StoredValue<ReferenceGather>,
    gather: StoredValue<CompareGather>,
    render_ticket: StoredValue<u32>,
}

impl Comparing {
    /// Nothing compared: wipe, heat map at gain 1, threshold 0.01.
    pub fn new() -> Comparing {
        Comparing {
            source: RwSignal::new(CompareSource::None),
            reference: RwSignal::new(ReferenceState::None),
            other_pass: RwSignal::new(None),
            mode: RwSignal::new(CompareMode::Wipe),
            look: RwSignal::new(DifferenceLook::Heat),
            gain: RwSignal::new(1.0),
            threshold: RwSignal::new(0.01),
            figures: RwSignal::new(Figures::Idle),
            page_job: RwSignal::new(None),
            jobs: RwSignal::new(JobsState::Idle),
            other_job: RwSignal::new(None),
            load: RwSignal::new(JobLoad::default()),
            show_b: RwSignal::new(false),
            wipe: RwSignal::new(None),
            other_canvas: NodeRef::new(),
            side_canvas: NodeRef::new(),
            difference_canvas: NodeRef::new(),
            file: StoredValue::new_local(None),
            sent_to: StoredValue::new(None),
            referenced: StoredValue::new(ReferenceGather::default()),
            gather: StoredValue::new(CompareGather::default()),
            render_ticket: StoredValue::new(0),
        }
    }

    /// Whether B is shown at all (a source chosen and, for a file, the file ready).
    pub fn active(self) -> bool {
        match self.source.get() {
            CompareSource::None => false,
            CompareSource::Pass => true,
            CompareSource::Reference => self.reference.with(|r| matches!(r, ReferenceState::Ready { .. })),
            CompareSource::OtherJob => self.load.with(JobLoad::is_ready),
        }
    }

    /// `active`, read outside reactive tracking (pointer handlers).
    pub fn active_untracked(self) -> bool {
        untrack(|| self.active())
    }
}

impl Default for Comparing {
    fn default() -> Comparing {
        Comparing::new()
    }
}

impl Preview {
    /// A reference file picked: every worker gets its own copy to check and keep.
    pub fn pick_reference(self, file: Option<File>) {
        let compare = self.compare;
        compare.file.set_value(file.clone());
        compare.sent_to.set_value(None);
        match file {
            Some(file) => {
                compare.source.set(CompareSource::Reference);
                compare.reference.set(ReferenceState::Loading(file.name()));
                self.send_reference();
            }
            None => compare.reference.set(ReferenceState::None),
        }
    }

    /// Reads the picked reference and sends it to the running merge's workers.
    fn send_reference(self) {
        let Some(Some(file)) = self.compare.file.try_get_value() else { return };
        let workers = self.workers();
        if !self.live.get_untracked() || workers == 0 {
            return;
        }
        let session = self.session.get_value();
        self.compare.sent_to.set_value(Some(session));
        self.compare.referenced.set_value(ReferenceGather::new(session, file.name()));
        self.compare.reference.set(ReferenceState::Loading(file.name()));
        leptos::task::spawn_local(async move {
            let sent = match browser::read_file(&file).await {
                Ok(bytes) => self.send_to_all(session, &Request::Reference { session }, &bytes, workers),
                Err(e) => Err(format!("cannot read {}: {e}", file.name())),
            };
            if let Err(reason) = sent {
                self.compare.reference.try_set(ReferenceState::Failed(reason));
            }
        });
    }

    /// Moves a copy of `bytes` to each worker (a transferred buffer leaves the page).
    fn send_to_all(
        self,
        session: SessionId,
        request: &Request,
        bytes: &ArrayBuffer,
        workers: usize,
    ) -> Result<(), String> {
        if self.session.try_get_value() != Some(session) {
            return Ok(());
        }
        self.pool
            .try_with_value(|pool| {
                let pool = pool.as_ref().ok_or("the merge was cancelled")?;
                (0..workers.min(pool.size())).try_for_each(|i| pool.send(i, request, Some(&bytes.slice(0))))
            })
            .unwrap_or_else(|| Err("the page was closed".into()))
    }

    /// A worker's answer to the reference.
    pub(super) fn referenced(self, session: SessionId, outcome: Result<Vec<String>, String>) {
        let workers = self.workers();
        let done = self.compare.referenced.try_update_value(|g| g.take(session, outcome, workers));
        if let Some(Some(state)) = done {
            self.compare.reference.set(state);
        }
    }

    /// B as the workers name it, once there is one to compare.
    fn other(self) -> Option<Other> {
        let compare = self.compare;
        let a = self.pass.get_untracked()?;
        let chosen = compare.other_pass.get_untracked();
        match compare.source.get_untracked() {
            CompareSource::None => None,
            CompareSource::Reference => compare.reference.with_untracked(|r| match r {
                ReferenceState::Ready { passes, .. } => {
                    let pass = chosen
                        .filter(|p| passes.contains(p))
                        .or_else(|| passes.iter().find(|p| **p == a).or(passes.first()).cloned())?;
                    Some(Other::Reference(pass))
                }
                _ => None,
            }),
            CompareSource::Pass => self.passes.with_untracked(|passes| {
                let pass = chosen
                    .filter(|p| passes.0.contains(p))
                    .or_else(|| passes.0.iter().find(|p| **p != a).cloned())?;
                Some(Other::Pass(pass))
            }),
            // The same pass of the other job, unless another is chosen.
            CompareSource::OtherJob => compare.load.with_untracked(|load| {
                let current = load.session == self.session.get_value();
                (current && load.is_ready())
                    .then(|| Other::Job { job: load.job.clone(), pass: chosen.unwrap_or(a) })
            }),
        }
    }

    /// B in words, for the figures' caption.
    fn describe_other(self, other: &Other) -> String {
        match other {
            Other::Reference(pass) => format!("{pass} of the reference"),
            Other::Pass(pass) => pass.clone(),
            Other::Job { pass, .. } => {
                self.compare.load.with_untracked(|l| format!("{pass} of \"{}\"", l.name))
            }
        }
    }

    /// Compares the pass on screen with B once every tile is answered, and draws B; the figures
    /// come from every worker's share.
    pub fn request_compare(self) {
        let finished = self.plan.with_untracked(|p| matches!(p, Some(Ok(p)) if p.progress().is_finished()));
        if !finished || !self.live.get_untracked() || self.workers() == 0 {
            return;
        }
        let compare = self.compare;
        let session = self.session.get_value();
        if compare.source.get_untracked() == CompareSource::Reference
            && compare.sent_to.get_value() != Some(session)
        {
            // A new merge since the file was sent: its workers need it (the answer asks again).
            return self.send_reference();
        }
        let load_session = compare.load.with_untracked(|l| l.session);
        if compare.source.get_untracked() == CompareSource::OtherJob
            && compare.other_job.with_untracked(Option::is_some)
            && load_session != session
        {
            // A new merge since the other job's tiles were sent: its workers need them.
            return self.load_job();
        }
        let (Some(pass), Some(other)) = (self.pass.get_untracked(), self.other()) else {
            // Nothing to compare with (yet): said once, not redrawn at every change of the view.
            if compare.figures.with_untracked(|f| *f != Figures::Idle) {
                compare.figures.set(Figures::Idle);
            }
            return;
        };
        let gain = finite_or(compare.gain.get_untracked(), 1.0);
        let view = match compare.look.get_untracked() {
            DifferenceLook::Absolute => DifferenceView::Absolute { gain },
            DifferenceLook::Heat => DifferenceView::Heat { gain },
        };
        let threshold = finite_or(compare.threshold.get_untracked(), 0.0).max(0.0);
        let ticket = compare.gather.with_value(|g| g.ticket()).wrapping_add(1);
        compare.gather.set_value(CompareGather::new(ticket, pass.clone(), self.describe_other(&other)));
        if !matches!(compare.figures.get_untracked(), Figures::Ready { .. }) {
            compare.figures.set(Figures::Working);
        }
        let request = Request::Compare { session, ticket, pass, other: other.clone(), threshold, view };
        self.with_pool(|pool| pool.broadcast(&request));
        self.render_other(other);
    }

    /// Asks the workers to draw B the way A is drawn.
    fn render_other(self, other: Other) {
        let viewing = self.viewing;
        let mapping = match viewing.kind.get_untracked() {
            Some(PassKind::Data) => Mapping::FalseColour {
                range: viewing.range.get_untracked().unwrap_or(ValueRange { min: 0.0, max: 1.0 }),
            },
            _ => Mapping::Srgb { exposure: finite_or(self.exposure.get_untracked(), 0.0) },
        };
        let ticket = self.compare.render_ticket.get_value().wrapping_add(1);
        self.compare.render_ticket.set_value(ticket);
        let (session, channel) = (self.session.get_value(), viewing.channel.get_untracked());
        self.with_pool(|pool| {
            pool.broadcast(&Request::RenderOther { session, ticket, other, channel, mapping })
        });
    }

    /// A worker's share of the comparison: its picture drawn, its sums merged; the last one
    /// shows the figures.
    pub(super) fn compared(
        self,
        ticket: u32,
        outcome: Result<Option<Box<DifferencePartial>>, String>,
        (width, height, regions): (u32, u32, Vec<Rect>),
        buffer: Option<ArrayBuffer>,
    ) {
        let workers = self.workers();
        let Some(Some(first)) =
            self.compare.gather.try_with_value(|g| g.wants(ticket).then(|| g.answers() == 0))
        else {
            return;
        };
        let canvas = self.compare.difference_canvas.get_untracked();
        if let (Some(canvas), Some(rgba)) = (canvas, buffer) {
            let fresh = first && (canvas.width() != width || canvas.height() != height);
            let drawn = if fresh { browser::reset_canvas(&canvas, width, height) } else { Ok(()) }
                .and_then(|()| browser::draw_regions(&canvas, width, height, &regions, &rgba));
            if let Err(e) = drawn {
                self.problem.set(Some(format!("Cannot draw the difference: {e}")));
            }
        }
        if let Some(Some(figures)) = self.compare.gather.try_update_value(|g| g.take(outcome, workers)) {
            self.compare.figures.set(figures);
        }
    }

    /// A worker's pixels of B, drawn where it holds tiles.
    pub(super) fn rendered_other(
        self,
        ticket: u32,
        (width, height, regions): (u32, u32, Vec<Rect>),
        rgba: ArrayBuffer,
    ) {
        if ticket != self.compare.render_ticket.get_value() {
            return;
        }
        for canvas in [self.compare.other_canvas, self.compare.side_canvas]
            .map(|c| c.get_untracked())
            .into_iter()
            .flatten()
        {
            let sized = if canvas.width() != width || canvas.height() != height {
                browser::reset_canvas(&canvas, width, height)
            } else {
                Ok(())
            };
            if let Err(e) = sized.and_then(|()| browser::draw_packed(&canvas, &regions, &rgba)) {
                self.problem.set(Some(format!("Cannot draw B: {e}")));
            }
        }
    }

    /// The toggle: A or B (switching to the toggle view when another is shown).
    pub fn toggle_ab(self) {
        let compare = self.compare;
        if compare.mode.get_untracked() != CompareMode::Toggle {
            compare.mode.set(CompareMode::Toggle);
            compare.show_b.set(true);
        } else {
            compare.show_b.update(|b| *b = !*b);
        }
    }

    /// The wipe's divider moved to image x `x` (clamped to the image).
    pub fn move_wipe(self, x: f64) {
        let width = self.plan.with_untracked(|p| match p {
            Some(Ok(plan)) => f64::from(plan.grid.image.width),
            _ => 0.0,
        });
        if x.is_finite() {
            self.compare.wipe.set(Some(x.clamp(0.0, width)));
        }
    }

    /// The divider under a pointer at client x.
    pub fn drag_wipe(self, client_x: f64) {
        let Some(viewport) = self.viewing.viewport.get_untracked() else { return };
        let t = self.viewing.transform.get_untracked();
        let (x, _) = t.to_image(client_x - viewport.get_bounding_client_rect().left(), 0.0);
        self.move_wipe(x);
    }

    /// The divider's place in image pixels.
    pub fn wipe_at(self) -> f64 {
        let width = self.plan.with(|p| match p {
            Some(Ok(plan)) => f64::from(plan.grid.image.width),
            _ => 0.0,
        });
        self.compare.wipe.get().map_or(width / 2.0, |x| x.min(width))
    }
}

/// `v`, or `or` when it is not a number (typed `inf`, or nothing).
fn finite_or(v: f32, or: f32) -> f32 {
    if v.is_finite() {
        v
    } else {
        or
    }
}
