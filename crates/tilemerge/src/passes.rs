//! Blender's pass naming and the per-channel sample buffers shared by decoding, stitching and
//! export.

use std::fmt;

use half::f16;
use serde::{Deserialize, Serialize};

/// How one channel stores its samples; kept from the tiles through to the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SampleType {
    /// 16-bit float ("half").
    F16,
    /// 32-bit float.
    F32,
    /// 32-bit unsigned integer.
    U32,
}

impl SampleType {
    /// Bytes per sample.
    pub fn bytes(self) -> usize {
        match self {
            SampleType::F16 => 2,
            SampleType::F32 | SampleType::U32 => 4,
        }
    }

    pub(crate) fn from_exr(t: exr::meta::attribute::SampleType) -> SampleType {
        match t {
            exr::meta::attribute::SampleType::F16 => SampleType::F16,
            exr::meta::attribute::SampleType::F32 => SampleType::F32,
            exr::meta::attribute::SampleType::U32 => SampleType::U32,
        }
    }

    pub(crate) fn to_exr(self) -> exr::meta::attribute::SampleType {
        match self {
            SampleType::F16 => exr::meta::attribute::SampleType::F16,
            SampleType::F32 => exr::meta::attribute::SampleType::F32,
            SampleType::U32 => exr::meta::attribute::SampleType::U32,
        }
    }
}

impl fmt::Display for SampleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SampleType::F16 => "half",
            SampleType::F32 => "float",
            SampleType::U32 => "uint",
        })
    }
}

/// The samples of one channel, row after row from the top, in the channel's own type.
#[derive(Debug, Clone, PartialEq)]
pub enum Samples {
    /// Half floats.
    F16(Vec<f16>),
    /// Floats.
    F32(Vec<f32>),
    /// Unsigned integers.
    U32(Vec<u32>),
}

impl Samples {
    /// `len` zero samples of type `t`.
    pub fn zeroed(t: SampleType, len: usize) -> Samples {
        match t {
            SampleType::F16 => Samples::F16(vec![f16::ZERO; len]),
            SampleType::F32 => Samples::F32(vec![0.0; len]),
            SampleType::U32 => Samples::U32(vec![0; len]),
        }
    }

    /// The sample type.
    pub fn sample_type(&self) -> SampleType {
        match self {
            Samples::F16(_) => SampleType::F16,
            Samples::F32(_) => SampleType::F32,
            Samples::U32(_) => SampleType::U32,
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Samples::F16(v) => v.len(),
            Samples::F32(v) => v.len(),
            Samples::U32(v) => v.len(),
        }
    }

    /// Whether there is no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sample `i` as f32 (integers converted, which is lossy above 2^24), or `None` past the end.
    pub fn get_f32(&self, i: usize) -> Option<f32> {
        match self {
            Samples::F16(v) => v.get(i).map(|s| s.to_f32()),
            Samples::F32(v) => v.get(i).copied(),
            Samples::U32(v) => v.get(i).map(|s| *s as f32),
        }
    }

    /// The raw bits of sample `i`, for exact comparisons.
    pub fn get_bits(&self, i: usize) -> Option<u32> {
        match self {
            Samples::F16(v) => v.get(i).map(|s| u32::from(s.to_bits())),
            Samples::F32(v) => v.get(i).map(|s| s.to_bits()),
            Samples::U32(v) => v.get(i).copied(),
        }
    }

    /// All samples as f32.
    pub fn to_f32_vec(&self) -> Vec<f32> {
        match self {
            Samples::F16(v) => v.iter().map(|s| s.to_f32()).collect(),
            Samples::F32(v) => v.clone(),
            Samples::U32(v) => v.iter().map(|s| *s as f32).collect(),
        }
    }

