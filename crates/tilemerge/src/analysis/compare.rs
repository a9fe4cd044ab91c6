//! A/B comparison of one pass: per channel and overall the largest and mean absolute
//! difference, RMSE, PSNR and the pixels over a threshold, and the tiles that differ most.
//!
//! One pass over the samples, converted to f32 a chunk at a time into buffers allocated once
//! per call. Non-finite samples (NaN, infinities) are counted apart and left out of every
//! metric, so one NaN cannot turn a whole channel's mean into NaN.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{read_f32, AnalysisError, PassView, CHUNK};
use crate::layout::{Rect, Size, TileId};

mod bands;
mod sums;

use bands::bands;
use sums::{chunk_sums, Sums};

/// Which channels of A and B are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ChannelPairing {
    /// Both passes must have the same components (in any order); otherwise an error names
    /// those only one side has. For a merge against another merge or a reference of its pass.
    #[default]
    Same,
    /// The components both have (`Combined` RGBA against `Noisy Image` RGB compares R, G, B):
    /// for one pass against another.
    Shared,
}

/// Settings of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CompareOptions {
    /// A pixel counts as over the threshold when one of its channels differs by strictly more.
    pub threshold: f32,
    /// The peak value of PSNR: `10 * log10(peak^2 / MSE)` dB. 1.0 (display white) suits colour
    /// passes; a data pass is better measured by its RMSE, or with its own range as the peak.
    pub peak: f64,
    /// Which channels are paired.
    pub pairing: ChannelPairing,
}

impl Default for CompareOptions {
    /// Threshold 0.01 (about 2.5 steps of 8-bit display white), peak 1.0, same channels.
    fn default() -> Self {
        CompareOptions { threshold: 0.01, peak: 1.0, pairing: ChannelPairing::Same }
    }
}

/// Differences of one channel, or of all channels together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelDifference {
    /// The component (`R`, `Z`, ...), or `all` for the pass as a whole.
    pub component: String,
    /// The largest absolute difference of finite samples.
    pub max_abs: f64,
    /// The mean absolute difference of finite samples.
    pub mean_abs: f64,
    /// The root of the mean squared difference.
    pub rmse: f64,
    /// Peak signal-to-noise ratio in dB against [`CompareOptions::peak`]; infinite when the
    /// samples are equal (serde_json writes that as `null`).
    pub psnr: f64,
    /// Samples compared (both sides finite).
    pub samples: u64,
    /// Pixels over the threshold (for `all`: in any channel).
    pub over_threshold: u64,
    /// Pixels where A or B is not finite (for `all`: in any channel); left out of the metrics.
    pub non_finite: u64,
    /// Of those, the pixels where A and B are not the same non-finite value (a NaN against a
    /// number, or +inf against -inf): differences no metric above can show.
    pub non_finite_mismatched: u64,
}

impl ChannelDifference {
    /// Whether A and B are equal here: no finite difference, and non-finite values only where
    /// both sides have the same one.
    pub fn is_equal(&self) -> bool {
        self.max_abs == 0.0 && self.non_finite_mismatched == 0
    }
}

/// How one tile's pixels differ (all channels together).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TileDifference {
    /// The tile.
    pub tile: TileId,
    /// Its pixels in the image.
    pub rect: Rect,
    /// The largest absolute difference in it.
    pub max_abs: f64,
    /// The mean absolute difference over its finite samples.
    pub mean_abs: f64,
    /// Its pixels over the threshold.
    pub over_threshold: u64,
}

/// What to rank tiles by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TileRank {
    /// Mean absolute difference: where the tile differs overall.
    Mean,
    /// Largest absolute difference: where a single pixel differs most.
    Max,
}

/// The result of [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Per compared channel, in A's channel order.
    pub channels: Vec<ChannelDifference>,
    /// All compared channels together (component `all`).
    pub overall: ChannelDifference,
    /// Per tile given, in the order given.
    pub tiles: Vec<TileDifference>,
    /// The options used.
    pub options: CompareOptions,
}

impl Comparison {
    /// The `n` tiles that differ most by `rank`, worst first (equal ones in the order given);
    /// tiles that do not differ at all are left out.
    pub fn worst_tiles(&self, rank: TileRank, n: usize) -> Vec<TileDifference> {
        let key = |t: &TileDifference| match rank {
            TileRank::Mean => t.mean_abs,
            TileRank::Max => t.max_abs,
        };
        let mut tiles: Vec<TileDifference> = self.tiles.iter().copied().filter(|t| t.max_abs > 0.0).collect();
        // A stable sort keeps the given order among equals.
        tiles.sort_by(|a, b| key(b).total_cmp(&key(a)));
        tiles.truncate(n);
        tiles
    }
}

