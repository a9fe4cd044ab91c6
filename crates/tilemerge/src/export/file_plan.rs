//! How an image becomes an EXR file: its headers (one per part), its blocks planned before any
//! pixel, then gathered, ZIP-compressed and written.

use std::io::{Cursor, Seek, Write};

use exr::block::chunk::{Chunk, CompressedBlock, CompressedScanLineBlock};
use exr::block::writer::ChunksWriter;
use exr::block::{BlockIndex, UncompressedBlock};
use exr::math::Vec2;
use exr::meta::attribute::{ChannelDescription, IntegerBounds, LineOrder};
use exr::meta::header::{Header, ImageAttributes, LayerAttributes};
use exr::meta::BlockDescription;

use super::sorted_headers::SortedHeaders;
use super::{exr_error, EncodedBlock, ExportError, ExrOptions};
use crate::decode::{Compression, ExrLayout, Metadata};
use crate::layout::Size;
use crate::passes::{string_to_text, ChannelInfo, PassInfo, Samples};

pub(crate) struct BlockJob {
    pub(crate) header: usize,
    pub(crate) index_in_header: usize,
    pub(crate) y: usize,
    pub(crate) height: usize,
}

/// The file's structure, known before any pixel: headers (one per part) and the blocks to encode.
pub(crate) struct FilePlan {
    pub(crate) headers: Vec<Header>,
    /// Per header, the passes it holds (indices into the image's passes) and, in the header's
    /// (alphabetical) channel order, each channel as (pass index, channel index in the pass).
    pub(crate) channels: Vec<Vec<(usize, usize)>>,
    pub(crate) jobs: Vec<BlockJob>,
    pub(crate) width: usize,
    /// `Some(level)` when blocks are ZIP-compressed here rather than by exr.
    pub(crate) zip_level: Option<u8>,
}