    /// Copies a `width` x `height` block from `src` (rows of `src_stride` samples, starting at
    /// `src_offset`) into `self` (rows of `dst_stride`, at `dst_offset`). `false`, and nothing
    /// copied, when the types differ or a row falls outside either buffer.
    pub(crate) fn copy_block(&mut self, dst: BlockAt, src: &Samples, src_at: BlockAt) -> bool {
        match (self, src) {
            (Samples::F16(d), Samples::F16(s)) => copy_rows(d, dst, s, src_at),
            (Samples::F32(d), Samples::F32(s)) => copy_rows(d, dst, s, src_at),
            (Samples::U32(d), Samples::U32(s)) => copy_rows(d, dst, s, src_at),
            _ => false,
        }
    }

    /// Drops the first `drop` samples, keeps the next ones at the front and zero-fills up to
    /// `len`: a band of rows moving down the image. Grows to exactly `len`, never to the
    /// doubled capacity `Vec`'s growth would reserve: a band is a large share of the memory.
    pub(crate) fn slide(&mut self, drop: usize, len: usize) {
        fn slide<T: Copy>(v: &mut Vec<T>, drop: usize, len: usize, zero: T) {
            v.drain(..drop.min(v.len()));
            v.truncate(len);
            v.reserve_exact(len - v.len());
            v.resize(len, zero);
        }
        match self {
            Samples::F16(v) => slide(v, drop, len, f16::ZERO),
            Samples::F32(v) => slide(v, drop, len, 0.0),
            Samples::U32(v) => slide(v, drop, len, 0),
        }
    }

    /// Writes native-endian bytes (as exr hands them out) starting at sample `offset`; `false`
    /// when they do not fit or are not whole samples.
    pub(crate) fn write_ne_bytes(&mut self, offset: usize, bytes: &[u8]) -> bool {
        fn fill<T, const N: usize>(
            dst: &mut [T],
            offset: usize,
            bytes: &[u8],
            convert: fn([u8; N]) -> T,
        ) -> bool {
            if bytes.len() % N != 0 {
                return false;
            }
            let count = bytes.len() / N;
            let Some(dst) = offset.checked_add(count).and_then(|end| dst.get_mut(offset..end)) else {
                return false;
            };
            for (d, chunk) in dst.iter_mut().zip(bytes.chunks_exact(N)) {
                if let Ok(array) = <[u8; N]>::try_from(chunk) {
                    *d = convert(array);
                }
            }
            true
        }
        match self {
            Samples::F16(v) => fill(v, offset, bytes, f16::from_ne_bytes),
            Samples::F32(v) => fill(v, offset, bytes, f32::from_ne_bytes),
            Samples::U32(v) => fill(v, offset, bytes, u32::from_ne_bytes),
        }
    }

    /// Appends `count` samples from `start` as bytes: native-endian (what exr compresses from)
    /// or little-endian (what an EXR file stores).
    pub(crate) fn extend_bytes(
        &self,
        start: usize,
        count: usize,
        little_endian: bool,
        out: &mut Vec<u8>,
    ) -> bool {
        fn put<T: Copy, const N: usize>(
            src: &[T],
            start: usize,
            count: usize,
            out: &mut Vec<u8>,
            convert: fn(T) -> [u8; N],
        ) -> bool {
            let Some(src) = start.checked_add(count).and_then(|end| src.get(start..end)) else {
                return false;
            };
            out.reserve(count * N);
            for s in src {
                out.extend_from_slice(&convert(*s));
            }
            true
        }
        match (self, little_endian) {
            (Samples::F16(v), false) => put(v, start, count, out, f16::to_ne_bytes),
            (Samples::F16(v), true) => put(v, start, count, out, f16::to_le_bytes),
            (Samples::F32(v), false) => put(v, start, count, out, f32::to_ne_bytes),
            (Samples::F32(v), true) => put(v, start, count, out, f32::to_le_bytes),
            (Samples::U32(v), false) => put(v, start, count, out, u32::to_ne_bytes),
            (Samples::U32(v), true) => put(v, start, count, out, u32::to_le_bytes),
        }
    }

