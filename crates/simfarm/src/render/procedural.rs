//! The image every simulated render shows: a deterministic function of the pixel position and the
//! job. Like Cycles without adaptive sampling, a pixel comes out the same whichever tile renders it,
//! so neighbouring tiles agree exactly in their shared overscan and a correct merge is known in
//! advance.

/// One pixel of the `Combined` (RGBA) and `Depth` (Z) passes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub rgba: [f32; 4],
    pub depth: f32,
}

/// The procedural picture of one job (or one frame of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// Varies the picture per job and frame.
    pub seed: u64,
}

impl Picture {
    /// The pixel at column `x` and row `y_top` counted from the top (EXR order).
    pub fn sample(&self, x: u32, y_top: u32) -> Sample {
        let u = (x as f32 + 0.5) / self.width.max(1) as f32;
        let v = 1.0 - (y_top as f32 + 0.5) / self.height.max(1) as f32;
        let phase = (self.seed % 997) as f32 * 0.013;
        let hue = (self.seed % 360) as f32 / 360.0;
        let cx = u - 0.5 - 0.2 * phase.cos();
        let cy = v - 0.5 - 0.2 * phase.sin();
        let rings = (1.0 + (40.0 * (cx * cx + cy * cy).sqrt()).sin()) * 0.5;
        let checker = if ((x / 16) + (y_top / 16)) % 2 == 0 { 0.08 } else { 0.0 };
        let r = 0.15 + 0.7 * rings * (0.5 + 0.5 * (std::f32::consts::TAU * hue).cos()) + checker;
        let g = 0.1 + 0.6 * v + 0.2 * rings * (0.5 + 0.5 * (std::f32::consts::TAU * (hue + 0.33)).cos());
        let b = 0.2 + 0.6 * u * (0.5 + 0.5 * (std::f32::consts::TAU * (hue + 0.66)).cos()) + checker;
        Sample { rgba: [r, g, b, 1.0], depth: 2.0 + 8.0 * (cx * cx + cy * cy) + 0.01 * (x % 7) as f32 }
    }
}

/// Small noise that a tile adds to its overscan when seams are simulated (`--seam-noise`): a hash
/// of the tile and the pixel, at most `±0.02`.
pub fn seam_noise(tile_key: u64, x: u32, y_top: u32) -> f32 {
    let mut z = tile_key ^ (u64::from(x) << 32) ^ u64::from(y_top);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.04
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_is_a_pure_function_of_position_and_seed() {
        let picture = Picture { width: 64, height: 32, seed: 5 };
        assert_eq!(picture.sample(3, 4), picture.sample(3, 4));
        assert_ne!(picture.sample(3, 4), picture.sample(40, 20));
        let other = Picture { seed: 6, ..picture };
        assert_ne!(picture.sample(3, 4), other.sample(3, 4));
        let noise = seam_noise(1, 2, 3);
        assert!(noise.abs() <= 0.02 && noise != 0.0);
    }
}
