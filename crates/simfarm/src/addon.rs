//! `/flamenco-addon.zip`: the Manager hands out the Blender add-on that submits jobs to it, and
//! Flamenco's web app links to it. simfarm cannot ship Flamenco's add-on, so it serves a stand-in
//! add-on of the same shape (a `flamenco` package whose `bl_info` names this farm), as a real zip.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The stand-in add-on's one file.
fn init_py(manager_name: &str) -> String {
    format!(
        "# Stand-in for Flamenco's Blender add-on, served by simfarm ({manager_name:?}).\n\
         bl_info = {{\n    \"name\": \"Flamenco (simfarm stand-in)\",\n    \"blender\": (4, 2, 0),\n    \
         \"category\": \"System\",\n}}\n\n\ndef register():\n    pass\n\n\ndef unregister():\n    pass\n"
    )
}

/// `GET /flamenco-addon.zip`.
pub async fn download(manager_name: String) -> Response {
    let zip = stored_zip(&[("flamenco/__init__.py", init_py(&manager_name).as_bytes())]);
    (
        [
            (header::CONTENT_TYPE, "application/zip"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"flamenco-addon.zip\""),
        ],
        zip,
    )
        .into_response()
}

/// A zip archive of `files`, stored without compression (the add-on is a few hundred bytes).
pub fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        // Local file header: version 2.0, no flags, stored, no date.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 8]);
        central.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let count = (files.len() as u16).to_le_bytes();
    out.extend_from_slice(&count);
    out.extend_from_slice(&count);
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// CRC-32 (IEEE), as zip needs it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }

    fn u16_at(bytes: &[u8], at: usize) -> usize {
        usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]))
    }

    /// Reads the archive the way an unzip tool does: from the end record to the central directory
    /// to each local header, checking every offset, size and checksum on the way.
    #[test]
    fn the_zip_reads_back_from_its_end_record() {
        let files: [(&str, &[u8]); 2] =
            [("flamenco/__init__.py", b"bl_info = {}\n"), ("flamenco/README", b"stand-in")];
        let zip = stored_zip(&files);
        let end = zip.len() - 22;
        assert_eq!(u32_at(&zip, end), 0x0605_4b50, "the end record is last");
        assert_eq!(u16_at(&zip, end + 10), 2, "two entries");
        let mut entry = u32_at(&zip, end + 16) as usize;
        assert_eq!(u32_at(&zip, end + 12) as usize, end - entry, "the directory's size");
        for (name, data) in files {
            assert_eq!(u32_at(&zip, entry), 0x0201_4b50, "a directory entry");
            let name_len = u16_at(&zip, entry + 28);
            assert_eq!(&zip[entry + 46..entry + 46 + name_len], name.as_bytes());
            let local = u32_at(&zip, entry + 42) as usize;
            assert_eq!(u32_at(&zip, local), 0x0403_4b50, "a local header where the directory says");
            let start = local + 30 + u16_at(&zip, local + 26) + u16_at(&zip, local + 28);
            let size = u32_at(&zip, local + 18) as usize;
            assert_eq!(&zip[start..start + size], data);
            assert_eq!(u32_at(&zip, local + 14), crc32(data));
            entry += 46 + name_len;
        }
    }
}
