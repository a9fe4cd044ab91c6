//! Writing the merged image: a multilayer EXR in either of Blender's layouts, and a PNG preview
//! of one pass. Everything produces bytes; writing files is the caller's business.

use std::io::{Read, Seek, Write};

use exr::block::chunk::{Chunk, CompressedBlock, CompressedScanLineBlock};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decode::read_info;
use crate::decode::{Compression, ExrLayout, Metadata};
use crate::layout::Size;
use crate::layout::{Grid, TileId};
use crate::passes::PassSelection;
use crate::passes::{PassInfo, Samples};
use crate::stitch::{Canvas, CanvasOptions, TileError, TileProblem};

mod file_plan;
mod lossy;
mod png;
mod sorted_headers;

#[cfg(test)]
use file_plan::zip_block;
pub(crate) use file_plan::{write_blocks, FilePlan};
pub use file_plan::{Deflate, Miniz};
pub use lossy::{lossy_export, LossyExport};
pub use png::{export_png, linear_to_srgb8, preview_rgba8};

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
    pub(crate) index_in_header: usize,
    pub(crate) chunk: Chunk,
}

impl EncodedBlock {
    /// The part (header) the block belongs to.
    pub fn part(&self) -> usize {
        self.chunk.layer_index
    }

    /// Appends the block to `out` as a record that [`EncodedBlock::read_record`] gives back: a
    /// multi-part file holds each part's blocks together, so a streamed merge keeps the later
    /// parts' blocks aside (on disk) while it writes the first part's.
    pub fn write_record(&self, out: &mut impl Write) -> std::io::Result<()> {
        let CompressedBlock::ScanLine(block) = &self.chunk.compressed_block else {
            return Err(std::io::Error::other("only scan-line blocks are written"));
        };
        out.write_all(&(self.index_in_header as u64).to_le_bytes())?;
        out.write_all(&(self.chunk.layer_index as u64).to_le_bytes())?;
        out.write_all(&block.y_coordinate.to_le_bytes())?;
        out.write_all(&(block.compressed_pixels_le.len() as u64).to_le_bytes())?;
        out.write_all(&block.compressed_pixels_le)
    }

