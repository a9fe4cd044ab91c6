//! Writing the merged image: a multilayer EXR in either of Blender's layouts, and a PNG preview
//! of one pass. Everything produces bytes; writing files is the caller's business.

use std::io::Cursor;

use exr::block::chunk::{Chunk, CompressedBlock, CompressedScanLineBlock};
use exr::block::writer::ChunksWriter;
use exr::block::{BlockIndex, UncompressedBlock};
use exr::math::Vec2;
use exr::meta::attribute::{ChannelDescription, IntegerBounds, LineOrder};
use exr::meta::header::{Header, ImageAttributes, LayerAttributes};
use exr::meta::BlockDescription;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decode::{Compression, ExrLayout, Metadata};
use crate::layout::Size;
use crate::passes::{string_to_text, PassInfo, Samples};
use crate::stitch::Canvas;

/// Why an export failed.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
pub enum ExportError {
    /// Nothing has been placed, so the passes are unknown.
    #[error("there is nothing to export: no tile has been placed")]
    Empty,
    /// The requested pass does not exist.
    #[error("there is no pass {requested:?}; the image has {available:?}")]
    UnknownPass {
        /// The requested name.
        requested: String,
        /// The passes there are.
        available: Vec<String>,
    },
    /// The encoder cannot write this compression.
    #[error("cannot write {0} compression")]
    UnsupportedCompression(Compression),
    /// A buffer does not match the image size.
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
    /// The EXR encoder failed.
    #[error("EXR encoding failed: {0}")]
    Exr(String),
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

fn exr_error(e: exr::error::Error) -> ExportError {
    ExportError::Exr(e.to_string())
}

/// The deflate level exr itself writes ZIP with (and OpenEXR's default).
pub const DEFAULT_ZIP_LEVEL: u8 = 4;

/// How to write the EXR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExrOptions {
    /// Multi-part like Blender 5, or single-part like Blender 4.
    pub layout: ExrLayout,
    /// Compression of every part.
    pub compression: Compression,
    /// Deflate level (1 fastest to 9 smallest) for ZIP and ZIPS. At 1, writing is about four
    /// times faster than at the default 4, for files some 5 % larger.
    pub zip_level: u8,
}

impl ExrOptions {
    /// Blender 5's layout, ZIP at the default level.
    pub const DEFAULT: ExrOptions = ExrOptions {
        layout: ExrLayout::MultiPart,
        compression: Compression::Zip,
        zip_level: DEFAULT_ZIP_LEVEL,
    };
}

impl Default for ExrOptions {
    fn default() -> Self {
        ExrOptions::DEFAULT
    }
}

/// An image to write: passes with their full-size buffers, borrowed.
#[derive(Debug, Clone)]
pub struct ImageData<'a> {
    /// Image size; every buffer holds `width * height` samples.
    pub size: Size,
    /// Passes and their buffers, in the order of each pass's `channels`.
    pub passes: Vec<(&'a PassInfo, &'a [Samples])>,
    /// Header attributes to carry over (from the tiles).
    pub metadata: Option<&'a Metadata>,
}

impl<'a> ImageData<'a> {
    /// Everything a canvas holds.
    pub fn from_canvas(canvas: &'a Canvas) -> ImageData<'a> {
        ImageData {
            size: canvas.size(),
            passes: canvas.all_samples().collect(),
            metadata: Some(canvas.metadata()),
        }
    }
}

/// One compressed block, ready to be written.
pub struct EncodedBlock {
    index_in_header: usize,
    chunk: Chunk,
}

struct BlockJob {
    header: usize,
    index_in_header: usize,
    y: usize,
    height: usize,
}

/// Encodes an image block by block. [`ExrEncoder::encode_block`] takes `&self`, so a caller
/// with threads can compress blocks in parallel and hand them to [`ExrEncoder::finish`]; the
/// library itself stays single-threaded for WebAssembly.
pub struct ExrEncoder<'a> {
    headers: Vec<Header>,
    /// Per header, its channels' buffers in the header's (alphabetical) channel order.
    sources: Vec<Vec<&'a Samples>>,
    jobs: Vec<BlockJob>,
    width: usize,
    /// `Some(level)` when blocks are ZIP-compressed here rather than by exr.
    zip_level: Option<u8>,
}

