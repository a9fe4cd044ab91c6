//! Histograms of a pass's channels over the image or a rectangle, on a linear or logarithmic
//! scale of values, with the values outside the range and the non-finite ones counted apart.
//!
//! The range, unless given, runs from the lowest to the highest value of the series shown,
//! all series together (so R, G and B share their bins), over the rectangle, counting only
//! finite values nearer zero than [`NO_HIT`] (Cycles' depth of the background, which would
//! squash every real depth into the first bin) and, on a log scale, above zero. Values left
//! out that way are counted as below or above the range, never in a bin.

use serde::{Deserialize, Serialize};

use super::{read_f32, runs, AnalysisError, PassView, CHUNK};
use crate::layout::Rect;
use crate::passes::PassInfo;
use crate::view::{luminance, Channel, ValueRange, NO_HIT};

/// How values are spread over the bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HistogramScale {
    /// Bins of equal width in value.
    #[default]
    Linear,
    /// Bins of equal width in `log(value)`, for HDR light; values at or below zero fall below.
    Log,
}

/// What one histogram counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Series {
    /// One channel, by component (`R`, `Z`, ...).
    Component(String),
    /// Rec. 709 luminance of `R G B`.
    Luminance,
}

impl Series {
    /// The series a view of `channel` shows of a pass, as [`crate::view::render_rgba8`] picks
    /// them: the colour is `R G B`, else `X Y Z`, else the channels other than `A` in file order
    /// (at most three); `R`, `G`, `B` are its components; `A` is alpha (nothing when the pass
    /// has none); luminance needs `R G B`, else it is the first component.
    pub fn for_view(info: &PassInfo, channel: Channel) -> Vec<Series> {
        let has = |c: &str| info.component_index(c).is_some();
        let colour: Vec<String> = if ["R", "G", "B"].iter().all(|c| has(c)) {
            vec!["R".into(), "G".into(), "B".into()]
        } else if ["X", "Y", "Z"].iter().all(|c| has(c)) {
            vec!["X".into(), "Y".into(), "Z".into()]
        } else {
            let others = info.channels.iter().filter(|c| c.component != "A").take(3);
            let others: Vec<String> = others.map(|c| c.component.clone()).collect();
            if others.is_empty() {
                info.channels.first().map(|c| c.component.clone()).into_iter().collect()
            } else {
                others
            }
        };
        let component = |i: usize| colour.get(i).cloned().map(Series::Component).into_iter().collect();
        match channel {
            Channel::Rgb => colour.iter().cloned().map(Series::Component).collect(),
            Channel::R => component(0),
            Channel::G => component(1),
            Channel::B => component(2),
            Channel::A if has("A") => vec![Series::Component("A".into())],
            Channel::A => Vec::new(),
            Channel::Luminance if has("R") && has("G") && has("B") => vec![Series::Luminance],
            Channel::Luminance => component(0),
        }
    }
}

/// Settings of a histogram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistogramOptions {
    /// Number of bins (at least 1).
    pub bins: usize,
    /// Linear or logarithmic.
    pub scale: HistogramScale,
    /// The values at the two ends; `None` takes them from the values (see the module's doc).
    pub range: Option<ValueRange>,
}

impl Default for HistogramOptions {
    /// 256 linear bins over the values' own range.
    fn default() -> Self {
        HistogramOptions { bins: 256, scale: HistogramScale::Linear, range: None }
    }
}

/// The counts of one series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelHistogram {
    /// What was counted.
    pub series: Series,
    /// Pixels per bin, lowest values first.
    pub counts: Vec<u64>,
    /// Finite values below the range (or at or below zero on a log scale).
    pub below: u64,
    /// Finite values above the range.
    pub above: u64,
    /// NaN and infinite values.
    pub non_finite: u64,
}

/// Histograms of several series over the same bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// The scale of the bins.
    pub scale: HistogramScale,
    /// The values at the ends; `None` when no value could set it (every bin is then empty).
    pub range: Option<ValueRange>,
    /// The rectangle counted (clipped to the image).
    pub region: Rect,
    /// One per series asked for, in that order.
    pub channels: Vec<ChannelHistogram>,
}

impl Histogram {
    /// The lower edge of bin `i` (the upper edge of the last is `range.max`); `None` without a
    /// range.
    pub fn bin_start(&self, i: usize) -> Option<f64> {
        let range = self.range?;
        let bins = self.channels.first().map_or(1, |c| c.counts.len().max(1)) as f64;
        let (lo, hi) = (f64::from(range.min), f64::from(range.max));
        Some(match self.scale {
            HistogramScale::Linear => lo + (hi - lo) * i as f64 / bins,
            HistogramScale::Log => (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / bins).exp(),
        })
    }
}

