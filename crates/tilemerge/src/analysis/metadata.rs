//! Every attribute of an EXR file's header(s), in file order, as text for a metadata panel:
//! what Blender wrote (render time, samples, software version, camera, date), compression,
//! windows, channels.
//!
//! The header is read here byte by byte rather than through `exr`, because `exr` keeps custom
//! attributes in a hash map (losing the file's order) and folds standard ones into fields
//! (losing their names); the panel shows what the file says, as it says it.

use serde::{Deserialize, Serialize};

use super::AnalysisError;
use crate::decode::{check_magic, Compression, DecodeError};

/// One header attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderAttribute {
    /// The part it belongs to: 0 in a single-part file; in a multi-part file (Blender 5) one
    /// part per pass, named by its `name` attribute.
    pub part: usize,
    /// The attribute's name, e.g. `RenderTime` or `cycles.ViewLayer.samples`.
    pub name: String,
    /// The EXR type name, e.g. `string`, `box2i`, `chlist` (unknown types are kept as written).
    pub type_name: String,
    /// The value as text (`(0, 0) to (255, 159): 256x160` for a window).
    pub text: String,
}

/// Bit of the version field that marks a multi-part file.
const MULTI_PART: u32 = 0x1000;

/// Reads a header without trusting it: every length is checked against the bytes there are.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn truncated(bytes: &[u8]) -> AnalysisError {
    AnalysisError::Header(DecodeError::Truncated { length: bytes.len(), during: "the header".into() })
}

impl<'a> Cursor<'a> {
    /// A NUL-terminated name (EXR allows 255 bytes at most).
    fn name(&mut self) -> Result<&'a [u8], AnalysisError> {
        let rest = self.bytes.get(self.at..).unwrap_or(&[]);
        let Some(end) = rest.iter().take(256).position(|b| *b == 0) else {
            return Err(if rest.len() < 256 {
                truncated(self.bytes)
            } else {
                AnalysisError::Header(DecodeError::Invalid(format!(
                    "a header name at byte {} never ends",
                    self.at
                )))
            });
        };
        self.at += end + 1;
        Ok(rest.get(..end).unwrap_or(&[]))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], AnalysisError> {
        let slice = self.at.checked_add(n).and_then(|end| self.bytes.get(self.at..end));
        let slice = slice.ok_or_else(|| truncated(self.bytes))?;
        self.at += n;
        Ok(slice)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }
}

/// Names are bytes; Blender writes UTF-8, older tools Latin-1.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// Every attribute of every part of an EXR file, in file order. Only the header is read, so a
/// tile's metadata costs nothing of its pixels.
pub fn header_attributes(bytes: &[u8]) -> Result<Vec<HeaderAttribute>, AnalysisError> {
    check_magic(bytes).map_err(AnalysisError::Header)?;
    let mut cursor = Cursor { bytes, at: 4 };
    let version = cursor.take(4)?;
    let multi_part = version.get(1).is_some_and(|flags| (u32::from(*flags) << 8) & MULTI_PART != 0);
    let mut attributes = Vec::new();
    let mut part = 0;
    loop {
        let name = cursor.name()?;
        if name.is_empty() {
            // A single part's header ends here; multi-part headers end with an empty one.
            if !multi_part || cursor.peek() == Some(0) {
                break;
            }
            cursor.peek().ok_or_else(|| truncated(bytes))?;
            part += 1;
            continue;
        }
        let type_name = text(cursor.name()?);
        let size = cursor.take(4)?;
        let size = i32::from_le_bytes([size[0], size[1], size[2], size[3]]);
        let size = usize::try_from(size).map_err(|_| {
            AnalysisError::Header(DecodeError::Invalid(format!(
                "attribute {} has a negative size",
                text(name)
            )))
        })?;
        let value = cursor.take(size)?;
        attributes.push(HeaderAttribute {
            part,
            name: text(name),
            text: describe(&type_name, value),
            type_name,
        });
    }
    Ok(attributes)
}

