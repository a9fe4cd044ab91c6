//! Tiles drawn the moment they are placed, so the image fills in tile by tile: each tile is sent
//! with the drawing on screen, and a worker holding a colour pass answers with its pixels. When
//! every placed tile is on the canvas drawn that way, the final drawing of the view is skipped.

use js_sys::ArrayBuffer;
use leptos::prelude::*;
use tilemerge::Rect;

use super::Preview;
use crate::preview::browser;
use crate::preview::worker::protocol::{DrawnTile, SessionId, TileDraw};

/// The tiles on the canvas drawn as they were placed, all with the same pass and drawing.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Progressive {
    session: SessionId,
    shown: Option<DrawnTile>,
    tiles: usize,
}

impl Progressive {
    /// Counts a tile drawn; one of another merge, pass or drawing starts the count again (the
    /// canvas then holds a mix, which only a full drawing puts right).
    fn count(&mut self, session: SessionId, drawn: DrawnTile) {
        if self.session != session || self.shown.as_ref() != Some(&drawn) {
            *self = Progressive { session, shown: Some(drawn), tiles: 0 };
        }
        self.tiles += 1;
    }

    /// Whether all `placed` tiles of `session` are on the canvas, drawn as `wanted`.
    fn covers(&self, session: SessionId, wanted: &DrawnTile, placed: usize) -> bool {
        self.session == session && self.shown.as_ref() == Some(wanted) && self.tiles >= placed
    }
}

impl Preview {
    /// The drawing on screen, as a tile placed now should be drawn.
    pub(super) fn tile_draw(self) -> TileDraw {
        TileDraw {
            channel: self.viewing.channel.get_untracked(),
            exposure: super::viewing::finite_or_zero(self.exposure.get_untracked()),
        }
    }

    /// A tile placed with its pixels: drawn at once when they show the pass and drawing on
    /// screen (an answer made before a change is left to the full drawing).
    pub(super) fn placed_drawn(
        self,
        session: SessionId,
        placed: Rect,
        drawn: DrawnTile,
        pixels: ArrayBuffer,
    ) {
        let current = self.pass.get_untracked().as_deref() == Some(drawn.pass.as_str())
            && drawn.draw == self.tile_draw();
        if !current || !self.canvas_for_session(session) {
            return;
        }
        let Some(canvas) = self.canvas.get_untracked() else { return };
        let started = browser::now();
        if let Err(e) = browser::draw_packed(&canvas, &[placed], &pixels) {
            return self.problem.set(Some(format!("Cannot draw the image: {e}")));
        }
        let shown = browser::now();
        self.times.update_value(|t| {
            t.drawing += shown - started;
            t.tile_shown(shown - self.started_at.get_value());
        });
        self.progressive.update_value(|p| p.count(session, drawn));
    }

    /// Forgets the tiles drawn as placed: the canvas is being drawn over.
    pub(super) fn forget_drawn_as_placed(self) {
        self.progressive.set_value(Progressive::default());
    }

    /// Whether every placed tile is already on the canvas drawn as the view asks: then the
    /// view needs no drawing of its own.
    pub(super) fn drawn_as_placed(self, pass: &str, draw: TileDraw) -> bool {
        let placed = self.plan.with_untracked(|p| match p {
            Some(Ok(plan)) => plan.placed().count(),
            _ => usize::MAX,
        });
        let wanted = DrawnTile { pass: pass.to_string(), draw };
        self.progressive.with_value(|p| p.covers(self.session.get_value(), &wanted, placed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tilemerge::view::Channel;

    fn drawn(pass: &str, exposure: f32) -> DrawnTile {
        DrawnTile { pass: pass.into(), draw: TileDraw { channel: Channel::Rgb, exposure } }
    }

    #[test]
    fn the_view_is_covered_only_by_every_tile_drawn_the_same_way_in_the_same_merge() {
        let mut p = Progressive::default();
        let combined = drawn("ViewLayer.Combined", 0.0);
        p.count(1, combined.clone());
        p.count(1, combined.clone());
        assert!(!p.covers(1, &combined, 3), "a tile is not drawn yet");
        p.count(1, combined.clone());
        assert!(p.covers(1, &combined, 3));
        assert!(!p.covers(2, &combined, 3), "another merge");
        assert!(!p.covers(1, &drawn("ViewLayer.Combined", 1.0), 3), "another exposure");
        // A tile drawn at another exposure (sent before a change) starts the count again.
        p.count(1, drawn("ViewLayer.Combined", 1.0));
        assert!(!p.covers(1, &combined, 3));
        assert!(!p.covers(1, &drawn("ViewLayer.Combined", 1.0), 3));
    }
}
