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

use crate::decode::read_info;
use crate::decode::{Compression, ExrLayout, Metadata};
use crate::layout::Size;
use crate::layout::{Grid, TileId};
use crate::passes::PassSelection;
use crate::passes::{string_to_text, ChannelInfo, PassInfo, Samples};
use crate::stitch::{Canvas, CanvasOptions, TileError, TileProblem};

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
    /// A tile could not be merged again for the export.
    #[error("{0}")]
    Tile(TileProblem),
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

/// The file's structure, known before any pixel: headers (one per part) and the blocks to encode.
struct FilePlan {
    headers: Vec<Header>,
    /// Per header, the passes it holds (indices into the image's passes) and, in the header's
    /// (alphabetical) channel order, each channel as (pass index, channel index in the pass).
    channels: Vec<Vec<(usize, usize)>>,
    jobs: Vec<BlockJob>,
    width: usize,
    /// `Some(level)` when blocks are ZIP-compressed here rather than by exr.
    zip_level: Option<u8>,
}

impl FilePlan {
    /// Plans the file from the passes alone: every buffer must hold `size.area()` samples of its
    /// channel's sample type.
    fn new(
        size: Size,
        passes: &[&PassInfo],
        metadata: Option<&Metadata>,
        options: &ExrOptions,
    ) -> Result<FilePlan, ExportError> {
        if passes.is_empty() {
            return Err(ExportError::Empty);
        }
        if !options.compression.can_encode() {
            return Err(ExportError::UnsupportedCompression(options.compression));
        }
        let (w, h) = (size.width as usize, size.height as usize);
        // Each part is one group of passes: all of them for single-part, one each otherwise.
        let groups: Vec<Vec<usize>> = match options.layout {
            ExrLayout::SinglePart => vec![(0..passes.len()).collect()],
            ExrLayout::MultiPart => (0..passes.len()).map(|i| vec![i]).collect(),
        };
        let shared = shared_attributes(size, metadata);
        let mut headers = Vec::with_capacity(groups.len());
        let mut channels_per_header = Vec::with_capacity(groups.len());
        for group in &groups {
            let mut channels: Vec<(&ChannelInfo, (usize, usize))> = group
                .iter()
                .filter_map(|p| passes.get(*p).map(|info| (*p, info)))
                .flat_map(|(p, info)| info.channels.iter().enumerate().map(move |(c, ch)| (ch, (p, c))))
                .collect();
            // EXR requires channels sorted by name (bytewise).
            channels.sort_by(|a, b| a.0.name.as_bytes().cmp(b.0.name.as_bytes()));
            let descriptions = channels
                .iter()
                .map(|(channel, _)| {
                    ChannelDescription::new(
                        string_to_text(&channel.name),
                        channel.sample_type.to_exr(),
                        false,
                    )
                })
                .collect();
            let first_pass = group.first().and_then(|i| passes.get(*i)).copied();
            let part_name = first_pass.map(PassInfo::display_name).unwrap_or_default();
            let mut header = Header::new(string_to_text(&part_name), Vec2(w, h), descriptions)
                .with_encoding(
                    options.compression.to_exr(),
                    BlockDescription::ScanLines,
                    LineOrder::Increasing,
                )
                .with_shared_attributes(shared.clone());
            header.own_attributes = own_attributes(metadata, first_pass, &part_name, options.layout);
            headers.push(header);
            channels_per_header.push(channels.into_iter().map(|(_, at)| at).collect());
        }

        let mut jobs = Vec::new();
        for (header_index, header) in headers.iter().enumerate() {
            let lines = header.compression.scan_lines_per_block();
            for (index_in_header, y) in (0..h).step_by(lines.max(1)).enumerate() {
                jobs.push(BlockJob { header: header_index, index_in_header, y, height: lines.min(h - y) });
            }
        }
        let zip = matches!(options.compression, Compression::Zip | Compression::Zips);
        Ok(FilePlan {
            headers,
            channels: channels_per_header,
            jobs,
            width: w,
            zip_level: zip.then_some(options.zip_level.clamp(1, 9)),
        })
    }

