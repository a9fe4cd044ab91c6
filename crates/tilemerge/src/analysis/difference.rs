//! Pictures of the difference between A and B for display: the absolute difference with a gain,
//! or a heat map of the largest difference per pixel.

use serde::{Deserialize, Serialize};

use super::compare::{pair_channels, ChannelPairing, DifferenceMap};
use super::{read_f32, AnalysisError, PassView, CHUNK};
use crate::export::linear_to_srgb8;
use crate::view::false_colour;

/// Pixels where A and B are not the same non-finite value (NaN against a number): magenta,
/// which neither view otherwise shows.
pub const MISMATCH_COLOUR: [u8; 4] = [255, 0, 255, 255];

/// The heat ramp's last step: [`false_colour`] is sampled at 1024 steps once, rather than
/// interpolated for each of a 4K frame's 8 million pixels.
const HEAT_TOP: usize = 1023;

fn heat_ramp() -> &'static [[u8; 4]; HEAT_TOP + 1] {
    static RAMP: std::sync::OnceLock<[[u8; 4]; HEAT_TOP + 1]> = std::sync::OnceLock::new();
    RAMP.get_or_init(|| {
        std::array::from_fn(|i| {
            let [r, g, b] = false_colour(i as f32 / HEAT_TOP as f32);
            [r, g, b, 255]
        })
    })
}

/// How a difference is drawn. `gain` multiplies the absolute difference before display:
/// `1 / max_abs` of the [`super::Comparison`] brings the largest difference to full scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum DifferenceView {
    /// `|A - B| * gain` as linear light in sRGB: per colour component when the pass has
    /// `R G B` (or `X Y Z`), else the largest difference over the channels as grey.
    Absolute {
        /// Multiplier.
        gain: f32,
    },
    /// The largest difference over the channels, times `gain`, through the viridis ramp
    /// (0 dark blue, 1 and above yellow), in 1024 steps.
    Heat {
        /// Multiplier.
        gain: f32,
    },
}

/// The difference of A and B as 8-bit RGBA, `width * height * 4` bytes, rows from the top,
/// every pixel opaque. Channels are paired as [`super::compare()`] pairs them.
pub fn difference_rgba8(
    a: &PassView<'_>,
    b: &PassView<'_>,
    pairing: ChannelPairing,
    view: DifferenceView,
) -> Result<Vec<u8>, AnalysisError> {
    let pairs = pair_channels(a, b, pairing)?;
    let find = |c: &str| pairs.iter().position(|(_, _, name)| name == c);
    let triple = |x: &str, y: &str, z: &str| Some([find(x)?, find(y)?, find(z)?]);
    let colour = match view {
        DifferenceView::Absolute { .. } => triple("R", "G", "B").or_else(|| triple("X", "Y", "Z")),
        DifferenceView::Heat { .. } => None,
    };
    let pixels = a.size.area() as usize;
    let mut out = vec![0u8; pixels * 4];
    let (mut fa, mut fb) = ([0f32; CHUNK], [0f32; CHUNK]);
    // Per pixel of the chunk: the difference of each colour component, the largest over all
    // channels, and whether a non-finite value differs.
    let mut rgb = [[0f32; CHUNK]; 3];
    let mut largest = [0f32; CHUNK];
    let mut diff = [0f32; CHUNK];
    let mut mismatched = [false; CHUNK];
    let mut start = 0;
    while start < pixels {
        let n = (pixels - start).min(CHUNK);
        largest[..n].fill(0.0);
        mismatched[..n].fill(false);
        for (p, (ia, ib, _)) in pairs.iter().enumerate() {
            let (Some(sa), Some(sb)) = (a.channels.get(*ia), b.channels.get(*ib)) else {
                continue;
            };
            read_f32(sa, start, &mut fa[..n]);
            read_f32(sb, start, &mut fb[..n]);
            let slot = colour.and_then(|c| c.iter().position(|i| *i == p));
            // Straight loops over the chunk, which the compiler vectorises; non-finite samples
            // (rare) are fixed up afterwards.
            let d = &mut diff[..n];
            for ((d, a), b) in d.iter_mut().zip(&fa[..n]).zip(&fb[..n]) {
                *d = (a - b).abs();
            }
            let finite = fa[..n].iter().chain(&fb[..n]).fold(true, |ok, v| ok & v.is_finite());
            if !finite {
                for (((d, m), &va), &vb) in d.iter_mut().zip(&mut mismatched[..n]).zip(&fa[..n]).zip(&fb[..n])
                {
                    if !(va.is_finite() && vb.is_finite()) {
                        *m |= !((va.is_nan() && vb.is_nan()) || va == vb);
                        *d = 0.0;
                    }
                }
            }
            for (l, v) in largest[..n].iter_mut().zip(d.iter()) {
                *l = l.max(*v);
            }
            if let Some(plane) = slot.and_then(|s| rgb.get_mut(s)) {
                plane[..n].copy_from_slice(d);
            }
        }
        let Some(target) = out.get_mut(start * 4..(start + n) * 4) else {
            break;
        };
        // One loop per kind of view, so that the choice is not made again at every pixel.
        let pixels = target.chunks_exact_mut(4).enumerate();
        match (view, colour) {
            (DifferenceView::Absolute { gain }, Some(_)) => pixels.for_each(|(i, px)| {
                let [r, g, b] = [0, 1, 2].map(|s| linear_to_srgb8(rgb[s][i] * gain));
                px.copy_from_slice(&[r, g, b, 255]);
            }),
            (DifferenceView::Absolute { gain }, None) => pixels.for_each(|(i, px)| {
                let v = linear_to_srgb8(largest[i] * gain);
                px.copy_from_slice(&[v, v, v, 255]);
            }),
            (DifferenceView::Heat { gain }, _) => {
                let ramp = heat_ramp();
                pixels.for_each(|(i, px)| px.copy_from_slice(heat_colour(ramp, largest[i], gain)))
            }
        }
        for (px, _) in target.chunks_exact_mut(4).zip(&mismatched[..n]).filter(|(_, m)| **m) {
            px.copy_from_slice(&MISMATCH_COLOUR);
        }
        start += n;
    }
    Ok(out)
}