/// The sums of a band of rows: compute bands separately (in threads or workers), [`merge`]
/// them in any order and [`finish`]; the result is that of [`compare`].
///
/// [`merge`]: DifferencePartial::merge
/// [`finish`]: DifferencePartial::finish
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DifferencePartial {
    components: Vec<String>,
    channels: Vec<Sums>,
    /// Over all channels: `over` and `non_finite` count pixels.
    overall: Sums,
    tiles: Vec<(TileId, Rect, Sums)>,
    options: CompareOptions,
}

/// Pairs A's channels with B's: (index in A, index in B, component).
pub(crate) fn pair_channels(
    a: &PassView<'_>,
    b: &PassView<'_>,
    pairing: ChannelPairing,
) -> Result<Vec<(usize, usize, String)>, AnalysisError> {
    if a.size != b.size {
        return Err(AnalysisError::SizeDiffers { a: a.size, b: b.size });
    }
    let (ca, cb) = (a.components(), b.components());
    let pairs: Vec<(usize, usize, String)> = ca
        .iter()
        .enumerate()
        .filter_map(|(i, c)| cb.iter().position(|o| o == c).map(|j| (i, j, c.clone())))
        .collect();
    match pairing {
        ChannelPairing::Same if pairs.len() != ca.len() || pairs.len() != cb.len() => {
            let only = |x: &[String], y: &[String]| -> Vec<String> {
                x.iter().filter(|c| !y.contains(c)).cloned().collect()
            };
            Err(AnalysisError::ChannelsDiffer { only_a: only(&ca, &cb), only_b: only(&cb, &ca) })
        }
        _ if pairs.is_empty() => Err(AnalysisError::NoSharedChannel { a: ca, b: cb }),
        _ => Ok(pairs),
    }
}

impl DifferencePartial {
    /// Compares `rows` of A and B (clipped to the image). `tiles` are the rectangles to rank
    /// (a merge's tile cores; empty for none).
    pub fn rows(
        a: &PassView<'_>,
        b: &PassView<'_>,
        options: CompareOptions,
        tiles: &[(TileId, Rect)],
        rows: Range<u32>,
    ) -> Result<DifferencePartial, AnalysisError> {
        DifferencePartial::rows_with_map(a, b, options, tiles, rows, &mut [])
    }

    /// Like [`DifferencePartial::rows`], also writing each pixel's [`DifferenceMap`] value
    /// into `map`, which holds the rows asked for (clipped to the image) one after another;
    /// pixels past its end are not written (an empty `map` writes nothing).
    pub fn rows_with_map(
        a: &PassView<'_>,
        b: &PassView<'_>,
        options: CompareOptions,
        tiles: &[(TileId, Rect)],
        rows: Range<u32>,
        map: &mut [f32],
    ) -> Result<DifferencePartial, AnalysisError> {
        DifferencePartial::measure(a, b, options, tiles, rows, map, None)
    }

    /// Compares only the pixels of the tiles marked in `mine` (one flag per tile of `tiles`):
    /// a worker's share of a merge, whose other tiles another worker holds and compares. Every
    /// share lists the same `tiles` (a merge's whole grid, in its order), so the shares
    /// [`merge`](DifferencePartial::merge) tile by tile into the whole image's figures.
    pub fn share(
        a: &PassView<'_>,
        b: &PassView<'_>,
        options: CompareOptions,
        tiles: &[(TileId, Rect)],
        mine: &[bool],
    ) -> Result<DifferencePartial, AnalysisError> {
        DifferencePartial::measure(a, b, options, tiles, 0..a.size.height, &mut [], Some(mine))
    }

