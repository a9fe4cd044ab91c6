//! The export of a frame previewed in levels, in the first worker: every tile merged again band
//! by band (`tilemerge::write_streamed`), each read when its band comes (a picked file with
//! `FileReaderSync`, a farm URL with a synchronous request, which a worker may make), the file
//! written through a synchronous handle on the origin's private file system (OPFS), the later
//! parts' blocks spooled in files beside it. Memory holds a band, never the file; the page then
//! offers the finished file as a download, which the browser copies from disk.

use std::io::{Read, Seek, SeekFrom, Write};

use tilemerge::{
    check_seams_streamed, read_info, write_streamed, ExrLayout, ExrOptions, Grid, Spool, TileId,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    File, FileReaderSync, FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetFileOptions,
    FileSystemReadWriteOptions, FileSystemSyncAccessHandle, WorkerGlobalScope, XmlHttpRequest,
    XmlHttpRequestResponseType,
};

use super::protocol::{describe, from_buffer, StreamedExport};
use crate::preview::seams::SeamCheck;

/// The name of the exported file in the origin's private file system: one at a time, replaced
/// by the next export.
pub const EXPORT_NAME: &str = "farmdeck-export.exr";

/// Where a tile's file is read from.
pub enum TileSource {
    /// A picked file.
    Picked(File),
    /// A URL on the farm.
    Url(String),
}

impl TileSource {
    fn read(&self) -> Result<Vec<u8>, String> {
        match self {
            TileSource::Picked(file) => {
                let reader = FileReaderSync::new().map_err(describe)?;
                Ok(from_buffer(&reader.read_as_array_buffer(file).map_err(describe)?))
            }
            TileSource::Url(url) => {
                let request = XmlHttpRequest::new().map_err(describe)?;
                request.open_with_async("GET", url, false).map_err(describe)?;
                request.set_response_type(XmlHttpRequestResponseType::Arraybuffer);
                request.send().map_err(|e| format!("{url}: {}", describe(e)))?;
                let status = request.status().map_err(describe)?;
                if status != 200 {
                    return Err(format!("{url} answered {status}"));
                }
                let body = request.response().map_err(describe)?;
                Ok(from_buffer(&body.dyn_into().map_err(|_| format!("{url} sent no bytes"))?))
            }
        }
    }
}

/// Writes the merged EXR of `tiles` into [`EXPORT_NAME`]; `progress` hears the tiles placed.
/// Returns the file's size in bytes.
pub async fn export(
    export: &StreamedExport,
    grid: Grid,
    sources: Vec<(TileId, TileSource)>,
    progress: &mut dyn FnMut(usize),
) -> Result<u64, String> {
    let directory = private_directory().await?;
    // Multi-part files spool a part per pass after the first: how many, from the first file's header.
    let parts = match export.layout {
        ExrLayout::SinglePart => 1,
        ExrLayout::MultiPart => {
            let (_, first) = sources.first().ok_or("no tile is placed")?;
            read_info(&first.read()?).map_err(|e| e.to_string())?.passes.len()
        }
    };
    let mut out = OpfsFile::open(&directory, EXPORT_NAME).await?;
    let mut spool = OpfsSpool { files: Vec::new() };
    for part in 1..parts {
        spool.files.push(OpfsFile::open(&directory, &format!("{EXPORT_NAME}.part{part}")).await?);
    }
    let tiles: Vec<TileId> = sources.iter().map(|(t, _)| *t).collect();
    let mut read = |tile: TileId| {
        let (_, source) = sources.iter().find(|(t, _)| *t == tile).ok_or("the tile is not in the export")?;
        source.read()
    };
    let options =
        ExrOptions { layout: export.layout, compression: export.compression, ..ExrOptions::DEFAULT };
    let written = write_streamed(grid, &tiles, &mut read, &options, &mut out, &mut spool, progress)
        .map_err(|e| e.to_string());
    let size = out.handle.get_size().map_err(describe);
    out.handle.close();
    for file in &spool.files {
        file.handle.close();
    }
    for part in 1..parts {
        // A spool left behind only takes room until the next export replaces it.
        let _ = JsFuture::from(directory.remove_entry(&format!("{EXPORT_NAME}.part{part}"))).await;
    }
    written?;
    Ok(size? as u64)
}

