//! The viewer's plain logic: where the image sits in its viewport (zoom and pan), which channel is
//! shown, the tiles drawn over it, and how a probed pixel's values read. The components in
//! [`super::parts`] only show this.

use serde::{Deserialize, Serialize};
use tilemerge::{Grid, Rect, Size, TileId};

use super::model::{Plan, TileStatus};

pub use tilemerge::view::Channel;

/// The smallest and largest zoom: a 16K image still fits a small screen, a pixel still fits it.
pub const MIN_SCALE: f64 = 1.0 / 64.0;
pub const MAX_SCALE: f64 = 64.0;

/// How much of the image stays on screen however far it is panned, in screen pixels.
pub const KEEP_VISIBLE: f64 = 48.0;

/// A width and height on screen, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Extent {
    pub width: f64,
    pub height: f64,
}

impl Extent {
    /// An image's size.
    pub fn of(size: Size) -> Extent {
        Extent { width: f64::from(size.width), height: f64::from(size.height) }
    }
}

/// Where the image is drawn in its viewport: image pixel `(u, v)` lands on screen at
/// `(x + u * scale, y + v * scale)`, both from the viewport's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    pub scale: f64,
    pub x: f64,
    pub y: f64,
}

impl Default for Transform {
    fn default() -> Transform {
        Transform { scale: 1.0, x: 0.0, y: 0.0 }
    }
}

impl Transform {
    /// The whole image, as large as fits, centred.
    pub fn fit(image: Extent, viewport: Extent) -> Transform {
        if image.width <= 0.0 || image.height <= 0.0 || viewport.width <= 0.0 || viewport.height <= 0.0 {
            return Transform::default();
        }
        let scale = (viewport.width / image.width).min(viewport.height / image.height);
        Transform::centred(scale.clamp(MIN_SCALE, MAX_SCALE), image, viewport)
    }

    /// One image pixel to one screen pixel, centred.
    pub fn one_to_one(image: Extent, viewport: Extent) -> Transform {
        Transform::centred(1.0, image, viewport)
    }

    fn centred(scale: f64, image: Extent, viewport: Extent) -> Transform {
        Transform {
            scale,
            x: (viewport.width - image.width * scale) / 2.0,
            y: (viewport.height - image.height * scale) / 2.0,
        }
    }

    /// Zoomed by `factor` (a wheel step or a pinch) about screen point `(px, py)`: the image
    /// pixel under that point stays under it (unless that would lose the image).
    pub fn zoom_at(self, factor: f64, px: f64, py: f64, image: Extent, viewport: Extent) -> Transform {
        if !factor.is_finite() || factor <= 0.0 {
            return self;
        }
        let scale = (self.scale * factor).clamp(MIN_SCALE, MAX_SCALE);
        let (u, v) = self.to_image(px, py);
        Transform { scale, x: px - u * scale, y: py - v * scale }.clamped(image, viewport)
    }

    /// Moved by `(dx, dy)` screen pixels.
    pub fn pan(self, dx: f64, dy: f64, image: Extent, viewport: Extent) -> Transform {
        Transform { x: self.x + dx, y: self.y + dy, ..self }.clamped(image, viewport)
    }

    /// The same zoom, moved just enough that at least [`KEEP_VISIBLE`] pixels of the image (or
    /// all of it, when smaller) stay inside the viewport on both axes.
    pub fn clamped(self, image: Extent, viewport: Extent) -> Transform {
        let axis = |offset: f64, length: f64, room: f64| {
            let keep = KEEP_VISIBLE.min(length).min(room);
            let (low, high) = (keep - length, room - keep);
            if low > high {
                offset
            } else {
                offset.clamp(low, high)
            }
        };
        Transform {
            scale: self.scale,
            x: axis(self.x, image.width * self.scale, viewport.width),
            y: axis(self.y, image.height * self.scale, viewport.height),
        }
    }

    /// The image position (fractional pixels) under a screen point.
    pub fn to_image(&self, px: f64, py: f64) -> (f64, f64) {
        ((px - self.x) / self.scale, (py - self.y) / self.scale)
    }

