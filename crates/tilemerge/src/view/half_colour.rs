//! Half-float colour drawn by table: a half float has 65,536 bit patterns, so its 8-bit sRGB code
//! under one exposure is a lookup in a table built once, instead of a conversion, a multiply and
//! a search of the sRGB thresholds for every sample. The bytes are the very same (the table is
//! built with the general path's functions); in WebAssembly, drawing a 4K frame's tiles as they
//! are placed took longer than decoding them before this.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

use half::f16;

use super::render::{unit_to_u8, Sources};
use super::{Channel, Mapping};
use crate::export::linear_to_srgb8;
use crate::passes::Samples;

/// One code per half-float bit pattern.
type Codes = [u8; 1 << 16];

fn table(code: impl Fn(f32) -> u8) -> Box<Codes> {
    let mut codes = Box::new([0u8; 1 << 16]);
    for (bits, slot) in codes.iter_mut().enumerate() {
        // `bits` < 2^16 by the table's length.
        *slot = code(f16::from_bits(bits as u16).to_f32());
    }
    codes
}

/// The sRGB codes under `gain`; the last table is kept, since one view draws every tile with it.
fn srgb_codes(gain: f32) -> Rc<Codes> {
    thread_local! {
        static LAST: RefCell<Option<(u32, Rc<Codes>)>> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        match last.as_ref() {
            Some((bits, codes)) if *bits == gain.to_bits() => Rc::clone(codes),
            _ => {
                let codes: Rc<Codes> = Rc::from(table(|v| linear_to_srgb8(v * gain)));
                *last = Some((gain.to_bits(), Rc::clone(&codes)));
                codes
            }
        }
    })
}

/// Alpha's codes: linear, without exposure.
fn alpha_codes() -> &'static Codes {
    static CODES: OnceLock<Box<Codes>> = OnceLock::new();
    CODES.get_or_init(|| table(unit_to_u8))
}

/// A colour pass whose R, G, B (and A, if any) are half floats, drawn in sRGB.
pub(super) struct HalfColour<'a> {
    rgb: [&'a [f16]; 3],
    alpha: Option<&'a [f16]>,
    codes: Rc<Codes>,
}

impl<'a> HalfColour<'a> {
    /// The table path for this view of an image of `area` pixels, when it applies: `None` for
    /// other sample types, channels or mappings, which take the general path.
    pub(super) fn of(sources: &Sources<'a>, channel: Channel, mapping: Mapping, area: usize) -> Option<Self> {
        let Mapping::Srgb { exposure } = mapping else { return None };
        if channel != Channel::Rgb || sources.single {
            return None;
        }
        let half = |samples: &'a Samples| match samples {
            Samples::F16(values) if values.len() >= area => Some(values.as_slice()),
            _ => None,
        };
        let [r, g, b] = sources.colour;
        let rgb = [half(r)?, half(g)?, half(b)?];
        let alpha = match sources.alpha {
            Some(samples) => Some(half(samples)?),
            None => None,
        };
        Some(HalfColour { rgb, alpha, codes: srgb_codes(exposure.exp2()) })
    }

    /// Draws the pixels from index `start` on into `out` (4 bytes each); `start + out.len() / 4`
    /// must not pass the image's area.
    pub(super) fn draw_row(&self, start: usize, out: &mut [u8]) {
        let end = start + out.len() / 4;
        let [r, g, b] = self.rgb.map(|channel| &channel[start..end]);
        let codes = &*self.codes;
        for (((pixel, r), g), b) in out.chunks_exact_mut(4).zip(r).zip(g).zip(b) {
            pixel[0] = codes[usize::from(r.to_bits())];
            pixel[1] = codes[usize::from(g.to_bits())];
            pixel[2] = codes[usize::from(b.to_bits())];
        }
        match self.alpha {
            Some(alpha) => {
                let codes = alpha_codes();
                for (pixel, a) in out.chunks_exact_mut(4).zip(&alpha[start..end]) {
                    pixel[3] = codes[usize::from(a.to_bits())];
                }
            }
            None => out.chunks_exact_mut(4).for_each(|pixel| pixel[3] = 255),
        }
    }
}

#[cfg(test)]
mod tests {
    use half::f16;

    use super::super::render::{view_pixel, Sources};
    use super::super::{Channel, Mapping};
    use super::HalfColour;
    use crate::passes::Samples;

    /// Every half-float bit pattern (NaNs, infinities, negatives, subnormals) in each channel,
    /// in a different order per channel.
    fn every_half(order: impl Fn(u16) -> u16) -> Samples {
        Samples::F16((0..=u16::MAX).map(|bits| f16::from_bits(order(bits))).collect())
    }

    #[test]
    fn the_table_draws_every_half_float_as_the_general_path_does() {
        let (r, g, b) = (every_half(|v| v), every_half(|v| !v), every_half(|v| v.rotate_left(5)));
        let a = every_half(|v| v.rotate_left(11));
        for alpha in [Some(&a), None] {
            let sources = Sources { colour: [&r, &g, &b], alpha, single: false };
            for exposure in [0.0, 1.5, -3.25] {
                let mapping = Mapping::Srgb { exposure };
                let half = HalfColour::of(&sources, Channel::Rgb, mapping, 1 << 16).expect("the table path");
                let mut drawn = vec![0u8; 4 << 16];
                // Drawn in two rows of unequal length, as regions are.
                let (first, rest) = drawn.split_at_mut(4 * 1000);
                half.draw_row(0, first);
                half.draw_row(1000, rest);
                let gain = exposure.exp2();
                for (i, pixel) in drawn.chunks_exact(4).enumerate() {
                    let expected = view_pixel(sources.at(i), false, Channel::Rgb, mapping, gain);
                    assert_eq!(
                        pixel,
                        expected,
                        "pixel {i} at exposure {exposure}, alpha {}",
                        alpha.is_some()
                    );
                }
            }
        }
    }

    #[test]
    fn other_channels_mappings_and_sample_types_take_the_general_path() {
        let half = every_half(|v| v);
        let float = Samples::F32(vec![0.5; 1 << 16]);
        let srgb = Mapping::Srgb { exposure: 0.0 };
        let sources = Sources { colour: [&half, &half, &half], alpha: None, single: false };
        assert!(HalfColour::of(&sources, Channel::R, srgb, 1 << 16).is_none());
        assert!(HalfColour::of(&sources, Channel::Luminance, srgb, 1 << 16).is_none());
        let range = crate::view::ValueRange { min: 0.0, max: 1.0 };
        assert!(HalfColour::of(&sources, Channel::Rgb, Mapping::FalseColour { range }, 1 << 16).is_none());
        // Buffers shorter than the image are not trusted to the table's unchecked rows.
        assert!(HalfColour::of(&sources, Channel::Rgb, srgb, (1 << 16) + 1).is_none());
        let mixed = Sources { colour: [&half, &float, &half], alpha: None, single: false };
        assert!(HalfColour::of(&mixed, Channel::Rgb, srgb, 1 << 16).is_none());
        let float_alpha = Sources { colour: [&half, &half, &half], alpha: Some(&float), single: false };
        assert!(HalfColour::of(&float_alpha, Channel::Rgb, srgb, 1 << 16).is_none());
    }
}
