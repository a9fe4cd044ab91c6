//! Decoding Blender's EXR tiles from bytes: Blender 5's multi-part files (one part per pass) and
//! Blender 4's single-part multilayer files (every pass as channels), any compression `exr` reads.

use std::cell::Cell;
use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};

use exr::block::chunk::{Chunk, CompressedBlock, TileCoordinates};
use exr::block::reader::ChunksReader;
use exr::block::{BlockIndex, UncompressedBlock};
use exr::math::Vec2;
use exr::meta::attribute::{AttributeValue, ChannelList};
use exr::meta::header::{Header, ImageAttributes, LayerAttributes};
use exr::meta::MetaData;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::layout::Size;

mod formats;
mod pass_map;

use crate::passes::{string_to_text, text_to_string, PassInfo, PassSelection, Samples};
pub use formats::{Compression, ExrLayout};
use pass_map::{map_passes, PassMap};

/// Decoded data above this many bytes is refused unless the caller raises the limit: a header
/// can claim any size, and allocating it would abort the process (or the browser tab).
pub const DEFAULT_MAX_DECODED_BYTES: u64 = 1 << 30;

/// Why a file could not be decoded. Messages name what was wrong, never the file: callers add
/// the tile.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
pub enum DecodeError {
    /// The bytes do not start with the EXR magic number.
    #[error("not an OpenEXR file (it starts with {found})")]
    NotExr {
        /// What the file starts with, as hex and as text.
        found: String,
    },
    /// The file ends before the data its header promises.
    #[error("the file is truncated: it ends after {length} bytes, in the middle of {during}")]
    Truncated {
        /// The file's length.
        length: usize,
        /// What was being read when the bytes ran out.
        during: String,
    },
    /// A compression the decoder does not implement.
    #[error("its compression {compression} is not supported by the EXR decoder (supported: NONE, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A, DWAA, DWAB)")]
    UnsupportedCompression {
        /// The compression.
        compression: Compression,
    },
    /// Something else the decoder does not implement (deep data, subsampling, ...).
    #[error("unsupported EXR content: {0}")]
    Unsupported(String),
    /// The header claims more pixels than the limit allows.
    #[error("the header claims {width}x{height} pixels ({bytes} bytes decoded), more than the limit of {limit} bytes")]
    TooLarge {
        /// Claimed width.
        width: u64,
        /// Claimed height.
        height: u64,
        /// Bytes the selected channels would take.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A requested pass is not in the file.
    #[error("the file has no pass {requested:?}; it has {available:?}")]
    UnknownPass {
        /// The requested name.
        requested: String,
        /// The passes the file has.
        available: Vec<String>,
    },
    /// The file is damaged or inconsistent.
    #[error("invalid EXR: {0}")]
    Invalid(String),
}

/// What a file holds, read from its header alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExrInfo {
    /// Pixel size (of every part).
    pub size: Size,
    /// Multi-part or single-part.
    pub layout: ExrLayout,
    /// Compression of the first part.
    pub compression: Compression,
    /// Passes, in file order.
    pub passes: Vec<PassInfo>,
}

/// Decoding options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodeOptions {
    /// Which passes to decode; others are skipped (multi-part files do not even decompress them).
    pub passes: PassSelection,
    /// Refuse files whose selected channels decode to more bytes than this.
    pub max_decoded_bytes: u64,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { passes: PassSelection::All, max_decoded_bytes: DEFAULT_MAX_DECODED_BYTES }
    }
}

/// One decoded pass: its channels' samples, in the order of `info.channels`.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedPass {
    /// The pass and its channels.
    pub info: PassInfo,
    /// One buffer per channel, `size.width * size.height` samples each, rows from the top.
    pub channels: Vec<Samples>,
}

/// Header attributes carried from the tiles into the merged file (software, camera, colour
/// space ids, ...). Opaque: only the export reads them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    pub(crate) shared: Option<ImageAttributes>,
    /// Per pass full name, the attributes of the part that held it.
    pub(crate) parts: Vec<(String, LayerAttributes)>,
    pub(crate) compression: Option<Compression>,
}