/// Compares neighbouring tiles' overscan in `pass` a band of tile rows at a time.
pub fn check_seams(grid: Grid, sources: Vec<(TileId, TileSource)>, pass: &str) -> Result<SeamCheck, String> {
    let tiles: Vec<TileId> = sources.iter().map(|(t, _)| *t).collect();
    let mut read = |tile: TileId| {
        let (_, source) = sources.iter().find(|(t, _)| *t == tile).ok_or("the tile is not in the check")?;
        source.read()
    };
    let report =
        check_seams_streamed(grid, &tiles, &mut read, pass, &mut |_| {}).map_err(|e| e.to_string())?;
    Ok(SeamCheck::from_report(pass, &report))
}

/// The origin's private file system.
async fn private_directory() -> Result<FileSystemDirectoryHandle, String> {
    let scope: WorkerGlobalScope = js_sys::global().dyn_into().map_err(|_| "not in a worker")?;
    let directory = JsFuture::from(scope.navigator().storage().get_directory())
        .await
        .map_err(|e| format!("this browser gives no private file system: {}", describe(e)))?;
    directory.dyn_into().map_err(|_| "the private file system is no directory".to_string())
}

/// A file of the private file system, written and read through its synchronous handle.
struct OpfsFile {
    handle: FileSystemSyncAccessHandle,
    at: u64,
}

impl OpfsFile {
    /// `name`, created or emptied.
    async fn open(directory: &FileSystemDirectoryHandle, name: &str) -> Result<OpfsFile, String> {
        let options = FileSystemGetFileOptions::new();
        options.set_create(true);
        let file: FileSystemFileHandle =
            JsFuture::from(directory.get_file_handle_with_options(name, &options))
                .await
                .map_err(|e| format!("cannot create {name}: {}", describe(e)))?
                .dyn_into()
                .map_err(|_| format!("{name} is no file"))?;
        let handle: FileSystemSyncAccessHandle = JsFuture::from(file.create_sync_access_handle())
            .await
            .map_err(|e| format!("cannot write {name}: {}", describe(e)))?
            .dyn_into()
            .map_err(|_| format!("{name} gave no handle"))?;
        handle.truncate_with_f64(0.0).map_err(describe)?;
        Ok(OpfsFile { handle, at: 0 })
    }

    fn options(&self) -> FileSystemReadWriteOptions {
        let options = FileSystemReadWriteOptions::new();
        options.set_at(self.at as f64);
        options
    }
}

fn io_error(error: JsValue) -> std::io::Error {
    std::io::Error::other(describe(error))
}

impl Write for OpfsFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.handle.write_with_u8_array_and_options(buf, &self.options()).map_err(io_error)?;
        self.at += written as u64;
        Ok(written as usize)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.handle.flush().map_err(io_error)
    }
}

impl Read for OpfsFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.handle.read_with_u8_array_and_options(buf, &self.options()).map_err(io_error)?;
        self.at += read as u64;
        Ok(read as usize)
    }
}

impl Seek for OpfsFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let size = || self.handle.get_size().map(|s| s as u64).map_err(io_error);
        let at = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(by) => size()?.checked_add_signed(by),
            SeekFrom::Current(by) => self.at.checked_add_signed(by),
        };
        self.at = at.ok_or_else(|| std::io::Error::other("a seek before the start"))?;
        Ok(self.at)
    }
}

/// The later parts' blocks, each part in its own file.
struct OpfsSpool {
    files: Vec<OpfsFile>,
}

impl Spool for OpfsSpool {
    fn keep(&mut self, part: usize, record: &[u8]) -> Result<(), String> {
        let file = part.checked_sub(1).and_then(|i| self.files.get_mut(i)).ok_or("no spool for that part")?;
        file.write_all(record).map_err(|e| e.to_string())
    }

    fn reader(&mut self, part: usize) -> Result<Box<dyn Read>, String> {
        let file = part.checked_sub(1).and_then(|i| self.files.get(i)).ok_or("no spool for that part")?;
        Ok(Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            OpfsFile { handle: file.handle.clone(), at: 0 },
        )))
    }
}
