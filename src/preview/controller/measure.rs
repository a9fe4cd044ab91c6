//! The Measure panel's requests and answers: a histogram of the channel on screen gathered in two
//! rounds (every worker's range over its tiles, combined, then every worker's counts with that
//! range, summed) and a rectangle's statistics from every worker's sums. A newer request takes a
//! new ticket, and answers to older ones are dropped.

use leptos::prelude::*;
use tilemerge::analysis::{
    ChannelHistogram, ChannelStats, ChannelSums, HistogramOptions, HistogramScale, Series,
};
use tilemerge::view::{Channel, ValueRange};
use tilemerge::Rect;

use super::render_time::RenderTimes;
use super::Preview;
use crate::preview::worker::protocol::{Measurement, Request};

/// Bins of the histogram: one per few pixels of the side panel's width.
pub const BINS: usize = 64;

/// A histogram as shown: what was counted and the summed counts of every worker.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramShown {
    /// The pass and channel counted, and over which rectangle (`None`: the whole image).
    pub pass: String,
    pub channel: Channel,
    pub region: Option<Rect>,
    pub scale: HistogramScale,
    /// The values at the two ends (`None` when no value was finite).
    pub range: Option<ValueRange>,
    /// One per series of the view, counts summed over the workers.
    pub channels: Vec<ChannelHistogram>,
}

/// What the histogram section shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum HistogramState {
    /// No merge yet.
    #[default]
    Idle,
    /// The workers are counting.
    Working,
    Ready(HistogramShown),
    /// A worker could not count, and why.
    Failed(String),
}

/// A rectangle's statistics as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsShown {
    /// The rectangle and pass measured.
    pub region: Rect,
    pub pass: String,
    /// One per channel of the pass.
    pub channels: Vec<ChannelStats>,
}

/// What the rectangle statistics show.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum StatsState {
    /// No rectangle yet.
    #[default]
    Idle,
    Working,
    Ready(StatsShown),
    /// A worker could not sum the rectangle, and why.
    Failed(String),
}

/// Which round a histogram request is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Round {
    #[default]
    Range,
    Counts,
}

/// The workers' answers to the latest histogram request.
#[derive(Debug, Default)]
pub struct HistogramGather {
    ticket: u32,
    round: Round,
    shown: Option<HistogramShown>,
    answers: usize,
    series: Vec<Series>,
}

impl HistogramGather {
    /// A new request for `shown`'s pass, channel, region and scale (its counts still empty).
    pub fn new(ticket: u32, shown: HistogramShown) -> HistogramGather {
        HistogramGather { ticket, shown: Some(shown), ..HistogramGather::default() }
    }

    /// A worker's range; once all `workers` answered, the options every worker counts with.
    pub fn take_range(
        &mut self,
        ticket: u32,
        series: Vec<Series>,
        range: Option<ValueRange>,
        workers: usize,
    ) -> Option<HistogramOptions> {
        if ticket != self.ticket || self.round != Round::Range {
            return None;
        }
        let shown = self.shown.as_mut()?;
        self.answers += 1;
        shown.range = ValueRange::merge_all([shown.range, range]);
        if self.series.is_empty() {
            self.series = series;
        }
        if self.answers < workers {
            return None;
        }
        self.round = Round::Counts;
        self.answers = 0;
        shown.channels = self.series.iter().map(|s| ChannelHistogram::empty(s.clone(), BINS)).collect();
        Some(HistogramOptions { bins: BINS, scale: shown.scale, range: shown.range })
    }

    /// A worker's counts (none from a worker without tiles in the region); once all `workers`
    /// answered, the histogram to show.
    pub fn take_counts(
        &mut self,
        ticket: u32,
        channels: &[ChannelHistogram],
        workers: usize,
    ) -> Option<HistogramShown> {
        if ticket != self.ticket || self.round != Round::Counts {
            return None;
        }
        let shown = self.shown.as_mut()?;
        self.answers += 1;
        for (total, share) in shown.channels.iter_mut().zip(channels) {
            total.add(share);
        }
        (self.answers >= workers).then(|| self.shown.take()).flatten()
    }
}

/// The workers' answers to the latest rectangle request.
#[derive(Debug, Default)]
pub struct StatsGather {
    ticket: u32,
    region: Option<Rect>,
    pass: String,
    answers: usize,
    sums: Vec<ChannelSums>,
}

impl StatsGather {
    /// A new request for `region` of `pass`.
    pub fn new(ticket: u32, region: Rect, pass: String) -> StatsGather {
        StatsGather { ticket, region: Some(region), pass, ..StatsGather::default() }
    }

    /// A worker's sums (none from a worker without tiles in the rectangle); once all `workers`
    /// answered, the statistics to show.
    pub fn take(&mut self, ticket: u32, channels: Vec<ChannelSums>, workers: usize) -> Option<StatsShown> {
        if ticket != self.ticket || self.region.is_none() {
            return None;
        }
        self.answers += 1;
        if self.sums.is_empty() {
            self.sums = channels;
        } else {
            for (total, share) in self.sums.iter_mut().zip(&channels) {
                total.add(share);
            }
        }
        if self.answers < workers {
            return None;
        }
        let region = self.region.take()?;
        let channels = self.sums.iter().map(ChannelSums::stats).collect();
        Some(StatsShown { region, pass: std::mem::take(&mut self.pass), channels })
    }
}