impl Metadata {
    /// Attributes for an image made from scratch rather than merged from tiles: on every part,
    /// the `BlenderMultiChannel` marker Blender puts on its multilayer files (readers, Blender
    /// among them, use it to recognise the layout) and `software` as the writing program.
    pub fn blender_multilayer(software: &str) -> Metadata {
        let mut attributes = LayerAttributes::default();
        attributes.other.insert(
            string_to_text("BlenderMultiChannel"),
            AttributeValue::Text(string_to_text("Blender V2.55.1 and newer")),
        );
        attributes.software_name = Some(string_to_text(software));
        // An unnamed part's attributes go to every part of the export.
        Metadata { shared: None, parts: vec![(String::new(), attributes)], compression: None }
    }

    /// These attributes with a text attribute `name` on every part, as Blender writes its
    /// `RenderTime` on each tile.
    pub fn with_text(mut self, name: &str, text: &str) -> Metadata {
        for (_, attributes) in &mut self.parts {
            attributes.other.insert(string_to_text(name), AttributeValue::Text(string_to_text(text)));
        }
        self
    }

    /// The compression the tiles were written with.
    pub fn compression(&self) -> Option<Compression> {
        self.compression
    }
}

/// A decoded tile file.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedTile {
    /// Pixel size of the file.
    pub size: Size,
    /// The layout it was written in.
    pub layout: ExrLayout,
    /// The selected passes.
    pub passes: Vec<DecodedPass>,
    /// Header attributes.
    pub metadata: Metadata,
}

impl DecodedTile {
    /// The pass with this full name (`<ViewLayer>.<Pass>`).
    pub fn pass(&self, full_name: &str) -> Option<&DecodedPass> {
        self.passes.iter().find(|p| p.info.full_name() == full_name)
    }

    /// Bytes held by the samples.
    pub fn decoded_bytes(&self) -> u64 {
        let per_pixel: u64 = self
            .passes
            .iter()
            .flat_map(|p| p.info.channels.iter())
            .map(|c| c.sample_type.bytes() as u64)
            .sum();
        per_pixel * self.size.area()
    }
}

/// A byte slice reader that remembers whether anyone asked for bytes past its end, which is how
/// a truncated file shows (exr reports it only as "reference to missing bytes").
struct SliceReader<'a> {
    bytes: &'a [u8],
    position: u64,
    ran_out: &'a Cell<bool>,
}

impl Read for SliceReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = usize::try_from(self.position).unwrap_or(usize::MAX);
        let available = self.bytes.get(start..).unwrap_or(&[]);
        let n = available.len().min(buf.len());
        if n < buf.len() {
            self.ran_out.set(true);
        }
        if let (Some(to), Some(from)) = (buf.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for SliceReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let len = self.bytes.len() as i128;
        let target = match to {
            SeekFrom::Start(p) => i128::from(p),
            SeekFrom::End(d) => len + i128::from(d),
            SeekFrom::Current(d) => i128::from(self.position) + i128::from(d),
        };
        self.position = u64::try_from(target)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
    }
}

const EXR_MAGIC: [u8; 4] = [0x76, 0x2f, 0x31, 0x01];

pub(crate) fn check_magic(bytes: &[u8]) -> Result<(), DecodeError> {
    if bytes.starts_with(&EXR_MAGIC) {
        return Ok(());
    }
    if !bytes.is_empty() && bytes.len() < EXR_MAGIC.len() && EXR_MAGIC.starts_with(bytes) {
        return Err(DecodeError::Truncated { length: bytes.len(), during: "the magic number".into() });
    }
    let head = bytes.get(..8).unwrap_or(bytes);
    let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
    let text: String =
        head.iter().map(|b| if b.is_ascii_graphic() || *b == b' ' { *b as char } else { '.' }).collect();
    Err(DecodeError::NotExr {
        found: if bytes.is_empty() {
            "nothing: the file is empty".into()
        } else {
            format!("{} \"{}\"", hex.join(" "), text)
        },
    })
}

