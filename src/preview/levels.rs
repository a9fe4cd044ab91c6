//! Looking at a frame held as levels: which level a zoom needs, and which part of the image to
//! decode at that level around what is on screen. Plain logic, tested natively.

use tilemerge::pyramid::rect_at_level;
use tilemerge::{Rect, Size};

use super::view::{Extent, Transform};

/// The longest side of a levels preview's base level: its whole image is held (about 16 MB of
/// half RGBA at 2048x2048, shared by the workers), the rest is decoded where the view zooms in.
pub const BASE_SIDE: u32 = 2048;

/// A detail of the view: `region` (image pixels) drawn at `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detail {
    pub level: u8,
    pub region: Rect,
}

impl Detail {
    /// The detail a view needs, or `None` when the base level is sharp enough: the coarsest
    /// level whose pixels are no larger than a screen pixel, over what is on screen and a
    /// quarter of the viewport around it (a small pan needs no new detail), on that level's
    /// pixel boundaries.
    pub fn wanted(transform: Transform, viewport: Extent, image: Size, base: u8) -> Option<Detail> {
        let level = level_for(transform.scale)?;
        if level >= base {
            return None;
        }
        let visible = visible(transform, viewport, image, 0.25)?;
        let step = 1u32 << level;
        let align_down = |v: u32| v - v % step;
        let align_up = |v: u32, end: u32| v.div_ceil(step).saturating_mul(step).min(end);
        let region = Rect::from_edges(
            align_down(visible.x),
            align_down(visible.y),
            align_up(visible.right(), image.width),
            align_up(visible.bottom(), image.height),
        );
        Some(Detail { level, region })
    }

    /// Whether this detail still serves `next`: the same level, and what is on screen now
    /// inside it.
    pub fn covers(&self, next: &Detail, transform: Transform, viewport: Extent, image: Size) -> bool {
        self.level == next.level
            && visible(transform, viewport, image, 0.0)
                .is_some_and(|on_screen| self.region.contains(&on_screen))
    }

    /// Its size in pixels of its level: the size of the canvas it is drawn on.
    pub fn pixels(&self) -> Size {
        rect_at_level(self.region, self.level).size()
    }
}

/// The level whose pixels are about one screen pixel at `scale` (screen pixels per image pixel):
/// 0 when image pixels are larger than screen pixels.
fn level_for(scale: f64) -> Option<u8> {
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    Some((-scale.log2()).floor().clamp(0.0, 30.0) as u8)
}

/// The image pixels on screen, grown by `margin` of the viewport on every side, clipped to the
/// image; `None` when none is.
fn visible(transform: Transform, viewport: Extent, image: Size, margin: f64) -> Option<Rect> {
    let (mx, my) = (viewport.width * margin, viewport.height * margin);
    let (x0, y0) = transform.to_image(-mx, -my);
    let (x1, y1) = transform.to_image(viewport.width + mx, viewport.height + my);
    let clip = |v: f64, end: u32| v.clamp(0.0, f64::from(end));
    let (x0, x1) = (clip(x0, image.width).floor() as u32, clip(x1, image.width).ceil() as u32);
    let (y0, y1) = (clip(y0, image.height).floor() as u32, clip(y1, image.height).ceil() as u32);
    (x1 > x0 && y1 > y0).then(|| Rect::from_edges(x0, y0, x1, y1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: Size = Size { width: 16384, height: 16384 };
    const VIEWPORT: Extent = Extent { width: 1200.0, height: 800.0 };

    #[test]
    fn a_fitted_view_needs_no_detail_and_a_one_to_one_corner_needs_full_size() {
        let fitted = Transform::fit(Extent::of(IMAGE), VIEWPORT);
        assert_eq!(Detail::wanted(fitted, VIEWPORT, IMAGE, 3), None);
        // 1:1 at the top-left corner: full size, the viewport and a quarter more, from 0,0.
        let corner = Transform { scale: 1.0, x: 0.0, y: 0.0 };
        let detail = Detail::wanted(corner, VIEWPORT, IMAGE, 3).expect("a detail");
        assert_eq!(detail, Detail { level: 0, region: Rect::from_edges(0, 0, 1500, 1000) });
        assert_eq!(detail.pixels(), Size { width: 1500, height: 1000 });
        // Zoomed to 40 %: level 1, aligned to even pixels, within the image.
        let mid = Transform { scale: 0.4, x: -2001.0, y: -3001.0 };
        let detail = Detail::wanted(mid, VIEWPORT, IMAGE, 3).expect("a detail");
        assert_eq!(detail.level, 1);
        assert!(detail.region.x % 2 == 0 && detail.region.y % 2 == 0, "{detail:?}");
        assert_eq!(
            detail.pixels(),
            Size { width: detail.region.width / 2, height: detail.region.height / 2 }
        );
        // At the bottom-right corner the region ends at the image's edge.
        let end = Transform { scale: 2.0, x: 1200.0 - 16384.0 * 2.0, y: 800.0 - 16384.0 * 2.0 };
        let detail = Detail::wanted(end, VIEWPORT, IMAGE, 3).expect("a detail");
        assert_eq!((detail.region.right(), detail.region.bottom()), (16384, 16384));
    }

    #[test]
    fn a_small_pan_is_covered_and_a_zoom_is_not() {
        let view = Transform { scale: 1.0, x: -4000.0, y: -4000.0 };
        let detail = Detail::wanted(view, VIEWPORT, IMAGE, 3).expect("a detail");
        let panned = Transform { x: -4100.0, ..view };
        let next = Detail::wanted(panned, VIEWPORT, IMAGE, 3).expect("a detail");
        assert!(detail.covers(&next, panned, VIEWPORT, IMAGE));
        let far = Transform { x: -6000.0, ..view };
        let next = Detail::wanted(far, VIEWPORT, IMAGE, 3).expect("a detail");
        assert!(!detail.covers(&next, far, VIEWPORT, IMAGE));
        let zoomed = Transform { scale: 0.5, ..view };
        let next = Detail::wanted(zoomed, VIEWPORT, IMAGE, 3).expect("a detail");
        assert!(!detail.covers(&next, zoomed, VIEWPORT, IMAGE));
        assert_eq!(level_for(f64::NAN), None);
        assert_eq!(level_for(8.0), Some(0));
        assert_eq!(level_for(0.125), Some(3));
    }
}