/// The Measure panel's state; cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct Measure {
    /// Linear or logarithmic bins.
    pub scale: RwSignal<HistogramScale>,
    pub histogram: RwSignal<HistogramState>,
    /// Whether the pointer drags a rectangle on the image (instead of panning).
    pub measuring: RwSignal<bool>,
    /// The rectangle measured, in image pixels (clipped to the image), and the one being dragged.
    pub rect: RwSignal<Option<Rect>>,
    pub dragged: RwSignal<Option<Rect>>,
    /// Why a typed rectangle was not taken.
    pub rect_problem: RwSignal<Option<String>>,
    pub stats: RwSignal<StatsState>,
    /// The tiles' render times, for the overlay.
    pub render: RenderTimes,
    /// Where a drag began, in image coordinates.
    pub(super) drag_from: StoredValue<Option<(f64, f64)>>,
    histograms: StoredValue<HistogramGather>,
    rects: StoredValue<StatsGather>,
}

impl Measure {
    /// Nothing measured: a linear histogram of the whole image, the pointer pans.
    pub fn new() -> Measure {
        Measure {
            scale: RwSignal::new(HistogramScale::Linear),
            histogram: RwSignal::new(HistogramState::Idle),
            measuring: RwSignal::new(false),
            rect: RwSignal::new(None),
            dragged: RwSignal::new(None),
            rect_problem: RwSignal::new(None),
            stats: RwSignal::new(StatsState::Idle),
            render: RenderTimes::new(),
            drag_from: StoredValue::new(None),
            histograms: StoredValue::new(HistogramGather::default()),
            rects: StoredValue::new(StatsGather::default()),
        }
    }

    /// A new merge: its image may be another size, so the rectangle goes.
    pub fn restart(self) {
        self.histogram.try_set(HistogramState::Idle);
        self.rect.try_set(None);
        self.dragged.try_set(None);
        self.rect_problem.try_set(None);
        self.stats.try_set(StatsState::Idle);
        self.render.seconds.try_set(Default::default());
        self.histograms.try_update_value(|g| *g = HistogramGather { ticket: g.ticket, ..Default::default() });
        self.rects.try_update_value(|g| *g = StatsGather { ticket: g.ticket, ..Default::default() });
    }
}

impl Default for Measure {
    fn default() -> Measure {
        Measure::new()
    }
}

impl Preview {
    /// Asks every worker for the first round of the histogram of the pass and channel on screen,
    /// over the rectangle when one is set.
    pub fn request_histogram(self) {
        let Some(pass) = self.pass.get_untracked() else { return };
        if !self.live.get_untracked() || self.workers() == 0 {
            return;
        }
        let measure = self.measure;
        let shown = HistogramShown {
            pass: pass.clone(),
            channel: self.viewing.channel.get_untracked(),
            region: measure.rect.get_untracked(),
            scale: measure.scale.get_untracked(),
            range: None,
            channels: Vec::new(),
        };
        let (channel, region, scale) = (shown.channel, shown.region, shown.scale);
        let ticket = measure.histograms.with_value(|g| g.ticket).wrapping_add(1);
        measure.histograms.set_value(HistogramGather::new(ticket, shown));
        if !matches!(measure.histogram.get_untracked(), HistogramState::Ready(_)) {
            // A histogram shown stays until the new one is ready: nothing jumps.
            measure.histogram.set(HistogramState::Working);
        }
        let session = self.session.get_value();
        let request = Request::HistogramRange { session, ticket, pass, channel, region, scale };
        self.with_pool(|pool| pool.broadcast(&request));
    }

    /// A worker's range; the last one starts the counting.
    pub(super) fn histogram_ranged(self, ticket: u32, series: Vec<Series>, range: Option<ValueRange>) {
        let workers = self.workers();
        let next = self.measure.histograms.try_update_value(|g| {
            let options = g.take_range(ticket, series, range, workers)?;
            let shown = g.shown.as_ref()?;
            Some((shown.pass.clone(), shown.channel, shown.region, options))
        });
        let Some(Some((pass, channel, region, options))) = next else { return };
        let session = self.session.get_value();
        let request = Request::HistogramCounts { session, ticket, pass, channel, region, options };
        self.with_pool(|pool| pool.broadcast(&request));
    }

    /// A worker's counts; the last one shows the histogram.
    pub(super) fn histogram_counted(self, ticket: u32, channels: Vec<ChannelHistogram>) {
        let workers = self.workers();
        let done = self.measure.histograms.try_update_value(|g| g.take_counts(ticket, &channels, workers));
        if let Some(Some(shown)) = done {
            self.measure.histogram.set(HistogramState::Ready(shown));
        }
    }