fn map_exr_error(error: exr::error::Error, ran_out: bool, length: usize, during: &str) -> DecodeError {
    if ran_out {
        return DecodeError::Truncated { length, during: during.to_string() };
    }
    match error {
        exr::error::Error::NotSupported(message) => DecodeError::Unsupported(message.into_owned()),
        exr::error::Error::Invalid(message) => DecodeError::Invalid(message.into_owned()),
        exr::error::Error::Io(e) => DecodeError::Invalid(e.to_string()),
        exr::error::Error::Aborted => DecodeError::Invalid("decoding was aborted".into()),
    }
}

fn check_headers(headers: &[Header]) -> Result<Size, DecodeError> {
    let first = headers.first().ok_or_else(|| DecodeError::Invalid("the file has no part".into()))?;
    let size = first.layer_size;
    for header in headers {
        let compression = Compression::from_exr(header.compression);
        if !compression.can_decode() {
            return Err(DecodeError::UnsupportedCompression { compression });
        }
        if header.deep {
            return Err(DecodeError::Unsupported("deep data".into()));
        }
        if header.layer_size != size {
            return Err(DecodeError::Invalid(format!(
                "its parts differ in size ({}x{} and {}x{}), which Blender never writes",
                size.0, size.1, header.layer_size.0, header.layer_size.1
            )));
        }
        if header.channels.list.iter().any(|c| c.sampling != Vec2(1, 1)) {
            return Err(DecodeError::Unsupported("subsampled channels".into()));
        }
    }
    let (Ok(width), Ok(height)) = (u32::try_from(size.0), u32::try_from(size.1)) else {
        return Err(DecodeError::Invalid(format!("impossible size {}x{}", size.0, size.1)));
    };
    Ok(Size { width, height })
}

fn info_from(meta: &MetaData) -> Result<(ExrInfo, PassMap), DecodeError> {
    let size = check_headers(&meta.headers)?;
    let map = map_passes(&meta.headers);
    let compression =
        meta.headers.first().map(|h| Compression::from_exr(h.compression)).unwrap_or(Compression::None);
    let info = ExrInfo {
        size,
        layout: if meta.headers.len() > 1 { ExrLayout::MultiPart } else { ExrLayout::SinglePart },
        compression,
        passes: map.passes.clone(),
    };
    Ok((info, map))
}

/// Checks the magic number and reads the header; a file that ends inside it is named truncated
/// (`ran_out` records whether a read went past the end).
fn open_header<'a>(
    bytes: &'a [u8],
    ran_out: &'a Cell<bool>,
) -> Result<exr::block::reader::Reader<SliceReader<'a>>, DecodeError> {
    check_magic(bytes)?;
    let reader = SliceReader { bytes, position: 0, ran_out };
    exr::block::read(reader, false).map_err(|e| map_exr_error(e, ran_out.get(), bytes.len(), "the header"))
}

/// Reads only the header: size, layout, compression and passes. Cheap; use it to check a
/// tile's size before decoding its pixels.
pub fn read_info(bytes: &[u8]) -> Result<ExrInfo, DecodeError> {
    let ran_out = Cell::new(false);
    // The same header reading and validation as `decode`, which stops before the offset tables.
    let reader = open_header(bytes, &ran_out)?;
    info_from(reader.meta_data()).map(|(info, _)| info)
}

/// Checks that every block the header promises is in the file, without decompressing any: a
/// file cut short fails here even when the passes wanted lie in the part that survived, which
/// [`decode`] of those passes alone would not notice.
pub fn check_blocks(bytes: &[u8]) -> Result<(), DecodeError> {
    let ran_out = Cell::new(false);
    let reader = open_header(bytes, &ran_out)?;
    let length = bytes.len();
    check_headers(&reader.meta_data().headers)?;
    check_block_sizes(bytes, reader.meta_data(), Walk::<fn(usize) -> bool>::InFileOrder)?;
    let chunks = reader
        .all_chunks(false)
        .map_err(|e| map_exr_error(e, ran_out.get(), length, "the chunk offset tables"))?;
    for chunk in chunks {
        chunk.map_err(|e| map_exr_error(e, ran_out.get(), length, "the pixel data"))?;
    }
    Ok(())
}