/// `N` little-endian 4-byte values, when `value` holds exactly that many.
fn words<const N: usize>(value: &[u8]) -> Option<[[u8; 4]; N]> {
    if value.len() != N * 4 {
        return None;
    }
    let mut out = [[0u8; 4]; N];
    for (o, chunk) in out.iter_mut().zip(value.chunks_exact(4)) {
        o.copy_from_slice(chunk);
    }
    Some(out)
}

fn list(values: impl IntoIterator<Item = String>) -> String {
    format!("({})", values.into_iter().collect::<Vec<_>>().join(", "))
}

/// The value of an attribute of type `type_name` as text; a value of the wrong length for its
/// type is shown as such rather than failing the whole header.
fn describe(type_name: &str, value: &[u8]) -> String {
    let f = |w: [u8; 4]| f32::from_le_bytes(w).to_string();
    let i = |w: [u8; 4]| i32::from_le_bytes(w).to_string();
    let described = match type_name {
        "string" => Some(text(value)),
        "int" => words::<1>(value).map(|[w]| i(w)),
        "float" => words::<1>(value).map(|[w]| f(w)),
        "double" => <[u8; 8]>::try_from(value).ok().map(|b| f64::from_le_bytes(b).to_string()),
        "box2i" => words::<4>(value).map(|w| {
            let [x0, y0, x1, y1] = w.map(i32::from_le_bytes);
            let (width, height) = (i64::from(x1) - i64::from(x0) + 1, i64::from(y1) - i64::from(y0) + 1);
            format!("({x0}, {y0}) to ({x1}, {y1}): {width}x{height}")
        }),
        "box2f" => {
            words::<4>(value).map(|[a, b, c, d]| format!("({}, {}) to ({}, {})", f(a), f(b), f(c), f(d)))
        }
        "v2i" => words::<2>(value).map(|w| list(w.map(i))),
        "v3i" => words::<3>(value).map(|w| list(w.map(i))),
        "v2f" => words::<2>(value).map(|w| list(w.map(f))),
        "v3f" => words::<3>(value).map(|w| list(w.map(f))),
        "m33f" => words::<9>(value).map(|w| list(w.map(f))),
        "m44f" => words::<16>(value).map(|w| list(w.map(f))),
        "chromaticities" => words::<8>(value).map(|w| {
            let [rx, ry, gx, gy, bx, by, wx, wy] = w.map(f);
            format!("red ({rx}, {ry}), green ({gx}, {gy}), blue ({bx}, {by}), white ({wx}, {wy})")
        }),
        "rational" => {
            words::<2>(value).map(|[n, d]| format!("{}/{}", i32::from_le_bytes(n), u32::from_le_bytes(d)))
        }
        "compression" => match value {
            [code] => Some(compression_name(*code)),
            _ => None,
        },
        "lineOrder" => match value {
            [0] => Some("increasing Y".into()),
            [1] => Some("decreasing Y".into()),
            [2] => Some("random Y".into()),
            _ => None,
        },
        "envmap" => match value {
            [0] => Some("latitude-longitude".into()),
            [1] => Some("cube".into()),
            _ => None,
        },
        "timecode" => words::<2>(value).map(|[time, _]| timecode(u32::from_le_bytes(time))),
        "tiledesc" => (value.len() == 9).then(|| {
            let word = |at: usize| value.get(at..at + 4).and_then(|s| <[u8; 4]>::try_from(s).ok());
            let (x, y) = (word(0).map_or(0, u32::from_le_bytes), word(4).map_or(0, u32::from_le_bytes));
            format!("{x}x{y} tiles")
        }),
        "chlist" => channel_list(value),
        "stringvector" => string_vector(value),
        "floatvector" if value.len() % 4 == 0 => {
            Some(list(value.chunks_exact(4).filter_map(|c| <[u8; 4]>::try_from(c).ok()).map(f)))
        }
        "preview" => words::<2>(value.get(..8).unwrap_or(&[]))
            .map(|[w, h]| format!("{}x{} preview image", u32::from_le_bytes(w), u32::from_le_bytes(h))),
        _ => Some(format!("{} bytes", value.len())),
    };
    described.unwrap_or_else(|| format!("{} bytes, not a valid {type_name}", value.len()))
}