/// Where a value goes: a bin, or one of the counts apart.
enum Slot {
    Bin(usize),
    Below,
    Above,
    NonFinite,
}

/// The bin rule: bin `i` holds `[start(i), start(i + 1))`, the last one also `range.max`;
/// positions are computed in f64, linearly or on `ln(value)`.
struct Binning {
    scale: HistogramScale,
    range: Option<(f64, f64)>,
    bins: usize,
}

impl Binning {
    fn slot(&self, v: f32) -> Slot {
        if !v.is_finite() {
            return Slot::NonFinite;
        }
        if self.scale == HistogramScale::Log && v <= 0.0 {
            return Slot::Below;
        }
        let Some((lo, hi)) = self.range else {
            // No range means every finite value was left out of it: by sign.
            return if v > 0.0 { Slot::Above } else { Slot::Below };
        };
        let v = f64::from(v);
        if v < lo {
            return Slot::Below;
        }
        if v > hi {
            return Slot::Above;
        }
        let (v, lo, hi) = match self.scale {
            HistogramScale::Linear => (v, lo, hi),
            HistogramScale::Log => (v.ln(), lo.ln(), hi.ln()),
        };
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        Slot::Bin(((t * self.bins as f64) as usize).min(self.bins - 1))
    }
}

/// Calls `each` with every value of `series` in `region`, a chunk at a time.
fn for_each_chunk(
    view: &PassView<'_>,
    series: &Series,
    region: Rect,
    mut each: impl FnMut(&[f32]),
) -> Result<(), AnalysisError> {
    let indices: Vec<usize> = match series {
        Series::Component(c) => vec![view.channel_index(c)?],
        Series::Luminance => {
            vec![view.channel_index("R")?, view.channel_index("G")?, view.channel_index("B")?]
        }
    };
    let mut buffers = [[0f32; CHUNK]; 3];
    for (start, len) in runs(region, view.size.width) {
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK);
            for (buffer, i) in buffers.iter_mut().zip(&indices) {
                if let Some(samples) = view.channels.get(*i) {
                    read_f32(samples, start + done, &mut buffer[..n]);
                }
            }
            let [r, g, b] = &mut buffers;
            if indices.len() == 3 {
                for ((r, g), b) in r[..n].iter_mut().zip(&g[..n]).zip(&b[..n]) {
                    *r = luminance(*r, *g, *b);
                }
            }
            each(&r[..n]);
            done += n;
        }
    }
    Ok(())
}

/// Histograms of `series` of a pass over `region` (the whole image when `None`; clipped to it).
pub fn histogram(
    view: &PassView<'_>,
    series: &[Series],
    region: Option<Rect>,
    options: HistogramOptions,
) -> Result<Histogram, AnalysisError> {
    if options.bins == 0 {
        return Err(AnalysisError::NoBins);
    }
    let requested = region.unwrap_or(view.bounds());
    let clipped = requested.intersect(&view.bounds());
    if clipped.is_empty() {
        return Err(AnalysisError::EmptyRegion { requested, image: view.size });
    }
    let range = match options.range {
        Some(r) => Some(usable_range(r, options.scale)?),
        None => series_range(view, series, &[clipped], options.scale)?,
    };
    let channels = count_rects(view, series, &[clipped], HistogramOptions { range, ..options })?;
    Ok(Histogram { scale: options.scale, range, region: clipped, channels })
}

/// `range` when bins can span it on `scale` (finite ends, the lower below the upper, above zero
/// on a log scale).
pub fn usable_range(range: ValueRange, scale: HistogramScale) -> Result<ValueRange, AnalysisError> {
    let log = scale == HistogramScale::Log;
    let usable =
        range.min.is_finite() && range.max.is_finite() && range.min < range.max && (!log || range.min > 0.0);
    if usable {
        Ok(range)
    } else {
        Err(AnalysisError::InvalidRange { min: range.min, max: range.max })
    }
}

/// The range a histogram of `series` takes when none is given (see the module's doc), over
/// several rectangles (each clipped to the image; empty ones add nothing). Ranges of disjoint
/// rectangles merge with [`ValueRange::merge_all`] into the range of all of them, so the
/// shares of a merge held apart (one per Web Worker) agree on one range before they count.
pub fn series_range(
    view: &PassView<'_>,
    series: &[Series],
    rects: &[Rect],
    scale: HistogramScale,
) -> Result<Option<ValueRange>, AnalysisError> {
    let log = scale == HistogramScale::Log;
    let mut found: Option<ValueRange> = None;
    for rect in clipped_rects(view, rects) {
        for s in series {
            for_each_chunk(view, s, rect, |values| {
                let kept = values.iter().copied().filter(|v| v.abs() < NO_HIT && (!log || *v > 0.0));
                found = ValueRange::merge_all([found, ValueRange::of(kept)]);
            })?;
        }
    }
    Ok(found)
}