/// Where the offset tables start: after the headers, walked as the format lays them out
/// (attributes `name\0type\0size value`, a NUL closing each header and, in a multi-part file,
/// another after the last one). `None` when the headers do not walk, which exr reports itself.
fn offset_tables_start(bytes: &[u8], multipart: bool) -> Option<usize> {
    let nul_after = |pos: usize| bytes.get(pos..)?.iter().position(|b| *b == 0);
    let mut pos = 8usize;
    loop {
        loop {
            let name = nul_after(pos)?;
            pos += name + 1;
            if name == 0 {
                break;
            }
            pos += nul_after(pos)? + 1;
            let size = i32::from_le_bytes(bytes.get(pos..pos + 4)?.try_into().ok()?);
            pos = pos.checked_add(4)?.checked_add(usize::try_from(size).ok()?)?;
        }
        if !multipart || bytes.get(pos) == Some(&0) {
            break;
        }
    }
    Some(pos + usize::from(multipart))
}

/// Where a block's data size field is, from the block's start: after the part number
/// (multi-part files) and the row or the tile's four coordinates.
fn size_field(multipart: bool, header: &Header) -> usize {
    let tiled = matches!(header.blocks, exr::meta::BlockDescription::Tiles(_));
    (if multipart { 4 } else { 0 }) + if tiled { 16 } else { 4 }
}

fn read_u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..at.checked_add(4)?).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes)
}

/// Where the blocks to read start: either where the offset tables say (`decode` seeks to each
/// block of the parts it wants) or one after the other from the tables' end (`check_blocks`
/// reads every block in file order, as exr's non-pedantic reader does).
enum Walk<F: Fn(usize) -> bool> {
    Offsets(F),
    InFileOrder,
}

/// Checks the data size each block states against the file's end before exr reads the block:
/// exr allocates the stated size (up to the largest block the header allows) before reading,
/// so one damaged size field in a small file with a wide data window claims gigabytes. What
/// this does not reach (offsets or part numbers outside the file), exr reports itself.
fn check_block_sizes<F: Fn(usize) -> bool>(
    bytes: &[u8],
    meta: &MetaData,
    walk: Walk<F>,
) -> Result<(), DecodeError> {
    let multipart = meta.requirements.is_multilayer();
    let Some(tables) = offset_tables_start(bytes, multipart) else {
        return Ok(());
    };
    let truncated = || DecodeError::Truncated { length: bytes.len(), during: "the pixel data".into() };
    // The block's end, from its start and its part; `None` when exr will refuse it anyway.
    let block_end = |start: usize, header: &Header| -> Option<u64> {
        let field = start.checked_add(size_field(multipart, header))?;
        let stated = i32::try_from(read_u32_at(bytes, field)?).ok()?;
        Some(field as u64 + 4 + u64::try_from(stated).ok()?)
    };
    match walk {
        Walk::Offsets(wanted) => {
            let mut table = tables;
            for (part, header) in meta.headers.iter().enumerate() {
                for _ in 0..header.chunk_count {
                    let Some(offset) =
                        bytes.get(table..table + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes)
                    else {
                        return Ok(());
                    };
                    table += 8;
                    let end = usize::try_from(offset).ok().and_then(|start| block_end(start, header));
                    if wanted(part) && end.is_some_and(|end| end > bytes.len() as u64) {
                        return Err(truncated());
                    }
                }
            }
        }
        Walk::InFileOrder => {
            let total: usize = meta.headers.iter().map(|h| h.chunk_count).sum();
            let Some(mut start) = total.checked_mul(8).and_then(|t| t.checked_add(tables)) else {
                return Ok(());
            };
            for _ in 0..total {
                let part = if multipart { read_u32_at(bytes, start).map(|p| p as usize) } else { Some(0) };
                let Some(end) = part.and_then(|p| meta.headers.get(p)).and_then(|h| block_end(start, h))
                else {
                    return Ok(());
                };
                if end > bytes.len() as u64 {
                    return Err(truncated());
                }
                start = end as usize;
            }
        }
    }
    Ok(())
}

