//! The worker side: listens for envelopes, hands them to the [`Engine`] in the order they came and
//! posts the answers, their bytes in the transfer list. Picked files are read here, not on the page.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::blob_files::{BlobFiles, PickedSlot};
use super::engine::Engine;
use super::protocol::{
    describe, from_buffer, pack, set_busy, set_memory, to_buffer, unpack, Request, Response, SessionId,
    StreamedExport,
};
use super::stream_export::{self, TileSource};
use crate::preview::browser::{now, wasm_memory_bytes};

/// A request waiting its turn, with its bytes.
struct Queued {
    request: Request,
    bytes: Bytes,
    /// The picked file the bytes are read from: a levels session keeps it rather than a copy.
    file: Option<web_sys::File>,
    /// The picked files of a streamed export.
    files: Option<js_sys::Array>,
}

/// A request's bytes: moved here from the page, or being read from a picked file.
enum Bytes {
    Here(Option<Vec<u8>>),
    Reading(JsFuture),
}

impl Bytes {
    /// Starts reading a picked file at once: the browser reads it while this worker decodes
    /// the tiles before it.
    fn of(buffer: Option<&js_sys::ArrayBuffer>, file: Option<&web_sys::File>) -> Bytes {
        match (buffer, file) {
            (None, Some(file)) => Bytes::Reading(JsFuture::from(file.array_buffer())),
            (buffer, _) => Bytes::Here(buffer.map(from_buffer)),
        }
    }

    async fn arrived(self) -> Result<Option<Vec<u8>>, String> {
        match self {
            Bytes::Here(bytes) => Ok(bytes),
            Bytes::Reading(read) => {
                let buffer = read.await.map_err(describe)?;
                let buffer = buffer.dyn_into::<js_sys::ArrayBuffer>().map_err(describe)?;
                Ok(Some(from_buffer(&buffer)))
            }
        }
    }
}

/// The requests in the order they came: each is handled after the one before it (a tile before
/// the export that follows it), though the files they name are read all at once.
struct Inbox {
    scope: DedicatedWorkerGlobalScope,
    engine: RefCell<Engine>,
    /// Shared with the engine's [`BlobFiles`].
    picked: PickedSlot,
    queue: RefCell<VecDeque<Queued>>,
    draining: Cell<bool>,
}

impl Inbox {
    fn receive(self: &Rc<Self>, event: &MessageEvent) {
        match unpack::<Request>(&event.data()) {
            Ok(envelope) => {
                let bytes = Bytes::of(envelope.buffer.as_ref(), envelope.file.as_ref());
                let (file, files) = (envelope.file, envelope.files);
                self.queue.borrow_mut().push_back(Queued { request: envelope.message, bytes, file, files });
                if !self.draining.replace(true) {
                    spawn_local(Rc::clone(self).drain());
                }
            }
            Err(reason) => post(&self.scope, &Response::Error { session: None, reason }, None, 0.0),
        }
    }

    async fn drain(self: Rc<Self>) {
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(Queued { request, bytes, file, files }) = next else {
                self.draining.set(false);
                return;
            };
            if let Request::ExportStreamed { session, grid, tiles, export } = request {
                let started = now();
                let outcome = export_streamed(&self.scope, session, grid, tiles, export, files).await;
                post(&self.scope, &Response::ExportWritten { session, outcome }, None, now() - started);
                continue;
            }
            if let Request::CheckSeamsStreamed { session, grid, tiles, pass } = request {
                let started = now();
                let outcome = sources(tiles, files.as_ref())
                    .and_then(|sources| stream_export::check_seams(grid, sources, &pass));
                post(&self.scope, &Response::SeamsChecked { session, outcome }, None, now() - started);
                continue;
            }
            let bytes = bytes.arrived().await;
            let started = now();
            *self.picked.borrow_mut() = file;
            let reply = match bytes {
                // Only this loop borrows the engine, one request at a time.
                Ok(bytes) => self.engine.borrow_mut().handle(request, bytes),
                Err(reason) => Some((unreadable(request, reason), None)),
            };
            self.picked.borrow_mut().take();
            if let Some((response, bytes)) = reply {
                post(&self.scope, &response, bytes.as_deref(), now() - started);
            }
        }
    }
}

/// Runs the worker: installs the message handler, then says it is ready. Called by the
/// `preview_worker` binary's `main`.
pub fn serve() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        web_sys::console::error_1(&"preview_worker must run in a dedicated Web Worker".into());
        return;
    };
    let picked = PickedSlot::default();
    let inbox = Rc::new(Inbox {
        scope: scope.clone(),
        engine: RefCell::new(Engine::with_files(Box::new(BlobFiles::new(picked.clone())))),
        picked,
        queue: RefCell::new(VecDeque::new()),
        draining: Cell::new(false),
    });
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| inbox.receive(&event));
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker does.
    on_message.forget();
    post(&scope, &Response::Ready, None, 0.0);
}

/// Writes a streamed export (see [`stream_export`]), telling the page how far it is.
async fn export_streamed(
    scope: &DedicatedWorkerGlobalScope,
    session: SessionId,
    grid: tilemerge::Grid,
    tiles: Vec<(tilemerge::TileId, Option<String>)>,
    export: StreamedExport,
    files: Option<js_sys::Array>,
) -> Result<(String, u64), String> {
    let total = tiles.len();
    let sources = sources(tiles, files.as_ref())?;
    let mut progress = |placed: usize| {
        post(scope, &Response::ExportProgress { session, placed, total }, None, 0.0);
    };
    let bytes = stream_export::export(&export, grid, sources, &mut progress).await?;
    Ok((stream_export::EXPORT_NAME.to_string(), bytes))
}

/// Where each tile of a streamed export or seam check is read from: its URL, or the picked file
/// at its place in `files`.
fn sources(
    tiles: Vec<(tilemerge::TileId, Option<String>)>,
    files: Option<&js_sys::Array>,
) -> Result<Vec<(tilemerge::TileId, TileSource)>, String> {
    tiles
        .into_iter()
        .enumerate()
        .map(|(i, (tile, url))| {
            let source = match url {
                Some(url) => TileSource::Url(url),
                None => {
                    let file = files.map(|f| f.get(i as u32)).and_then(|f| f.dyn_into().ok());
                    TileSource::Picked(file.ok_or_else(|| format!("the file of {tile} did not come"))?)
                }
            };
            Ok((tile, source))
        })
        .collect()
}

/// The answer to a request whose file could not be read: the tile fails with the reason.
fn unreadable(request: Request, reason: String) -> Response {
    let reason = format!("cannot read the file: {reason}");
    match request {
        Request::Tile { session, tile, .. } => Response::Failed { session, tile, reason },
        _ => Response::Error { session: None, reason },
    }
}

/// Posts a response, moving its bytes to the page, with the milliseconds spent on it.
fn post(scope: &DedicatedWorkerGlobalScope, response: &Response, bytes: Option<&[u8]>, busy: f64) {
    let buffer = bytes.map(to_buffer);
    let sent = pack(response, buffer.as_ref()).and_then(|(message, transfer)| {
        set_memory(&message, wasm_memory_bytes())?;
        set_busy(&message, busy)?;
        scope.post_message_with_transfer(&message, &transfer).map_err(describe)
    });
    if let Err(reason) = sent {
        web_sys::console::error_1(&format!("preview worker cannot answer: {reason}").into());
    }
}
