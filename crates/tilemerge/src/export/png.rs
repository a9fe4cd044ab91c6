//! One pass as 8-bit sRGB: for the screen and for a PNG preview.

use super::ExportError;
use crate::stitch::Canvas;

/// Linear to 8-bit sRGB.
pub fn linear_to_srgb8(linear: f32) -> u8 {
    // A view of a 4K image encodes 25 million samples: 8 comparisons against the thresholds
    // instead of a `powf` each, with the very same results (the thresholds come from the formula).
    let thresholds = SRGB8_THRESHOLDS.get_or_init(srgb8_thresholds);
    if linear.is_nan() {
        return 0;
    }
    thresholds.partition_point(|&t| t <= linear) as u8
}

/// The smallest linear value that encodes to each 8-bit code 1..=255.
static SRGB8_THRESHOLDS: std::sync::OnceLock<[f32; 255]> = std::sync::OnceLock::new();

fn srgb8_thresholds() -> [f32; 255] {
    let mut thresholds = [0.0f32; 255];
    for (code, threshold) in (1..=255u8).zip(thresholds.iter_mut()) {
        // The formula only grows with its input, and so do positive floats' bit patterns: search
        // the bits for the first value reaching `code`.
        let (mut low, mut high) = (0u32, 1.0f32.to_bits());
        while low < high {
            let middle = low + (high - low) / 2;
            if srgb8_by_formula(f32::from_bits(middle)) >= code {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        *threshold = f32::from_bits(low);
    }
    thresholds
}

/// The sRGB transfer function, rounded to 8 bits: what [`linear_to_srgb8`] gives.
fn srgb8_by_formula(linear: f32) -> u8 {
    if linear.is_nan() || linear <= 0.0 {
        return 0;
    }
    let v = linear.min(1.0);
    let encoded = if v <= 0.003_130_8 { 12.92 * v } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 };
    (encoded * 255.0 + 0.5) as u8
}

/// A pass as 8-bit sRGB RGBA (`width * height * 4` bytes), for display or PNG. RGB come from
/// the `R G B` components, else `X Y Z` (normals, vectors), else one channel as grey; alpha
/// from `A` when the pass has it. Exposure is in stops.
pub fn preview_rgba8(canvas: &Canvas, pass: &str, exposure: f32) -> Result<Vec<u8>, ExportError> {
    crate::view::render_rgba8(
        canvas,
        pass,
        crate::view::Channel::Rgb,
        crate::view::Mapping::Srgb { exposure },
    )
}

/// A PNG of one pass (see [`preview_rgba8`]).
pub fn export_png(canvas: &Canvas, pass: &str, exposure: f32) -> Result<Vec<u8>, ExportError> {
    use image::ImageEncoder;
    let rgba = preview_rgba8(canvas, pass, exposure)?;
    let size = canvas.size();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&rgba, size.width, size.height, image::ExtendedColorType::Rgba8)
        .map_err(|e| ExportError::Png(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_srgb_table_gives_the_formulas_codes() {
        let mut values: Vec<f32> = (0..=u16::MAX).map(|bits| half::f16::from_bits(bits).to_f32()).collect();
        // Every float step around each threshold, and a sweep of ordinary floats.
        for threshold in srgb8_thresholds() {
            let bits = threshold.to_bits();
            values.extend((bits.saturating_sub(3)..=bits + 3).map(f32::from_bits));
        }
        values.extend((0..200_000).map(|i| i as f32 / 150_000.0));
        values.extend([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, f32::MAX, f32::MIN_POSITIVE]);
        for v in values {
            assert_eq!(linear_to_srgb8(v), srgb8_by_formula(v), "{v} ({:#x})", v.to_bits());
        }
    }

    #[test]
    fn srgb_transfer_function() {
        assert_eq!(linear_to_srgb8(0.0), 0);
        assert_eq!(linear_to_srgb8(1.0), 255);
        assert_eq!(linear_to_srgb8(7.0), 255);
        assert_eq!(linear_to_srgb8(f32::NAN), 0);
        // 18 % grey is 118 in sRGB.
        assert_eq!(linear_to_srgb8(0.18), 118);
        // The linear toe.
        assert_eq!(linear_to_srgb8(0.001), 3);
    }
}