    /// The buffers of header `header`'s channels, in its channel order, from the image's passes.
    fn sources<'a>(&self, header: usize, passes: &[(&PassInfo, &'a [Samples])]) -> Vec<&'a Samples> {
        self.channels
            .get(header)
            .map(|channels| {
                channels
                    .iter()
                    .filter_map(|(p, c)| passes.get(*p).and_then(|(_, buffers)| buffers.get(*c)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Gathers and compresses block `i` from its part's channel buffers.
    fn encode_block(&self, i: usize, sources: &[&Samples]) -> Result<EncodedBlock, ExportError> {
        let job = self.jobs.get(i).ok_or_else(|| ExportError::Exr(format!("there is no block {i}")))?;
        let expected = self.channels.get(job.header).map_or(0, Vec::len);
        if sources.len() != expected {
            return Err(ExportError::Exr(format!(
                "block {i} has {} of its part's {expected} channels",
                sources.len()
            )));
        }
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
    fn finish(self, blocks: Vec<EncodedBlock>) -> Result<Vec<u8>, ExportError> {
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
}

/// Encodes an image block by block. [`ExrEncoder::encode_block`] takes `&self`, so a caller
/// with threads can compress blocks in parallel and hand them to [`ExrEncoder::finish`]; the
/// library itself stays single-threaded for WebAssembly.
pub struct ExrEncoder<'a> {
    plan: FilePlan,
    /// Per header, its channels' buffers in the header's (alphabetical) channel order.
    sources: Vec<Vec<&'a Samples>>,
}

impl<'a> ExrEncoder<'a> {
    /// Prepares the headers and the list of blocks.
    pub fn new(image: &ImageData<'a>, options: &ExrOptions) -> Result<ExrEncoder<'a>, ExportError> {
        check_buffers(image)?;
        let infos: Vec<&PassInfo> = image.passes.iter().map(|(info, _)| *info).collect();
        let plan = FilePlan::new(image.size, &infos, image.metadata, options)?;
        let sources = (0..plan.headers.len()).map(|h| plan.sources(h, &image.passes)).collect();
        Ok(ExrEncoder { plan, sources })
    }

    /// Number of blocks to encode.
    pub fn block_count(&self) -> usize {
        self.plan.jobs.len()
    }

    /// Gathers and compresses block `i`.
    pub fn encode_block(&self, i: usize) -> Result<EncodedBlock, ExportError> {
        let header = self.plan.jobs.get(i).map_or(0, |job| job.header);
        let sources = self.sources.get(header).map(Vec::as_slice).unwrap_or(&[]);
        self.plan.encode_block(i, sources)
    }

    /// Writes the file from every encoded block (in any order).
    pub fn finish(self, blocks: Vec<EncodedBlock>) -> Result<Vec<u8>, ExportError> {
        self.plan.finish(blocks)
    }

    /// Encodes every block in turn and writes the file.
    pub fn encode_sequential(self) -> Result<Vec<u8>, ExportError> {
        let blocks = (0..self.block_count()).map(|i| self.encode_block(i)).collect::<Result<Vec<_>, _>>()?;
        self.finish(blocks)
    }
}

/// Every buffer must hold one sample per pixel, of its channel's type.
fn check_buffers(image: &ImageData<'_>) -> Result<(), ExportError> {
    let needed = image.size.width as usize * image.size.height as usize;
    for (info, buffers) in &image.passes {
        for (channel, samples) in info.channels.iter().zip(buffers.iter()) {
            if samples.sample_type() != channel.sample_type {
                return Err(ExportError::Exr(format!(
                    "channel {} holds {} samples where its pass says {}",
                    channel.name,
                    samples.sample_type(),
                    channel.sample_type
                )));
            }
            if samples.len() != needed {
                return Err(ExportError::BadBuffer {
                    channel: channel.name.clone(),
                    samples: samples.len(),
                    size: image.size,
                    needed,
                });
            }
        }
        if buffers.len() != info.channels.len() {
            return Err(ExportError::Exr(format!(
                "pass {} has {} buffers for {} channels",
                info.display_name(),
                buffers.len(),
                info.channels.len()
            )));
        }
    }
    Ok(())
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

fn shared_attributes(size: Size, metadata: Option<&Metadata>) -> ImageAttributes {
    let full_frame = IntegerBounds::new(Vec2(0, 0), Vec2(size.width as usize, size.height as usize));
    let mut shared =
        metadata.and_then(|m| m.shared.clone()).unwrap_or_else(|| ImageAttributes::new(full_frame));
    // The tiles' display window is the tile; the merged image's is the full frame.
    shared.display_window = full_frame;
    shared
}

fn own_attributes(
    metadata: Option<&Metadata>,
    first_pass: Option<&PassInfo>,
    part_name: &str,
    layout: ExrLayout,
) -> LayerAttributes {
    let parts = metadata.map(|m| m.parts.as_slice()).unwrap_or(&[]);
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

/// Writes the merged EXR from the tiles' files (compressed, as read), decoding them again for
/// each pass, so that the memory needed is the files, one pass's canvas and the output rather
/// than every pass at once. The bytes are those [`export_exr`] writes for a [`Canvas`] that
/// the same files were added to in the same order.
///
/// Multi-part files take one pass per part, so each part is encoded from a canvas of its pass
/// alone. A single-part file interleaves every channel of every pass within each compressed
/// block of scanlines, so no block can be compressed before all passes of its rows are known:
/// that layout is merged with all passes at once (the same peak as [`export_exr`]).
pub fn export_exr_from_files(
    grid: &Grid,
    files: &[(TileId, &[u8])],
    options: &ExrOptions,
) -> Result<Vec<u8>, ExportError> {
    if files.is_empty() {
        return Err(ExportError::Empty);
    }
    if options.layout == ExrLayout::SinglePart {
        let canvas = merge_files(grid, files, PassSelection::All)?;
        return export_exr(&canvas, options);
    }
    // The canvas takes its passes from the first tile it places; so does the file.
    let (tile, bytes) = files.first().ok_or(ExportError::Empty)?;
    let passes = read_info(bytes)
        .map_err(|e| ExportError::Tile(TileProblem { tile: *tile, error: TileError::Decode(e) }))?
        .passes;
    let infos: Vec<&PassInfo> = passes.iter().collect();
    let mut plan: Option<FilePlan> = None;
    let mut blocks = Vec::new();
    for (index, pass) in passes.iter().enumerate() {
        let name = pass.full_name();
        let canvas = merge_files(grid, files, PassSelection::Only(vec![name.clone()]))?;
        let Some((info, buffers)) = canvas.pass_samples(&name) else {
            return Err(ExportError::UnknownPass {
                requested: name,
                available: canvas.passes().iter().map(PassInfo::display_name).collect(),
            });
        };
        if info != pass {
            return Err(ExportError::Exr(format!("pass {} differs between the tiles", pass.display_name())));
        }
        check_buffers(&ImageData { size: canvas.size(), passes: vec![(info, buffers)], metadata: None })?;
        // Every canvas takes its attributes from the same (lowest) tile: plan with the first's.
        let plan = match &mut plan {
            Some(plan) => plan,
            None => plan.insert(FilePlan::new(canvas.size(), &infos, Some(canvas.metadata()), options)?),
        };
        let sources: Vec<&Samples> = plan
            .channels
            .get(index)
            .map(|channels| channels.iter().filter_map(|(_, c)| buffers.get(*c)).collect())
            .unwrap_or_default();
        for (i, job) in plan.jobs.iter().enumerate() {
            if job.header == index {
                blocks.push(plan.encode_block(i, &sources)?);
            }
        }
        // The canvas goes here, before the next pass is decoded.
    }
    plan.ok_or(ExportError::Empty)?.finish(blocks)
}

/// A canvas of the selected passes, from every file; the first tile that fails stops it.
fn merge_files(grid: &Grid, files: &[(TileId, &[u8])], passes: PassSelection) -> Result<Canvas, ExportError> {
    let mut canvas = Canvas::new(*grid, CanvasOptions::only(passes, false));
    for (tile, bytes) in files {
        canvas.add(*tile, bytes).map_err(ExportError::Tile)?;
    }
    Ok(canvas)
}

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

    use super::*;

    #[test]
    fn own_zip_blocks_equal_exr_s_at_level_4_and_decode_at_every_level() {
        let frame = crate::synth::Frame::blender_like(Size { width: 37, height: 21 }, 3);
        let image = frame.image_data();
        let ours = ExrOptions { compression: Compression::Zip, ..ExrOptions::default() };
        let encoder = ExrEncoder::new(&image, &ours).unwrap();
        let mut exr_own = ExrEncoder::new(&image, &ours).unwrap();
        exr_own.plan.zip_level = None;
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