/// The counts of `series` over several rectangles (each clipped to the image; they should not
/// overlap, or their shared pixels count twice) with `options.range` as it is: `None` counts
/// every finite value apart, by sign. Counts of disjoint rectangles with the same options add
/// up ([`ChannelHistogram::add`]) to the counts over all of them. The range is taken as given
/// (one found from the values may be a single value, whose pixels all go to the first bin).
pub fn count_rects(
    view: &PassView<'_>,
    series: &[Series],
    rects: &[Rect],
    options: HistogramOptions,
) -> Result<Vec<ChannelHistogram>, AnalysisError> {
    if options.bins == 0 {
        return Err(AnalysisError::NoBins);
    }
    let binning = Binning {
        scale: options.scale,
        range: options.range.map(|r| (f64::from(r.min), f64::from(r.max))),
        bins: options.bins,
    };
    let rects = clipped_rects(view, rects);
    let mut channels = Vec::with_capacity(series.len());
    for s in series {
        let mut h = ChannelHistogram::empty(s.clone(), options.bins);
        for rect in &rects {
            for_each_chunk(view, s, *rect, |values| {
                for v in values {
                    match binning.slot(*v) {
                        Slot::Bin(i) => {
                            if let Some(c) = h.counts.get_mut(i) {
                                *c += 1;
                            }
                        }
                        Slot::Below => h.below += 1,
                        Slot::Above => h.above += 1,
                        Slot::NonFinite => h.non_finite += 1,
                    }
                }
            })?;
        }
        channels.push(h);
    }
    Ok(channels)
}

/// The rectangles clipped to the image, without the empty ones.
fn clipped_rects(view: &PassView<'_>, rects: &[Rect]) -> Vec<Rect> {
    rects.iter().map(|r| r.intersect(&view.bounds())).filter(|r| !r.is_empty()).collect()
}

impl ChannelHistogram {
    /// Nothing counted yet.
    pub fn empty(series: Series, bins: usize) -> ChannelHistogram {
        ChannelHistogram { series, counts: vec![0; bins], below: 0, above: 0, non_finite: 0 }
    }

    /// Adds the counts of another share of the same series and bins (bins beyond this one's are
    /// ignored: the shares were asked for with the same options).
    pub fn add(&mut self, other: &ChannelHistogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.below += other.below;
        self.above += other.above;
        self.non_finite += other.non_finite;
    }

    /// Every value counted, in the bins and apart.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum::<u64>() + self.below + self.above + self.non_finite
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Size;
    use crate::passes::{SampleType, Samples};
    use crate::synth::pass;

    fn depth(values: Vec<f32>) -> (crate::passes::PassInfo, [Samples; 1]) {
        (pass("ViewLayer", "Depth", &[("Z", SampleType::F32)]), [Samples::F32(values)])
    }

    #[test]
    fn linear_bins_take_the_range_without_the_background_and_count_the_rest_apart() {
        let (info, z) = depth(vec![1.0, 2.0, 3.0, 5.0, NO_HIT, f32::NAN, f32::INFINITY, 4.9]);
        let view = PassView::new(Size { width: 4, height: 2 }, &info, &z).unwrap();
        let z_only = [Series::Component("Z".into())];
        let h = histogram(&view, &z_only, None, HistogramOptions { bins: 4, ..Default::default() }).unwrap();
        assert_eq!(h.range, Some(ValueRange { min: 1.0, max: 5.0 }));
        let c = &h.channels[0];
        // Bins of width 1 from 1: [1,2) [2,3) [3,4) [4,5]; 1e10 above, NaN and inf apart.
        assert_eq!((c.counts.as_slice(), c.below, c.above, c.non_finite), (&[1, 1, 1, 2][..], 0, 1, 2));
        assert_eq!(h.bin_start(2), Some(3.0));
        // A given range clips; the top row alone.
        let options = HistogramOptions {
            bins: 2,
            range: Some(ValueRange { min: 1.5, max: 2.5 }),
            ..Default::default()
        };
        let top = Rect { x: 0, y: 0, width: 9, height: 1 };
        let h = histogram(&view, &z_only, Some(top), options).unwrap();
        assert_eq!(h.region, Rect { x: 0, y: 0, width: 4, height: 1 });
        let c = &h.channels[0];
        assert_eq!((c.counts.as_slice(), c.below, c.above), (&[0, 1][..], 1, 2));
    }