    /// Writes `count` samples from `start` as OpenEXR's ZIP blocks split their little-endian
    /// bytes, without the interleaved copy in between: of each 16-bit word, the low byte to
    /// `evens` and the high byte to `odds`, from their starts. Returns the words written (one
    /// per half-float, two per 32-bit sample), or `None` out of range.
    pub(crate) fn split_words(
        &self,
        start: usize,
        count: usize,
        evens: &mut [u8],
        odds: &mut [u8],
    ) -> Option<usize> {
        fn split<T: Copy, const N: usize>(
            src: &[T],
            start: usize,
            count: usize,
            evens: &mut [u8],
            odds: &mut [u8],
            to_le: fn(T) -> [u8; N],
        ) -> Option<usize> {
            let src = src.get(start..start.checked_add(count)?)?;
            let words = count * (N / 2);
            let (evens, odds) = (evens.get_mut(..words)?, odds.get_mut(..words)?);
            let slots = evens.chunks_exact_mut(N / 2).zip(odds.chunks_exact_mut(N / 2));
            for (sample, (low, high)) in src.iter().zip(slots) {
                let bytes = to_le(*sample);
                for ((pair, low), high) in bytes.chunks_exact(2).zip(low).zip(high) {
                    if let [first, second] = pair {
                        (*low, *high) = (*first, *second);
                    }
                }
            }
            Some(words)
        }
        match self {
            Samples::F16(v) => split(v, start, count, evens, odds, f16::to_le_bytes),
            Samples::F32(v) => split(v, start, count, evens, odds, f32::to_le_bytes),
            Samples::U32(v) => split(v, start, count, evens, odds, u32::to_le_bytes),
        }
    }
}

/// Where a block of rows sits inside a buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockAt {
    pub stride: usize,
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

fn copy_rows<T: Copy>(dst: &mut [T], d: BlockAt, src: &[T], s: BlockAt) -> bool {
    if d.width != s.width || d.height != s.height {
        return false;
    }
    let range = |at: BlockAt, row: usize| {
        let start = (at.y + row).checked_mul(at.stride)?.checked_add(at.x)?;
        Some(start..start.checked_add(at.width)?)
    };
    // Check every row before touching anything, so a bad request leaves `dst` unchanged.
    for row in [0, d.height.saturating_sub(1)] {
        let ok = range(d, row).is_some_and(|r| r.end <= dst.len() && d.x + d.width <= d.stride)
            && range(s, row).is_some_and(|r| r.end <= src.len() && s.x + s.width <= s.stride);
        if !ok {
            return false;
        }
    }
    for row in 0..d.height {
        if let (Some(dr), Some(sr)) = (range(d, row), range(s, row)) {
            if let (Some(to), Some(from)) = (dst.get_mut(dr), src.get(sr)) {
                to.copy_from_slice(from);
            }
        }
    }
    true
}

/// One channel of a pass.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChannelInfo {
    /// The full EXR channel name, e.g. `ViewLayer.Combined.R`.
    pub name: String,
    /// The component, after the last dot (e.g. `R`, `Z`, `X`).
    pub component: String,
    /// The sample type.
    pub sample_type: SampleType,
}

/// A pass: channels sharing a view layer and pass name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PassInfo {
    /// The view layer, e.g. `ViewLayer` (may contain dots; empty for plain files).
    pub view_layer: String,
    /// The pass, e.g. `Combined` or `Diffuse Color` (empty for a plain RGBA file).
    pub pass: String,
    /// Its channels, in file order.
    pub channels: Vec<ChannelInfo>,
}

impl PassInfo {
    /// `<ViewLayer>.<Pass>`, the name Blender 5 gives the pass's part.
    pub fn full_name(&self) -> String {
        match (self.view_layer.is_empty(), self.pass.is_empty()) {
            (true, _) => self.pass.clone(),
            (false, true) => self.view_layer.clone(),
            (false, false) => format!("{}.{}", self.view_layer, self.pass),
        }
    }

