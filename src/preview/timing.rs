//! Where the time to the full frame goes, measured by the page and its workers: shown under the
//! progress bar and read by the preview benchmark (`scripts/bench-preview`).

/// The times of one merge in milliseconds: moments from its start, and sums of work.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameTimes {
    /// When the first tile was on screen.
    pub first_tile: Option<f64>,
    /// When the last tile was answered.
    pub all_placed: f64,
    /// The page reading (or fetching) tile files, summed.
    pub reading: f64,
    /// The workers decoding and placing tiles (and drawing those drawn at once), summed.
    pub worker_tiles: f64,
    /// The workers drawing the whole view, summed.
    pub worker_render: f64,
    /// The page putting pixels on the canvas, summed.
    pub drawing: f64,
}

impl FrameTimes {
    /// Adds a tile's first moment on screen, unless one came before.
    pub fn tile_shown(&mut self, at: f64) {
        self.first_tile.get_or_insert(at);
    }

    /// E.g. `first tiles 0.05 s`, when a tile was shown before the end.
    pub fn first_text(&self) -> Option<String> {
        self.first_tile.map(|ms| format!("first tiles {:.2} s", ms / 1000.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_tile_stays_the_first() {
        let mut times = FrameTimes::default();
        assert_eq!(times.first_text(), None);
        times.tile_shown(52.0);
        times.tile_shown(10.0);
        assert_eq!(times.first_tile, Some(52.0));
        assert_eq!(times.first_text().as_deref(), Some("first tiles 0.05 s"));
    }
}