impl<'a> ExrEncoder<'a> {
    /// Prepares the headers and the list of blocks.
    pub fn new(image: &ImageData<'a>, options: &ExrOptions) -> Result<ExrEncoder<'a>, ExportError> {
        if image.passes.is_empty() {
            return Err(ExportError::Empty);
        }
        if !options.compression.can_encode() {
            return Err(ExportError::UnsupportedCompression(options.compression));
        }
        let (w, h) = (image.size.width as usize, image.size.height as usize);
        let needed = w * h;
        for (info, buffers) in &image.passes {
            for (channel, samples) in info.channels.iter().zip(buffers.iter()) {
                if samples.len() != needed {
                    return Err(ExportError::BadBuffer {
                        channel: channel.name.clone(),
                        samples: samples.len(),
                        size: image.size,
                        needed,
                    });
                }
            }
        }

        // Each part is one group of passes: all of them for single-part, one each otherwise.
        let groups: Vec<Vec<usize>> = match options.layout {
            ExrLayout::SinglePart => vec![(0..image.passes.len()).collect()],
            ExrLayout::MultiPart => (0..image.passes.len()).map(|i| vec![i]).collect(),
        };
        let shared = shared_attributes(image);
        let mut headers = Vec::with_capacity(groups.len());
        let mut sources = Vec::with_capacity(groups.len());
        for group in &groups {
            let mut channels: Vec<(&str, &Samples)> = group
                .iter()
                .filter_map(|i| image.passes.get(*i))
                .flat_map(|(info, buffers)| {
                    info.channels.iter().zip(buffers.iter()).map(|(c, s)| (c.name.as_str(), s))
                })
                .collect();
            // EXR requires channels sorted by name (bytewise).
            channels.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            let descriptions = channels
                .iter()
                .map(|(name, samples)| {
                    ChannelDescription::new(string_to_text(name), samples.sample_type().to_exr(), false)
                })
                .collect();
            let first_pass = group.first().and_then(|i| image.passes.get(*i)).map(|(p, _)| *p);
            let part_name = first_pass.map(PassInfo::display_name).unwrap_or_default();
            let mut header = Header::new(string_to_text(&part_name), Vec2(w, h), descriptions)
                .with_encoding(
                    options.compression.to_exr(),
                    BlockDescription::ScanLines,
                    LineOrder::Increasing,
                )
                .with_shared_attributes(shared.clone());
            header.own_attributes = own_attributes(image, first_pass, &part_name, options.layout);
            headers.push(header);
            sources.push(channels.into_iter().map(|(_, s)| s).collect());
        }

        let mut jobs = Vec::new();
        for (header_index, header) in headers.iter().enumerate() {
            let lines = header.compression.scan_lines_per_block();
            for (index_in_header, y) in (0..h).step_by(lines.max(1)).enumerate() {
                jobs.push(BlockJob { header: header_index, index_in_header, y, height: lines.min(h - y) });
            }
        }
        let zip = matches!(options.compression, Compression::Zip | Compression::Zips);
        Ok(ExrEncoder {
            headers,
            sources,
            jobs,
            width: w,
            zip_level: zip.then_some(options.zip_level.clamp(1, 9)),
        })
    }

    /// Number of blocks to encode.
    pub fn block_count(&self) -> usize {
        self.jobs.len()
    }

    /// Gathers and compresses block `i`.
    pub fn encode_block(&self, i: usize) -> Result<EncodedBlock, ExportError> {
        let job = self.jobs.get(i).ok_or_else(|| ExportError::Exr(format!("there is no block {i}")))?;
        let sources = self
            .sources
            .get(job.header)
            .ok_or_else(|| ExportError::Exr("block of an unknown part".into()))?;
        let bytes_per_row: usize =
            sources.iter().map(|s| s.sample_type().bytes()).sum::<usize>() * self.width;
        let mut data = Vec::with_capacity(bytes_per_row * job.height);
        let little_endian = self.zip_level.is_some();
        // Row by row, each row channel after channel: exr's and the file's block layout.
        for y in job.y..job.y + job.height {
            for samples in sources {
                if !samples.extend_bytes(y * self.width, self.width, little_endian, &mut data) {
                    return Err(ExportError::Exr(format!("row {y} is outside the buffers")));
                }
            }
        }
        let chunk = match self.zip_level {
            Some(level) => Chunk {
                layer_index: job.header,
                compressed_block: CompressedBlock::ScanLine(CompressedScanLineBlock {
                    y_coordinate: i32::try_from(job.y)
                        .map_err(|_| ExportError::Exr(format!("row {} overflows", job.y)))?,
                    compressed_pixels_le: zip_block(data, level),
                }),
            },
            None => {
                let block = UncompressedBlock {
                    index: BlockIndex {
                        layer: job.header,
                        pixel_position: Vec2(0, job.y),
                        pixel_size: Vec2(self.width, job.height),
                        level: Vec2(0, 0),
                    },
                    data,
                };
                block.compress_to_chunk(&self.headers).map_err(exr_error)?
            }
        };
        Ok(EncodedBlock { index_in_header: job.index_in_header, chunk })
    }

    /// Writes the file from every encoded block (in any order).
    pub fn finish(self, blocks: Vec<EncodedBlock>) -> Result<Vec<u8>, ExportError> {
        if blocks.len() != self.jobs.len() {
            return Err(ExportError::Exr(format!(
                "{} of {} blocks were encoded",
                blocks.len(),
                self.jobs.len()
            )));
        }
        let mut out = Cursor::new(Vec::new());
        exr::block::write(&mut out, self.headers.into(), false, |_, writer| {
            for block in blocks {
                writer.write_chunk(block.index_in_header, block.chunk)?;
            }
            Ok(())
        })
        .map_err(exr_error)?;
        Ok(out.into_inner())
    }

    /// Encodes every block in turn and writes the file.
    pub fn encode_sequential(self) -> Result<Vec<u8>, ExportError> {
        let blocks = (0..self.block_count()).map(|i| self.encode_block(i)).collect::<Result<Vec<_>, _>>()?;
        self.finish(blocks)
    }
}

/// OpenEXR's ZIP block: little-endian bytes split into even and odd halves, each byte replaced by
/// its difference to the previous one, then zlib. Stored raw when that is not smaller, which is
/// how readers tell the two apart. The same bytes as exr's encoder at level 4.
fn zip_block(mut raw_le: Vec<u8>, level: u8) -> Vec<u8> {
    let half = raw_le.len().div_ceil(2);
    let mut predicted = vec![0u8; raw_le.len()];
    let (evens, odds) = predicted.split_at_mut(half);
    for (i, byte) in raw_le.iter().enumerate() {
        let slot = if i % 2 == 0 { evens.get_mut(i / 2) } else { odds.get_mut(i / 2) };
        if let Some(slot) = slot {
            *slot = *byte;
        }
    }
    let mut previous = predicted.first().copied().unwrap_or(0);
    for byte in predicted.iter_mut().skip(1) {
        let current = *byte;
        *byte = current.wrapping_sub(previous).wrapping_add(128);
        previous = current;
    }
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&predicted, level);
    if compressed.len() < raw_le.len() {
        compressed
    } else {
        raw_le.shrink_to_fit();
        raw_le
    }
}

