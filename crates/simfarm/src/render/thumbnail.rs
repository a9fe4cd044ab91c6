//! The JPEG thumbnails of a job's last-rendered image, in Flamenco's three sizes.

use image::{imageops, RgbImage};
use tilemerge::export::linear_to_srgb8;

use super::exr_out::Passes;

/// Flamenco's thumbnail specs: file name and the box the image is fitted into (never enlarged).
pub const SPECS: [(&str, u32, u32); 3] = [
    ("last-rendered.jpg", 1920, 1080),
    ("last-rendered-small.jpg", 600, 338),
    ("last-rendered-tiny.jpg", 200, 112),
];

/// Encoded JPEG files, in the order of [`SPECS`].
#[derive(Clone, Debug, Default)]
pub struct Thumbnails {
    pub files: Vec<(&'static str, Vec<u8>)>,
}

impl Thumbnails {
    /// Tone-maps (clamp and sRGB) the Combined pass and encodes it at every size.
    pub fn from_passes(passes: &Passes) -> Thumbnails {
        Thumbnails::from_rgb(&to_rgb8(passes))
    }

    /// The thumbnails of an image file (PNG or JPEG), as the Manager makes them from an upload.
    pub fn from_image_file(path: &std::path::Path) -> Result<Thumbnails, String> {
        let image = image::open(path).map_err(|error| format!("reading {}: {error}", path.display()))?;
        Ok(Thumbnails::from_rgb(&image.to_rgb8()))
    }

    fn from_rgb(rgb: &RgbImage) -> Thumbnails {
        let mut files = Vec::with_capacity(SPECS.len());
        for (name, max_width, max_height) in SPECS {
            let (width, height) = fit(rgb.width(), rgb.height(), max_width, max_height);
            let resized = if (width, height) == (rgb.width(), rgb.height()) {
                rgb.clone()
            } else {
                imageops::resize(rgb, width, height, imageops::FilterType::Triangle)
            };
            let mut bytes = Vec::new();
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85);
            if resized.write_with_encoder(encoder).is_ok() {
                files.push((name, bytes));
            }
        }
        Thumbnails { files }
    }

    /// The file called `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|(file, _)| *file == name).map(|(_, bytes)| bytes.as_slice())
    }
}

/// The Combined pass as 8-bit sRGB.
pub fn to_rgb8(passes: &Passes) -> RgbImage {
    let mut image = RgbImage::new(passes.width as u32, passes.height as u32);
    for (pixel, rgba) in image.pixels_mut().zip(&passes.rgba) {
        for (out, value) in pixel.0.iter_mut().zip(rgba) {
            *out = linear_to_srgb8(*value);
        }
    }
    image
}

/// The size of `width` x `height` fitted into the box, keeping the aspect ratio, never enlarged.
fn fit(width: u32, height: u32, max_width: u32, max_height: u32) -> (u32, u32) {
    if width <= max_width && height <= max_height {
        return (width.max(1), height.max(1));
    }
    let scale = (max_width as f64 / width as f64).min(max_height as f64 / height as f64);
    (((width as f64 * scale).round() as u32).max(1), ((height as f64 * scale).round() as u32).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_fitted_not_enlarged() {
        assert_eq!(fit(320, 180, 200, 112), (199, 112));
        assert_eq!(fit(100, 50, 600, 338), (100, 50));
        let passes = Passes::new(4, 2);
        let thumbs = Thumbnails::from_passes(&passes);
        assert_eq!(thumbs.files.len(), 3);
        assert!(thumbs.get("last-rendered-tiny.jpg").is_some_and(|jpeg| jpeg.starts_with(&[0xFF, 0xD8])));
    }
}
