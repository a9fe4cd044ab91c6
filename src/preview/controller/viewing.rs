//! The viewer's side of the controller: how the pass on screen is drawn (the workers' ranges are
//! gathered first, so false colour spans the whole image), zoom and pan, the pixel probe (one
//! request in flight at a time) and the PNG of the view.

use leptos::prelude::*;
use tilemerge::view::{Mapping, ValueRange};
use tilemerge::{PassKind, Size};

use super::{CompareMode, ExportState, Preview, RectPointer};
use crate::preview::browser;
use crate::preview::keys::{Cycle, ViewKey};
use crate::preview::view::{wheel_factor, Channel, Extent, Gesture, ProbeReading, Step, Transform};
use crate::preview::worker::pool::Pool;
use crate::preview::worker::protocol::{Request, SessionId};

/// What the probe panel shows for the probed pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeShown {
    /// The pixel, image coordinates from the top-left.
    pub x: u32,
    pub y: u32,
    /// Its values, or `None` when no placed tile covers it.
    pub reading: Option<ProbeReading>,
}

/// The viewer's state; cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct Viewing {
    /// The channel shown.
    pub channel: RwSignal<Channel>,
    /// The kind of the pass on screen and the range false colour spans, once the workers said.
    pub kind: RwSignal<Option<PassKind>>,
    pub range: RwSignal<Option<ValueRange>>,
    /// Where the image sits in the viewport.
    pub transform: RwSignal<Transform>,
    /// The element the image is zoomed and panned in.
    pub viewport: NodeRef<leptos::html::Div>,
    /// Whether the tile grid is drawn over the image.
    pub show_grid: RwSignal<bool>,
    /// The tile under the pointer, described (name, state, reason).
    pub hovered: RwSignal<Option<String>>,
    /// The probed pixel, and whether it stays put (clicked, typed, moved by keys) rather than
    /// following the pointer.
    pub probe: RwSignal<Option<(u32, u32)>>,
    pub pinned: RwSignal<bool>,
    /// The last answer for the probe.
    pub shown: RwSignal<Option<ProbeShown>>,
    /// The PNG of the view: a `blob:` URL once made.
    pub png: RwSignal<ExportState>,
    ranges: StoredValue<RangeGather>,
    probing: StoredValue<ProbeGather>,
    /// The merge whose pixels the canvas holds.
    drawn: StoredValue<Option<SessionId>>,
    /// Whether the view is fitted (and should stay so when the viewport changes size).
    fitted: StoredValue<bool>,
    /// The pointers pressed on the viewport.
    gesture: StoredValue<Gesture>,
}

/// The workers' answers to the latest `Range` request.
#[derive(Default)]
struct RangeGather {
    ticket: u32,
    pass: String,
    channel: Channel,
    answers: usize,
    kind: Option<PassKind>,
    range: Option<ValueRange>,
}

/// The probe request in flight, if any, and whether the probe moved meanwhile.
#[derive(Default)]
struct ProbeGather {
    asked: Option<(u32, u32)>,
    answers: usize,
    found: Option<ProbeReading>,
    again: bool,
}

impl Viewing {
    /// Nothing shown yet: colour channels, the grid on, the probe nowhere.
    pub fn new() -> Viewing {
        Viewing {
            channel: RwSignal::new(Channel::Rgb),
            kind: RwSignal::new(None),
            range: RwSignal::new(None),
            transform: RwSignal::new(Transform::default()),
            viewport: NodeRef::new(),
            show_grid: RwSignal::new(true),
            hovered: RwSignal::new(None),
            probe: RwSignal::new(None),
            pinned: RwSignal::new(false),
            shown: RwSignal::new(None),
            png: RwSignal::new(ExportState::Idle),
            ranges: StoredValue::new(RangeGather::default()),
            probing: StoredValue::new(ProbeGather::default()),
            drawn: StoredValue::new(None),
            fitted: StoredValue::new(true),
            gesture: StoredValue::new(Gesture::default()),
        }
    }

    /// Forgets requests in flight: their workers are gone.
    pub(super) fn forget_requests(self) {
        self.ranges.try_update_value(|r| *r = RangeGather { ticket: r.ticket, ..RangeGather::default() });
        self.probing.try_set_value(ProbeGather::default());
    }

    /// Forgets what was shown of an earlier merge (its readings, range and PNG).
    pub(super) fn restart(self) {
        self.forget_requests();
        self.shown.set(None);
        self.kind.set(None);
        self.range.set(None);
        self.hovered.set(None);
        self.drop_png();
    }

    /// Drops the PNG of an earlier view.
    fn drop_png(self) {
        self.png.try_update(|state| {
            if let ExportState::Ready { url, .. } = state {
                browser::revoke(url);
            }
            *state = ExportState::Idle;
        });
    }
}

