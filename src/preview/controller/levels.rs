//! A frame held as levels (see [`crate::preview::levels`]): the view shows the base level on
//! the canvas, and once the view settles zoomed in past it, the workers draw the part on screen
//! at the level the zoom needs onto a detail canvas laid over it.

use js_sys::ArrayBuffer;
use leptos::prelude::*;
use tilemerge::pyramid::{level_size, rect_at_level};
use tilemerge::view::Mapping;
use tilemerge::{Rect, Size};

use super::Preview;
use crate::preview::browser;
use crate::preview::levels::Detail;
use crate::preview::model::Plan;
use crate::preview::view::Channel;
use crate::preview::worker::protocol::Request;

/// How long the view must rest before its detail is asked for: a wheel or a drag sends dozens
/// of changes a second, and each detail decodes tiles.
const SETTLE_MS: i32 = 120;

/// The drawing on screen: the pass, channel and mapping the canvas was drawn with.
#[derive(Debug, Clone, PartialEq)]
struct Drawing {
    pass: String,
    channel: Channel,
    mapping: Mapping,
}

/// The detail asked for, and how many workers have answered.
#[derive(Debug, Clone, Default)]
struct DetailGather {
    ticket: u32,
    asked: Option<(Detail, Drawing)>,
    answers: usize,
    started: f64,
}

/// The levels side of the preview; cheap to copy.
#[derive(Clone, Copy)]
pub struct Levels {
    /// The base level when the merge on screen is held as levels.
    pub base: RwSignal<Option<u8>>,
    /// Whether the user asked for levels even when the frame fits whole.
    pub preferred: RwSignal<bool>,
    /// The detail on the detail canvas (where it lies over the image), once drawn.
    pub shown: RwSignal<Option<Detail>>,
    /// How long the latest detail took, from asking to the last worker's pixels on screen.
    pub detail_ms: RwSignal<Option<f64>>,
    /// The workers' peak WebAssembly memory, in bytes and summed, once that detail was drawn.
    pub peak_bytes: RwSignal<Option<f64>>,
    /// A streamed export's tiles placed and their number, while it is written.
    pub export_progress: RwSignal<Option<(usize, usize)>>,
    /// The detail canvas.
    pub canvas: NodeRef<leptos::html::Canvas>,
    /// Set when a merge begun whole turned out too large: the next start holds it as levels.
    pub(super) forced: StoredValue<bool>,
    /// The plan the merge on screen began with, to begin it again as levels.
    pub(super) begun: StoredValue<Option<Plan>>,
    drawing: StoredValue<Option<Drawing>>,
    gather: StoredValue<DetailGather>,
    /// Counts view changes, so only the last of a burst asks for a detail.
    changes: StoredValue<u32>,
}

impl Levels {
    pub fn new() -> Levels {
        Levels {
            base: RwSignal::new(None),
            preferred: RwSignal::new(false),
            shown: RwSignal::new(None),
            detail_ms: RwSignal::new(None),
            peak_bytes: RwSignal::new(None),
            export_progress: RwSignal::new(None),
            canvas: NodeRef::new(),
            forced: StoredValue::new(false),
            begun: StoredValue::new(None),
            drawing: StoredValue::new(None),
            gather: StoredValue::new(DetailGather::default()),
            changes: StoredValue::new(0),
        }
    }

    /// Forgets the detail of an earlier merge.
    pub(super) fn restart(self, base: Option<u8>) {
        self.base.set(base);
        self.shown.set(None);
        self.detail_ms.set(None);
        self.drawing.set_value(None);
        self.gather
            .update_value(|g| *g = DetailGather { ticket: g.ticket.wrapping_add(1), ..Default::default() });
    }
}

impl Default for Levels {
    fn default() -> Levels {
        Levels::new()
    }
}

impl Preview {
    /// The size of the canvas the view is drawn on: the image's, or its base level's.
    pub(super) fn canvas_size(self, image: Size) -> Size {
        match self.levels.base.get_untracked() {
            Some(base) => level_size(image, base),
            None => image,
        }
    }