/// Refuses a block whose stored bytes cannot hold the pixels its header claims for it, before
/// `exr` allocates them: a channel list padded with thousands of channels makes each block
/// claim hundreds of megabytes.
fn check_expansion(chunk: &Chunk, meta: &MetaData) -> Result<(), DecodeError> {
    let stored = match &chunk.compressed_block {
        CompressedBlock::ScanLine(block) => block.compressed_pixels_le.len(),
        CompressedBlock::Tile(block) => block.compressed_pixels_le.len(),
        // Deep data is refused with the headers; exr names anything else itself.
        _ => return Ok(()),
    } as u64;
    let Some(header) = meta.headers.get(chunk.layer_index) else {
        return Ok(());
    };
    let Ok(bounds) = header
        .get_block_data_indices(&chunk.compressed_block)
        .and_then(|tile| header.get_absolute_block_pixel_coordinates(tile))
    else {
        return Ok(());
    };
    let claimed = (bounds.size.area() as u64).saturating_mul(header.channels.bytes_per_pixel as u64);
    let compression = Compression::from_exr(header.compression);
    // The constant covers blocks of a few pixels, whose codec headers outweigh their data.
    let most = stored.saturating_mul(compression.max_expansion()).saturating_add(1024);
    if claimed > most {
        return Err(DecodeError::Invalid(format!(
            "a block of {stored} bytes claims {claimed} bytes of pixels, more than {compression} can hold"
        )));
    }
    Ok(())
}