    /// The next block [`EncodedBlock::write_record`] wrote to `input`; `None` at its end.
    pub fn read_record(input: &mut impl Read) -> std::io::Result<Option<EncodedBlock>> {
        let mut word = [0u8; 8];
        match input.read_exact(&mut word) {
            Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            result => result?,
        }
        let index_in_header = u64::from_le_bytes(word);
        input.read_exact(&mut word)?;
        let layer_index = u64::from_le_bytes(word);
        let mut y = [0u8; 4];
        input.read_exact(&mut y)?;
        input.read_exact(&mut word)?;
        let too_big = || std::io::Error::other("a kept block's size overflows");
        let length = usize::try_from(u64::from_le_bytes(word)).map_err(|_| too_big())?;
        let mut compressed_pixels_le = vec![0u8; length];
        input.read_exact(&mut compressed_pixels_le)?;
        Ok(Some(EncodedBlock {
            index_in_header: usize::try_from(index_in_header).map_err(|_| too_big())?,
            chunk: Chunk {
                layer_index: usize::try_from(layer_index).map_err(|_| too_big())?,
                compressed_block: CompressedBlock::ScanLine(CompressedScanLineBlock {
                    y_coordinate: i32::from_le_bytes(y),
                    compressed_pixels_le,
                }),
            },
        }))
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

    /// Gathers and compresses block `i` with the library's own deflate.
    pub fn encode_block(&self, i: usize) -> Result<EncodedBlock, ExportError> {
        self.encode_block_with(i, &mut Miniz)
    }

    /// Gathers and compresses block `i`, ZIP blocks with `deflate`.
    pub fn encode_block_with(
        &self,
        i: usize,
        deflate: &mut dyn Deflate,
    ) -> Result<EncodedBlock, ExportError> {
        let header = self.plan.jobs.get(i).map_or(0, |job| job.header);
        let sources = self.sources.get(header).map(Vec::as_slice).unwrap_or(&[]);
        self.plan.encode_block(i, sources, 0, deflate)
    }

    /// Writes the file from every encoded block; the file's bytes follow the blocks' order.
    pub fn finish(self, blocks: Vec<EncodedBlock>) -> Result<Vec<u8>, ExportError> {
        self.plan.finish(blocks)
    }

    /// Writes the file to `out` while the blocks are still being encoded: each is written as it
    /// comes, so a caller compressing on threads need not hold the whole file. Given the same
    /// blocks in the same order, the bytes are those of [`ExrEncoder::finish`]. The first failed
    /// block stops the writing and is the error returned; `out` then holds a partial file.
    pub fn write_to<W: Write + Seek>(
        &self,
        out: W,
        blocks: impl IntoIterator<Item = Result<EncodedBlock, ExportError>>,
    ) -> Result<(), ExportError> {
        self.plan.write(out, blocks)
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
                blocks.push(plan.encode_block(i, &sources, 0, &mut Miniz)?);
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

#[cfg(test)]
mod tests {
    use exr::block::chunk::CompressedBlock;

    use super::*;
    use crate::passes::string_to_text;

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
        assert_eq!(zip_block(vec![7, 1, 9], 4, &mut Miniz), vec![7, 1, 9]);
    }

    #[test]
    fn zip_blocks_of_odd_length_keep_their_last_byte_among_the_evens() {
        // Compressible, odd-length data: the split must place the byte with no partner last
        // among the evens, as OpenEXR's reader expects it.
        let raw: Vec<u8> = (0..1001u32).map(|i| (i % 7) as u8).collect();
        let block = zip_block(raw.clone(), 4, &mut Miniz);
        assert!(block.len() < raw.len(), "compressed");
        let mut predicted = miniz_oxide::inflate::decompress_to_vec_zlib(&block).unwrap();
        for i in 1..predicted.len() {
            predicted[i] = predicted[i].wrapping_add(predicted[i - 1]).wrapping_sub(128);
        }
        let (evens, odds) = predicted.split_at(raw.len().div_ceil(2));
        let back: Vec<u8> =
            (0..raw.len()).map(|i| if i % 2 == 0 { evens[i / 2] } else { odds[i / 2] }).collect();
        assert_eq!(back, raw);
    }

    /// Another deflate: miniz at level 1 whatever the level asked, other streams for the same data.
    struct Fastest;

    impl Deflate for Fastest {
        fn zlib(&mut self, data: &[u8], _level: u8) -> Vec<u8> {
            miniz_oxide::deflate::compress_to_vec_zlib(data, 1)
        }
    }

    #[test]
    fn blocks_written_as_they_come_make_the_same_file_and_another_deflate_the_same_pixels() {
        let frame = crate::synth::Frame::blender_like(Size { width: 41, height: 35 }, 5);
        let image = frame.image_data();
        for layout in [ExrLayout::MultiPart, ExrLayout::SinglePart] {
            let options = ExrOptions { layout, ..ExrOptions::DEFAULT };
            let whole = encode_exr(&image, &options).unwrap();
            let encoder = ExrEncoder::new(&image, &options).unwrap();
            let mut streamed = std::io::Cursor::new(Vec::new());
            encoder
                .write_to(&mut streamed, (0..encoder.block_count()).map(|i| encoder.encode_block(i)))
                .unwrap();
            assert_eq!(streamed.into_inner(), whole, "{layout:?}");

            // Another deflate's blocks: other bytes, the same pixels.
            let fastest = ExrEncoder::new(&image, &options).unwrap();
            let blocks: Vec<_> = (0..fastest.block_count())
                .map(|i| fastest.encode_block_with(i, &mut Fastest).unwrap())
                .collect();
            let bytes = fastest.finish(blocks).unwrap();
            assert_ne!(bytes, whole);
            let back = crate::decode::decode(&bytes, &Default::default()).unwrap();
            for (info, buffers) in &frame.passes {
                assert_eq!(&back.pass(&info.full_name()).unwrap().channels, buffers, "{layout:?}");
            }
        }

        // A failed block is the error; a missing one is one too.
        let encoder = ExrEncoder::new(&image, &ExrOptions::DEFAULT).unwrap();
        let count = encoder.block_count();
        let failing =
            (0..count).map(|i| if i == 2 { Err(ExportError::Empty) } else { encoder.encode_block(i) });
        let mut out = std::io::Cursor::new(Vec::new());
        assert_eq!(encoder.write_to(&mut out, failing).err(), Some(ExportError::Empty));
        let short = (1..count).map(|i| encoder.encode_block(i));
        let error = encoder.write_to(std::io::Cursor::new(Vec::new()), short).err();
        assert_eq!(error, Some(ExportError::Exr(format!("{} of {count} blocks were encoded", count - 1))));
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
}