fn shared_attributes(image: &ImageData<'_>) -> ImageAttributes {
    let full_frame =
        IntegerBounds::new(Vec2(0, 0), Vec2(image.size.width as usize, image.size.height as usize));
    let mut shared =
        image.metadata.and_then(|m| m.shared.clone()).unwrap_or_else(|| ImageAttributes::new(full_frame));
    // The tiles' display window is the tile; the merged image's is the full frame.
    shared.display_window = full_frame;
    shared
}

fn own_attributes(
    image: &ImageData<'_>,
    first_pass: Option<&PassInfo>,
    part_name: &str,
    layout: ExrLayout,
) -> LayerAttributes {
    let parts = image.metadata.map(|m| m.parts.as_slice()).unwrap_or(&[]);
    let name = first_pass.map(PassInfo::full_name).unwrap_or_default();
    let mut attributes = match layout {
        ExrLayout::MultiPart => parts
            .iter()
            .find(|(n, _)| *n == name)
            .or_else(|| parts.first().filter(|_| parts.iter().all(|(n, _)| n.is_empty())))
            .map(|(_, a)| a.clone()),
        // A single part carries the attributes Blender puts on its first part.
        ExrLayout::SinglePart => parts.first().map(|(_, a)| a.clone()),
    }
    .unwrap_or_else(|| LayerAttributes::named(string_to_text(part_name)));
    attributes.layer_position = Vec2(0, 0);
    attributes.layer_name = match layout {
        ExrLayout::MultiPart => Some(string_to_text(part_name)),
        ExrLayout::SinglePart => None,
    };
    // Blender 5 keeps its file-wide attributes (software, camera, ...) on the first part only;
    // a single-part file written from them keeps them too, so nothing is dropped.
    attributes
}

/// Encodes an image as EXR bytes, one block after another.
pub fn encode_exr(image: &ImageData<'_>, options: &ExrOptions) -> Result<Vec<u8>, ExportError> {
    ExrEncoder::new(image, options)?.encode_sequential()
}

