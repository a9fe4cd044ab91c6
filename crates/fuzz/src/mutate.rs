//! Deterministic mutations: plain byte edits for every target, and structure-aware edits of EXR
//! files through [`crate::exr_edit`].

use crate::exr_edit::{parse_channels, write_channels, Attribute, Exr};

/// SplitMix64: tiny, seedable, and the same on every platform, so a case number names an input.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator for case `index` of `stream` under `seed`: cases are independent, so any
    /// one can be regenerated alone.
    pub fn for_case(seed: u64, stream: u64, index: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.0 ^= rng.next_u64().wrapping_add(index.wrapping_mul(0xE703_7ED1_A0B4_28DB));
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        tilemerge::synth::splitmix64(&mut self.0)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True once in `n` times.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// Integers at the edges where sizes, counts and offsets go wrong.
const INTERESTING: [i64; 30] = [
    0,
    1,
    -1,
    2,
    -2,
    7,
    15,
    16,
    17,
    31,
    32,
    33,
    63,
    64,
    65,
    96,
    127,
    128,
    255,
    256,
    4096,
    65_535,
    65_536,
    65_537,
    1 << 20,
    1 << 30,
    i32::MAX as i64,
    i32::MIN as i64,
    i32::MAX as i64 - 1,
    u32::MAX as i64,
];

/// An interesting integer, or `near` moved a little.
pub fn interesting(rng: &mut Rng, near: i64) -> i64 {
    match rng.below(3) {
        0 => near + rng.below(33) as i64 - 16,
        1 => near.saturating_mul(rng.below(4) as i64 + 2),
        _ => INTERESTING.get(rng.below(INTERESTING.len())).copied().unwrap_or(0),
    }
}

/// A position in `data`, half the time within its first `hot` bytes (where headers are).
fn position(rng: &mut Rng, len: usize, hot: usize) -> usize {
    if hot > 0 && rng.one_in(2) {
        rng.below(hot.min(len) + 1)
    } else {
        rng.below(len + 1)
    }
}

/// One plain byte edit; `tokens` are pieces worth inserting for this kind of input.
pub fn bytes(rng: &mut Rng, data: &mut Vec<u8>, hot: usize, tokens: &[&[u8]]) {
    let len = data.len();
    match rng.below(9) {
        0 => {
            for _ in 0..=rng.below(8) {
                let at = position(rng, len.saturating_sub(1), hot);
                if let Some(b) = data.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
        1 => {
            for _ in 0..=rng.below(4) {
                let at = position(rng, len.saturating_sub(1), hot);
                let value = *rng.pick(&[0u8, 1, 0x7f, 0x80, 0xff, b'-', b'9']).unwrap_or(&0);
                if let Some(b) = data.get_mut(at) {
                    *b = if rng.one_in(3) { rng.next_u64() as u8 } else { value };
                }
            }
        }
        2 => data.truncate(position(rng, len, hot)),
        3 => {
            let at = position(rng, len, hot);
            let n = (rng.below(64) + 1).min(len - at);
            data.drain(at..at + n);
        }
        4 => {
            let at = position(rng, len, hot);
            let n = rng.below(16) + 1;
            let random: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            data.splice(at..at, random);
        }
        5 => {
            // A copy of one range somewhere else: repeated structures, shifted data.
            let from = position(rng, len, hot);
            let n = (rng.below(256) + 1).min(len - from);
            let piece = data.get(from..from + n).map(<[u8]>::to_vec).unwrap_or_default();
            let to = position(rng, len, hot);
            data.splice(to..to, piece);
        }
        6 => {
            let at = position(rng, len.saturating_sub(4), hot);
            let value = interesting(rng, 0) as i32;
            if let Some(slot) = data.get_mut(at..at + 4) {
                slot.copy_from_slice(&value.to_le_bytes());
            }
        }
        7 => {
            if let Some(token) = rng.pick(tokens) {
                let at = position(rng, len, hot);
                data.splice(at..at, token.iter().copied());
            }
        }
        _ => {
            if let Some(token) = rng.pick(tokens) {
                let at = position(rng, len, hot);
                let n = rng.below(token.len() + 1).min(len - at);
                data.splice(at..at + n, token.iter().copied());
            }
        }
    }
}

fn set_i32(value: &mut [u8], index: usize, to: i64) {
    if let Some(slot) = value.get_mut(index * 4..index * 4 + 4) {
        slot.copy_from_slice(&(to as i32).to_le_bytes());
    }
}

fn get_i32(value: &[u8], index: usize) -> i64 {
    value
        .get(index * 4..index * 4 + 4)
        .and_then(|b| b.try_into().ok())
        .map(|b| i64::from(i32::from_le_bytes(b)))
        .unwrap_or(0)
}

fn garble(rng: &mut Rng, text: &mut Vec<u8>) {
    match rng.below(5) {
        0 => text.clear(),
        1 => text.truncate(rng.below(text.len() + 1)),
        2 => {
            let at = rng.below(text.len() + 1);
            let piece = *rng
                .pick(&[&b"."[..], b"..", b"ViewLayer", b"\xff\xfe", b"Combined", b".R"])
                .unwrap_or(&&b""[..]);
            text.splice(at..at, piece.iter().copied());
        }
        3 => {
            let at = rng.below(text.len());
            if let Some(b) = text.get_mut(at) {
                *b = rng.next_u64() as u8 | 1; // never a NUL: that would end the string early
            }
        }
        _ => {
            let copy = text.clone();
            text.extend_from_slice(&copy);
        }
    }
}

fn mutate_channels(rng: &mut Rng, value: &mut Vec<u8>) -> bool {
    let Some(mut channels) = parse_channels(value) else {
        return false;
    };
    let n = channels.len();
    match rng.below(7) {
        0 => {
            if let Some(c) = channels.get_mut(rng.below(n)) {
                c.pixel_type = if rng.one_in(2) { rng.below(3) as i32 } else { interesting(rng, 1) as i32 };
            }
        }
        1 => {
            if let Some(c) = channels.get_mut(rng.below(n)) {
                let s = interesting(rng, 1) as i32;
                if rng.one_in(2) {
                    c.sampling.0 = s;
                } else {
                    c.sampling.1 = s;
                }
            }
        }
        2 if n > 0 => {
            channels.remove(rng.below(n));
        }
        3 => {
            if let Some(c) = channels.get_mut(rng.below(n)) {
                garble(rng, &mut c.name);
            }
        }
        4 => channels.reverse(),
        5 => {
            // Many more channels than the data holds: what the decoder allocates for them must
            // wait until their blocks are found.
            let Some(last) = channels.last().cloned() else {
                return false;
            };
            let extra = *rng.pick(&[1usize, 10, 100, 1000, 5000, 20000]).unwrap_or(&1);
            // Short names cost the header least per channel.
            let short = rng.one_in(2);
            for i in 0..extra {
                let mut c = last.clone();
                if short {
                    c.name = format!("{i:x}").into_bytes();
                } else {
                    c.name.extend_from_slice(format!("{i}").as_bytes());
                }
                channels.push(c);
            }
            channels.sort_by(|a, b| a.name.cmp(&b.name));
        }
        _ => {
            if let Some(c) = channels.get(rng.below(n)).cloned() {
                channels.insert(rng.below(n + 1), c);
            }
        }
    }
    *value = write_channels(&channels);
    true
}

fn mutate_attribute(rng: &mut Rng, a: &mut Attribute) {
    if rng.one_in(8) {
        a.size_override = Some(interesting(rng, a.value.len() as i64) as i32);
        return;
    }
    let kind = a.kind.clone();
    match kind.as_slice() {
        b"box2i" => {
            let i = rng.below(4);
            let v = interesting(rng, get_i32(&a.value, i));
            set_i32(&mut a.value, i, v);
        }
        b"chlist" if mutate_channels(rng, &mut a.value) => {}
        b"compression" | b"lineOrder" => {
            if let Some(b) = a.value.first_mut() {
                *b = if rng.one_in(4) { rng.next_u64() as u8 } else { rng.below(11) as u8 };
            }
        }
        b"int" => {
            let v = interesting(rng, get_i32(&a.value, 0));
            set_i32(&mut a.value, 0, v);
        }
        b"string" | b"text" => {
            if rng.one_in(3) {
                let kinds: [&[u8]; 5] = [b"scanlineimage", b"tiledimage", b"deepscanline", b"deeptile", b""];
                a.value = rng.pick(&kinds).map(|k| k.to_vec()).unwrap_or_default();
            } else {
                garble(rng, &mut a.value);
            }
        }
        _ => {
            if !a.value.is_empty() {
                let at = rng.below(a.value.len());
                if let Some(b) = a.value.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            } else {
                a.value.push(rng.next_u64() as u8);
            }
        }
    }
}

/// One structure-aware edit of an EXR; false when the file does not parse (the caller then
/// edits bytes).
pub fn exr(rng: &mut Rng, data: &mut Vec<u8>) -> bool {
    let Some(mut file) = Exr::parse(data) else {
        return false;
    };
    let parts = file.headers.len();
    let part = rng.below(parts);
    match rng.below(12) {
        0..=3 => {
            // The attributes that decide sizes and layout, most of the time.
            let Some(header) = file.headers.get_mut(part) else {
                return false;
            };
            let key: [&[u8]; 6] =
                [b"dataWindow", b"channels", b"compression", b"chunkCount", b"name", b"type"];
            let wanted = if rng.one_in(4) { None } else { rng.pick(&key).copied() };
            let index = wanted
                .and_then(|w| header.iter().position(|a| a.name == w))
                .unwrap_or_else(|| rng.below(header.len()));
            if let Some(a) = header.get_mut(index) {
                mutate_attribute(rng, a);
            }
        }
        4 => {
            let Some(header) = file.headers.get_mut(part) else {
                return false;
            };
            match rng.below(3) {
                0 if !header.is_empty() => {
                    header.remove(rng.below(header.len()));
                }
                1 => {
                    if let Some(a) = header.get(rng.below(header.len())).cloned() {
                        header.push(a);
                    }
                }
                _ => header.push(Attribute {
                    name: b"tiles".to_vec(),
                    kind: b"tiledesc".to_vec(),
                    value: vec![64, 0, 0, 0, 64, 0, 0, 0, 0],
                    size_override: None,
                }),
            }
        }
        5 if parts > 1 => {
            // Parts reordered: headers alone (chunks then name the wrong part) or with tables.
            let other = rng.below(parts);
            file.headers.swap(part, other);
            if rng.one_in(2) {
                file.tables.swap(part, other);
            }
        }
        6 if parts > 1 => {
            file.headers.remove(part);
            if rng.one_in(2) {
                file.tables.remove(part);
            }
        }
        7 => {
            if let (Some(h), Some(t)) = (file.headers.get(part).cloned(), file.tables.get(part).cloned()) {
                file.headers.push(h);
                file.tables.push(t);
                if !file.multipart {
                    file.multipart = true;
                    if let Some(flags) = file.prelude.get_mut(5) {
                        *flags |= 0x10;
                    }
                }
            }
        }
        8..=9 => {
            let Some(table) = file.tables.get_mut(part) else {
                return false;
            };
            let n = table.len();
            let i = rng.below(n);
            let j = rng.below(n);
            let end = file.chunks_at + file.chunks.len() as u64;
            match rng.below(5) {
                0 if n > 0 => table.swap(i, j),
                0 | 1 => table.reverse(),
                2 => {
                    let to = table.get(j).copied().unwrap_or(0);
                    if let Some(slot) = table.get_mut(i) {
                        *slot = to;
                    }
                }
                3 => {
                    let to =
                        *rng.pick(&[0, 1, end, end - 1, end + 8, u64::MAX, i64::MAX as u64]).unwrap_or(&0);
                    if let Some(slot) = table.get_mut(i) {
                        *slot = to;
                    }
                }
                _ => {
                    if let Some(slot) = table.get_mut(i) {
                        *slot = slot.wrapping_add_signed(interesting(rng, 0));
                    }
                }
            }
        }
        _ => {
            // A chunk's own fields: part number (multi-part), first row, data size.
            let Some(&offset) = file.tables.get(part).and_then(|t| t.get(rng.below(t.len()))) else {
                return false;
            };
            let Some(at) = offset.checked_sub(file.chunks_at).and_then(|o| usize::try_from(o).ok()) else {
                return false;
            };
            let fields = if file.multipart { 3 } else { 2 };
            let field = at + 4 * rng.below(fields);
            let old = get_i32(file.chunks.get(field..).unwrap_or(&[]), 0);
            let value = interesting(rng, old) as i32;
            if let Some(slot) = file.chunks.get_mut(field..field + 4) {
                slot.copy_from_slice(&value.to_le_bytes());
            }
        }
    }
    *data = file.write();
    true
}