    /// The screen point of an image position.
    pub fn to_screen(&self, u: f64, v: f64) -> (f64, f64) {
        (self.x + u * self.scale, self.y + v * self.scale)
    }

    /// The image pixel under a screen point, when it is on the image.
    pub fn pixel_at(&self, px: f64, py: f64, image: Size) -> Option<(u32, u32)> {
        let (u, v) = self.to_image(px, py);
        let inside = u >= 0.0 && v >= 0.0 && u < f64::from(image.width) && v < f64::from(image.height);
        inside.then(|| (u.floor() as u32, v.floor() as u32))
    }

    /// The CSS `transform` that puts the image stack in place (with `transform-origin: 0 0`).
    pub fn css(&self) -> String {
        format!("translate({:.3}px, {:.3}px) scale({})", self.x, self.y, self.scale)
    }

    /// The zoom as people read it, e.g. `100 %`.
    pub fn percent(&self) -> String {
        let percent = self.scale * 100.0;
        if percent < 10.0 {
            format!("{percent:.1} %")
        } else {
            format!("{percent:.0} %")
        }
    }

    /// Whether image pixels are larger than screen pixels (then they are drawn as squares).
    pub fn magnified(&self) -> bool {
        self.scale > 1.0
    }
}

/// The zoom factor for a wheel event's vertical delta (`delta_mode` 0: pixels, 1: lines,
/// 2: pages): wheel up zooms in, one notch about 20 %.
pub fn wheel_factor(delta_y: f64, delta_mode: u32) -> f64 {
    let pixels = match delta_mode {
        0 => delta_y,
        1 => delta_y * 40.0,
        _ => delta_y * 400.0,
    };
    if !pixels.is_finite() {
        return 1.0;
    }
    (-pixels / 400.0).exp2().clamp(0.5, 2.0)
}

/// How far a press may move and still be a click (which pins the probe), in screen pixels.
pub const CLICK_SLOP: f64 = 4.0;

/// The pointers pressed on the viewport: one drags the image, two pinch it.
#[derive(Debug, Clone, Default)]
pub struct Gesture {
    down: Vec<(i32, f64, f64)>,
    travelled: f64,
    several: bool,
}

/// What a pointer's move does to the view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Nothing (a pointer that is not pressed: it only moves the probe).
    Hover,
    /// Move the image by this much.
    Pan { dx: f64, dy: f64 },
    /// Move the image by `dx`, `dy`, then zoom by `factor` about `(x, y)`.
    Pinch { factor: f64, x: f64, y: f64, dx: f64, dy: f64 },
}

impl Gesture {
    /// A pointer pressed at viewport point `(x, y)`.
    pub fn press(&mut self, id: i32, x: f64, y: f64) {
        if self.down.is_empty() {
            self.travelled = 0.0;
            self.several = false;
        }
        self.down.retain(|(p, _, _)| *p != id);
        self.down.push((id, x, y));
        self.several |= self.down.len() > 1;
    }

    /// A pointer moved to `(x, y)`.
    pub fn move_to(&mut self, id: i32, x: f64, y: f64) -> Step {
        let Some(i) = self.down.iter().position(|(p, _, _)| *p == id) else { return Step::Hover };
        let (_, old_x, old_y) = self.down[i];
        let other = self.down.iter().find(|(p, _, _)| *p != id).map(|(_, x, y)| (*x, *y));
        self.down[i] = (id, x, y);
        self.travelled += (x - old_x).hypot(y - old_y);
        match (self.down.len(), other) {
            (1, _) => Step::Pan { dx: x - old_x, dy: y - old_y },
            (2, Some((ox, oy))) => {
                let before = (old_x - ox).hypot(old_y - oy);
                let after = (x - ox).hypot(y - oy);
                let (mx, my) = ((x + ox) / 2.0, (y + oy) / 2.0);
                let (dx, dy) = (mx - (old_x + ox) / 2.0, my - (old_y + oy) / 2.0);
                let factor = if before > 0.0 { after / before } else { 1.0 };
                Step::Pinch { factor, x: mx, y: my, dx, dy }
            }
            _ => Step::Hover,
        }
    }