impl DifferenceMap {
    /// The map through the heat ramp as 8-bit RGBA (see [`DifferenceView::Heat`]), mismatched
    /// non-finite pixels in [`MISMATCH_COLOUR`]: the same picture [`difference_rgba8`] draws.
    pub fn heat_rgba8(&self, gain: f32) -> Vec<u8> {
        let ramp = heat_ramp();
        let mut out = vec![0u8; self.values.len() * 4];
        for (px, v) in out.chunks_exact_mut(4).zip(&self.values) {
            let rgba = if v.is_nan() { &MISMATCH_COLOUR } else { heat_colour(ramp, *v, gain) };
            px.copy_from_slice(rgba);
        }
        out
    }
}

/// The ramp's colour for a difference: scaled, clamped and rounded to a step (NaN is 0).
fn heat_colour(ramp: &[[u8; 4]; HEAT_TOP + 1], difference: f32, gain: f32) -> &[u8; 4] {
    let step = (difference * gain * HEAT_TOP as f32 + 0.5).clamp(0.0, HEAT_TOP as f32);
    ramp.get(step as usize).unwrap_or(&MISMATCH_COLOUR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Size;
    use crate::passes::{SampleType, Samples};
    use crate::synth::pass;

    #[test]
    fn differences_draw_with_gain_as_colour_grey_or_heat() {
        let info =
            pass("", "Combined", &[("R", SampleType::F32), ("G", SampleType::F32), ("B", SampleType::F32)]);
        let size = Size { width: 3, height: 1 };
        let a = [
            Samples::F32(vec![0.0, 0.5, f32::NAN]),
            Samples::F32(vec![0.0, 0.5, 0.0]),
            Samples::F32(vec![0.0, 0.5, 0.0]),
        ];
        let b = [
            Samples::F32(vec![0.0, 0.25, 1.0]),
            Samples::F32(vec![0.0, 0.5, 0.0]),
            Samples::F32(vec![0.0, 0.375, 0.0]),
        ];
        let (va, vb) = (PassView::new(size, &info, &a).unwrap(), PassView::new(size, &info, &b).unwrap());
        let abs =
            difference_rgba8(&va, &vb, ChannelPairing::Same, DifferenceView::Absolute { gain: 2.0 }).unwrap();
        assert_eq!(&abs[..4], [0, 0, 0, 255], "equal pixels are black");
        assert_eq!(&abs[4..8], [linear_to_srgb8(0.5), 0, linear_to_srgb8(0.25), 255]);
        assert_eq!(&abs[8..], MISMATCH_COLOUR, "NaN against 1.0");
        let heat =
            difference_rgba8(&va, &vb, ChannelPairing::Same, DifferenceView::Heat { gain: 4.0 }).unwrap();
        // The map made with the metrics draws the same heat map, at any gain.
        let (_, map) = super::super::compare_with_map(&va, &vb, Default::default(), &[]).unwrap();
        assert_eq!(map.heat_rgba8(4.0), heat);
        assert!(map.values[2].is_nan() && map.values[0] == 0.0);
        let [r, g, b] = false_colour(1.0);
        assert_eq!(&heat[4..8], [r, g, b, 255], "0.25 x 4 reaches the top of the ramp");
        let [r, g, b] = false_colour(0.0);
        assert_eq!(&heat[..4], [r, g, b, 255]);

        let depth = pass("ViewLayer", "Depth", &[("Z", SampleType::F32)]);
        let (za, zb) = ([Samples::F32(vec![1.0, 2.0, 3.0])], [Samples::F32(vec![1.0, 2.5, 3.0])]);
        let (va, vb) = (PassView::new(size, &depth, &za).unwrap(), PassView::new(size, &depth, &zb).unwrap());
        let grey =
            difference_rgba8(&va, &vb, ChannelPairing::Same, DifferenceView::Absolute { gain: 1.0 }).unwrap();
        let v = linear_to_srgb8(0.5);
        assert_eq!(&grey[4..8], [v, v, v, 255]);
    }
}
