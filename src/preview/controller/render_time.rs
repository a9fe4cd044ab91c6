//! The render-time overlay's state: each placed tile's render time, as Blender wrote it in the
//! tile's header (`RenderTime`), and for a job's preview the worker whose task rendered it. The
//! overlay tints each tile on a sequential ramp from the fastest (dark, cool) to the slowest
//! (bright, warm) tile: where the expensive parts of the frame are, and which machine was slow.

use std::collections::HashMap;

use leptos::prelude::*;
use tilemerge::TileId;

use super::Preview;

/// The ramp, fastest first: dark violet to pale yellow (after matplotlib's `inferno`), so that
/// lightness alone orders the tiles for those who do not see the hues apart.
pub const RAMP: [&str; 8] =
    ["#1f0c48", "#550f6d", "#88226a", "#ba3655", "#e35933", "#f98c0a", "#f9c932", "#fcffa4"];

/// The render-time state; cheap to copy.
#[derive(Clone, Copy)]
pub struct RenderTimes {
    /// Seconds per placed tile, from its header.
    pub seconds: RwSignal<HashMap<TileId, f64>>,
    /// The worker that rendered each tile (a job's preview only: from its tasks).
    pub workers: RwSignal<HashMap<TileId, String>>,
    /// Whether the overlay is shown.
    pub show: RwSignal<bool>,
}

impl RenderTimes {
    /// Nothing known, the overlay off.
    pub fn new() -> RenderTimes {
        RenderTimes {
            seconds: RwSignal::new(HashMap::new()),
            workers: RwSignal::new(HashMap::new()),
            show: RwSignal::new(false),
        }
    }
}

impl Default for RenderTimes {
    fn default() -> RenderTimes {
        RenderTimes::new()
    }
}

/// One tile as the overlay draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedTile {
    pub tile: TileId,
    pub seconds: f64,
    /// The step of [`RAMP`].
    pub step: usize,
    /// The worker that rendered it, when known.
    pub worker: Option<String>,
}

impl TimedTile {
    /// E.g. `0-0-64-64.exr: 1.23 s on blade-01`.
    pub fn description(&self) -> String {
        let time = format!("{}: {:.2} s", self.tile.file_name(), self.seconds);
        match &self.worker {
            Some(worker) => format!("{time} on {worker}"),
            None => time,
        }
    }
}

/// The step of [`RAMP`] for `seconds` between the fastest and the slowest tile (all the first
/// step when they took the same time).
pub fn ramp_step(seconds: f64, min: f64, max: f64) -> usize {
    let top = RAMP.len() - 1;
    if max > min {
        (((seconds - min) / (max - min)).clamp(0.0, 1.0) * top as f64).round() as usize
    } else {
        0
    }
}

/// The tiles with a render time, tinted, in grid order, and the fastest and slowest times.
pub fn timed_tiles(
    seconds: &HashMap<TileId, f64>,
    workers: &HashMap<TileId, String>,
) -> (Vec<TimedTile>, Option<(f64, f64)>) {
    let min = seconds.values().copied().fold(f64::INFINITY, f64::min);
    let max = seconds.values().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut tiles: Vec<TimedTile> = seconds
        .iter()
        .map(|(tile, s)| TimedTile {
            tile: *tile,
            seconds: *s,
            step: ramp_step(*s, min, max),
            worker: workers.get(tile).cloned(),
        })
        .collect();
    tiles.sort_by_key(|t| (t.tile.y0, t.tile.x0));
    let span = (!tiles.is_empty()).then_some((min, max));
    (tiles, span)
}

impl Preview {
    /// A tile placed with `seconds` in its header.
    pub(super) fn note_render_time(self, tile: TileId, seconds: Option<f64>) {
        let Some(seconds) = seconds.filter(|s| s.is_finite()) else { return };
        if self.measure.render.seconds.with_untracked(|known| known.get(&tile) != Some(&seconds)) {
            self.measure.render.seconds.update(|known| {
                known.insert(tile, seconds);
            });
        }
    }

    /// The worker whose task renders `tile` (a job's preview, from its tasks and their events).
    pub fn tile_worker(self, tile: TileId, worker: &str) {
        let workers = self.measure.render.workers;
        if workers.with_untracked(|known| known.get(&tile).map(String::as_str) != Some(worker)) {
            workers.update(|known| {
                known.insert(tile, worker.to_string());
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_tinted_from_the_fastest_to_the_slowest() {
        let tile = |x0: u32| TileId { x0, y0: 0, x1: x0 + 64, y1: 64 };
        let seconds = HashMap::from([(tile(128), 2.0), (tile(0), 0.5), (tile(64), 1.25)]);
        let workers = HashMap::from([(tile(64), "blade-02".to_string())]);
        let (tiles, span) = timed_tiles(&seconds, &workers);
        assert_eq!(span, Some((0.5, 2.0)));
        assert_eq!(tiles.iter().map(|t| t.step).collect::<Vec<_>>(), [0, 4, 7]);
        assert_eq!(tiles[1].description(), "64-0-128-64.exr: 1.25 s on blade-02");
        assert_eq!(tiles[0].description(), "0-0-64-64.exr: 0.50 s");
        assert_eq!(ramp_step(3.0, 3.0, 3.0), 0);
        assert_eq!(timed_tiles(&HashMap::new(), &workers), (Vec::new(), None));
    }
}