    /// A pointer let go (or cancelled); true when this ends a click: one pointer that hardly moved.
    pub fn release(&mut self, id: i32) -> bool {
        let was_down = self.down.iter().any(|(p, _, _)| *p == id);
        self.down.retain(|(p, _, _)| *p != id);
        was_down && self.down.is_empty() && !self.several && self.travelled < CLICK_SLOP
    }

    /// Whether any pointer is pressed.
    pub fn is_pressed(&self) -> bool {
        !self.down.is_empty()
    }
}

/// The values of one pass at one pixel, from the tile that covers it. Values travel as their
/// bits, so NaN and infinities (which JSON cannot hold) survive the trip from the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeReading {
    /// The tile the pixel came from.
    pub tile: TileId,
    /// Each channel's component (`R`, `Z`, ...) and the bits of its value as f32.
    pub values: Vec<(String, u32)>,
}

impl ProbeReading {
    /// A reading of `values` from `tile`.
    pub fn new(tile: TileId, values: Vec<(String, f32)>) -> ProbeReading {
        ProbeReading { tile, values: values.into_iter().map(|(c, v)| (c, v.to_bits())).collect() }
    }

    /// The source tile as it is named, `<x0>-<y0>-<x1>-<y1>`.
    pub fn tile_name(&self) -> String {
        self.tile.to_string()
    }

    /// Each component with its value as text.
    pub fn rows(&self) -> Vec<(String, String)> {
        self.values.iter().map(|(c, bits)| (c.clone(), format_value(f32::from_bits(*bits)))).collect()
    }
}

/// A value as the shortest text that reads back as the same f32 (`0.1`, `1e-7`, `-0.0`, `inf`,
/// `NaN`), so it can be compared with the EXR exactly.
pub fn format_value(v: f32) -> String {
    format!("{v:?}")
}

/// A tile of the grid as drawn over the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileCell {
    /// The file name (or the expected one, for a missing tile).
    pub name: String,
    /// Its own pixels in the image, rows from the top (where a placed tile's pixels go).
    pub rect: Rect,
    /// What became of it.
    pub status: TileStatus,
}

impl TileCell {
    /// Every grid tile of the plan, where it lies on the canvas.
    pub fn of_plan(plan: &Plan) -> Vec<TileCell> {
        TileCell::of_rows(
            &plan.grid,
            plan.rows.iter().filter_map(|r| Some((r.name.clone(), r.tile?, r.status.clone()))),
        )
    }

    fn of_rows(grid: &Grid, rows: impl Iterator<Item = (String, TileId, TileStatus)>) -> Vec<TileCell> {
        rows.map(|(name, tile, status)| TileCell { name, rect: grid.core(tile), status }).collect()
    }

    /// Name, state and reason in one line, e.g. `64-64-128-128.exr: failed (the file is cut short)`.
    pub fn description(&self) -> String {
        match self.status.reason() {
            Some(reason) => format!("{}: {} ({reason})", self.name, self.status.label()),
            None => format!("{}: {}", self.name, self.status.label()),
        }
    }

    /// A label size, in image pixels, at which its name fits across it.
    pub fn font_size(&self) -> f64 {
        let chars = self.name.chars().count().max(1) as f64;
        let across = f64::from(self.rect.width) * 0.9 / (chars * 0.6);
        across.min(f64::from(self.rect.height) / 4.0).max(1.0)
    }

