//! Synthetic Blender-like frames cut into tiles with Blender's geometry: for tests and for the
//! benchmark's tile sets (`tilemerge gen-bench`), natively or in a browser.

use half::f16;

use crate::export::{encode_exr, ExportError, ExrOptions, ImageData};
use crate::layout::{Grid, Rect, Size, TileId};
use crate::passes::{BlockAt, ChannelInfo, PassInfo, SampleType, Samples};

/// SplitMix64: the next 64 random bits from `state`. Seeded, repeatable sequences for synthetic
/// data, simfarm's simulated farm and the fuzzer's mutations.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A full frame held in memory, pass by pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Size.
    pub size: Size,
    /// Passes and their buffers (one per channel, in the order of `channels`).
    pub passes: Vec<(PassInfo, Vec<Samples>)>,
}

/// A pass description from a view layer, a pass name and `(component, type)` pairs.
pub fn pass(view_layer: &str, name: &str, components: &[(&str, SampleType)]) -> PassInfo {
    PassInfo {
        view_layer: view_layer.to_string(),
        pass: name.to_string(),
        channels: components
            .iter()
            .map(|(component, sample_type)| ChannelInfo {
                name: if view_layer.is_empty() && name.is_empty() {
                    component.to_string()
                } else if view_layer.is_empty() {
                    format!("{name}.{component}")
                } else {
                    format!("{view_layer}.{name}.{component}")
                },
                component: component.to_string(),
                sample_type: *sample_type,
            })
            .collect(),
    }
}

/// A hash of a pixel and channel to `[0, 1)`, so every tile renders the same value for the
/// same pixel, as Cycles does without adaptive sampling.
fn noise(x: u32, y: u32, channel: u32, seed: u64) -> f32 {
    let mut h = seed ^ (u64::from(x) << 32 | u64::from(y)) ^ (u64::from(channel) << 58);
    h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> 40) as f32 / (1u64 << 24) as f32
}

impl Frame {
    /// A frame shaped like Blender's half-float multilayer output: `ViewLayer.Combined` (RGBA,
    /// half) and `ViewLayer.Depth` (Z, float, as Blender keeps depth in float), with smooth
    /// shading plus per-pixel noise so it compresses like a render, not like a gradient.
    pub fn blender_like(size: Size, seed: u64) -> Frame {
        Frame::blender_like_region(size, Rect { x: 0, y: 0, width: size.width, height: size.height }, seed)
    }

    /// The pixels of `rect` of [`Frame::blender_like`]`(size, seed)`, computed alone: a tile of a
    /// frame too large to hold (each pixel is a function of its position, so the values are
    /// the same bits).
    pub fn blender_like_region(size: Size, rect: Rect, seed: u64) -> Frame {
        let (w, h) = (rect.width as usize, rect.height as usize);
        let mut rgba: Vec<Vec<f16>> = (0..4).map(|_| Vec::with_capacity(w * h)).collect();
        let mut depth = Vec::with_capacity(w * h);
        for y in rect.y..rect.bottom() {
            for x in rect.x..rect.right() {
                let (u, v) = (x as f32 / size.width as f32, y as f32 / size.height as f32);
                let disc = ((u - 0.5) * (u - 0.5) + (v - 0.55) * (v - 0.55)).sqrt();
                let inside = disc < 0.3;
                let shade = if inside { 1.0 - disc * 2.0 } else { 0.15 + 0.1 * v };
                for ((c, plane), tint) in rgba.iter_mut().enumerate().zip([0.9, 0.6, 0.3]) {
                    let grain = noise(x, y, c as u32, seed) * 0.08;
                    plane.push(f16::from_f32(shade * tint + grain));
                }
                if let Some(alpha) = rgba.get_mut(3) {
                    alpha.push(f16::ONE);
                }
                depth.push(if inside { 4.0 + disc * 3.0 + noise(x, y, 7, seed) * 1e-3 } else { 1e10 });
            }
        }
        let mut planes = rgba.into_iter();
        let mut next = || Samples::F16(planes.next().unwrap_or_default());
        // Channel order in `pass` below: R, G, B, A.
        let combined = vec![next(), next(), next(), next()];
        Frame {
            size: rect.size(),
            passes: vec![
                (
                    pass(
                        "ViewLayer",
                        "Combined",
                        &[
                            ("R", SampleType::F16),
                            ("G", SampleType::F16),
                            ("B", SampleType::F16),
                            ("A", SampleType::F16),
                        ],
                    ),
                    combined,
                ),
                (pass("ViewLayer", "Depth", &[("Z", SampleType::F32)]), vec![Samples::F32(depth)]),
            ],
        }
    }

    /// The pixels of `rect` as a frame of their own (`None` when `rect` leaves the frame).
    pub fn crop(&self, rect: Rect) -> Option<Frame> {
        if rect.right() > self.size.width || rect.bottom() > self.size.height {
            return None;
        }
        let src = BlockAt {
            stride: self.size.width as usize,
            x: rect.x as usize,
            y: rect.y as usize,
            width: rect.width as usize,
            height: rect.height as usize,
        };
        let dst = BlockAt { stride: rect.width as usize, x: 0, y: 0, ..src };
        let passes = self
            .passes
            .iter()
            .map(|(info, buffers)| {
                let cropped = buffers
                    .iter()
                    .map(|b| {
                        let mut out = Samples::zeroed(b.sample_type(), rect.area() as usize);
                        out.copy_block(dst, b, src);
                        out
                    })
                    .collect();
                (info.clone(), cropped)
            })
            .collect();
        Some(Frame { size: rect.size(), passes })
    }

    /// The frame for the encoder.
    pub fn image_data(&self) -> ImageData<'_> {
        ImageData {
            size: self.size,
            passes: self.passes.iter().map(|(i, b)| (i, b.as_slice())).collect(),
            metadata: None,
        }
    }

    /// Encodes the frame as EXR bytes.
    pub fn to_exr(&self, options: &ExrOptions) -> Result<Vec<u8>, ExportError> {
        encode_exr(&self.image_data(), options)
    }

    /// The file Blender would write for `tile` when it renders `rendered` (usually
    /// [`Grid::rendered`]); `None` when there is nothing to render.
    pub fn tile_file(
        &self,
        rendered: Option<Rect>,
        options: &ExrOptions,
    ) -> Option<Result<Vec<u8>, ExportError>> {
        Some(self.crop(rendered?)?.to_exr(options))
    }

    /// Every tile of `grid` as Blender renders it, encoded.
    pub fn tile_files(
        &self,
        grid: &Grid,
        options: &ExrOptions,
    ) -> Result<Vec<(TileId, Vec<u8>)>, ExportError> {
        grid.tiles()
            .into_iter()
            .filter_map(|id| self.tile_file(grid.rendered(id), options).map(|r| r.map(|b| (id, b))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_computed_alone_is_the_crop_of_the_whole_frame() {
        let size = Size { width: 97, height: 61 };
        let rect = Rect { x: 30, y: 17, width: 40, height: 33 };
        let cropped = Frame::blender_like(size, 9).crop(rect).expect("inside the frame");
        let alone = Frame::blender_like_region(size, rect, 9);
        assert_eq!(alone.size, rect.size());
        for ((info, crop), (_, region)) in cropped.passes.iter().zip(&alone.passes) {
            for (a, b) in crop.iter().zip(region) {
                let bits = |s: &Samples| (0..s.len()).filter_map(|i| s.get_bits(i)).collect::<Vec<_>>();
                assert_eq!(bits(a), bits(b), "{}", info.display_name());
            }
        }
    }
}
