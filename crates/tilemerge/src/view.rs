//! One pass of a [`Canvas`] as display pixels: a channel of it (all colour, one component, alpha
//! or luminance), mapped to 8-bit sRGB with an exposure for colour passes or through a false-colour
//! ramp over the values' range for data passes; the range itself; and the values under one pixel.
//!
//! A canvas may hold only some tiles (each of a browser's workers holds its own), so the range is
//! taken over given regions only and the ranges of several canvases are merged by the caller.

use serde::{Deserialize, Serialize};

use crate::layout::{Rect, TileId};
use crate::stitch::{Canvas, TileState};

mod half_colour;
mod render;

pub use render::{
    pass_range, plane_range, render_packed_rgba8, render_plane_packed_rgba8, render_regions_rgba8,
    render_rgba8, PassPlane,
};

/// Which part of a pass is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Channel {
    /// The colour (`R G B`, else `X Y Z`, else the first channel as grey).
    #[default]
    Rgb,
    /// The first colour component alone, as grey.
    R,
    /// The second.
    G,
    /// The third.
    B,
    /// Alpha (`A`), as grey; opaque where the pass has none.
    A,
    /// Rec. 709 luminance of the colour, as grey.
    Luminance,
}

impl Channel {
    /// Every channel, in the order offered.
    pub const ALL: [Channel; 6] =
        [Channel::Rgb, Channel::R, Channel::G, Channel::B, Channel::A, Channel::Luminance];

    /// A stable word for the channel (`<select>` values, CSS classes).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Rgb => "rgb",
            Channel::R => "r",
            Channel::G => "g",
            Channel::B => "b",
            Channel::A => "a",
            Channel::Luminance => "luminance",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Rgb => "RGB",
            Channel::R => "R",
            Channel::G => "G",
            Channel::B => "B",
            Channel::A => "A",
            Channel::Luminance => "Luminance",
        }
    }

    /// The channel for an [`as_str`](Channel::as_str) word.
    pub fn from_word(word: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == word)
    }
}

/// Cycles' depth where a ray hit nothing (the world background). It is no measurement, so ranges
/// leave it (and anything as far) out, and false colour shows it at the far end.
pub const NO_HIT: f32 = 1.0e10;

/// The lowest and highest finite value of some pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ValueRange {
    /// The lowest value.
    pub min: f32,
    /// The highest value.
    pub max: f32,
}

impl ValueRange {
    /// The range of the finite `values`; `None` when there is none.
    pub fn of(values: impl IntoIterator<Item = f32>) -> Option<ValueRange> {
        values.into_iter().filter(|v| v.is_finite()).fold(None, |range, v| {
            Some(match range {
                None => ValueRange { min: v, max: v },
                Some(r) => ValueRange { min: r.min.min(v), max: r.max.max(v) },
            })
        })
    }

    /// The range covering both.
    pub fn merge(self, other: ValueRange) -> ValueRange {
        ValueRange { min: self.min.min(other.min), max: self.max.max(other.max) }
    }

    /// Merges optional ranges (one per worker), ignoring those with nothing.
    pub fn merge_all(ranges: impl IntoIterator<Item = Option<ValueRange>>) -> Option<ValueRange> {
        ranges.into_iter().flatten().reduce(ValueRange::merge)
    }

    /// Where `v` lies in the range, 0 to 1 (0.5 for a range of one value; NaN gives 0).
    pub fn normalise(&self, v: f32) -> f32 {
        let span = self.max - self.min;
        if v.is_nan() {
            0.0
        } else if span.is_finite() && span > 0.0 {
            ((v - self.min) / span).clamp(0.0, 1.0)
        } else if v < self.min {
            0.0
        } else if v > self.max {
            1.0
        } else {
            0.5
        }
    }
}

/// How a pass's values become display pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Mapping {
    /// Linear light to sRGB, scaled by `2^exposure` first.
    Srgb {
        /// Stops.
        exposure: f32,
    },
    /// Values normalised to `range`: a single value through the [`false_colour`] ramp, a colour's
    /// components each as a grey level of its channel (how normals are usually looked at).
    FalseColour {
        /// The values at either end of the ramp.
        range: ValueRange,
    },
}

/// The viridis colour map at nine stops: perceptually even and readable without colour vision.
const RAMP: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 45, 123],
    [59, 82, 139],
    [44, 114, 142],
    [33, 145, 140],
    [40, 174, 128],
    [94, 201, 98],
    [173, 220, 48],
    [253, 231, 37],
];