    /// Whether its pixels are on the canvas (otherwise it shows an empty checkerboard).
    pub fn is_placed(&self) -> bool {
        self.status == TileStatus::Placed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::model::PickedFile;

    const IMAGE: Extent = Extent { width: 320.0, height: 180.0 };
    const VIEWPORT: Extent = Extent { width: 800.0, height: 400.0 };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn fit_shows_the_whole_image_centred_and_one_to_one_is_unscaled() {
        let fit = Transform::fit(IMAGE, VIEWPORT);
        assert!(close(fit.scale, 400.0 / 180.0));
        assert!(close(fit.y, 0.0));
        assert!(close(fit.x, (800.0 - 320.0 * fit.scale) / 2.0));
        let one = Transform::one_to_one(IMAGE, VIEWPORT);
        assert_eq!(one, Transform { scale: 1.0, x: 240.0, y: 110.0 });
        assert_eq!(one.percent(), "100 %");
        assert_eq!(Transform { scale: 0.05, ..one }.percent(), "5.0 %");
        assert!(!one.magnified() && fit.magnified());
        // Nothing to fit into yet.
        assert_eq!(Transform::fit(IMAGE, Extent::default()), Transform::default());
    }

    #[test]
    fn zooming_keeps_the_point_under_the_cursor_and_stays_in_bounds() {
        let start = Transform::one_to_one(IMAGE, VIEWPORT);
        let (px, py) = (300.0, 150.0);
        let before = start.to_image(px, py);
        let zoomed = start.zoom_at(2.5, px, py, IMAGE, VIEWPORT);
        assert!(close(zoomed.scale, 2.5));
        let after = zoomed.to_image(px, py);
        assert!(close(before.0, after.0) && close(before.1, after.1), "{before:?} moved to {after:?}");
        let far = start.zoom_at(1e9, px, py, IMAGE, VIEWPORT);
        assert_eq!(far.scale, MAX_SCALE);
        assert_eq!(start.zoom_at(f64::NAN, px, py, IMAGE, VIEWPORT), start);
        assert_eq!(start.zoom_at(1e-9, px, py, IMAGE, VIEWPORT).scale, MIN_SCALE);
    }

    #[test]
    fn panning_cannot_lose_the_image() {
        let start = Transform::one_to_one(IMAGE, VIEWPORT);
        let moved = start.pan(10.0, -5.0, IMAGE, VIEWPORT);
        assert_eq!(moved, Transform { scale: 1.0, x: 250.0, y: 105.0 });
        let lost = start.pan(-10_000.0, 10_000.0, IMAGE, VIEWPORT);
        // The image's right edge is KEEP_VISIBLE pixels into the viewport, its top as far from the bottom.
        assert!(close(lost.x + 320.0, KEEP_VISIBLE));
        assert!(close(lost.y, 400.0 - KEEP_VISIBLE));
        let tiny = Extent { width: 10.0, height: 10.0 };
        let edge = Transform::one_to_one(tiny, VIEWPORT).pan(1e6, 0.0, tiny, VIEWPORT);
        assert!(close(edge.x, 790.0), "a small image stays wholly inside: {edge:?}");
    }

    #[test]
    fn screen_and_image_points_map_both_ways() {
        let t = Transform { scale: 4.0, x: -100.0, y: 20.0 };
        let (sx, sy) = t.to_screen(37.25, 12.5);
        let (u, v) = t.to_image(sx, sy);
        assert!(close(u, 37.25) && close(v, 12.5));
        let size = Size { width: 320, height: 180 };
        assert_eq!(t.pixel_at(sx, sy, size), Some((37, 12)));
        assert_eq!(t.pixel_at(-101.0, 30.0, size), None, "left of the image");
        assert_eq!(t.pixel_at(t.to_screen(320.0, 0.0).0, 30.0, size), None, "just past the right edge");
        assert_eq!(t.css(), "translate(-100.000px, 20.000px) scale(4)");
    }

    #[test]
    fn the_wheel_zooms_in_when_rolled_up_and_by_bounded_steps() {
        assert!(wheel_factor(-100.0, 0) > 1.0);
        assert!(wheel_factor(100.0, 0) < 1.0);
        assert!(close(wheel_factor(100.0, 0) * wheel_factor(-100.0, 0), 1.0));
        assert_eq!(wheel_factor(3.0, 2), 0.5);
        assert_eq!(wheel_factor(f64::NAN, 0), 1.0);
        assert_eq!(wheel_factor(0.0, 1), 1.0);
    }

    #[test]
    fn one_pointer_drags_two_pinch_and_a_still_press_is_a_click() {
        let mut g = Gesture::default();
        assert_eq!(g.move_to(1, 5.0, 5.0), Step::Hover);
        g.press(1, 10.0, 10.0);
        assert_eq!(g.move_to(1, 11.0, 11.0), Step::Pan { dx: 1.0, dy: 1.0 });
        assert!(g.release(1), "moved less than the slop");
        g.press(1, 10.0, 10.0);
        g.move_to(1, 40.0, 10.0);
        assert!(!g.release(1), "a drag is no click");
        g.press(1, 0.0, 0.0);
        g.press(2, 100.0, 0.0);
        let Step::Pinch { factor, x, y, dx, dy } = g.move_to(2, 200.0, 0.0) else { panic!("no pinch") };
        assert!(close(factor, 2.0) && close(x, 100.0) && close(y, 0.0) && close(dx, 50.0) && close(dy, 0.0));
        assert!(!g.release(2));
        assert!(g.is_pressed());
        assert!(!g.release(1), "the end of a pinch is no click");
        assert!(!g.is_pressed());
    }

    #[test]
    fn readings_format_values_exactly() {
        let tile = TileId { x0: 64, y0: 0, x1: 128, y1: 64 };
        let reading = ProbeReading::new(
            tile,
            vec![("R".into(), 0.1), ("Z".into(), 1e10), ("A".into(), f32::INFINITY), ("V".into(), -0.0)],
        );
        assert_eq!(reading.tile_name(), "64-0-128-64");
        let rows = reading.rows();
        let texts: Vec<&str> = rows.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(texts, ["0.1", "10000000000.0", "inf", "-0.0"]);
        for value in [0.1f32, 1.0 / 3.0, 123_456.79, 1e-7, f32::MIN_POSITIVE] {
            assert_eq!(format_value(value).parse::<f32>().map(f32::to_bits), Ok(value.to_bits()));
        }
        assert_eq!(format_value(f32::NAN), "NaN");
    }

    #[test]
    fn tile_cells_lie_where_the_tiles_are_placed_top_down() {
        let files: Vec<PickedFile> = ["0-0-64-64.exr", "64-0-100-64.exr", "0-64-64-90.exr"]
            .iter()
            .map(|n| PickedFile { name: n.to_string(), bytes: 1 })
            .collect();
        let mut plan = Plan::new(&files, Some(Size { width: 100, height: 90 }), 16).expect("a plan");
        plan.settle(TileId { x0: 64, y0: 0, x1: 100, y1: 64 }, TileStatus::Failed("cut short".into()));
        let cells = TileCell::of_plan(&plan);
        assert_eq!(cells.len(), 4);
        let bottom_left = cells.iter().find(|c| c.name == "0-0-64-64.exr").expect("a cell");
        // Blender's y counts from the bottom: the first row lies at the bottom of the canvas.
        assert_eq!(bottom_left.rect, Rect { x: 0, y: 26, width: 64, height: 64 });
        let top_right = cells.iter().find(|c| c.name == "64-64-100-90.exr").expect("the missing tile");
        assert_eq!(top_right.rect, Rect { x: 64, y: 0, width: 36, height: 26 });
        assert_eq!(top_right.status, TileStatus::Missing);
        assert!(!top_right.is_placed());
        let failed = cells.iter().find(|c| c.name == "64-0-100-64.exr").expect("a cell");
        assert_eq!(failed.description(), "64-0-100-64.exr: failed (cut short)");
        assert_eq!(top_right.description(), "64-64-100-90.exr: missing");
        // The name fits across: 13 characters in 64 pixels, 16 in 36.
        assert!(close(bottom_left.font_size(), 64.0 * 0.9 / (13.0 * 0.6)));
        assert!(close(top_right.font_size(), 3.375));
    }
}
