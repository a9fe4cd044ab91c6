//! The rectangle measured on the image: dragged with the pointer while "Measure a rectangle" is on
//! (the viewer's pointer handling hands the pointer here then), or typed in four fields. It is
//! kept in image pixels, clipped to the image.

use leptos::prelude::*;
use tilemerge::{Rect, Size};

use super::Preview;

/// One of the rectangle's typed fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RectField {
    X,
    Y,
    Width,
    Height,
}

impl RectField {
    /// The four, in the order they are shown.
    pub const ALL: [RectField; 4] = [RectField::X, RectField::Y, RectField::Width, RectField::Height];

    /// The field's label.
    pub fn as_str(self) -> &'static str {
        match self {
            RectField::X => "X",
            RectField::Y => "Y",
            RectField::Width => "Width",
            RectField::Height => "Height",
        }
    }

    /// The field's value in `rect`.
    pub fn of(self, rect: Rect) -> u32 {
        match self {
            RectField::X => rect.x,
            RectField::Y => rect.y,
            RectField::Width => rect.width,
            RectField::Height => rect.height,
        }
    }
}

/// What the pointer does while measuring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RectPointer {
    Press,
    Move,
    Release,
}

/// The rectangle of whole pixels spanning two points of the image (image coordinates, possibly
/// outside it: they are clamped), both ends' pixels included.
pub fn drag_rect(from: (f64, f64), to: (f64, f64), image: Size) -> Option<Rect> {
    if image.width == 0 || image.height == 0 {
        return None;
    }
    let pixel = |v: f64, size: u32| {
        let v = if v.is_finite() { v.floor() } else { 0.0 };
        v.clamp(0.0, f64::from(size - 1)) as u32
    };
    let (x0, x1) = (pixel(from.0, image.width), pixel(to.0, image.width));
    let (y0, y1) = (pixel(from.1, image.height), pixel(to.1, image.height));
    Some(Rect { x: x0.min(x1), y: y0.min(y1), width: x0.abs_diff(x1) + 1, height: y0.abs_diff(y1) + 1 })
}

/// `base` with one field typed, clipped to the image; why not, in words, when the text is not a
/// whole number or leaves no pixel of the image.
pub fn typed_rect(base: Rect, field: RectField, text: &str, image: Size) -> Result<Rect, String> {
    let name = field.as_str();
    let value: u32 = text.trim().parse().map_err(|_| format!("{name} must be a whole number of pixels."))?;
    let mut rect = base;
    match field {
        RectField::X => rect.x = value,
        RectField::Y => rect.y = value,
        RectField::Width => rect.width = value,
        RectField::Height => rect.height = value,
    }
    let clipped = rect.intersect(&Rect { x: 0, y: 0, width: image.width, height: image.height });
    if clipped.is_empty() {
        return Err(format!("The rectangle holds no pixel of the {}x{} image.", image.width, image.height));
    }
    Ok(clipped)
}

impl Preview {
    /// The merged image's size, once there is a layout.
    fn measured_image(self) -> Option<Size> {
        self.plan.with_untracked(|p| p.as_ref()?.as_ref().ok().map(|plan| plan.grid.image))
    }

    /// Switches the pointer between panning and dragging a rectangle.
    pub fn toggle_measuring(self) {
        self.measure.measuring.update(|on| *on = !*on);
        self.measure.drag_from.set_value(None);
        self.measure.dragged.set(None);
    }

    /// The pointer on the image while measuring, at image coordinates `at`; false when it is
    /// not for the rectangle (measuring is off, or a move without a press), so the viewer
    /// handles it as usual.
    pub(super) fn rect_pointer(self, phase: RectPointer, at: (f64, f64)) -> bool {
        let measure = self.measure;
        if !measure.measuring.get_untracked() {
            return false;
        }
        let Some(image) = self.measured_image() else { return false };
        let from = measure.drag_from.get_value();
        match (phase, from) {
            (RectPointer::Press, _) => {
                measure.drag_from.set_value(Some(at));
                measure.dragged.set(drag_rect(at, at, image));
            }
            (RectPointer::Move, Some(from)) => {
                let rect = drag_rect(from, at, image);
                if measure.dragged.get_untracked() != rect {
                    measure.dragged.set(rect);
                }
            }
            (RectPointer::Release, Some(from)) => {
                measure.drag_from.set_value(None);
                measure.dragged.set(None);
                self.set_rect(drag_rect(from, at, image));
            }
            (_, None) => return false,
        }
        true
    }

    /// Measures `rect` (or nothing).
    pub fn set_rect(self, rect: Option<Rect>) {
        self.measure.rect_problem.set(None);
        if self.measure.rect.get_untracked() != rect {
            self.measure.rect.set(rect);
        }
    }

    /// A field of the rectangle typed; the rest stays (or is the whole image, when there was no
    /// rectangle).
    pub fn type_rect(self, field: RectField, text: &str) {
        let Some(image) = self.measured_image() else { return };
        let whole = Rect { x: 0, y: 0, width: image.width, height: image.height };
        let base = self.measure.rect.get_untracked().unwrap_or(whole);
        match typed_rect(base, field, text, image) {
            Ok(rect) => self.set_rect(Some(rect)),
            Err(problem) => self.measure.rect_problem.set(Some(problem)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: Size = Size { width: 256, height: 160 };

    #[test]
    fn a_drag_spans_whole_pixels_either_way_and_stays_in_the_image() {
        let rect = drag_rect((10.4, 20.9), (3.2, 25.0), IMAGE);
        assert_eq!(rect, Some(Rect { x: 3, y: 20, width: 8, height: 6 }));
        let past = drag_rect((-5.0, -5.0), (900.0, 900.0), IMAGE);
        assert_eq!(past, Some(Rect { x: 0, y: 0, width: 256, height: 160 }));
        assert_eq!(drag_rect((1.0, 1.0), (1.5, 1.5), IMAGE), Some(Rect { x: 1, y: 1, width: 1, height: 1 }));
        assert_eq!(drag_rect((1.0, 1.0), (2.0, 2.0), Size { width: 0, height: 4 }), None);
    }

    #[test]
    fn typed_fields_change_one_side_and_are_clipped() {
        let whole = Rect { x: 0, y: 0, width: 256, height: 160 };
        let moved = typed_rect(whole, RectField::X, "37", IMAGE).unwrap();
        assert_eq!(moved, Rect { x: 37, y: 0, width: 219, height: 160 });
        let narrow = typed_rect(moved, RectField::Width, " 150 ", IMAGE).unwrap();
        assert_eq!(narrow, Rect { x: 37, y: 0, width: 150, height: 160 });
        assert_eq!(
            typed_rect(narrow, RectField::Height, "1.5", IMAGE),
            Err("Height must be a whole number of pixels.".into())
        );
        assert!(typed_rect(narrow, RectField::Y, "400", IMAGE).unwrap_err().contains("no pixel"));
        assert_eq!(RectField::ALL.map(|f| f.of(narrow)), [37, 0, 150, 160]);
    }
}
