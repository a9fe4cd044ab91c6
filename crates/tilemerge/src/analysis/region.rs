//! The lowest, highest and mean value of each channel in a rectangle dragged on the image.

use serde::{Deserialize, Serialize};

use super::{read_f32, runs, AnalysisError, PassView, CHUNK};
use crate::layout::Rect;

/// One channel's statistics over the finite samples of a rectangle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    /// The component (`R`, `Z`, ...).
    pub component: String,
    /// The lowest finite value (`None` when no value is finite).
    pub min: Option<f32>,
    /// The highest finite value.
    pub max: Option<f32>,
    /// The mean of the finite values, summed in f64.
    pub mean: Option<f64>,
    /// Finite samples counted.
    pub finite: u64,
    /// NaN and infinite samples, left out of the three above.
    pub non_finite: u64,
}

/// Statistics of every channel of a pass over a rectangle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionStats {
    /// The rectangle measured: the one asked for, clipped to the image.
    pub region: Rect,
    /// Per channel, in the pass's order.
    pub channels: Vec<ChannelStats>,
}

/// Min, max and mean per channel of `view` over `rect`, clipped to the image; a rectangle that
/// holds no pixel of the image (empty, or outside it) is an error rather than a row of blanks.
pub fn region_stats(view: &PassView<'_>, rect: Rect) -> Result<RegionStats, AnalysisError> {
    let region = rect.intersect(&view.bounds());
    if region.is_empty() {
        return Err(AnalysisError::EmptyRegion { requested: rect, image: view.size });
    }
    let channels = region_sums(view, &[region]).iter().map(ChannelSums::stats).collect();
    Ok(RegionStats { region, channels })
}

/// What [`ChannelStats`] are made of, for one share of a rectangle: sums of shares merge
/// ([`ChannelSums::add`]) into the sums of the whole, so a rectangle spread over several Web
/// Workers' tiles is measured by each over its own pixels and combined on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSums {
    /// The component (`R`, `Z`, ...).
    pub component: String,
    /// The lowest finite value (`None` when no value is finite).
    pub min: Option<f32>,
    /// The highest finite value.
    pub max: Option<f32>,
    /// The sum of the finite values.
    pub sum: f64,
    /// Finite samples counted.
    pub finite: u64,
    /// NaN and infinite samples.
    pub non_finite: u64,
}

impl ChannelSums {
    /// Nothing counted yet.
    pub fn empty(component: String) -> ChannelSums {
        ChannelSums { component, min: None, max: None, sum: 0.0, finite: 0, non_finite: 0 }
    }

    /// Adds another share of the same channel.
    pub fn add(&mut self, other: &ChannelSums) {
        let pick = |a: Option<f32>, b: Option<f32>, f: fn(f32, f32) -> f32| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        self.min = pick(self.min, other.min, f32::min);
        self.max = pick(self.max, other.max, f32::max);
        self.sum += other.sum;
        self.finite += other.finite;
        self.non_finite += other.non_finite;
    }

    /// The statistics these sums make.
    pub fn stats(&self) -> ChannelStats {
        ChannelStats {
            component: self.component.clone(),
            min: self.min,
            max: self.max,
            mean: (self.finite > 0).then(|| self.sum / self.finite as f64),
            finite: self.finite,
            non_finite: self.non_finite,
        }
    }
}

