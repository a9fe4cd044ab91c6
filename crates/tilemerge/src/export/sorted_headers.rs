//! The EXR's header attributes in name order, so that the same image always makes the same
//! bytes. exr keeps a part's custom attributes in a hash map and writes them in its random
//! order, so two merges of the same tiles (in one process or two) differed in their headers
//! alone. OpenEXR writes every header's attributes sorted by name (a `std::map`), which is what
//! this does to exr's output, in place: the attributes are the same bytes, only reordered, so
//! the headers keep their length and nothing after them moves.

use std::io::{Seek, SeekFrom, Write};

/// Magic number and version field.
const PREAMBLE: usize = 8;
/// The version field's bit for a multi-part file.
const MULTI_PART: u32 = 0x1000;

/// One header's attributes, each as the byte range (start, end) it takes in the file.
type Attributes = Vec<(usize, usize)>;

/// Where the headers of an EXR file end, with each header's attributes; `None` while `bytes`
/// holds only part of them, or when they cannot be read (then they stay as they are).
fn headers(bytes: &[u8]) -> Option<(usize, Vec<Attributes>)> {
    let version = u32::from_le_bytes(bytes.get(4..PREAMBLE)?.try_into().ok()?);
    let multi_part = version & MULTI_PART != 0;
    let text_end = |from: usize| bytes.get(from..)?.iter().position(|b| *b == 0).map(|at| from + at);
    let mut at = PREAMBLE;
    let mut found = Vec::new();
    loop {
        let mut attributes = Vec::new();
        // An empty name ends a header (and, in a multi-part file, an empty header the list).
        while *bytes.get(at)? != 0 {
            let start = at;
            let type_start = text_end(at)? + 1;
            let size_start = text_end(type_start)? + 1;
            let size = i32::from_le_bytes(bytes.get(size_start..size_start + 4)?.try_into().ok()?);
            at = size_start + 4 + usize::try_from(size).ok()?;
            bytes.get(..at)?;
            attributes.push((start, at));
        }
        at += 1;
        let empty = attributes.is_empty();
        if !empty {
            found.push(attributes);
        }
        if !multi_part || empty {
            return Some((at, found));
        }
    }
}

/// Sorts every header's attributes by name, in place; returns where the headers end.
fn sort_in_place(bytes: &mut [u8]) -> Option<usize> {
    let (end, found) = headers(bytes)?;
    for attributes in found {
        let (first, last) = (attributes.first()?.0, attributes.last()?.1);
        let name = |(start, _): &(usize, usize)| {
            let field = bytes.get(*start..).unwrap_or(&[]);
            field.split(|b| *b == 0).next().unwrap_or(&[]).to_vec()
        };
        let mut sorted = attributes.clone();
        sorted.sort_by_key(name);
        let reordered: Vec<u8> = sorted
            .iter()
            .flat_map(|(start, stop)| bytes.get(*start..*stop).unwrap_or(&[]).to_vec())
            .collect();
        bytes.get_mut(first..last)?.copy_from_slice(&reordered);
    }
    Some(end)
}

/// Sorts the header attributes of the whole file in `bytes`.
pub(crate) fn sort_headers(bytes: &mut [u8]) {
    // A file whose headers cannot be read was not written here: it stays as it is.
    let _ = sort_in_place(bytes);
}

/// Passes a file through to `inner`, holding its first bytes until the headers are whole, then
/// writing them with their attributes sorted.
pub(crate) struct SortedHeaders<W> {
    inner: W,
    held: Option<Vec<u8>>,
}

impl<W: Write> SortedHeaders<W> {
    pub(crate) fn new(inner: W) -> SortedHeaders<W> {
        SortedHeaders { inner, held: Some(Vec::new()) }
    }

    /// Writes what is held (sorted when it is whole) and passes everything through from now on.
    fn release(&mut self) -> std::io::Result<()> {
        if let Some(mut held) = self.held.take() {
            sort_headers(&mut held);
            self.inner.write_all(&held)?;
        }
        Ok(())
    }

    /// Ends the file's headers being held, whatever came.
    pub(crate) fn finish(mut self) -> std::io::Result<W> {
        self.release()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SortedHeaders<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(held) = &mut self.held else {
            return self.inner.write(buf);
        };
        held.extend_from_slice(buf);
        if headers(held).is_some() {
            self.release()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Flushing does not end the headers; it only reaches what has been passed on.
        self.inner.flush()
    }
}

impl<W: Write + Seek> Seek for SortedHeaders<W> {
    fn seek(&mut self, position: SeekFrom) -> std::io::Result<u64> {
        // exr seeks only after the headers (to fill in the offset tables); should it seek
        // sooner, what is held goes out first, so positions stay true.
        self.release()?;
        self.inner.seek(position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str, kind: &str, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for text in [name, kind] {
            out.extend_from_slice(text.as_bytes());
            out.push(0);
        }
        out.extend_from_slice(&(value.len() as i32).to_le_bytes());
        out.extend_from_slice(value);
        out
    }

    fn file(multi_part: bool, parts: &[&[(&str, &[u8])]]) -> Vec<u8> {
        let mut out = vec![0x76, 0x2f, 0x31, 0x01];
        out.extend_from_slice(&(2 | if multi_part { MULTI_PART } else { 0 }).to_le_bytes());
        for part in parts {
            for (name, value) in *part {
                out.extend(attribute(name, "string", value));
            }
            out.push(0);
        }
        if multi_part {
            out.push(0);
        }
        out.extend_from_slice(b"offset tables and blocks");
        out
    }

    #[test]
    fn every_headers_attributes_come_out_in_name_order_and_the_rest_stays() {
        let shuffled =
            file(true, &[&[("zeta", b"1"), ("alpha", b"22"), ("mid", b"")], &[("b", b"x"), ("a", b"yy")]]);
        let sorted =
            file(true, &[&[("alpha", b"22"), ("mid", b""), ("zeta", b"1")], &[("a", b"yy"), ("b", b"x")]]);
        let mut bytes = shuffled.clone();
        sort_headers(&mut bytes);
        assert_eq!(bytes, sorted);

        // Written a few bytes at a time, through the writer, with a seek after the headers.
        let mut out = SortedHeaders::new(std::io::Cursor::new(Vec::new()));
        for piece in shuffled.chunks(3) {
            out.write_all(piece).expect("written");
        }
        out.seek(SeekFrom::Start(0)).expect("seeks");
        assert_eq!(out.finish().expect("finished").into_inner(), sorted);

        let single = file(false, &[&[("b", b"1"), ("a", b"2")]]);
        let mut bytes = single.clone();
        sort_headers(&mut bytes);
        assert_eq!(bytes, file(false, &[&[("a", b"2"), ("b", b"1")]]));
    }

    #[test]
    fn headers_cut_short_or_damaged_are_left_as_they_are() {
        let whole = file(true, &[&[("b", b"1"), ("a", b"2")]]);
        let mut cut = whole.get(..20).expect("long enough").to_vec();
        sort_headers(&mut cut);
        assert_eq!(cut, whole.get(..20).expect("long enough"));
        let mut negative = whole.clone();
        // The first attribute's size, made negative.
        let size_at = 8 + 2 + 7;
        negative.get_mut(size_at..size_at + 4).expect("in the file").copy_from_slice(&(-5i32).to_le_bytes());
        let before = negative.clone();
        sort_headers(&mut negative);
        assert_eq!(negative, before);
    }
}
