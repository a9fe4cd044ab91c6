//! Just enough of the OpenEXR layout to change a file's structure and write it back with its
//! chunks still where the offset tables say: a mutated header then reaches the decoder's later
//! stages instead of failing on offsets shifted by a byte. Lenient: it parses the fixtures
//! (scanline files, single- and multi-part); anything else is mutated as plain bytes.

/// One header attribute.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// Its name.
    pub name: Vec<u8>,
    /// Its type name (`box2i`, `chlist`, ...).
    pub kind: Vec<u8>,
    /// Its value bytes.
    pub value: Vec<u8>,
    /// A size written in place of `value.len()`, to lie about it.
    pub size_override: Option<i32>,
}

/// A parsed file.
#[derive(Debug, Clone)]
pub struct Exr {
    /// Magic number and version field.
    pub prelude: [u8; 8],
    /// Whether the version field says multi-part.
    pub multipart: bool,
    /// Each part's attributes.
    pub headers: Vec<Vec<Attribute>>,
    /// Each part's chunk offsets.
    pub tables: Vec<Vec<u64>>,
    /// Everything after the offset tables (the chunks).
    pub chunks: Vec<u8>,
    /// Where `chunks` started in the parsed file.
    pub chunks_at: u64,
}

fn read_cstr(bytes: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let rest = bytes.get(*pos..)?;
    let end = rest.iter().position(|b| *b == 0)?;
    let s = rest.get(..end)?.to_vec();
    *pos += end + 1;
    Some(s)
}

fn read_i32(bytes: &[u8], pos: &mut usize) -> Option<i32> {
    let v = i32::from_le_bytes(bytes.get(*pos..*pos + 4)?.try_into().ok()?);
    *pos += 4;
    Some(v)
}

fn read_header(bytes: &[u8], pos: &mut usize) -> Option<Vec<Attribute>> {
    let mut attributes = Vec::new();
    loop {
        let name = read_cstr(bytes, pos)?;
        if name.is_empty() {
            return Some(attributes);
        }
        let kind = read_cstr(bytes, pos)?;
        let size = usize::try_from(read_i32(bytes, pos)?).ok()?;
        let value = bytes.get(*pos..pos.checked_add(size)?)?.to_vec();
        *pos += size;
        attributes.push(Attribute { name, kind, value, size_override: None });
    }
}