impl FilePlan {
    /// Plans the file from the passes alone: every buffer must hold `size.area()` samples of its
    /// channel's sample type.
    pub(crate) fn new(
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
    pub(crate) fn sources<'a>(
        &self,
        header: usize,
        passes: &[(&PassInfo, &'a [Samples])],
    ) -> Vec<&'a Samples> {
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

    /// Gathers and compresses block `i` from its part's channel buffers, which hold the image's
    /// rows from `first_row` on (0 for a whole image, a band's first row when streaming).
    pub(crate) fn encode_block(
        &self,
        i: usize,
        sources: &[&Samples],
        first_row: usize,
        deflate: &mut dyn Deflate,
    ) -> Result<EncodedBlock, ExportError> {
        let job = self.jobs.get(i).ok_or_else(|| ExportError::Exr(format!("there is no block {i}")))?;
        if job.y < first_row {
            return Err(ExportError::Exr(format!("block {i} starts at row {}, above the rows held", job.y)));
        }
        let expected = self.channels.get(job.header).map_or(0, Vec::len);
        if sources.len() != expected {
            return Err(ExportError::Exr(format!(
                "block {i} has {} of its part's {expected} channels",
                sources.len()
            )));
        }
        let bytes_per_row: usize =
            sources.iter().map(|s| s.sample_type().bytes()).sum::<usize>() * self.width;
        let rows = job.y..job.y + job.height;
        let outside = |y: usize| ExportError::Exr(format!("row {y} is outside the buffers"));
        let chunk = match self.zip_level {
            Some(level) => {
                // Gathered straight into the ZIP predictor's two halves (samples are 2 or 4
                // bytes, so every row is whole 16-bit words): one pass over the pixels, not three.
                let mut split = vec![0u8; bytes_per_row * job.height];
                let (evens, odds) = split.split_at_mut(bytes_per_row * job.height / 2);
                let mut word = 0;
                for y in rows {
                    for samples in sources {
                        word += evens
                            .get_mut(word..)
                            .zip(odds.get_mut(word..))
                            .and_then(|(e, o)| {
                                samples.split_words((y - first_row) * self.width, self.width, e, o)
                            })
                            .ok_or_else(|| outside(y))?;
                    }
                }
                Chunk {
                    layer_index: job.header,
                    compressed_block: CompressedBlock::ScanLine(CompressedScanLineBlock {
                        y_coordinate: i32::try_from(job.y)
                            .map_err(|_| ExportError::Exr(format!("row {} overflows", job.y)))?,
                        compressed_pixels_le: zip_split(split, level, deflate),
                    }),
                }
            }
            None => {
                let mut data = Vec::with_capacity(bytes_per_row * job.height);
                // Row by row, each row channel after channel: exr's and the file's block layout.
                for y in rows {
                    for samples in sources {
                        if !samples.extend_bytes((y - first_row) * self.width, self.width, false, &mut data) {
                            return Err(outside(y));
                        }
                    }
                }
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

    /// The file's bytes from every encoded block, in the order given.
    pub(super) fn finish(self, blocks: Vec<EncodedBlock>) -> Result<Vec<u8>, ExportError> {
        let mut out = Cursor::new(Vec::new());
        self.write(&mut out, blocks.into_iter().map(Ok))?;
        Ok(out.into_inner())
    }

    /// Writes the file to `out` from every encoded block, in the order they come. A failed block
    /// stops the writing and is the error returned.
    pub(crate) fn write<W: Write + Seek>(
        &self,
        out: W,
        blocks: impl IntoIterator<Item = Result<EncodedBlock, ExportError>>,
    ) -> Result<(), ExportError> {
        // A few headers: cloned, so that threads can still be compressing with the plan meanwhile.
        write_blocks(self.headers.clone(), self.jobs.len(), out, blocks)
    }
}

/// Writes a file of these headers to `out` from its `expected` blocks, in the order they come.
pub(crate) fn write_blocks<W: Write + Seek>(
    headers: Vec<Header>,
    expected: usize,
    out: W,
    blocks: impl IntoIterator<Item = Result<EncodedBlock, ExportError>>,
) -> Result<(), ExportError> {
    // exr's closure can only return exr's errors: ours waits here and replaces its stand-in.
    let mut failed = None;
    let mut sorted = SortedHeaders::new(out);
    let written = exr::block::write(&mut sorted, headers.into(), false, |_, writer| {
        let mut count = 0;
        for block in blocks {
            match block {
                Ok(block) => writer.write_chunk(block.index_in_header, block.chunk)?,
                Err(error) => {
                    failed = Some(error);
                    return Err(exr::error::Error::Aborted);
                }
            }
            count += 1;
        }
        if count != expected {
            failed = Some(ExportError::Exr(format!("{count} of {expected} blocks were encoded")));
            return Err(exr::error::Error::Aborted);
        }
        Ok(())
    });
    match (failed, written) {
        (Some(error), _) => Err(error),
        (None, written) => {
            written.map_err(exr_error)?;
            sorted.finish().map(drop).map_err(|e| ExportError::Exr(e.to_string()))
        }
    }
}

/// The zlib step of OpenEXR's ZIP blocks. The library's own is miniz_oxide, pure Rust and so
/// built for WebAssembly too; a native caller can bring a faster deflate (the command-line tool
/// brings libdeflate). Any zlib stream is a valid block: readers only inflate it.
pub trait Deflate {
    /// `data` as one zlib stream, at `level` from 1 (fastest) to 9 (smallest).
    fn zlib(&mut self, data: &[u8], level: u8) -> Vec<u8>;
}

/// miniz_oxide's deflate: the library's own, byte for byte what exr writes at level 4.
#[derive(Debug, Default, Clone, Copy)]
pub struct Miniz;

impl Deflate for Miniz {
    fn zlib(&mut self, data: &[u8], level: u8) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(data, level)
    }
}

/// OpenEXR's ZIP block: little-endian bytes split into even and odd halves, each byte replaced by
/// its difference to the previous one, then zlib. Stored raw when that is not smaller, which is
/// how readers tell the two apart. With [`Miniz`], the same bytes as exr's encoder at level 4.
#[cfg(test)]
pub(super) fn zip_block(raw_le: Vec<u8>, level: u8, deflate: &mut dyn Deflate) -> Vec<u8> {
    let half = raw_le.len().div_ceil(2);
    let mut split = vec![0u8; raw_le.len()];
    let (evens, odds) = split.split_at_mut(half);
    let pairs = raw_le.chunks_exact(2);
    // An odd length leaves one last byte, which belongs to the evens.
    if let (Some(last), Some(slot)) = (pairs.remainder().first(), evens.last_mut()) {
        *slot = *last;
    }
    for ((pair, even), odd) in pairs.zip(evens.iter_mut()).zip(odds.iter_mut()) {
        if let [first, second] = pair {
            (*even, *odd) = (*first, *second);
        }
    }
    zip_split(split, level, deflate)
}

/// A ZIP block from bytes already split into their even and odd halves (the evens first, the
/// larger half when the length is odd).
pub(super) fn zip_split(mut split: Vec<u8>, level: u8, deflate: &mut dyn Deflate) -> Vec<u8> {
    let mut previous = split.first().copied().unwrap_or(0);
    for byte in split.iter_mut().skip(1) {
        let current = *byte;
        *byte = current.wrapping_sub(previous).wrapping_add(128);
        previous = current;
    }
    let compressed = deflate.zlib(&split, level);
    if compressed.len() < split.len() {
        return compressed;
    }
    // Rare (noise that deflate cannot shrink): the raw bytes, rebuilt from the halves.
    let mut previous = split.first().copied().unwrap_or(0);
    for byte in split.iter_mut().skip(1) {
        *byte = byte.wrapping_add(previous).wrapping_sub(128);
        previous = *byte;
    }
    let (evens, odds) = split.split_at(split.len().div_ceil(2));
    let mut raw = Vec::with_capacity(split.len());
    for (i, even) in evens.iter().enumerate() {
        raw.push(*even);
        raw.extend(odds.get(i));
    }
    raw
}

pub(super) fn shared_attributes(size: Size, metadata: Option<&Metadata>) -> ImageAttributes {
    let full_frame = IntegerBounds::new(Vec2(0, 0), Vec2(size.width as usize, size.height as usize));
    let mut shared =
        metadata.and_then(|m| m.shared.clone()).unwrap_or_else(|| ImageAttributes::new(full_frame));
    // The tiles' display window is the tile; the merged image's is the full frame.
    shared.display_window = full_frame;
    shared
}

pub(super) fn own_attributes(
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
