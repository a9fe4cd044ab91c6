//! A/B comparison of one pass: per channel and overall the largest and mean absolute
//! difference, RMSE, PSNR and the pixels over a threshold, and the tiles that differ most.
//!
//! One pass over the samples, converted to f32 a chunk at a time into buffers allocated once
//! per call. Non-finite samples (NaN, infinities) are counted apart and left out of every
//! metric, so one NaN cannot turn a whole channel's mean into NaN.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{read_f32, AnalysisError, PassView, CHUNK};
use crate::layout::{Rect, TileId};

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

/// Running sums of differences.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct Sums {
    samples: u64,
    sum: f64,
    sum_sq: f64,
    max: f64,
    over: u64,
    non_finite: u64,
    mismatched: u64,
}

impl Sums {
    fn merge(&mut self, o: &Sums) {
        self.samples += o.samples;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
        self.max = self.max.max(o.max);
        self.over += o.over;
        self.non_finite += o.non_finite;
        self.mismatched += o.mismatched;
    }

    fn finish(&self, component: &str, peak: f64) -> ChannelDifference {
        let n = self.samples.max(1) as f64;
        let mse = self.sum_sq / n;
        ChannelDifference {
            component: component.to_string(),
            max_abs: self.max,
            mean_abs: self.sum / n,
            rmse: mse.sqrt(),
            psnr: if mse == 0.0 { f64::INFINITY } else { 10.0 * (peak * peak / mse).log10() },
            samples: self.samples,
            over_threshold: self.over,
            non_finite: self.non_finite,
            non_finite_mismatched: self.mismatched,
        }
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

/// A run of pixels of one row that lie in the same tile (or in none).
#[derive(Debug, Clone, Copy)]
struct Segment {
    x0: u32,
    x1: u32,
    tile: Option<usize>,
}

/// Rows whose pixels fall into the same tiles, split into segments covering the whole width.
struct Band {
    rows: Range<u32>,
    segments: Vec<Segment>,
}

/// Cuts `rows` of a `width`-wide image into bands of rows meeting the same tiles; where tiles
/// overlap, a pixel belongs to the first one listed.
fn bands(width: u32, rows: Range<u32>, tiles: &[(TileId, Rect)]) -> Vec<Band> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut edges: Vec<u32> = vec![rows.start, rows.end];
    for (_, r) in tiles {
        edges.extend([r.y, r.bottom()].into_iter().filter(|y| rows.contains(y)));
    }
    edges.sort_unstable();
    edges.dedup();
    edges
        .windows(2)
        .filter_map(|w| match *w {
            [y0, y1] => Some(y0..y1),
            _ => None,
        })
        .map(|band| {
            let mut meeting: Vec<(usize, u32, u32)> = tiles
                .iter()
                .enumerate()
                .filter(|(_, (_, r))| r.y <= band.start && r.bottom() >= band.end)
                .map(|(i, (_, r))| (i, r.x.min(width), r.right().min(width)))
                .collect();
            meeting.sort_by_key(|&(i, x0, _)| (x0, i));
            let mut segments = Vec::new();
            let mut cursor = 0;
            for (i, x0, x1) in meeting {
                if x0 > cursor {
                    segments.push(Segment { x0: cursor, x1: x0, tile: None });
                }
                if x1 > cursor.max(x0) {
                    segments.push(Segment { x0: cursor.max(x0), x1, tile: Some(i) });
                    cursor = x1;
                }
            }
            if cursor < width {
                segments.push(Segment { x0: cursor, x1: width, tile: None });
            }
            Band { rows: band, segments }
        })
        .collect()
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

/// The sums of one channel's chunk (at most [`CHUNK`] samples), also raising each pixel's
/// largest difference and marking its non-finite samples (bit 1; bit 2 when A and B differ
/// there).
///
/// The usual chunk, every sample finite, takes a fast path the compiler vectorises: the
/// differences in f32 (exact for half samples; for float within half an ulp), the largest and
/// the counts in f32 lanes, and the sums in f64 over four independent lanes, since a single
/// running f64 sum waits on the previous addition at every sample.
fn chunk_sums(fa: &[f32], fb: &[f32], threshold: f32, pixel_max: &mut [f32], pixel_state: &mut [u8]) -> Sums {
    let n = fa.len().min(fb.len()).min(pixel_max.len()).min(pixel_state.len()).min(CHUNK);
    let (fa, fb, pixel_max, pixel_state) = (&fa[..n], &fb[..n], &mut pixel_max[..n], &mut pixel_state[..n]);
    let mut d = [0f32; CHUNK];
    let d = &mut d[..n];
    for ((d, a), b) in d.iter_mut().zip(fa).zip(fb) {
        *d = (a - b).abs();
    }
    const LANES: usize = 4;
    let (mut sum, mut sum_sq) = ([0f64; LANES], [0f64; LANES]);
    let mut quads = d.chunks_exact(LANES);
    for quad in &mut quads {
        for ((s, q), v) in sum.iter_mut().zip(sum_sq.iter_mut()).zip(quad) {
            let v = f64::from(*v);
            *s += v;
            *q += v * v;
        }
    }
    for v in quads.remainder() {
        let v = f64::from(*v);
        sum[0] += v;
        sum_sq[0] += v * v;
    }
    let total: f64 = sum.iter().sum();
    // A NaN or infinity anywhere (a non-finite sample, or an f32 overflow) spoils the sum.
    if !total.is_finite() {
        return chunk_sums_slowly(fa, fb, threshold, pixel_max, pixel_state);
    }
    // Every value is finite from here, so plain comparisons (which vectorise) are the maximum.
    const WIDE: usize = 8;
    let mut max = [0f32; WIDE];
    for (lanes, values) in pixel_max.chunks_mut(WIDE).zip(d.chunks(WIDE)) {
        for ((m, top), v) in lanes.iter_mut().zip(max.iter_mut()).zip(values) {
            *m = if *v > *m { *v } else { *m };
            *top = if *v > *top { *v } else { *top };
        }
    }
    Sums {
        samples: n as u64,
        sum: total,
        sum_sq: sum_sq.iter().sum(),
        max: f64::from(max.iter().fold(0f32, |a, b| a.max(*b))),
        over: d.iter().map(|v| u64::from(*v > threshold)).sum(),
        non_finite: 0,
        mismatched: 0,
    }
}

/// [`chunk_sums`] one sample at a time, for chunks with a non-finite sample (or two finite
/// floats so far apart that their difference overflows f32, taken in f64 here).
fn chunk_sums_slowly(
    fa: &[f32],
    fb: &[f32],
    threshold: f32,
    pixel_max: &mut [f32],
    pixel_state: &mut [u8],
) -> Sums {
    let mut here = Sums::default();
    for (((&va, &vb), m), state) in fa.iter().zip(fb).zip(pixel_max.iter_mut()).zip(pixel_state.iter_mut()) {
        if va.is_finite() && vb.is_finite() {
            let d = (f64::from(va) - f64::from(vb)).abs();
            here.samples += 1;
            here.sum += d;
            here.sum_sq += d * d;
            here.max = here.max.max(d);
            here.over += u64::from(d > f64::from(threshold));
            // Beyond f32's range only when it overflowed: then it is infinitely over.
            *m = m.max(d as f32);
        } else {
            let mismatched = !same_non_finite(va, vb);
            here.non_finite += 1;
            here.mismatched += u64::from(mismatched);
            *state |= 1 | (u8::from(mismatched) << 1);
        }
    }
    here
}

/// Whether two samples, one of them not finite, are the same non-finite value.
fn same_non_finite(x: f32, y: f32) -> bool {
    (x.is_nan() && y.is_nan()) || x == y
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
        let pairs = pair_channels(a, b, options.pairing)?;
        let (width, height) = (a.size.width, a.size.height);
        let rows = rows.start.min(height)..rows.end.min(height);
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
                for segment in &band.segments {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Size;
    use crate::passes::{PassInfo, SampleType, Samples};
    use crate::synth::pass;

    fn rgb() -> PassInfo {
        pass(
            "ViewLayer",
            "Combined",
            &[("R", SampleType::F32), ("G", SampleType::F32), ("B", SampleType::F16)],
        )
    }

    fn buffers(values: [[f32; 6]; 3]) -> Vec<Samples> {
        let [r, g, b] = values;
        vec![
            Samples::F32(r.to_vec()),
            Samples::F32(g.to_vec()),
            Samples::F16(b.map(half::f16::from_f32).to_vec()),
        ]
    }

    const SIZE: Size = Size { width: 3, height: 2 };

    #[test]
    fn metrics_are_exact_for_known_differences_and_non_finite_values_are_apart() {
        let info = rgb();
        let a = buffers([[0.0, 0.5, 1.0, 0.25, f32::NAN, 2.0], [0.0; 6], [1.0; 6]]);
        let b = buffers([[0.0, 0.25, 1.0, 0.5, f32::NAN, f32::INFINITY], [0.0; 6], [1.0; 6]]);
        let (va, vb) = (PassView::new(SIZE, &info, &a).unwrap(), PassView::new(SIZE, &info, &b).unwrap());
        let options = CompareOptions { threshold: 0.2, ..CompareOptions::default() };
        let c = compare(&va, &vb, options, &[]).unwrap();
        let r = &c.channels[0];
        assert_eq!((r.component.as_str(), r.samples, r.non_finite, r.non_finite_mismatched), ("R", 4, 2, 1));
        assert_eq!((r.max_abs, r.mean_abs, r.over_threshold), (0.25, 0.125, 2));
        assert_eq!(r.rmse, (0.125f64 / 4.0).sqrt());
        assert_eq!(r.psnr, 10.0 * (1.0 / (0.125 / 4.0f64)).log10());
        assert!(!r.is_equal());
        let g = &c.channels[1];
        assert!(g.is_equal() && g.psnr == f64::INFINITY && g.rmse == 0.0 && g.samples == 6);
        // All channels: 16 finite samples, two pixels over, two with a non-finite value.
        let all = &c.overall;
        assert_eq!(
            (all.samples, all.over_threshold, all.non_finite, all.non_finite_mismatched),
            (16, 2, 2, 1)
        );
        assert_eq!((all.max_abs, all.mean_abs), (0.25, 0.5 / 16.0));
        assert!(all.psnr.is_finite() && all.psnr > 0.0);
    }

    #[test]
    fn floats_too_far_apart_for_f32_are_measured_in_f64() {
        let info = pass("", "Depth", &[("Z", SampleType::F32)]);
        let size = Size { width: 2, height: 1 };
        let (a, b) = ([Samples::F32(vec![3e38, 1.0])], [Samples::F32(vec![-3e38, 1.0])]);
        let (va, vb) = (PassView::new(size, &info, &a).unwrap(), PassView::new(size, &info, &b).unwrap());
        let c = compare(&va, &vb, CompareOptions::default(), &[]).unwrap();
        assert_eq!(
            (c.overall.max_abs, c.overall.over_threshold, c.overall.non_finite),
            (2.0 * f64::from(3e38f32), 1, 0)
        );
    }

    #[test]
    fn tiles_are_ranked_and_bands_of_rows_add_up_to_the_whole() {
        let info = rgb();
        let a = buffers([[0.0; 6], [0.0; 6], [0.0; 6]]);
        let b = buffers([[0.125, 0.0, 0.0, 0.375, 0.375, 0.375], [0.0; 6], [0.0, 0.0, 0.0, 0.0, 0.0, 0.5]]);
        let (va, vb) = (PassView::new(SIZE, &info, &a).unwrap(), PassView::new(SIZE, &info, &b).unwrap());
        let t = |x0, y0| TileId { x0, y0, x1: x0 + 1, y1: y0 + 1 };
        // A left column, the rest of the top row, and a tile over the bottom right pair.
        let tiles = [
            (t(0, 0), Rect { x: 0, y: 0, width: 1, height: 2 }),
            (t(1, 1), Rect { x: 1, y: 0, width: 2, height: 1 }),
            (t(1, 0), Rect { x: 1, y: 1, width: 2, height: 1 }),
        ];
        let options = CompareOptions::default();
        let c = compare(&va, &vb, options, &tiles).unwrap();
        let by_max: Vec<TileId> = c.worst_tiles(TileRank::Max, 3).iter().map(|d| d.tile).collect();
        assert_eq!(by_max, [t(1, 0), t(0, 0)], "the top right tile does not differ");
        let worst = c.worst_tiles(TileRank::Mean, 1)[0];
        assert_eq!((worst.tile, worst.rect.width), (t(1, 0), 2));
        assert_eq!(worst.mean_abs, 1.25 / 6.0);
        assert_eq!(worst.over_threshold, 2);
        let left = c.tiles[0];
        assert_eq!((left.mean_abs, left.max_abs, left.over_threshold), (0.5 / 6.0, 0.375, 2));

        let mut top = DifferencePartial::rows(&va, &vb, options, &tiles, 0..1).unwrap();
        let bottom = DifferencePartial::rows(&va, &vb, options, &tiles, 1..9).unwrap();
        top.merge(&bottom);
        assert_eq!(top.finish(), c);
    }

    #[test]
    fn different_sizes_and_channels_are_named_not_panicked_on() {
        let info = rgb();
        let a = buffers([[0.0; 6]; 3]);
        let va = PassView::new(SIZE, &info, &a).unwrap();
        let wide = Size { width: 6, height: 1 };
        let vw = PassView::new(wide, &info, &a).unwrap();
        let err = compare(&va, &vw, CompareOptions::default(), &[]).unwrap_err();
        assert_eq!(err.to_string(), "the images differ in size: A is 3x2, B is 6x1");

        let rgba = pass(
            "ViewLayer",
            "Combined",
            &[("R", SampleType::F32), ("G", SampleType::F32), ("B", SampleType::F16), ("A", SampleType::F32)],
        );
        let mut b = buffers([[0.5; 6]; 3]);
        b.push(Samples::F32(vec![1.0; 6]));
        let vb = PassView::new(SIZE, &rgba, &b).unwrap();
        let err = compare(&va, &vb, CompareOptions::default(), &[]).unwrap_err();
        assert_eq!(err, AnalysisError::ChannelsDiffer { only_a: vec![], only_b: vec!["A".into()] });
        let shared = CompareOptions { pairing: ChannelPairing::Shared, ..CompareOptions::default() };
        let c = compare(&va, &vb, shared, &[]).unwrap();
        assert_eq!(c.channels.len(), 3);
        assert_eq!(c.overall.max_abs, 0.5);
        let depth = pass("ViewLayer", "Depth", &[("Z", SampleType::F32)]);
        let z = [Samples::F32(vec![0.0; 6])];
        let vz = PassView::new(SIZE, &depth, &z).unwrap();
        let err = compare(&va, &vz, shared, &[]).unwrap_err();
        assert!(matches!(err, AnalysisError::NoSharedChannel { .. }), "{err}");
    }
}
