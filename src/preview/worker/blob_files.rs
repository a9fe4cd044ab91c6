//! A levels session's tile files, kept as the browser's own `Blob`s rather than in the
//! WebAssembly memory (which only grows): a picked file stays the `File` the user picked (on
//! disk), a fetched one becomes a `Blob` the browser may keep on disk. A worker reads one back
//! with `FileReaderSync`, without waiting on the page.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use tilemerge::TileId;
use web_sys::{Blob, File, FileReaderSync};

use super::engine::levels::TileFiles;
use super::protocol::{describe, from_buffer, SessionId};

/// The picked file the request being handled came with, if any: kept as it is instead of a
/// copy of its bytes.
pub type PickedSlot = Rc<RefCell<Option<File>>>;

/// Tile files as blobs, by session and tile.
pub struct BlobFiles {
    blobs: HashMap<(SessionId, TileId), Blob>,
    picked: PickedSlot,
}

impl BlobFiles {
    /// A store that takes a request's picked file from `picked`.
    pub fn new(picked: PickedSlot) -> BlobFiles {
        BlobFiles { blobs: HashMap::new(), picked }
    }
}

impl TileFiles for BlobFiles {
    fn keep(&mut self, session: SessionId, tile: TileId, bytes: &[u8]) -> Result<(), String> {
        let blob = match self.picked.borrow_mut().take() {
            Some(file) => Blob::from(file),
            None => {
                let copy = js_sys::Uint8Array::from(bytes);
                let parts = js_sys::Array::of1(&copy);
                Blob::new_with_u8_array_sequence(&parts).map_err(describe)?
            }
        };
        self.blobs.insert((session, tile), blob);
        Ok(())
    }

    fn read(&self, session: SessionId, tile: TileId) -> Result<Vec<u8>, String> {
        let blob =
            self.blobs.get(&(session, tile)).ok_or_else(|| format!("the file of {tile} is not kept"))?;
        let reader = FileReaderSync::new().map_err(describe)?;
        let buffer = reader
            .read_as_array_buffer(blob)
            .map_err(|e| format!("cannot read {tile} again: {}", describe(e)))?;
        Ok(from_buffer(&buffer))
    }

    fn forget(&mut self, session: SessionId) {
        self.blobs.retain(|(s, _), _| *s != session);
    }
}