    /// A name to show: the full name, or `RGBA` for a plain file's channels.
    pub fn display_name(&self) -> String {
        let name = self.full_name();
        if name.is_empty() {
            "RGBA".to_string()
        } else {
            name
        }
    }

    /// The index of the channel with this component (`R`, `Z`, ...).
    pub fn component_index(&self, component: &str) -> Option<usize> {
        self.channels.iter().position(|c| c.component == component)
    }
}

/// How a pass is meant to be looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PassKind {
    /// Light or colour (Combined, Image, Diffuse Color, Emit, ...): shown in sRGB with exposure.
    Colour,
    /// Measurements (Depth, Normal, Position, Vector, UV, Mist, object index, ...): shown in false
    /// colour over their own range, since their values are not light.
    Data,
}

impl PassKind {
    /// A short word for the kind (also its CSS class).
    pub fn as_str(self) -> &'static str {
        match self {
            PassKind::Colour => "colour",
            PassKind::Data => "data",
        }
    }
}

/// Blender's passes that hold measurements rather than light (matched without case, spaces or
/// underscores, so `Denoising Depth` and `denoising_normal` match too).
const DATA_PASSES: [&str; 14] = [
    "depth",
    "z",
    "normal",
    "position",
    "vector",
    "uv",
    "mist",
    "indexob",
    "indexma",
    "objectindex",
    "materialindex",
    "denoisingdepth",
    "denoisingnormal",
    "crypto",
];

impl PassInfo {
    /// Whether the pass holds colour or data: by Blender's pass name first; an unknown pass is
    /// colour when it has `R G B` components and data otherwise (a lone `V`, `X Y Z`, ...).
    pub fn kind(&self) -> PassKind {
        let key: String = self
            .pass
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect();
        let known = |name: &&str| key == *name || (name.len() > 2 && key.starts_with(*name));
        if DATA_PASSES.iter().any(known) {
            return PassKind::Data;
        }
        let has = |c: &str| self.component_index(c).is_some();
        // A plain file (no pass name) is an ordinary picture.
        if (has("R") && has("G") && has("B")) || self.pass.is_empty() || self.channels.is_empty() {
            PassKind::Colour
        } else {
            PassKind::Data
        }
    }
}

/// Splits a channel name the way Blender does: the component after the last dot, the pass
/// before it, and everything earlier is the view layer (which may itself contain dots).
pub fn split_channel_name(name: &str) -> (&str, &str, &str) {
    match name.rsplit_once('.') {
        None => ("", "", name),
        Some((rest, component)) => match rest.rsplit_once('.') {
            None => ("", rest, component),
            Some((layer, pass)) => (layer, pass, component),
        },
    }
}

/// EXR names are bytes; Blender writes UTF-8, older tools Latin-1.
pub(crate) fn text_to_string(text: &exr::meta::attribute::Text) -> String {
    match std::str::from_utf8(text.bytes()) {
        Ok(s) => s.to_string(),
        Err(_) => text.bytes().iter().map(|b| char::from(*b)).collect(),
    }
}

/// The inverse of [`text_to_string`] for UTF-8 names.
pub(crate) fn string_to_text(s: &str) -> exr::meta::attribute::Text {
    exr::meta::attribute::Text::from_slice_unchecked(s.as_bytes())
}

/// Which passes to decode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PassSelection {
    /// Every pass of the file.
    #[default]
    All,
    /// Only these, each given as `<ViewLayer>.<Pass>` or as a bare pass name (all view layers).
    Only(Vec<String>),
}

impl PassSelection {
    /// Whether the pass is selected.
    pub fn includes(&self, pass: &PassInfo) -> bool {
        match self {
            PassSelection::All => true,
            PassSelection::Only(names) => names.iter().any(|n| selects(n, pass)),
        }
    }