    /// The view was drawn with `pass`, `channel` and `mapping`: a detail shown with another
    /// drawing is drawn again.
    pub(super) fn drawn_with(self, pass: &str, channel: Channel, mapping: Mapping) {
        if self.levels.base.get_untracked().is_none() {
            return;
        }
        let drawing = Drawing { pass: pass.to_string(), channel, mapping };
        self.levels.drawing.set_value(Some(drawing));
        // The view is drawn when tiles arrive too: a detail asked for before holds fewer.
        self.levels.gather.update_value(|g| g.asked = None);
        self.ask_detail();
    }

    /// The view moved: its detail is asked for once it rests.
    pub fn view_changed(self) {
        if self.levels.base.get_untracked().is_none() {
            return;
        }
        let change = self.levels.changes.get_value().wrapping_add(1);
        self.levels.changes.set_value(change);
        leptos::task::spawn_local(async move {
            crate::ui::yield_now::sleep(SETTLE_MS).await;
            if self.levels.changes.try_get_value() == Some(change) {
                self.ask_detail();
            }
        });
    }

    /// Asks the workers for the detail the view needs, unless the one shown or asked for
    /// serves it; hides the detail when the base level is sharp enough.
    fn ask_detail(self) {
        let (Some(base), Some(drawing)) = (self.levels.base.get_untracked(), self.levels.drawing.get_value())
        else {
            return;
        };
        let (Some(image), Some(viewport)) = (self.image_size(), self.viewport_extent()) else { return };
        let transform = self.viewing.transform.get_untracked();
        let Some(wanted) = Detail::wanted(transform, viewport, image, base) else {
            self.levels.gather.update_value(|g| {
                *g = DetailGather { ticket: g.ticket.wrapping_add(1), ..Default::default() }
            });
            return self.levels.shown.set(None);
        };
        let serves = |detail: &Detail, with: &Drawing| {
            *with == drawing && detail.covers(&wanted, transform, viewport, image)
        };
        let asked = self.levels.gather.with_value(|g| g.asked.as_ref().is_some_and(|(d, w)| serves(d, w)));
        if asked {
            return;
        }
        let mut ticket = 0;
        self.levels.gather.update_value(|g| {
            ticket = g.ticket.wrapping_add(1);
            *g = DetailGather {
                ticket,
                asked: Some((wanted, drawing.clone())),
                answers: 0,
                started: browser::now(),
            };
        });
        let Drawing { pass, channel, mapping } = drawing;
        let request = Request::Detail {
            session: self.session.get_value(),
            ticket,
            pass,
            channel,
            mapping,
            level: wanted.level,
            region: wanted.region,
        };
        self.with_pool(|pool| pool.broadcast(&request));
    }

    /// A worker's part of a detail: the first answer makes the detail canvas the detail's size
    /// and puts it in place; each draws its pixels.
    pub(super) fn detailed(self, ticket: u32, regions: Vec<Rect>, pixels: Option<ArrayBuffer>) {
        let workers = self.workers();
        let answer = self.levels.gather.try_update_value(|g| {
            if g.ticket != ticket || g.answers >= workers {
                return None;
            }
            g.answers += 1;
            Some((g.asked.as_ref().map(|(d, _)| *d)?, g.answers, g.started))
        });
        let Some(Some((detail, answers, started))) = answer else { return };
        let Some(canvas) = self.levels.canvas.get_untracked() else { return };
        if answers == 1 {
            let size = detail.pixels();
            if let Err(e) = browser::reset_canvas(&canvas, size.width, size.height) {
                return self.problem.set(Some(e));
            }
            self.levels.shown.set(Some(detail));
        }
        if let Some(pixels) = pixels {
            let origin = rect_at_level(detail.region, detail.level);
            let local: Vec<Rect> = regions
                .iter()
                .map(|r| Rect { x: r.x.saturating_sub(origin.x), y: r.y.saturating_sub(origin.y), ..*r })
                .collect();
            if let Err(e) = browser::draw_packed(&canvas, &local, &pixels) {
                return self.problem.set(Some(format!("Cannot draw the image: {e}")));
            }
        }
        if answers == workers {
            self.levels.detail_ms.set(Some(browser::now() - started));
            self.levels.peak_bytes.set(self.pool.with_value(|p| p.as_ref().map(|p| p.peak_memory())));
        }
    }
}