impl Default for Viewing {
    fn default() -> Viewing {
        Viewing::new()
    }
}

impl Preview {
    pub(super) fn image_size(self) -> Option<Size> {
        self.plan.with_untracked(|p| match p {
            Some(Ok(plan)) => Some(plan.grid.image),
            _ => None,
        })
    }

    /// The SVG `viewBox` of the overlays drawn over the image, in image pixels.
    pub fn image_view_box(self) -> String {
        self.plan.with(|p| match p {
            Some(Ok(plan)) => format!("0 0 {} {}", plan.grid.image.width, plan.grid.image.height),
            _ => "0 0 1 1".to_string(),
        })
    }

    pub(super) fn workers(self) -> usize {
        self.pool.try_with_value(|p| p.as_ref().map(Pool::size)).flatten().unwrap_or(0)
    }

    /// Asks every worker for the pass's kind and range; [`Preview::ranged`] draws once all answered.
    pub(super) fn ask_range(self, pass: String) {
        let channel = self.viewing.channel.get_untracked();
        let mut ticket = 0;
        self.viewing.ranges.update_value(|r| {
            ticket = r.ticket.wrapping_add(1);
            *r = RangeGather { ticket, pass: pass.clone(), channel, ..RangeGather::default() };
        });
        self.with_pool(|pool| {
            pool.broadcast(&Request::Range { session: self.session.get_value(), ticket, pass, channel })
        });
    }

    /// A worker's range; the last one starts the drawing, in false colour over the whole range
    /// for data passes.
    pub(super) fn ranged(self, ticket: u32, kind: Option<PassKind>, range: Option<ValueRange>) {
        let workers = self.workers();
        let done = self.viewing.ranges.try_update_value(|r| {
            if r.ticket != ticket || r.answers >= workers {
                return None;
            }
            r.answers += 1;
            r.kind = r.kind.or(kind);
            r.range = ValueRange::merge_all([r.range, range]);
            (r.answers == workers).then(|| (r.pass.clone(), r.channel, r.kind, r.range))
        });
        let Some(Some((pass, channel, kind, range))) = done else { return };
        self.viewing.kind.set(kind);
        self.viewing.range.set(range);
        let mapping = match kind {
            Some(PassKind::Data) => {
                Mapping::FalseColour { range: range.unwrap_or(ValueRange { min: 0.0, max: 1.0 }) }
            }
            _ => Mapping::Srgb { exposure: finite_or_zero(self.exposure.get_untracked()) },
        };
        let session = self.session.get_value();
        self.canvas_for_session(session);
        self.viewing.drop_png();
        let draw = self.tile_draw();
        if kind == Some(PassKind::Colour) && draw.channel == channel && self.drawn_as_placed(&pass, draw) {
            // Every tile is on screen already, drawn as it was placed.
            self.note_frame_on_screen();
        } else {
            // The view drawn over the canvas replaces whatever tiles were drawn as placed.
            self.forget_drawn_as_placed();
            let render = Request::Render { session, pass: pass.clone(), channel, mapping };
            self.with_pool(|pool| pool.broadcast(&render));
        }
        self.drawn_with(&pass, channel, mapping);
        // Tiles may have arrived since the probe last read.
        self.request_probe();
    }

    /// Makes the canvas the image's size for `session`'s pixels, clearing it when it held
    /// another merge's (whose pixels may lie where this one has none); the old view of the same
    /// merge stays until the new one covers it, so nothing flickers. False when it cannot.
    pub(super) fn canvas_for_session(self, session: SessionId) -> bool {
        if self.viewing.drawn.get_value() == Some(session) {
            return true;
        }
        let (Some(canvas), Some(size)) = (self.canvas.get_untracked(), self.image_size()) else {
            return false;
        };
        let size = self.canvas_size(size);
        match browser::reset_canvas(&canvas, size.width, size.height) {
            Ok(()) => {
                self.viewing.drawn.set_value(Some(session));
                true
            }
            Err(e) => {
                self.problem.set(Some(e));
                false
            }
        }
    }

    /// Reads the probed pixel of the pass on screen from the workers; while a reading is in flight
    /// the newest position waits for it, so a moving pointer sends one request at a time.
    pub fn request_probe(self) {
        let (Some((x, y)), Some(pass)) = (self.viewing.probe.get_untracked(), self.pass.get_untracked())
        else {
            return;
        };
        if !self.live.get_untracked() || self.workers() == 0 {
            return;
        }
        let busy = self.viewing.probing.try_update_value(|p| {
            if p.asked.is_some() {
                p.again = true;
                true
            } else {
                *p = ProbeGather { asked: Some((x, y)), ..ProbeGather::default() };
                false
            }
        });
        if busy == Some(false) {
            let session = self.session.get_value();
            self.with_pool(|pool| pool.broadcast(&Request::Probe { session, pass, x, y }));
        }
    }