fn compression_name(code: u8) -> String {
    Compression::from_header_code(code).map_or_else(|| format!("unknown ({code})"), |c| c.to_string())
}

/// SMPTE time from its packed BCD digits.
fn timecode(t: u32) -> String {
    let bcd = |shift: u32, tens_bits: u32| {
        ((t >> (shift + 4)) & ((1 << tens_bits) - 1)) * 10 + ((t >> shift) & 0xf)
    };
    format!("{:02}:{:02}:{:02}:{:02}", bcd(24, 2), bcd(16, 3), bcd(8, 3), bcd(0, 2))
}

/// `name (type)` for each channel of a `chlist`.
fn channel_list(value: &[u8]) -> Option<String> {
    let mut cursor = Cursor { bytes: value, at: 0 };
    let mut channels = Vec::new();
    loop {
        let name = cursor.name().ok()?;
        if name.is_empty() {
            break;
        }
        let fields = cursor.take(16).ok()?;
        let kind = match fields.first() {
            Some(0) => "uint",
            Some(1) => "half",
            Some(2) => "float",
            _ => "unknown type",
        };
        channels.push(format!("{} ({kind})", text(name)));
    }
    Some(format!("{} channels: {}", channels.len(), channels.join(", ")))
}

fn string_vector(value: &[u8]) -> Option<String> {
    let mut cursor = Cursor { bytes: value, at: 0 };
    let mut items = Vec::new();
    while cursor.at < value.len() {
        let len = cursor.take(4).ok()?;
        let len = usize::try_from(i32::from_le_bytes([len[0], len[1], len[2], len[3]])).ok()?;
        items.push(text(cursor.take(len).ok()?));
    }
    Some(list(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str, type_name: &str, value: &[u8]) -> Vec<u8> {
        let head: [&[u8]; 4] = [name.as_bytes(), &[0], type_name.as_bytes(), &[0]];
        let mut out = head.concat();
        out.extend((value.len() as i32).to_le_bytes());
        out.extend(value);
        out
    }

    #[test]
    fn attributes_come_in_file_order_with_their_values_as_text() {
        let window: Vec<u8> = [0i32, 0, 255, 159].iter().flat_map(|v| v.to_le_bytes()).collect();
        let entry: [&[u8]; 3] = [b"R\0", &[1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], b"\0"];
        let chlist = entry.concat();
        let parts: [&[u8]; 7] = [
            &[0x76, 0x2f, 0x31, 0x01, 2, 0, 0, 0][..],
            &attribute("RenderTime", "string", b"00:00.78"),
            &attribute("dataWindow", "box2i", &window),
            &attribute("compression", "compression", &[4]),
            &attribute("channels", "chlist", &chlist),
            &attribute("odd", "float", &[1, 2]),
            &[0],
        ];
        let file = parts.concat();
        let found = header_attributes(&file).unwrap();
        let rows: Vec<(&str, &str, &str)> =
            found.iter().map(|a| (a.name.as_str(), a.type_name.as_str(), a.text.as_str())).collect();
        assert_eq!(
            rows,
            [
                ("RenderTime", "string", "00:00.78"),
                ("dataWindow", "box2i", "(0, 0) to (255, 159): 256x160"),
                ("compression", "compression", "PIZ"),
                ("channels", "chlist", "1 channels: R (half)"),
                ("odd", "float", "2 bytes, not a valid float"),
            ]
        );
        assert_eq!(timecode(0x0102_0304), "01:02:03:04");
        // Cut anywhere inside, the header is reported truncated, never read past its end.
        for cut in 9..file.len() - 1 {
            let err = header_attributes(&file[..cut]).unwrap_err();
            assert!(matches!(err, AnalysisError::Header(DecodeError::Truncated { .. })), "{cut}: {err}");
        }
        assert!(matches!(
            header_attributes(b"GIF89a"),
            Err(AnalysisError::Header(DecodeError::NotExr { .. }))
        ));
    }
}
