//! EXR files laid out like Blender 5's multilayer output: one part per pass, `ViewLayer.Combined`
//! (channels `ViewLayer.Combined.{R,G,B,A}`) and `ViewLayer.Depth` (`ViewLayer.Depth.Z`), float32,
//! ZIP, data window at (0,0). tilemerge encodes and decodes them; this is the simulated renders'
//! view of those two passes.

use std::path::Path;

use tilemerge::synth::pass;
use tilemerge::{
    decode, encode_exr, Canvas, DecodeOptions, ExrOptions, ImageData, Metadata, PassInfo, SampleType,
    Samples, Size,
};

const COMBINED: &str = "ViewLayer.Combined";
const DEPTH: &str = "ViewLayer.Depth";

/// The passes of an image, row by row from the top.
pub struct Passes {
    pub width: usize,
    pub height: usize,
    /// `width * height` RGBA values.
    pub rgba: Vec<[f32; 4]>,
    /// `width * height` depth values.
    pub depth: Vec<f32>,
    /// How long the render took, as Blender writes it in the header (`RenderTime`, `MM:SS.cc`).
    pub render_time: Option<String>,
}

impl Passes {
    /// An image of `width` x `height`, all zero.
    pub fn new(width: usize, height: usize) -> Passes {
        let pixels = width * height;
        Passes { width, height, rgba: vec![[0.0; 4]; pixels], depth: vec![0.0; pixels], render_time: None }
    }

    /// The Combined and Depth passes of an image tilemerge holds, by their channels' components;
    /// `None` without a Combined pass.
    fn from_samples(
        size: Size,
        combined: Option<(&PassInfo, &[Samples])>,
        depth: Option<(&PassInfo, &[Samples])>,
    ) -> Option<Passes> {
        let (info, buffers) = combined?;
        let mut passes = Passes::new(size.width as usize, size.height as usize);
        for (index, component) in ["R", "G", "B", "A"].into_iter().enumerate() {
            let Some(samples) = info.component_index(component).and_then(|i| buffers.get(i)) else {
                continue;
            };
            for (pixel, value) in passes.rgba.iter_mut().zip(samples.to_f32_vec()) {
                pixel[index] = value;
            }
        }
        if let Some(samples) = depth.and_then(|(info, buffers)| buffers.get(info.component_index("Z")?)) {
            for (out, value) in passes.depth.iter_mut().zip(samples.to_f32_vec()) {
                *out = value;
            }
        }
        Some(passes)
    }

    /// The passes of a merged image; `None` before any tile was placed.
    pub fn from_canvas(canvas: &Canvas) -> Option<Passes> {
        Passes::from_samples(canvas.size(), canvas.pass_samples(COMBINED), canvas.pass_samples(DEPTH))
    }

    /// The image as a Blender 5 multi-part EXR.
    pub fn to_exr(&self) -> Result<Vec<u8>, String> {
        let combined_info = pass("ViewLayer", "Combined", &[("R", F32), ("G", F32), ("B", F32), ("A", F32)]);
        let depth_info = pass("ViewLayer", "Depth", &[("Z", F32)]);
        let channel = |index: usize| Samples::F32(self.rgba.iter().map(|p| p[index]).collect());
        let combined = [channel(0), channel(1), channel(2), channel(3)];
        let depth = [Samples::F32(self.depth.clone())];
        let mut metadata = Metadata::blender_multilayer("simfarm (Blender 5 multi-part layout)");
        if let Some(time) = &self.render_time {
            metadata = metadata.with_text("RenderTime", time);
        }
        let image = ImageData {
            size: Size { width: self.width as u32, height: self.height as u32 },
            passes: vec![(&combined_info, &combined[..]), (&depth_info, &depth[..])],
            metadata: Some(&metadata),
        };
        encode_exr(&image, &ExrOptions::DEFAULT).map_err(|error| error.to_string())
    }
}

const F32: SampleType = SampleType::F32;

/// Writes `bytes` to `path`, creating its folder.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| format!("creating {}: {error}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|error| format!("writing {}: {error}", path.display()))
}

/// Writes `passes` to `path` as a Blender 5 multi-part EXR.
pub fn write(path: &Path, passes: &Passes) -> Result<(), String> {
    let bytes = passes.to_exr().map_err(|error| format!("writing {}: {error}", path.display()))?;
    write_file(path, &bytes)
}

/// Reads a file written by [`write`] (or by Blender) back into its Combined and Depth passes.
pub fn read(path: &Path) -> Result<Passes, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("reading {}: {error}", path.display()))?;
    let tile = decode(&bytes, &DecodeOptions::default())
        .map_err(|error| format!("reading {}: {error}", path.display()))?;
    let samples = |name: &str| tile.pass(name).map(|p| (&p.info, p.channels.as_slice()));
    Passes::from_samples(tile.size, samples(COMBINED), samples(DEPTH))
        .ok_or_else(|| format!("{}: no {COMBINED} part", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_round_trip_through_a_blender_5_file() {
        let mut passes = Passes::new(3, 2);
        for (i, (pixel, depth)) in passes.rgba.iter_mut().zip(&mut passes.depth).enumerate() {
            *pixel = [i as f32, 0.5, -1.0, 1.0];
            *depth = 10.0 + i as f32;
        }
        let path = std::env::temp_dir().join(format!("simfarm-exr-out-{}/a/b.exr", std::process::id()));
        write(&path, &passes).unwrap();
        let info = tilemerge::read_info(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(info.layout, tilemerge::ExrLayout::MultiPart);
        assert_eq!(info.compression, tilemerge::Compression::Zip);
        let names: Vec<String> = info.passes.iter().map(PassInfo::full_name).collect();
        assert_eq!(names, [COMBINED, DEPTH]);
        let back = read(&path).unwrap();
        assert_eq!((back.width, back.height), (3, 2));
        assert_eq!(back.rgba, passes.rgba);
        assert_eq!(back.depth, passes.depth);
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }
}
