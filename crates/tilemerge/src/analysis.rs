//! The inspector's measurements of a merged frame: [`compare()`] two images of a pass (metrics,
//! worst tiles, difference pictures), a [`histogram()`] of channels, [`region`] statistics of a
//! rectangle, and the EXR [`metadata`] of a file.
//!
//! Everything reads a [`PassView`]: one pass of a [`Canvas`] (a merge) or of a [`DecodedTile`]
//! (a reference EXR such as Blender's `full.exr`, or any single file), borrowed, never copied.
//! Like the rest of the crate it is single-threaded so it runs in a browser's Web Worker; the
//! comparison works on bands of rows whose partial results merge, so callers with threads (or
//! several workers) can share it out.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decode::{DecodeError, DecodedTile};
use crate::layout::{Rect, Size, TileId};
use crate::passes::{PassInfo, Samples};
use crate::stitch::{Canvas, TileState};

pub mod compare;
pub mod difference;
pub mod histogram;
pub mod metadata;
pub mod region;

pub use compare::{
    compare, compare_with_map, ChannelDifference, ChannelPairing, CompareOptions, Comparison, DifferenceMap,
    DifferencePartial, TileDifference, TileRank,
};
pub use difference::{difference_rgba8, DifferenceView, MISMATCH_COLOUR};
pub use histogram::{
    count_rects, histogram, series_range, ChannelHistogram, Histogram, HistogramOptions, HistogramScale,
    Series,
};
pub use metadata::{header_attributes, HeaderAttribute};
pub use region::{region_stats, region_sums, ChannelStats, ChannelSums, RegionStats};

/// Why a measurement could not be made. Each names what was wrong, for the person who asked.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
pub enum AnalysisError {
    /// The image has no pass of that name.
    #[error("there is no pass {requested:?}; the image has {available:?}")]
    UnknownPass {
        /// The requested name.
        requested: String,
        /// The passes there are.
        available: Vec<String>,
    },
    /// The pass has no channel of that component.
    #[error("pass {pass} has no channel {requested:?}; it has {available:?}")]
    UnknownChannel {
        /// The pass.
        pass: String,
        /// The requested component.
        requested: String,
        /// Its components.
        available: Vec<String>,
    },
    /// The two images are not the same size.
    #[error("the images differ in size: A is {a}, B is {b}")]
    SizeDiffers {
        /// A's size.
        a: Size,
        /// B's size.
        b: Size,
    },
    /// The two passes do not have the same channels.
    #[error("the passes differ in channels: only A has {only_a:?}, only B has {only_b:?}")]
    ChannelsDiffer {
        /// Components only A has.
        only_a: Vec<String>,
        /// Components only B has.
        only_b: Vec<String>,
    },
    /// The two passes share no channel at all.
    #[error("the passes share no channel: A has {a:?}, B has {b:?}")]
    NoSharedChannel {
        /// A's components.
        a: Vec<String>,
        /// B's components.
        b: Vec<String>,
    },
    /// A buffer does not hold one sample per pixel.
    #[error("channel {channel} has {samples} samples, but a {size} image needs {needed}")]
    BadBuffer {
        /// The channel.
        channel: String,
        /// Samples it has.
        samples: usize,
        /// Image size.
        size: Size,
        /// Samples needed.
        needed: usize,
    },
    /// The rectangle holds no pixel of the image.
    #[error("the rectangle {requested} holds no pixel of the {image} image")]
    EmptyRegion {
        /// The rectangle asked for.
        requested: Rect,
        /// The image size.
        image: Size,
    },
    /// A histogram range that cannot hold bins.
    #[error("the histogram range {min} to {max} is not usable: it needs finite ends, the lower below the upper, and above 0 on a log scale")]
    InvalidRange {
        /// The lower end asked for.
        min: f32,
        /// The upper end asked for.
        max: f32,
    },
    /// A histogram needs at least one bin.
    #[error("a histogram needs at least one bin")]
    NoBins,
    /// The file's header could not be read.
    #[error("{0}")]
    Header(DecodeError),
}

/// One pass of an image, borrowed: its size, channels and one buffer per channel.
#[derive(Debug, Clone, Copy)]
pub struct PassView<'a> {
    /// Image size; every buffer holds `width * height` samples.
    pub size: Size,
    /// The pass and its channels.
    pub info: &'a PassInfo,
    /// One buffer per channel, in the order of `info.channels`.
    pub channels: &'a [Samples],
}

impl<'a> PassView<'a> {
    /// A pass with its buffers, after checking that every buffer holds one sample per pixel (a
    /// short buffer would otherwise be read past its end, or be silently half-measured).
    pub fn new(size: Size, info: &'a PassInfo, channels: &'a [Samples]) -> Result<Self, AnalysisError> {
        let needed = size.area() as usize;
        for (i, channel) in info.channels.iter().enumerate() {
            let samples = channels.get(i).map_or(0, Samples::len);
            if samples != needed {
                return Err(AnalysisError::BadBuffer {
                    channel: channel.name.clone(),
                    samples,
                    size,
                    needed,
                });
            }
        }
        Ok(PassView { size, info, channels })
    }