/// Encodes everything a canvas holds as EXR bytes.
pub fn export_exr(canvas: &Canvas, options: &ExrOptions) -> Result<Vec<u8>, ExportError> {
    encode_exr(&ImageData::from_canvas(canvas), options)
}

/// Linear to 8-bit sRGB.
pub fn linear_to_srgb8(linear: f32) -> u8 {
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
    let Some((info, buffers)) = canvas.pass_samples(pass) else {
        if canvas.passes().is_empty() {
            return Err(ExportError::Empty);
        }
        return Err(ExportError::UnknownPass {
            requested: pass.to_string(),
            available: canvas.passes().iter().map(PassInfo::display_name).collect(),
        });
    };
    let find = |c: &str| info.component_index(c).and_then(|i| buffers.get(i));
    let colour: [Option<&Samples>; 3] = match (find("R"), find("G"), find("B")) {
        (Some(r), Some(g), Some(b)) => [Some(r), Some(g), Some(b)],
        _ => match (find("X"), find("Y"), find("Z")) {
            (Some(x), Some(y), Some(z)) => [Some(x), Some(y), Some(z)],
            _ => {
                let first = buffers.iter().find(|_| true);
                match buffers.len() {
                    2.. => [buffers.first(), buffers.get(1), buffers.get(2)],
                    _ => [first, first, first],
                }
            }
        },
    };
    let alpha = find("A");
    let gain = exposure.exp2();
    let pixels = canvas.size().area() as usize;
    let mut out = vec![0u8; pixels * 4];
    for (i, px) in out.chunks_exact_mut(4).enumerate() {
        for (slot, source) in px.iter_mut().zip(colour) {
            *slot = source.and_then(|s| s.get_f32(i)).map_or(0, |v| linear_to_srgb8(v * gain));
        }
        if let Some(a) = px.get_mut(3) {
            *a = alpha.and_then(|s| s.get_f32(i)).map_or(255, |v| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8);
        }
    }
    Ok(out)
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
    fn own_zip_blocks_equal_exr_s_at_level_4_and_decode_at_every_level() {
        let frame = crate::synth::Frame::blender_like(Size { width: 37, height: 21 }, 3);
        let image = frame.image_data();
        let ours = ExrOptions { compression: Compression::Zip, ..ExrOptions::default() };
        let encoder = ExrEncoder::new(&image, &ours).unwrap();
        let exr_own = ExrEncoder { zip_level: None, ..ExrEncoder::new(&image, &ours).unwrap() };
        for i in 0..encoder.block_count() {
            let bytes = |e: &ExrEncoder<'_>| match e.encode_block(i).unwrap().chunk.compressed_block {
                CompressedBlock::ScanLine(b) => (b.y_coordinate, b.compressed_pixels_le),
                _ => panic!("scanline blocks only"),
            };
            assert_eq!(bytes(&encoder), bytes(&exr_own), "block {i}");
        }
        for level in [1, 9] {
            for compression in [Compression::Zip, Compression::Zips] {
                let bytes =
                    encode_exr(&image, &ExrOptions { compression, zip_level: level, ..ours }).unwrap();
                let back = crate::decode::decode(&bytes, &Default::default()).unwrap();
                for (info, buffers) in &frame.passes {
                    assert_eq!(&back.pass(&info.full_name()).unwrap().channels, buffers);
                }
            }
        }
        // Data that zlib's own header outweighs is stored raw.
        assert_eq!(zip_block(vec![7, 1, 9], 4), vec![7, 1, 9]);
    }

    #[test]
    fn made_from_scratch_images_carry_blenders_multilayer_marker_on_every_part() {
        let frame = crate::synth::Frame::blender_like(Size { width: 5, height: 3 }, 1);
        let metadata = Metadata::blender_multilayer("a test");
        let image = ImageData { metadata: Some(&metadata), ..frame.image_data() };
        let back =
            crate::decode::decode(&encode_exr(&image, &ExrOptions::DEFAULT).unwrap(), &Default::default())
                .unwrap();
        assert_eq!(back.metadata.parts.len(), 2);
        for (name, attributes) in &back.metadata.parts {
            let marker = attributes.other.get(&string_to_text("BlenderMultiChannel"));
            assert!(marker.is_some(), "{name}: {:?}", attributes.other);
            assert_eq!(attributes.software_name, Some(string_to_text("a test")), "{name}");
        }
        let names: Vec<&str> = back.metadata.parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["ViewLayer.Combined", "ViewLayer.Depth"]);
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