    /// The loop of [`DifferencePartial::rows_with_map`]; with `only`, pixels outside the tiles
    /// it marks are left out.
    fn measure(
        a: &PassView<'_>,
        b: &PassView<'_>,
        options: CompareOptions,
        tiles: &[(TileId, Rect)],
        rows: Range<u32>,
        map: &mut [f32],
        only: Option<&[bool]>,
    ) -> Result<DifferencePartial, AnalysisError> {
        let pairs = pair_channels(a, b, options.pairing)?;
        let wanted = |tile: Option<usize>| match only {
            None => true,
            Some(mine) => tile.and_then(|t| mine.get(t)).copied().unwrap_or(false),
        };
        let (width, height) = (a.size.width, a.size.height);
        let rows = rows.start.min(height)..rows.end.min(height);
        let first_sample = rows.start as usize * width as usize;
        let threshold = options.threshold;
        let mut channels = vec![Sums::default(); pairs.len()];
        let mut overall = Sums::default();
        let mut tile_sums = vec![Sums::default(); tiles.len()];
        let mut fa = [0f32; CHUNK];
        let mut fb = [0f32; CHUNK];
        // Per pixel of the chunk: the largest difference over its channels, and whether one of
        // its channels was not finite on either side (see `chunk_sums`).
        let mut pixel_max = [0f32; CHUNK];
        let mut pixel_state = [0u8; CHUNK];
        for band in bands(width, rows, tiles) {
            for y in band.rows.clone() {
                for segment in band.segments.iter().filter(|s| wanted(s.tile)) {
                    let mut x = segment.x0;
                    while x < segment.x1 {
                        let n = ((segment.x1 - x) as usize).min(CHUNK);
                        let start = y as usize * width as usize + x as usize;
                        pixel_max[..n].fill(0.0);
                        pixel_state[..n].fill(0);
                        let mut chunk = Sums::default();
                        for ((ia, ib, _), sums) in pairs.iter().zip(channels.iter_mut()) {
                            let (Some(sa), Some(sb)) = (a.channels.get(*ia), b.channels.get(*ib)) else {
                                continue;
                            };
                            read_f32(sa, start, &mut fa[..n]);
                            read_f32(sb, start, &mut fb[..n]);
                            let here = chunk_sums(
                                &fa[..n],
                                &fb[..n],
                                threshold,
                                &mut pixel_max[..n],
                                &mut pixel_state[..n],
                            );
                            sums.merge(&here);
                            chunk.samples += here.samples;
                            chunk.sum += here.sum;
                            chunk.sum_sq += here.sum_sq;
                            chunk.max = chunk.max.max(here.max);
                        }
                        chunk.over = pixel_max[..n].iter().filter(|d| **d > threshold).count() as u64;
                        chunk.non_finite = pixel_state[..n].iter().filter(|s| **s != 0).count() as u64;
                        chunk.mismatched = pixel_state[..n].iter().filter(|s| **s & 2 != 0).count() as u64;
                        overall.merge(&chunk);
                        if let Some(to) = map.get_mut(start - first_sample..start - first_sample + n) {
                            for ((to, max), state) in
                                to.iter_mut().zip(&pixel_max[..n]).zip(&pixel_state[..n])
                            {
                                *to = if state & 2 != 0 { f32::NAN } else { *max };
                            }
                        }
                        if let Some(t) = segment.tile.and_then(|t| tile_sums.get_mut(t)) {
                            t.merge(&chunk);
                        }
                        x += n as u32;
                    }
                }
            }
        }
        Ok(DifferencePartial {
            components: pairs.into_iter().map(|(_, _, c)| c).collect(),
            channels,
            overall,
            tiles: tiles.iter().zip(tile_sums).map(|((t, r), s)| (*t, *r, s)).collect(),
            options,
        })
    }

    /// Adds another band's sums (of the same comparison).
    pub fn merge(&mut self, other: &DifferencePartial) {
        self.channels.iter_mut().zip(&other.channels).for_each(|(a, b)| a.merge(b));
        self.overall.merge(&other.overall);
        self.tiles.iter_mut().zip(&other.tiles).for_each(|(a, b)| a.2.merge(&b.2));
    }

    /// The metrics.
    pub fn finish(self) -> Comparison {
        let peak = self.options.peak;
        let tiles = self
            .tiles
            .iter()
            .map(|(tile, rect, s)| TileDifference {
                tile: *tile,
                rect: *rect,
                max_abs: s.max,
                mean_abs: s.sum / s.samples.max(1) as f64,
                over_threshold: s.over,
            })
            .collect();
        Comparison {
            channels: self.components.iter().zip(&self.channels).map(|(c, s)| s.finish(c, peak)).collect(),
            overall: self.overall.finish("all", peak),
            tiles,
            options: self.options,
        }
    }
}

/// Compares pass A with pass B over the whole image, ranking `tiles` (a merge's tile
/// rectangles, e.g. from [`super::placed_tiles`]; empty for none).
pub fn compare(
    a: &PassView<'_>,
    b: &PassView<'_>,
    options: CompareOptions,
    tiles: &[(TileId, Rect)],
) -> Result<Comparison, AnalysisError> {
    Ok(DifferencePartial::rows(a, b, options, tiles, 0..a.size.height)?.finish())
}

/// Per pixel, the largest absolute difference over the compared channels (finite samples
/// only), NaN where A and B are not the same non-finite value. Made in the same pass as the
/// metrics, it redraws as a heat map at any gain without reading the samples again.
#[derive(Debug, Clone, PartialEq)]
pub struct DifferenceMap {
    /// Image size.
    pub size: Size,
    /// `width * height` values, rows from the top.
    pub values: Vec<f32>,
}

/// [`compare`], also giving the [`DifferenceMap`].
pub fn compare_with_map(
    a: &PassView<'_>,
    b: &PassView<'_>,
    options: CompareOptions,
    tiles: &[(TileId, Rect)],
) -> Result<(Comparison, DifferenceMap), AnalysisError> {
    let mut values = vec![0f32; a.size.area() as usize];
    let partial = DifferencePartial::rows_with_map(a, b, options, tiles, 0..a.size.height, &mut values)?;
    Ok((partial.finish(), DifferenceMap { size: a.size, values }))
}

#[cfg(test)]
mod tests;
