//! A canvas that holds a band of rows rather than the whole image: what a streamed merge
//! ([`crate::stream`]) places tiles into, one band of tile rows at a time, top first, writing
//! and releasing the rows above as it goes.

use std::ops::Range;

use super::{Canvas, CanvasOptions, TileError};
use crate::layout::Grid;

impl Canvas {
    /// An empty canvas whose buffers will hold only image rows `rows` (counted from the top).
    /// Tiles placed must lie within them; [`Canvas::hold_rows`] moves the band down.
    pub fn with_rows(grid: Grid, options: CanvasOptions, rows: Range<u32>) -> Canvas {
        let mut canvas = Canvas::new(grid, options);
        canvas.rows = rows.start.min(grid.image.height)..rows.end.min(grid.image.height);
        canvas
    }

    /// The image rows the buffers hold (all of them unless made by [`Canvas::with_rows`]).
    pub fn held_rows(&self) -> Range<u32> {
        self.rows.clone()
    }

    /// Moves the band down to `rows`: rows held before and still wanted keep their pixels, the
    /// others are released, and new rows start empty. A band only moves down, since the rows
    /// above it are gone; asking for them is an error, as is a band over the byte limit.
    pub fn hold_rows(&mut self, rows: Range<u32>) -> Result<(), TileError> {
        let old = self.rows.clone();
        let rows = rows.start..rows.end.min(self.grid.image.height).max(rows.start);
        if rows.start < old.start {
            return Err(TileError::OutsideBand { rows: (rows.start, rows.end), held: (old.start, old.end) });
        }
        let width = self.grid.image.width as usize;
        let per_pixel: u64 =
            self.passes.iter().flat_map(|p| &p.channels).map(|c| c.sample_type.bytes() as u64).sum();
        let bytes = u64::from(self.grid.image.width) * u64::from(rows.end - rows.start) * per_pixel;
        if bytes > self.options.max_canvas_bytes {
            return Err(TileError::CanvasTooLarge { bytes, limit: self.options.max_canvas_bytes });
        }
        let drop = (rows.start - old.start) as usize * width;
        let len = (rows.end - rows.start) as usize * width;
        for samples in self.buffers.iter_mut().flatten() {
            samples.slide(drop, len);
        }
        self.rows = rows;
        Ok(())
    }

    /// The bytes a band of `rows` rows takes for passes of `bytes_per_pixel` (all channels).
    pub fn band_bytes(&self, rows: u32, bytes_per_pixel: u64) -> u64 {
        u64::from(self.grid.image.width) * u64::from(rows) * bytes_per_pixel
    }
}

/// Samples of one channel in the rows held, for tests that compare a band with a whole canvas.
#[cfg(test)]
pub(crate) fn rows_of(samples: &crate::passes::Samples, width: u32, rows: Range<u32>) -> Vec<u32> {
    let (start, end) = (rows.start as usize * width as usize, rows.end as usize * width as usize);
    (start..end).filter_map(|i| samples.get_bits(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::ExrOptions;
    use crate::layout::Size;
    use crate::synth::Frame;

    #[test]
    fn a_band_holds_the_same_pixels_as_the_whole_canvas_in_its_rows() {
        let size = |width, height| Size { width, height };
        let grid = Grid::new(size(200, 150), size(64, 64), 16).expect("a grid");
        let files =
            Frame::blender_like(grid.image, 7).tile_files(&grid, &ExrOptions::default()).expect("tiles");
        let mut whole = Canvas::new(grid, CanvasOptions::default());
        for (tile, bytes) in &files {
            whole.add(*tile, bytes).expect("placed");
        }
        // The middle tile row (rows 22 to 86 from the top), with the 16 rows above it kept.
        let mut band = Canvas::with_rows(grid, CanvasOptions::default(), 0..86);
        let top_first = |y0: u32| files.iter().filter(move |(tile, _)| tile.y0 == y0);
        for (tile, bytes) in top_first(128) {
            band.add(*tile, bytes).expect("the top row is in the first band");
        }
        band.hold_rows(6..150).expect("the band moves down");
        for (tile, bytes) in top_first(64) {
            band.add(*tile, bytes).expect("the middle row is in the band");
        }
        let (tile, bytes) = top_first(0).next().expect("a bottom tile");
        band.hold_rows(22..86).expect("the band moves down");
        let refused = band.add(*tile, bytes).expect_err("the bottom row is below the band");
        assert!(matches!(refused.error, TileError::OutsideBand { rows: (86, 150), held: (22, 86) }));

        for (pass, whole_buffers) in whole.all_samples() {
            let (_, band_buffers) = band.pass_samples(&pass.full_name()).expect("the same passes");
            for (from_whole, from_band) in whole_buffers.iter().zip(band_buffers) {
                assert_eq!(rows_of(from_band, 200, 0..64), rows_of(from_whole, 200, 22..86));
            }
        }
        assert!(matches!(band.hold_rows(0..10), Err(TileError::OutsideBand { .. })));
    }
}
