//! What an EXR is written with: the layout of its passes and its compression, named as Blender names them.

use std::fmt;

use exr::meta::attribute::Compression as ExrCodec;
use serde::{Deserialize, Serialize};

use crate::passes::SampleType;

/// How the passes of a multilayer EXR are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExrLayout {
    /// One part per pass (Blender 5).
    MultiPart,
    /// One part holding every pass as channels (Blender 4.x).
    SinglePart,
}

impl fmt::Display for ExrLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExrLayout::MultiPart => "multi-part",
            ExrLayout::SinglePart => "single-part",
        })
    }
}

/// EXR compressions, named as OpenEXR names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Compression {
    /// No compression.
    None,
    /// Run-length encoding.
    Rle,
    /// Deflate, one scanline per block.
    Zips,
    /// Deflate, 16 scanlines per block (Blender's default).
    Zip,
    /// Wavelet, 32 scanlines per block (lossless).
    Piz,
    /// Lossy for float (24-bit), lossless for half.
    Pxr24,
    /// Lossy 4x4 blocks for half.
    B44,
    /// B44 with flat areas compressed further.
    B44a,
    /// Lossy DCT, 32 scanlines per block.
    Dwaa,
    /// Lossy DCT, 256 scanlines per block.
    Dwab,
    /// High-throughput JPEG 2000, 32 scanlines; `exr` cannot read it.
    Htj2k32,
    /// High-throughput JPEG 2000, 256 scanlines; `exr` cannot read it.
    Htj2k256,
}

impl Compression {
    /// The compression a file's header names by its code (OpenEXR's `Compression` enum order,
    /// which differs from [`Compression::ALL`]'s listing order at the end).
    pub fn from_header_code(code: u8) -> Option<Compression> {
        const BY_CODE: [Compression; 12] = [
            Compression::None,
            Compression::Rle,
            Compression::Zips,
            Compression::Zip,
            Compression::Piz,
            Compression::Pxr24,
            Compression::B44,
            Compression::B44a,
            Compression::Dwaa,
            Compression::Dwab,
            Compression::Htj2k256,
            Compression::Htj2k32,
        ];
        BY_CODE.get(usize::from(code)).copied()
    }

    /// Every compression, for listing choices.
    pub const ALL: [Compression; 12] = [
        Compression::None,
        Compression::Rle,
        Compression::Zips,
        Compression::Zip,
        Compression::Piz,
        Compression::Pxr24,
        Compression::B44,
        Compression::B44a,
        Compression::Dwaa,
        Compression::Dwab,
        Compression::Htj2k32,
        Compression::Htj2k256,
    ];

    /// The lower-case name used on the command line (`zip`, `piz`, `dwaa`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Rle => "rle",
            Compression::Zips => "zips",
            Compression::Zip => "zip",
            Compression::Piz => "piz",
            Compression::Pxr24 => "pxr24",
            Compression::B44 => "b44",
            Compression::B44a => "b44a",
            Compression::Dwaa => "dwaa",
            Compression::Dwab => "dwab",
            Compression::Htj2k32 => "htj2k32",
            Compression::Htj2k256 => "htj2k256",
        }
    }

    /// Parses [`Compression::name`], ignoring case.
    pub fn from_name(name: &str) -> Option<Compression> {
        Compression::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// Whether the `exr` crate can decode it.
    pub fn can_decode(self) -> bool {
        !matches!(self, Compression::Htj2k32 | Compression::Htj2k256)
    }

    /// The most bytes one stored byte of a block can decompress to. Generous upper bounds, so
    /// that no valid file is refused: `exr` allocates a block's decompressed size from the
    /// header before decompressing it, and a header can claim far more than the data holds.
    pub(crate) fn max_expansion(self) -> u64 {
        match self {
            Compression::None => 1,
            // A count byte and a value byte repeat the value at most 128 times.
            Compression::Rle => 64,
            // Deflate's own limit is 1032:1; PIZ's Huffman runs stay under half that.
            Compression::Zips | Compression::Zip | Compression::Piz => 1032,
            // Deflate of 24-bit floats widened back to 32 bits.
            Compression::Pxr24 => 1032 * 4 / 3 + 1,
            // A flat 4x4 block of halves (32 bytes) takes 3.
            Compression::B44 | Compression::B44a => 11,
            // Run-length coding under deflate: no useful bound short of this.
            Compression::Dwaa | Compression::Dwab | Compression::Htj2k32 | Compression::Htj2k256 => 1032 * 64,
        }
    }

    /// Whether the `exr` crate can encode it.
    pub fn can_encode(self) -> bool {
        self.can_decode()
    }

    /// Whether it reproduces every sample exactly (of any type).
    pub fn is_lossless(self) -> bool {
        matches!(
            self,
            Compression::None | Compression::Rle | Compression::Zips | Compression::Zip | Compression::Piz
        )
    }

    /// Whether it can change the values of a channel of this type and component (`R`, `Z`,
    /// ...), as OpenEXR applies it: PXR24 rounds float to 24 bits (half and uint stay exact);
    /// B44 and B44A quantise half (float and uint are stored as they are); DWAA and DWAB
    /// quantise half and float colour and luminance channels (`R G B Y RY BY`, matched by case
    /// as the current encoder's rules do) and keep the rest exact.
    pub fn is_lossy_for(self, sample_type: SampleType, component: &str) -> bool {
        match self {
            Compression::Pxr24 => sample_type == SampleType::F32,
            Compression::B44 | Compression::B44a => sample_type == SampleType::F16,
            Compression::Dwaa | Compression::Dwab => {
                sample_type != SampleType::U32 && ["R", "G", "B", "Y", "RY", "BY"].contains(&component)
            }
            _ => false,
        }
    }

    pub(crate) fn from_exr(c: ExrCodec) -> Compression {
        match c {
            ExrCodec::Uncompressed => Compression::None,
            ExrCodec::RLE => Compression::Rle,
            ExrCodec::ZIP1 => Compression::Zips,
            ExrCodec::ZIP16 => Compression::Zip,
            ExrCodec::PIZ => Compression::Piz,
            ExrCodec::PXR24 => Compression::Pxr24,
            ExrCodec::B44 => Compression::B44,
            ExrCodec::B44A => Compression::B44a,
            ExrCodec::DWAA(_) => Compression::Dwaa,
            ExrCodec::DWAB(_) => Compression::Dwab,
            ExrCodec::HTJ2K32 => Compression::Htj2k32,
            ExrCodec::HTJ2K256 => Compression::Htj2k256,
        }
    }

    pub(crate) fn to_exr(self) -> ExrCodec {
        match self {
            Compression::None => ExrCodec::Uncompressed,
            Compression::Rle => ExrCodec::RLE,
            Compression::Zips => ExrCodec::ZIP1,
            Compression::Zip => ExrCodec::ZIP16,
            Compression::Piz => ExrCodec::PIZ,
            Compression::Pxr24 => ExrCodec::PXR24,
            Compression::B44 => ExrCodec::B44,
            Compression::B44a => ExrCodec::B44A,
            Compression::Dwaa => ExrCodec::DWAA(None),
            Compression::Dwab => ExrCodec::DWAB(None),
            Compression::Htj2k32 => ExrCodec::HTJ2K32,
            Compression::Htj2k256 => ExrCodec::HTJ2K256,
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name().to_ascii_uppercase())
    }
}