    /// Asks every worker for the sums of the rectangle in the pass on screen.
    pub fn request_stats(self) {
        let (Some(pass), Some(region)) = (self.pass.get_untracked(), self.measure.rect.get_untracked())
        else {
            return;
        };
        if !self.live.get_untracked() || self.workers() == 0 {
            return;
        }
        let ticket = self.measure.rects.with_value(|g| g.ticket).wrapping_add(1);
        self.measure.rects.set_value(StatsGather::new(ticket, region, pass.clone()));
        if !matches!(self.measure.stats.get_untracked(), StatsState::Ready(_)) {
            self.measure.stats.set(StatsState::Working);
        }
        let session = self.session.get_value();
        self.with_pool(|pool| pool.broadcast(&Request::RegionSums { session, ticket, pass, region }));
    }

    /// A worker could not measure: the latest request of that panel fails with its reason (an
    /// answer to an older one is dropped like its figures would be).
    pub(super) fn unmeasured(self, ticket: u32, measurement: Measurement, reason: String) {
        let measure = self.measure;
        match measurement {
            Measurement::Histogram if measure.histograms.with_value(|g| g.ticket) == ticket => {
                measure.histogram.set(HistogramState::Failed(reason));
            }
            Measurement::Region if measure.rects.with_value(|g| g.ticket) == ticket => {
                measure.stats.set(StatsState::Failed(reason));
            }
            _ => {}
        }
    }

    /// A worker's sums; the last one shows the statistics.
    pub(super) fn stats_summed(self, ticket: u32, channels: Vec<ChannelSums>) {
        let workers = self.workers();
        let done = self.measure.rects.try_update_value(|g| g.take(ticket, channels, workers));
        if let Some(Some(shown)) = done {
            self.measure.stats.set(StatsState::Ready(shown));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(series: &str, counts: Vec<u64>, below: u64) -> ChannelHistogram {
        let mut padded = counts;
        padded.resize(BINS, 0);
        ChannelHistogram {
            series: Series::Component(series.into()),
            counts: padded,
            below,
            above: 0,
            non_finite: 1,
        }
    }

    fn asked() -> HistogramShown {
        HistogramShown {
            pass: "ViewLayer.Depth".into(),
            channel: Channel::Rgb,
            region: None,
            scale: HistogramScale::Linear,
            range: None,
            channels: Vec::new(),
        }
    }

    #[test]
    fn the_workers_ranges_combine_and_their_counts_add_up() {
        let mut gather = HistogramGather::new(2, asked());
        let z = vec![Series::Component("Z".into())];
        // A stale answer and a worker without tiles change nothing.
        assert_eq!(gather.take_range(1, z.clone(), Some(ValueRange { min: -9.0, max: 9.0 }), 3), None);
        assert_eq!(gather.take_range(2, Vec::new(), None, 3), None);
        assert_eq!(gather.take_range(2, z.clone(), Some(ValueRange { min: 1.0, max: 2.0 }), 3), None);
        let options = gather.take_range(2, z, Some(ValueRange { min: 0.5, max: 1.5 }), 3);
        assert_eq!(
            options,
            Some(HistogramOptions {
                bins: BINS,
                scale: HistogramScale::Linear,
                range: Some(ValueRange { min: 0.5, max: 2.0 })
            })
        );
        assert_eq!(gather.take_counts(2, &[counts("Z", vec![1, 2], 0)], 3), None);
        assert_eq!(gather.take_counts(2, &[], 3), None);
        let shown = gather.take_counts(2, &[counts("Z", vec![0, 5, 1], 4)], 3).expect("all answered");
        assert_eq!(
            shown.channels,
            vec![{
                let mut c = counts("Z", vec![1, 7, 1], 4);
                c.non_finite = 2;
                c
            }]
        );
        assert_eq!(shown.range, Some(ValueRange { min: 0.5, max: 2.0 }));
        // Answered once only.
        assert_eq!(gather.take_counts(2, &[], 3), None);
    }

    #[test]
    fn a_rectangles_sums_combine_into_its_statistics() {
        let region = Rect { x: 1, y: 2, width: 3, height: 4 };
        let mut gather = StatsGather::new(5, region, "ViewLayer.Combined".into());
        let sums = |min: f32, max: f32, sum: f64, finite: u64| ChannelSums {
            component: "R".into(),
            min: Some(min),
            max: Some(max),
            sum,
            finite,
            non_finite: 0,
        };
        assert_eq!(gather.take(4, vec![sums(-5.0, 5.0, 0.0, 1)], 2), None);
        assert_eq!(gather.take(5, vec![sums(0.5, 1.0, 3.0, 4)], 2), None);
        let shown = gather.take(5, vec![sums(0.25, 0.75, 1.0, 4)], 2).expect("both answered");
        assert_eq!(shown.region, region);
        let r = &shown.channels[0];
        assert_eq!((r.min, r.max, r.mean, r.finite), (Some(0.25), Some(1.0), Some(0.5), 8));
    }
}