    /// A pass of a merge, by full name (`ViewLayer.Combined`) or bare pass name (`Combined`).
    pub fn of_canvas(canvas: &'a Canvas, pass: &str) -> Result<Self, AnalysisError> {
        let Some((info, channels)) = canvas.pass_samples(pass) else {
            return Err(AnalysisError::UnknownPass {
                requested: pass.to_string(),
                available: canvas.passes().iter().map(PassInfo::display_name).collect(),
            });
        };
        PassView::new(canvas.size(), info, channels)
    }

    /// A pass of a decoded file (a reference such as `full.exr`), named as for a canvas.
    pub fn of_decoded(file: &'a DecodedTile, pass: &str) -> Result<Self, AnalysisError> {
        let found =
            file.passes.iter().find(|p| p.info.full_name() == pass).or_else(|| {
                file.passes.iter().find(|p| p.info.pass == pass || p.info.display_name() == pass)
            });
        let Some(found) = found else {
            return Err(AnalysisError::UnknownPass {
                requested: pass.to_string(),
                available: file.passes.iter().map(|p| p.info.display_name()).collect(),
            });
        };
        PassView::new(file.size, &found.info, &found.channels)
    }

    /// The components (`R`, `Z`, ...) in channel order.
    pub fn components(&self) -> Vec<String> {
        self.info.channels.iter().map(|c| c.component.clone()).collect()
    }

    /// The index of the channel with this component, or an error naming the ones there are.
    pub fn channel_index(&self, component: &str) -> Result<usize, AnalysisError> {
        self.info.component_index(component).ok_or_else(|| AnalysisError::UnknownChannel {
            pass: self.info.display_name(),
            requested: component.to_string(),
            available: self.components(),
        })
    }

    /// The whole image as a rectangle.
    pub fn bounds(&self) -> Rect {
        Rect { x: 0, y: 0, width: self.size.width, height: self.size.height }
    }
}

/// The rectangles of a merge's placed tiles (the part of each core that was placed), in grid
/// order: what [`compare()`] ranks by difference.
pub fn placed_tiles(canvas: &Canvas) -> Vec<(TileId, Rect)> {
    canvas
        .coverage()
        .tiles
        .into_iter()
        .filter_map(|t| match t.state {
            TileState::Placed(p) => Some((t.tile, p.placed)),
            _ => None,
        })
        .collect()
}

/// How many samples are converted to f32 at a time: small enough for the stack, large enough
/// for the half-to-float conversion to run vectorised.
pub(crate) const CHUNK: usize = 256;

/// Converts `out.len()` samples from `start` to f32 (all of `out` is written; samples past the
/// end, which [`PassView::new`] rules out, read as NaN rather than panicking).
pub(crate) fn read_f32(samples: &Samples, start: usize, out: &mut [f32]) {
    use half::slice::HalfFloatSliceExt;
    let end = start.saturating_add(out.len());
    match samples {
        Samples::F16(v) => match v.get(start..end) {
            Some(src) => src.convert_to_f32_slice(out),
            None => out.fill(f32::NAN),
        },
        Samples::F32(v) => match v.get(start..end) {
            Some(src) => out.copy_from_slice(src),
            None => out.fill(f32::NAN),
        },
        Samples::U32(v) => match v.get(start..end) {
            Some(src) => out.iter_mut().zip(src).for_each(|(o, s)| *o = *s as f32),
            None => out.fill(f32::NAN),
        },
    }
}

/// The rows of `region` as (first sample index, length) runs in a `width`-wide image.
pub(crate) fn runs(region: Rect, width: u32) -> impl Iterator<Item = (usize, usize)> {
    let (w, x, len) = (width as usize, region.x as usize, region.width as usize);
    (region.y..region.bottom()).map(move |y| (y as usize * w + x, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::SampleType;
    use crate::synth::pass;

    #[test]
    fn a_view_refuses_buffers_of_the_wrong_length() {
        let info = pass("ViewLayer", "Depth", &[("Z", SampleType::F32)]);
        let size = Size { width: 3, height: 2 };
        let short = [Samples::zeroed(SampleType::F32, 5)];
        let err = PassView::new(size, &info, &short).unwrap_err();
        assert_eq!(err.to_string(), "channel ViewLayer.Depth.Z has 5 samples, but a 3x2 image needs 6",);
        let none: [Samples; 0] = [];
        assert!(PassView::new(size, &info, &none).is_err());
        let ok = [Samples::zeroed(SampleType::F32, 6)];
        let view = PassView::new(size, &info, &ok).expect("fits");
        assert_eq!(view.channel_index("Z"), Ok(0));
        assert!(view.channel_index("R").unwrap_err().to_string().contains("[\"Z\"]"));
    }

    #[test]
    fn samples_read_as_f32_in_chunks_and_past_the_end_as_nan() {
        let halves = Samples::F16([0.5f32, -2.0, 65504.0].map(half::f16::from_f32).to_vec());
        let mut out = [0.0; 2];
        read_f32(&halves, 1, &mut out);
        assert_eq!(out, [-2.0, 65504.0]);
        read_f32(&halves, 2, &mut out);
        assert!(out.iter().all(|v| v.is_nan()));
        read_f32(&Samples::U32(vec![7, 9]), 0, &mut out);
        assert_eq!(out, [7.0, 9.0]);
        let rows: Vec<_> = runs(Rect { x: 1, y: 1, width: 2, height: 2 }, 4).collect();
        assert_eq!(rows, [(5, 2), (9, 2)]);
    }
}