    /// A worker's reading of the probed pixel; the one whose tile covers it has values.
    pub(super) fn probed(self, x: u32, y: u32, reading: Option<ProbeReading>) {
        let workers = self.workers();
        let done = self.viewing.probing.try_update_value(|p| {
            if p.asked != Some((x, y)) {
                return None;
            }
            p.answers += 1;
            p.found = p.found.take().or(reading);
            (p.answers >= workers).then(|| (std::mem::take(p), x, y))
        });
        let Some(Some((gather, x, y))) = done else { return };
        self.viewing.shown.set(Some(ProbeShown { x, y, reading: gather.found }));
        if gather.again {
            self.request_probe();
        }
    }

    /// Moves the probe to an image pixel (clamped to the image); `pin` keeps it there.
    pub fn probe_at(self, x: u32, y: u32, pin: bool) {
        let Some(size) = self.image_size() else { return };
        let at = (x.min(size.width.saturating_sub(1)), y.min(size.height.saturating_sub(1)));
        if pin {
            self.viewing.pinned.set(true);
        }
        if self.viewing.probe.get_untracked() != Some(at) {
            self.viewing.probe.set(Some(at));
        }
    }

    /// Moves the probe by whole pixels (the arrow keys), pinning it.
    pub fn nudge_probe(self, dx: i64, dy: i64) {
        let (x, y) = self.viewing.probe.get_untracked().unwrap_or((0, 0));
        let shift = |v: u32, d: i64| u32::try_from((i64::from(v) + d).max(0)).unwrap_or(u32::MAX);
        self.probe_at(shift(x, dx), shift(y, dy), true);
    }

    /// Whether A and B are shown side by side, each in half the viewport.
    fn side_by_side(self) -> bool {
        self.compare.mode.get_untracked() == CompareMode::SideBySide && self.compare.active_untracked()
    }

    /// The size on screen of the pane the image is shown in: the viewport, or its left half side by
    /// side (B's pane on the right shows the same part of the image with the same transform).
    pub(super) fn viewport_extent(self) -> Option<Extent> {
        let rect = self.viewing.viewport.get_untracked()?.get_bounding_client_rect();
        let width = if self.side_by_side() { rect.width() / 2.0 } else { rect.width() };
        Some(Extent { width, height: rect.height() })
    }

    /// Changes the view with `change(transform, image, viewport)` (zoom or pan by the user).
    pub fn change_view(self, change: impl FnOnce(Transform, Extent, Extent) -> Transform) {
        let (Some(size), Some(viewport)) = (self.image_size(), self.viewport_extent()) else { return };
        let next = change(self.viewing.transform.get_untracked(), Extent::of(size), viewport);
        self.viewing.fitted.set_value(false);
        self.viewing.transform.set(next);
    }

    /// The whole image, as large as fits.
    pub fn fit(self) {
        self.change_view(|_, image, viewport| Transform::fit(image, viewport));
        self.viewing.fitted.set_value(true);
    }

    /// After the viewport changed size: fitted again if it was, else kept in bounds.
    pub fn refit(self) {
        if self.viewing.fitted.get_value() {
            self.fit();
        } else {
            self.change_view(|t, image, viewport| t.clamped(image, viewport));
        }
    }

    /// One image pixel per screen pixel.
    pub fn one_to_one(self) {
        self.change_view(|_, image, viewport| Transform::one_to_one(image, viewport));
    }

    /// A point of the page (client coordinates) in its pane's coordinates: side by side, a point in
    /// B's half maps to the same image pixel as the point as far into A's half.
    fn in_viewport(self, client_x: f64, client_y: f64) -> (f64, f64) {
        let Some(rect) = self.viewing.viewport.get_untracked().map(|v| v.get_bounding_client_rect()) else {
            return (client_x, client_y);
        };
        let (x, y) = (client_x - rect.left(), client_y - rect.top());
        let half = rect.width() / 2.0;
        if self.side_by_side() && x >= half {
            (x - half, y)
        } else {
            (x, y)
        }
    }

    /// The image pixel under a point of the page.
    fn pixel_under(self, client_x: f64, client_y: f64) -> Option<(u32, u32)> {
        let (x, y) = self.in_viewport(client_x, client_y);
        self.viewing.transform.get_untracked().pixel_at(x, y, self.image_size()?)
    }

    /// A pointer pressed on the viewport.
    pub fn pointer_down(self, id: i32, client_x: f64, client_y: f64) {
        let (x, y) = self.in_viewport(client_x, client_y);
        if self.rect_pointer(RectPointer::Press, self.viewing.transform.get_untracked().to_image(x, y)) {
            return;
        }
        self.viewing.gesture.update_value(|g| g.press(id, x, y));
    }