/// Decodes the selected passes of an EXR file held in memory.
pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<DecodedTile, DecodeError> {
    let ran_out = Cell::new(false);
    let reader = open_header(bytes, &ran_out)?;
    let length = bytes.len();
    let (info, map) = info_from(reader.meta_data())?;

    let available: Vec<String> = map.passes.iter().map(PassInfo::display_name).collect();
    if let Some(name) = options.passes.unmatched(&map.passes).first() {
        return Err(DecodeError::UnknownPass { requested: name.to_string(), available });
    }
    let selected: Vec<bool> = map.passes.iter().map(|p| options.passes.includes(p)).collect();
    let is_selected = |pass: usize| selected.get(pass).copied().unwrap_or(false);

    let pixels = info.size.area();
    let per_pixel: u64 = map
        .passes
        .iter()
        .enumerate()
        .filter(|(i, _)| is_selected(*i))
        .flat_map(|(_, p)| p.channels.iter())
        .map(|c| c.sample_type.bytes() as u64)
        .sum();
    let decoded_bytes = pixels.saturating_mul(per_pixel);
    if decoded_bytes > options.max_decoded_bytes {
        return Err(DecodeError::TooLarge {
            width: info.size.width.into(),
            height: info.size.height.into(),
            bytes: decoded_bytes,
            limit: options.max_decoded_bytes,
        });
    }
    let pixels = usize::try_from(pixels).map_err(|_| DecodeError::Invalid("size overflows".into()))?;
    let width = info.size.width as usize;

    // A pass's buffers are allocated when a block of its part has decompressed, not from the
    // header alone: a header can list thousands of channels its blocks do not hold, and exr
    // checks each block's decompressed size against the channel list.
    let mut buffers: Vec<Option<Vec<Samples>>> = map.passes.iter().map(|_| None).collect();

    // A part is read only when it holds a selected channel: in Blender 5's multi-part files
    // the other passes are never decompressed.
    let part_wanted: Vec<bool> =
        map.targets.iter().map(|t| t.iter().any(|(pass, _)| is_selected(*pass))).collect();
    let wants = |part: usize| part_wanted.get(part).copied().unwrap_or(false);
    let channel_lists: Vec<ChannelList> =
        reader.meta_data().headers.iter().map(|h| h.channels.clone()).collect();

    check_block_sizes(bytes, reader.meta_data(), Walk::Offsets(wants))?;
    let mut chunks = reader
        .filter_chunks(false, |_, tile: TileCoordinates, block: BlockIndex| {
            wants(block.layer) && tile.level_index == Vec2(0, 0)
        })
        .map_err(|e| map_exr_error(e, ran_out.get(), length, "the chunk offset tables"))?;

    let mut covered = vec![0u64; map.targets.len()];
    let mut seen: HashSet<(usize, usize, usize)> = HashSet::new();
    while let Some(chunk) = chunks.next() {
        let chunk = chunk.map_err(|e| map_exr_error(e, ran_out.get(), length, "the pixel data"))?;
        check_expansion(&chunk, chunks.meta_data())?;
        let block = UncompressedBlock::decompress_chunk(chunk, chunks.meta_data(), false)
            .map_err(|e| map_exr_error(e, ran_out.get(), length, "the pixel data"))?;
        let index = block.index;
        if !seen.insert((index.layer, index.pixel_position.0, index.pixel_position.1)) {
            return Err(DecodeError::Invalid(format!(
                "part {} holds the block at row {} twice",
                index.layer, index.pixel_position.1
            )));
        }
        if let Some(c) = covered.get_mut(index.layer) {
            *c += index.pixel_size.area() as u64;
        }
        let (Some(channels), Some(targets)) = (channel_lists.get(index.layer), map.targets.get(index.layer))
        else {
            return Err(DecodeError::Invalid("a block names a part the file does not have".into()));
        };
        for &(pass, _) in targets {
            if let (Some(slot @ None), Some(info)) = (buffers.get_mut(pass), map.passes.get(pass)) {
                if is_selected(pass) {
                    *slot =
                        Some(info.channels.iter().map(|c| Samples::zeroed(c.sample_type, pixels)).collect());
                }
            }
        }
        for line in block.lines(channels) {
            let Some(&(pass, channel)) = targets.get(line.location.channel) else {
                continue;
            };
            let Some(dst) = buffers.get_mut(pass).and_then(Option::as_mut).and_then(|b| b.get_mut(channel))
            else {
                continue;
            };
            let offset = line.location.position.1 * width + line.location.position.0;
            if line.location.sample_count + line.location.position.0 > width
                || !dst.write_ne_bytes(offset, line.value)
            {
                return Err(DecodeError::Invalid(format!(
                    "a line at row {} does not fit the {}x{} image",
                    line.location.position.1, info.size.width, info.size.height
                )));
            }
        }
    }
    for (part, area) in covered.iter().enumerate() {
        if wants(part) && *area != info.size.area() {
            return Err(DecodeError::Invalid(format!(
                "part {part} holds {area} of its {} pixels: some of its blocks are missing",
                info.size.area()
            )));
        }
    }

    let mut passes = Vec::new();
    for (i, (info, channels)) in map.passes.iter().zip(buffers).enumerate() {
        // Every wanted part is complete by now, so a selected pass without buffers had no
        // blocks to fill: an image without pixels.
        let channels = channels.or_else(|| {
            is_selected(i)
                .then(|| info.channels.iter().map(|c| Samples::zeroed(c.sample_type, pixels)).collect())
        });
        if let Some(channels) = channels {
            passes.push(DecodedPass { info: info.clone(), channels });
        }
    }
    let headers = &chunks.meta_data().headers;
    let metadata = Metadata {
        shared: headers.first().map(|h| h.shared_attributes.clone()),
        parts: map
            .passes
            .iter()
            .zip(&map.parts)
            .filter_map(|(pass, part)| {
                let header = match part {
                    Some(name) => headers.iter().find(|h| {
                        h.own_attributes.layer_name.as_ref().map(text_to_string).as_deref() == Some(name)
                    }),
                    None => headers.first(),
                }?;
                Some((pass.full_name(), header.own_attributes.clone()))
            })
            .collect(),
        compression: Some(info.compression),
    };
    Ok(DecodedTile { size: info.size, layout: info.layout, passes, metadata })
}