impl Exr {
    /// The attribute `name` of `header`.
    pub fn attribute<'a>(header: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
        header.iter().find(|a| a.name == name.as_bytes())
    }

    /// Number of chunks a scanline part has, as the decoder computes it.
    fn chunk_count(header: &[Attribute], multipart: bool) -> Option<usize> {
        if multipart {
            let v = &Exr::attribute(header, "chunkCount")?.value;
            return usize::try_from(i32::from_le_bytes(v.get(..4)?.try_into().ok()?)).ok();
        }
        let window = &Exr::attribute(header, "dataWindow")?.value;
        let int = |i: usize| -> Option<i64> {
            Some(i64::from(i32::from_le_bytes(window.get(i * 4..i * 4 + 4)?.try_into().ok()?)))
        };
        let height = int(3)? - int(1)? + 1;
        let lines = match Exr::attribute(header, "compression")?.value.first()? {
            0..=2 => 1,
            3 | 5 => 16,
            4 | 6 | 7 | 8 => 32,
            9 => 256,
            _ => return None,
        };
        usize::try_from((height + lines - 1) / lines).ok()
    }

    /// Parses a scanline file; `None` for anything else.
    pub fn parse(bytes: &[u8]) -> Option<Exr> {
        let prelude: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
        let flags = prelude.get(5).copied()?;
        let multipart = flags & 0x10 != 0;
        if flags & 0x02 != 0 || flags & 0x08 != 0 {
            return None; // tiled or deep
        }
        let mut pos = 8;
        let mut headers = Vec::new();
        if multipart {
            while bytes.get(pos) != Some(&0) {
                headers.push(read_header(bytes, &mut pos)?);
            }
            pos += 1;
        } else {
            headers.push(read_header(bytes, &mut pos)?);
        }
        let mut tables = Vec::new();
        for header in &headers {
            let count = Exr::chunk_count(header, multipart)?;
            let mut table = Vec::with_capacity(count.min(bytes.len() / 8));
            for _ in 0..count {
                table.push(u64::from_le_bytes(bytes.get(pos..pos + 8)?.try_into().ok()?));
                pos += 8;
            }
            tables.push(table);
        }
        Some(Exr {
            prelude,
            multipart,
            headers,
            tables,
            chunks: bytes.get(pos..)?.to_vec(),
            chunks_at: pos as u64,
        })
    }

    /// Writes the file back; offsets that pointed into the chunks are moved by however much the
    /// headers and tables grew or shrank.
    pub fn write(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.chunks.len() + 4096);
        out.extend_from_slice(&self.prelude);
        for header in &self.headers {
            for a in header {
                out.extend_from_slice(&a.name);
                out.push(0);
                out.extend_from_slice(&a.kind);
                out.push(0);
                let size = a.size_override.unwrap_or(i32::try_from(a.value.len()).unwrap_or(i32::MAX));
                out.extend_from_slice(&size.to_le_bytes());
                out.extend_from_slice(&a.value);
            }
            out.push(0);
        }
        if self.multipart {
            out.push(0);
        }
        let tables_len: usize = self.tables.iter().map(|t| t.len() * 8).sum();
        let chunks_at = (out.len() + tables_len) as u64;
        for table in &self.tables {
            for &offset in table {
                let moved = if offset >= self.chunks_at {
                    offset.wrapping_sub(self.chunks_at).wrapping_add(chunks_at)
                } else {
                    offset
                };
                out.extend_from_slice(&moved.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.chunks);
        out
    }
}

/// A channel list entry (`chlist`).
#[derive(Debug, Clone)]
pub struct Channel {
    /// Its full name.
    pub name: Vec<u8>,
    /// 0 UINT, 1 HALF, 2 FLOAT (anything else is invalid).
    pub pixel_type: i32,
    /// pLinear and three reserved bytes.
    pub flags: [u8; 4],
    /// x and y sampling.
    pub sampling: (i32, i32),
}

/// Parses a `chlist` value.
pub fn parse_channels(value: &[u8]) -> Option<Vec<Channel>> {
    let mut pos = 0;
    let mut channels = Vec::new();
    loop {
        let name = read_cstr(value, &mut pos)?;
        if name.is_empty() {
            return Some(channels);
        }
        let pixel_type = read_i32(value, &mut pos)?;
        let flags: [u8; 4] = value.get(pos..pos + 4)?.try_into().ok()?;
        pos += 4;
        let sampling = (read_i32(value, &mut pos)?, read_i32(value, &mut pos)?);
        channels.push(Channel { name, pixel_type, flags, sampling });
    }
}

/// Writes a `chlist` value.
pub fn write_channels(channels: &[Channel]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in channels {
        out.extend_from_slice(&c.name);
        out.push(0);
        out.extend_from_slice(&c.pixel_type.to_le_bytes());
        out.extend_from_slice(&c.flags);
        out.extend_from_slice(&c.sampling.0.to_le_bytes());
        out.extend_from_slice(&c.sampling.1.to_le_bytes());
    }
    out.push(0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_parse_and_write_back_unchanged() {
        let mut seen = 0;
        for fixture in crate::fixtures::load().expect("fixtures") {
            for tile in &fixture.tiles {
                let exr = Exr::parse(&tile.bytes).expect("parses");
                assert_eq!(exr.write(), tile.bytes);
                for header in &exr.headers {
                    let list = Exr::attribute(header, "channels").expect("channels");
                    let channels = parse_channels(&list.value).expect("chlist");
                    assert_eq!(write_channels(&channels), list.value);
                }
                seen += 1;
            }
        }
        assert_eq!(seen, 24);
    }
}