    /// A pointer moved over the viewport: drags or pinches when pressed, else moves the probe
    /// (unless it is pinned).
    pub fn pointer_move(self, id: i32, client_x: f64, client_y: f64) {
        let (x, y) = self.in_viewport(client_x, client_y);
        if self.rect_pointer(RectPointer::Move, self.viewing.transform.get_untracked().to_image(x, y)) {
            return;
        }
        let step = self.viewing.gesture.try_update_value(|g| g.move_to(id, x, y)).unwrap_or(Step::Hover);
        match step {
            Step::Hover if !self.viewing.pinned.get_untracked() => {
                if let Some((px, py)) = self.pixel_under(client_x, client_y) {
                    self.probe_at(px, py, false);
                }
            }
            Step::Hover => {}
            Step::Pan { dx, dy } => self.change_view(|t, image, view| t.pan(dx, dy, image, view)),
            Step::Pinch { factor, x, y, dx, dy } => self
                .change_view(|t, image, view| t.pan(dx, dy, image, view).zoom_at(factor, x, y, image, view)),
        }
    }

    /// A pointer let go (`cancelled`: taken by the browser); a click pins the probe where it was.
    pub fn pointer_up(self, id: i32, client_x: f64, client_y: f64, cancelled: bool) {
        let (x, y) = self.in_viewport(client_x, client_y);
        if self.rect_pointer(RectPointer::Release, self.viewing.transform.get_untracked().to_image(x, y)) {
            return;
        }
        let click = self.viewing.gesture.try_update_value(|g| g.release(id)).unwrap_or(false);
        if click && !cancelled {
            if let Some((px, py)) = self.pixel_under(client_x, client_y) {
                self.probe_at(px, py, true);
            }
        }
    }

    /// The wheel zooms about the pointer.
    pub fn wheel(self, client_x: f64, client_y: f64, delta_y: f64, delta_mode: u32) {
        let (x, y) = self.in_viewport(client_x, client_y);
        let factor = wheel_factor(delta_y, delta_mode);
        self.change_view(|t, image, view| t.zoom_at(factor, x, y, image, view));
    }

    /// A key pressed on the focused image; false when it means nothing here.
    pub fn key(self, key: &str, shift: bool) -> bool {
        let Some(action) = ViewKey::of(key, shift) else { return false };
        match action {
            ViewKey::MoveProbe { dx, dy } => self.nudge_probe(dx, dy),
            ViewKey::Zoom(factor) => self.change_view(|t, image, view| {
                t.zoom_at(factor, view.width / 2.0, view.height / 2.0, image, view)
            }),
            ViewKey::Fit => self.fit(),
            ViewKey::OneToOne => self.one_to_one(),
            ViewKey::Exposure(stops) => {
                self.exposure.update(|exposure| *exposure = finite_or_zero(*exposure + stops))
            }
            ViewKey::Pass(cycle) => self.step_pass(cycle),
            ViewKey::ToggleAb => self.toggle_ab(),
            ViewKey::Channel(cycle) => self.viewing.channel.update(|channel| {
                let at = Channel::ALL.iter().position(|c| c == channel);
                if let Some(next) = cycle.from(at, Channel::ALL.len()) {
                    *channel = Channel::ALL[next];
                }
            }),
        }
        true
    }

    /// Shows the next or previous pass of those the workers reported.
    fn step_pass(self, cycle: Cycle) {
        let next = self.passes.with_untracked(|passes| {
            let at = self.pass.with_untracked(|pass| passes.0.iter().position(|p| Some(p) == pass.as_ref()));
            cycle.from(at, passes.0.len()).and_then(|next| passes.0.get(next).cloned())
        });
        if let Some(pass) = next {
            self.pass.set(Some(pass));
        }
    }

    /// Makes a PNG of what the canvas shows, at image resolution, offered as a download.
    pub fn export_view_png(self) {
        let Some(canvas) = self.canvas.get_untracked() else { return };
        self.viewing.drop_png();
        self.viewing.png.set(ExportState::Working);
        leptos::task::spawn_local(async move {
            let made = browser::canvas_png(&canvas).await;
            let file_name = super::png_file_name(self.pass.get_untracked().as_deref());
            self.viewing.png.try_set(match made {
                Ok(url) => {
                    let started = browser::start_download(&url, &file_name).is_ok();
                    ExportState::Ready { url, started }
                }
                Err(e) => ExportState::Failed(e),
            });
        });
    }
}

/// Exposure typed as `inf` would make every pixel white and cannot travel as JSON.
pub(super) fn finite_or_zero(stops: f32) -> f32 {
    if stops.is_finite() {
        stops
    } else {
        0.0
    }
}