    /// Requested names that match none of `passes`.
    pub fn unmatched<'a>(&'a self, passes: &[PassInfo]) -> Vec<&'a str> {
        match self {
            PassSelection::All => Vec::new(),
            PassSelection::Only(names) => {
                names.iter().filter(|n| !passes.iter().any(|p| selects(n, p))).map(String::as_str).collect()
            }
        }
    }
}

fn selects(name: &str, pass: &PassInfo) -> bool {
    name == pass.full_name()
        || (!pass.pass.is_empty() && name == pass.pass)
        || (pass.full_name().is_empty() && name == "RGBA")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_split_like_blender() {
        assert_eq!(split_channel_name("ViewLayer.Combined.R"), ("ViewLayer", "Combined", "R"));
        assert_eq!(
            split_channel_name("View.Layer.001.Diffuse Color.G"),
            ("View.Layer.001", "Diffuse Color", "G")
        );
        assert_eq!(split_channel_name("Depth.Z"), ("", "Depth", "Z"));
        assert_eq!(split_channel_name("R"), ("", "", "R"));
    }

    fn pass(name: &str, components: &[&str]) -> PassInfo {
        let channels = components
            .iter()
            .map(|c| ChannelInfo {
                name: format!("ViewLayer.{name}.{c}"),
                component: c.to_string(),
                sample_type: SampleType::F32,
            })
            .collect();
        PassInfo { view_layer: "ViewLayer".into(), pass: name.into(), channels }
    }

    #[test]
    fn passes_are_colour_or_data_by_name_then_components() {
        for (name, components) in [
            ("Combined", &["R", "G", "B", "A"][..]),
            ("Image", &["R", "G", "B", "A"]),
            ("Noisy Image", &["R", "G", "B"]),
            ("DiffCol", &["R", "G", "B"]),
            ("Diffuse Color", &["R", "G", "B"]),
            ("Emit", &["R", "G", "B"]),
            ("Denoising Albedo", &["R", "G", "B"]),
            ("Shadow Catcher", &["R", "G", "B"]),
        ] {
            assert_eq!(pass(name, components).kind(), PassKind::Colour, "{name}");
        }
        for (name, components) in [
            ("Depth", &["Z"][..]),
            ("Z", &["Z"]),
            ("Normal", &["X", "Y", "Z"]),
            ("Position", &["X", "Y", "Z"]),
            ("Vector", &["X", "Y", "Z", "W"]),
            ("UV", &["U", "V", "A"]),
            ("Mist", &["Z"]),
            ("IndexOB", &["X"]),
            ("IndexMA", &["X"]),
            ("Denoising Normal", &["X", "Y", "Z"]),
            ("Denoising Depth", &["Z"]),
            ("CryptoObject00", &["R", "G", "B", "A"]),
            ("Some AOV", &["V"]),
        ] {
            assert_eq!(pass(name, components).kind(), PassKind::Data, "{name}");
        }
        // A plain RGBA file has no pass name.
        let plain =
            PassInfo { view_layer: String::new(), pass: String::new(), ..pass("", &["R", "G", "B", "A"]) };
        assert_eq!(plain.kind(), PassKind::Colour);
        assert_eq!(PassKind::Data.as_str(), "data");
    }

    #[test]
    fn selection_matches_full_and_bare_names() {
        let pass = PassInfo { view_layer: "ViewLayer".into(), pass: "Noisy Image".into(), channels: vec![] };
        assert!(PassSelection::Only(vec!["Noisy Image".into()]).includes(&pass));
        assert!(PassSelection::Only(vec!["ViewLayer.Noisy Image".into()]).includes(&pass));
        assert!(!PassSelection::Only(vec!["Combined".into()]).includes(&pass));
        let sel = PassSelection::Only(vec!["Noisy Image".into(), "Nope".into()]);
        assert_eq!(sel.unmatched(std::slice::from_ref(&pass)), vec!["Nope"]);
    }

    #[test]
    fn bytes_round_trip_and_bounds_are_checked() {
        let mut s = Samples::zeroed(SampleType::F16, 4);
        let bytes: Vec<u8> = [1.5f32, -2.0].iter().flat_map(|v| f16::from_f32(*v).to_ne_bytes()).collect();
        assert!(s.write_ne_bytes(2, &bytes));
        assert_eq!(s.get_f32(3), Some(-2.0));
        assert!(!s.write_ne_bytes(3, &bytes), "one sample past the end");
        assert!(!s.write_ne_bytes(0, &bytes[..3]), "half a sample");
        let mut out = Vec::new();
        assert!(s.extend_bytes(2, 2, false, &mut out));
        assert_eq!(out, bytes);
        assert!(!s.extend_bytes(3, 2, false, &mut out));
        let mut le = Vec::new();
        assert!(Samples::U32(vec![0x0102_0304]).extend_bytes(0, 1, true, &mut le));
        assert_eq!(le, [4, 3, 2, 1]);
    }

    #[test]
    fn a_sliding_band_keeps_its_lower_rows_at_the_front_and_zeroes_the_rest() {
        let mut band = Samples::F32(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        band.slide(4, 5);
        assert_eq!(band.to_f32_vec(), [5.0, 6.0, 0.0, 0.0, 0.0]);
        band.slide(1, 2);
        assert_eq!(band.to_f32_vec(), [6.0, 0.0]);
        band.slide(9, 3);
        assert_eq!(band.to_f32_vec(), [0.0, 0.0, 0.0]);
    }

    #[test]
    fn split_words_are_the_little_endian_bytes_split_into_halves() {
        let all = [
            Samples::U32(vec![0x0102_0304, 0x0506_0708, 0x090a_0b0c]),
            Samples::F32(vec![1.5, -2.25e-7, 3.0e9]),
            Samples::F16([0.5f32, -7.0, 65504.0].iter().map(|v| f16::from_f32(*v)).collect()),
        ];
        for samples in all {
            let mut le = Vec::new();
            assert!(samples.extend_bytes(1, 2, true, &mut le));
            let words = le.len() / 2;
            let (mut evens, mut odds) = (vec![0; words + 1], vec![0; words + 1]);
            assert_eq!(samples.split_words(1, 2, &mut evens, &mut odds), Some(words), "{samples:?}");
            let nth = |skip: usize| -> Vec<u8> { le.iter().skip(skip).step_by(2).copied().collect() };
            assert_eq!(evens[..words], nth(0), "{samples:?}");
            assert_eq!(odds[..words], nth(1), "{samples:?}");
            assert_eq!((evens[words], odds[words]), (0, 0), "nothing past the words");
            assert_eq!(samples.split_words(2, 2, &mut evens, &mut odds), None, "a sample past the end");
            assert_eq!(samples.split_words(0, 2, &mut evens[..1], &mut odds), None, "too little room");
        }
    }

    #[test]
    fn block_copies_check_bounds_first() {
        let src = Samples::F32((0..12).map(|v| v as f32).collect()); // 4x3
        let mut dst = Samples::zeroed(SampleType::F32, 6); // 3x2
        let s = BlockAt { stride: 4, x: 1, y: 1, width: 2, height: 2 };
        let d = BlockAt { stride: 3, x: 1, y: 0, width: 2, height: 2 };
        assert!(dst.copy_block(d, &src, s));
        assert_eq!(dst.to_f32_vec(), vec![0.0, 5.0, 6.0, 0.0, 9.0, 10.0]);
        let too_far = BlockAt { y: 1, ..d };
        assert!(!dst.copy_block(too_far, &src, s));
        assert!(!dst.copy_block(d, &Samples::zeroed(SampleType::F16, 12), s));
    }
}