/// A viridis-like colour for `t` in 0..=1 (clamped; NaN is the low end).
pub fn false_colour(t: f32) -> [u8; 3] {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let scaled = t * (RAMP.len() - 1) as f32;
    let low = (scaled.floor() as usize).min(RAMP.len() - 2);
    let f = scaled - low as f32;
    let (a, b) = (RAMP[low], RAMP[low + 1]);
    [0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * f + 0.5) as u8)
}

/// Rec. 709 luminance of linear RGB.
pub fn luminance(r: f32, g: f32, b: f32) -> f32 {
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

/// The placed tile whose pixels include image pixel `(x, y)` (rows from the top).
pub fn placed_tile_at(canvas: &Canvas, x: u32, y: u32) -> Option<TileId> {
    let inside = |r: &Rect| x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
    canvas.coverage().tiles.into_iter().find_map(|t| match t.state {
        TileState::Placed(p) if inside(&p.placed) => Some(t.tile),
        _ => None,
    })
}

/// Every channel of `pass` at image pixel `(x, y)`, as (component, value) in the pass's order;
/// `None` when the pass or the pixel is not there.
pub fn pixel_values(canvas: &Canvas, pass: &str, x: u32, y: u32) -> Option<Vec<(String, f32)>> {
    let size = canvas.size();
    if x >= size.width || y >= size.height {
        return None;
    }
    let (info, buffers) = canvas.pass_samples(pass)?;
    let i = y as usize * size.width as usize + x as usize;
    info.channels.iter().zip(buffers).map(|(c, s)| Some((c.component.clone(), s.get_f32(i)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{linear_to_srgb8, ExportError};
    use crate::layout::{Grid, Size};
    use crate::stitch::CanvasOptions;
    use crate::synth::Frame;

    #[test]
    fn channels_have_words_and_labels() {
        for channel in Channel::ALL {
            assert_eq!(Channel::from_word(channel.as_str()), Some(channel));
        }
        assert_eq!(Channel::Luminance.label(), "Luminance");
        assert_eq!(Channel::from_word("nope"), None);
    }

    #[test]
    fn ranges_skip_non_finite_values_and_merge() {
        assert_eq!(ValueRange::of([f32::NAN, f32::INFINITY]), None);
        let a = ValueRange::of([3.0, -1.0, f32::NAN, 2.0]).expect("a range");
        assert_eq!(a, ValueRange { min: -1.0, max: 3.0 });
        let b = ValueRange { min: 0.0, max: 7.0 };
        assert_eq!(
            ValueRange::merge_all([None, Some(a), None, Some(b)]),
            Some(ValueRange { min: -1.0, max: 7.0 })
        );
        assert_eq!(ValueRange::merge_all([None, None]), None);
        assert_eq!(a.normalise(1.0), 0.5);
        assert_eq!(a.normalise(-5.0), 0.0);
        assert_eq!(a.normalise(9.0), 1.0);
        assert_eq!(a.normalise(f32::NAN), 0.0);
        let flat = ValueRange { min: 4.0, max: 4.0 };
        assert_eq!(flat.normalise(4.0), 0.5);
        assert_eq!(flat.normalise(5.0), 1.0);
    }

    #[test]
    fn the_ramp_runs_dark_blue_to_yellow_and_is_never_grey_inside() {
        assert_eq!(false_colour(0.0), [68, 1, 84]);
        assert_eq!(false_colour(1.0), [253, 231, 37]);
        assert_eq!(false_colour(f32::NAN), false_colour(0.0));
        assert_eq!(false_colour(2.0), false_colour(1.0));
        let mut last = 0.0;
        for i in 0..=100 {
            let [r, g, b] = false_colour(i as f32 / 100.0);
            assert!(!(r == g && g == b), "grey at {i}");
            let brightness = luminance(f32::from(r), f32::from(g), f32::from(b));
            assert!(brightness >= last, "the ramp gets brighter at {i}");
            last = brightness;
        }
    }

    /// A 4x2 canvas with one tile (the whole image) of a colour pass and a depth pass.
    fn small_canvas() -> Canvas {
        let size = Size { width: 4, height: 2 };
        let grid = Grid::new(size, size, 0).expect("a grid");
        let frame = Frame::blender_like(size, 1);
        let mut canvas = Canvas::new(grid, CanvasOptions::default());
        let tile = TileId { x0: 0, y0: 0, x1: 4, y1: 2 };
        let bytes = crate::encode_exr(&frame.image_data(), &crate::ExrOptions::DEFAULT).expect("an EXR");
        canvas.add(tile, &bytes).expect("placed");
        canvas
    }

    #[test]
    fn a_channel_is_grey_and_differs_from_the_colour() {
        let canvas = small_canvas();
        let srgb = Mapping::Srgb { exposure: 0.0 };
        let rgb = render_rgba8(&canvas, "ViewLayer.Combined", Channel::Rgb, srgb).expect("pixels");
        let red = render_rgba8(&canvas, "ViewLayer.Combined", Channel::R, srgb).expect("pixels");
        assert_eq!(rgb.len(), 4 * 2 * 4);
        for (colour, grey) in rgb.chunks_exact(4).zip(red.chunks_exact(4)) {
            assert_eq!(grey, [colour[0], colour[0], colour[0], 255]);
        }
        let (info, buffers) = canvas.pass_samples("Combined").expect("the pass");
        let at = |c: &str, i: usize| buffers[info.component_index(c).unwrap()].get_f32(i).unwrap();
        // Exposure scales the linear values before they are encoded.
        let bright =
            render_rgba8(&canvas, "Combined", Channel::Rgb, Mapping::Srgb { exposure: 1.5 }).expect("pixels");
        for i in 0..8 {
            let expected = ["R", "G", "B"].map(|c| linear_to_srgb8(at(c, i) * 1.5f32.exp2()));
            assert_eq!(bright[i * 4..i * 4 + 3], expected, "pixel {i}");
        }
        let lum = render_rgba8(&canvas, "Combined", Channel::Luminance, srgb).expect("pixels");
        for i in 0..8 {
            let expected = linear_to_srgb8(luminance(at("R", i), at("G", i), at("B", i)));
            assert_eq!(lum[i * 4..i * 4 + 4], [expected, expected, expected, 255], "pixel {i}");
        }
    }

    #[test]
    fn data_passes_take_their_range_from_the_regions_and_show_in_false_colour() {
        let canvas = small_canvas();
        let (_, depth) = canvas.pass_samples("Depth").expect("depth");
        let values = depth[0].to_f32_vec();
        let all = Rect { x: 0, y: 0, width: 4, height: 2 };
        let hits = |values: &[f32]| ValueRange::of(values.iter().copied().filter(|v| *v < NO_HIT));
        // The synthetic frame, like Cycles, has background pixels that hit nothing.
        assert!(values.contains(&NO_HIT) && values.iter().any(|v| *v < NO_HIT), "{values:?}");
        let range = pass_range(&canvas, "Depth", Channel::Rgb, &[all]).expect("a pass").expect("values");
        assert_eq!(Some(range), hits(&values));
        let top_row = Rect { width: 4, height: 1, ..all };
        let part = pass_range(&canvas, "Depth", Channel::Rgb, &[top_row]).expect("a pass");
        assert_eq!(part, hits(&values[..4]));
        assert_eq!(pass_range(&canvas, "Depth", Channel::Rgb, &[]).expect("a pass"), None);

        let pixels =
            render_rgba8(&canvas, "Depth", Channel::Rgb, Mapping::FalseColour { range }).expect("pixels");
        for (px, v) in pixels.chunks_exact(4).zip(&values) {
            let [r, g, b] = false_colour(range.normalise(*v));
            assert_eq!(px, [r, g, b, 255]);
            if *v == NO_HIT {
                assert_eq!([r, g, b], false_colour(1.0), "the background is at the far end");
            }
        }
        assert!(matches!(
            render_rgba8(&canvas, "Mist", Channel::Rgb, Mapping::Srgb { exposure: 0.0 }),
            Err(ExportError::UnknownPass { .. })
        ));
    }

    #[test]
    fn a_pixel_reads_every_channel_and_names_its_tile() {
        let canvas = small_canvas();
        let values = pixel_values(&canvas, "Combined", 3, 1).expect("a pixel");
        let names: Vec<&str> = values.iter().map(|(c, _)| c.as_str()).collect();
        let (info, buffers) = canvas.pass_samples("Combined").expect("the pass");
        let expected: Vec<&str> = info.channels.iter().map(|c| c.component.as_str()).collect();
        assert_eq!(names, expected);
        for ((_, v), samples) in values.iter().zip(buffers) {
            assert_eq!(v.to_bits(), samples.get_f32(7).expect("a sample").to_bits());
        }
        assert_eq!(pixel_values(&canvas, "Combined", 4, 0), None);
        assert_eq!(placed_tile_at(&canvas, 3, 1), Some(TileId { x0: 0, y0: 0, x1: 4, y1: 2 }));
        assert_eq!(placed_tile_at(&canvas, 4, 1), None);
    }
}