    #[test]
    fn a_views_channel_picks_its_series() {
        let rgba = pass(
            "ViewLayer",
            "Combined",
            &[("R", SampleType::F16), ("G", SampleType::F16), ("B", SampleType::F16), ("A", SampleType::F16)],
        );
        let c = |s: &str| Series::Component(s.into());
        assert_eq!(Series::for_view(&rgba, Channel::Rgb), [c("R"), c("G"), c("B")]);
        assert_eq!(Series::for_view(&rgba, Channel::G), [c("G")]);
        assert_eq!(Series::for_view(&rgba, Channel::A), [c("A")]);
        assert_eq!(Series::for_view(&rgba, Channel::Luminance), [Series::Luminance]);
        let (depth, _) = depth(vec![]);
        assert_eq!(Series::for_view(&depth, Channel::Rgb), [c("Z")]);
        assert_eq!(Series::for_view(&depth, Channel::Luminance), [c("Z")]);
        assert_eq!(Series::for_view(&depth, Channel::B), []);
        assert_eq!(Series::for_view(&depth, Channel::A), []);
        let normal = pass(
            "ViewLayer",
            "Normal",
            &[("X", SampleType::F32), ("Y", SampleType::F32), ("Z", SampleType::F32)],
        );
        assert_eq!(Series::for_view(&normal, Channel::B), [c("Z")]);
    }

    #[test]
    fn log_bins_leave_out_zero_and_bad_requests_are_errors() {
        let (info, z) = depth(vec![0.0, -1.0, 0.01, 0.1, 1.0, 10.0]);
        let view = PassView::new(Size { width: 3, height: 2 }, &info, &z).unwrap();
        let z_only = [Series::Component("Z".into())];
        let log = HistogramOptions { bins: 3, scale: HistogramScale::Log, range: None };
        let h = histogram(&view, &z_only, None, log).unwrap();
        assert_eq!(h.range, Some(ValueRange { min: 0.01, max: 10.0 }));
        let c = &h.channels[0];
        // Decades: [0.01, 0.1) [0.1, 1) [1, 10].
        assert_eq!((c.counts.as_slice(), c.below, c.above), (&[1, 1, 2][..], 2, 0));
        assert!((h.bin_start(1).unwrap() - 0.1).abs() < 1e-6);

        let bad = HistogramOptions { range: Some(ValueRange { min: 0.0, max: 1.0 }), ..log };
        assert!(matches!(histogram(&view, &z_only, None, bad), Err(AnalysisError::InvalidRange { .. })));
        let none = HistogramOptions { bins: 0, ..log };
        assert_eq!(histogram(&view, &z_only, None, none), Err(AnalysisError::NoBins));
        let outside = Rect { x: 3, y: 0, width: 2, height: 2 };
        assert!(matches!(
            histogram(&view, &z_only, Some(outside), log),
            Err(AnalysisError::EmptyRegion { .. })
        ));
        let err = histogram(&view, &[Series::Luminance], None, log).unwrap_err();
        assert!(err.to_string().contains("no channel \"R\""), "{err}");
    }

    #[test]
    fn shares_of_disjoint_rectangles_add_up_to_the_whole() {
        let values: Vec<f32> = (0..24).map(|i| (i * 7 % 24) as f32 * 0.5 - 2.0).collect();
        let (info, z) = depth(values);
        let view = PassView::new(Size { width: 6, height: 4 }, &info, &z).unwrap();
        let z_only = [Series::Component("Z".into())];
        let options = HistogramOptions { bins: 5, ..Default::default() };
        let whole = histogram(&view, &z_only, None, options).unwrap();
        // Two shares: the left third and the rest, each ranged and counted on its own.
        let left = [Rect { x: 0, y: 0, width: 2, height: 4 }];
        let right = [Rect { x: 2, y: 0, width: 4, height: 2 }, Rect { x: 2, y: 2, width: 9, height: 9 }];
        let ranges = [&left[..], &right[..]]
            .map(|rects| series_range(&view, &z_only, rects, HistogramScale::Linear).unwrap());
        let range = ValueRange::merge_all(ranges);
        assert_eq!(range, whole.range);
        let shared = HistogramOptions { range, ..options };
        let mut sum = count_rects(&view, &z_only, &left, shared).unwrap();
        sum[0].add(&count_rects(&view, &z_only, &right, shared).unwrap()[0]);
        assert_eq!(sum, whole.channels);
        assert_eq!(sum[0].total(), 24);
    }
}