/// The sums of every channel of a pass over several rectangles (each clipped to the image; empty
/// ones add nothing; they should not overlap), in the pass's channel order.
pub fn region_sums(view: &PassView<'_>, rects: &[Rect]) -> Vec<ChannelSums> {
    let rects: Vec<Rect> =
        rects.iter().map(|r| r.intersect(&view.bounds())).filter(|r| !r.is_empty()).collect();
    let mut buffer = [0f32; CHUNK];
    view.info
        .channels
        .iter()
        .zip(view.channels)
        .map(|(info, samples)| {
            let (mut min, mut max, mut sum) = (f32::INFINITY, f32::NEG_INFINITY, 0f64);
            let (mut finite, mut non_finite) = (0u64, 0u64);
            for (start, len) in rects.iter().flat_map(|r| runs(*r, view.size.width)) {
                let mut done = 0;
                while done < len {
                    let n = (len - done).min(CHUNK);
                    read_f32(samples, start + done, &mut buffer[..n]);
                    for v in &buffer[..n] {
                        if v.is_finite() {
                            min = min.min(*v);
                            max = max.max(*v);
                            sum += f64::from(*v);
                            finite += 1;
                        } else {
                            non_finite += 1;
                        }
                    }
                    done += n;
                }
            }
            let any = finite > 0;
            ChannelSums {
                component: info.component.clone(),
                min: any.then_some(min),
                max: any.then_some(max),
                sum,
                finite,
                non_finite,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Size;
    use crate::passes::{SampleType, Samples};
    use crate::synth::pass;

    #[test]
    fn a_rectangle_is_clipped_and_measured_per_channel() {
        let info = pass("", "Image", &[("R", SampleType::F16), ("G", SampleType::F32)]);
        let size = Size { width: 3, height: 2 };
        let r = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0].map(half::f16::from_f32).to_vec();
        let channels = [Samples::F16(r), Samples::F32(vec![0.0, f32::NAN, 0.0, 0.0, -8.0, 2.0])];
        let view = PassView::new(size, &info, &channels).unwrap();
        // Columns 1 and 2 of both rows; the rectangle reaches past the image.
        let stats = region_stats(&view, Rect { x: 1, y: 0, width: 10, height: 10 }).unwrap();
        assert_eq!(stats.region, Rect { x: 1, y: 0, width: 2, height: 2 });
        let [red, green] = &stats.channels[..] else { panic!("two channels") };
        assert_eq!((red.min, red.max, red.mean, red.finite), (Some(2.0), Some(6.0), Some(4.0), 4));
        assert_eq!(
            (green.min, green.max, green.mean, green.non_finite),
            (Some(-8.0), Some(2.0), Some(-2.0), 1)
        );

        let nan = [Samples::F16(vec![half::f16::NAN; 6]), Samples::F32(vec![0.0; 6])];
        let view = PassView::new(size, &info, &nan).unwrap();
        let stats = region_stats(&view, Rect { x: 0, y: 0, width: 1, height: 1 }).unwrap();
        assert_eq!(
            (stats.channels[0].min, stats.channels[0].mean, stats.channels[0].non_finite),
            (None, None, 1)
        );

        for empty in [Rect { x: 0, y: 0, width: 0, height: 5 }, Rect { x: 3, y: 0, width: 4, height: 4 }] {
            let err = region_stats(&view, empty).unwrap_err();
            assert_eq!(err, AnalysisError::EmptyRegion { requested: empty, image: size });
        }
    }

    #[test]
    fn sums_of_shares_make_the_statistics_of_the_whole() {
        let info = pass("", "Image", &[("R", SampleType::F32)]);
        let values: Vec<f32> = (0..12).map(|i| (i * 5 % 12) as f32 - 3.5).collect();
        let channels = [Samples::F32(values)];
        let view = PassView::new(Size { width: 4, height: 3 }, &info, &channels).unwrap();
        let whole = region_stats(&view, view.bounds()).unwrap();
        let mut sums = region_sums(&view, &[Rect { x: 0, y: 0, width: 4, height: 1 }]);
        let empty = region_sums(&view, &[Rect { x: 9, y: 9, width: 1, height: 1 }]);
        sums[0].add(&empty[0]);
        sums[0].add(&region_sums(&view, &[Rect { x: 0, y: 1, width: 4, height: 2 }])[0]);
        assert_eq!(vec![sums[0].stats()], whole.channels);
        assert_eq!((empty[0].min, empty[0].stats().mean), (None, None));
    }
}
