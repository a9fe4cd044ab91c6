//! The export of a frame previewed in levels: the first worker merges the placed tiles again,
//! band by band, into a file of the origin's private file system, and the page offers that file
//! as the download. Neither the page nor a worker ever holds the file; the storage it needs is
//! checked before starting, with the figures.

use leptos::prelude::*;
use tilemerge::TileId;

use super::{ExportState, Preview, SeamState, TileSource, EXR_FILE_NAME};
use crate::preview::browser;
use crate::preview::memory::gb;
use crate::preview::model::Plan;
use crate::preview::seams::SeamCheck;
use crate::preview::worker::protocol::{Request, StreamedExport};

/// The placed tiles as a worker reads them: each with its URL, or with `None` and its picked file
/// at the same place in `files`.
struct PlacedSources {
    tiles: Vec<(TileId, Option<String>)>,
    files: js_sys::Array,
}

impl Preview {
    /// The placed tiles, each with its URL or, with `None`, its picked file at the same place in
    /// the list (a worker reads them itself).
    fn placed_sources(self, plan: &Plan) -> Result<PlacedSources, String> {
        let files = js_sys::Array::new();
        let mut tiles = Vec::new();
        for (i, row) in plan.placed().enumerate() {
            let (Some(tile), Some(file)) = (row.tile, row.file) else { continue };
            match self.sources.try_with_value(|s| s.get(file).cloned()).flatten() {
                Some(TileSource::File(picked)) => {
                    files.set(i as u32, picked.into());
                    tiles.push((tile, None));
                }
                Some(TileSource::Url(url)) => tiles.push((tile, Some(browser::absolute_url(&url)))),
                None => return Err(format!("the file of {tile} is gone")),
            }
        }
        Ok(PlacedSources { tiles, files })
    }

    /// Checks the seams of the pass on screen in the first worker, a band of tile rows at a time.
    pub(super) fn check_seams_streamed(self, pass: String) {
        let Some(Some(Ok(plan))) = self.plan.try_get_untracked() else { return };
        let sent = self.placed_sources(&plan).and_then(|PlacedSources { tiles, files }| {
            let request = Request::CheckSeamsStreamed {
                session: self.session.get_value(),
                grid: plan.grid,
                tiles,
                pass,
            };
            self.pool
                .try_with_value(|pool| pool.as_ref().map(|p| p.send_files(0, &request, &files)))
                .flatten()
                .unwrap_or_else(|| Err("the merge was cancelled".into()))
        });
        if let Err(reason) = sent {
            self.seams.set(SeamState::Failed(reason));
        }
    }

    /// The seam check made a band at a time: shown when it is of the pass on screen.
    pub(super) fn seams_checked(self, outcome: Result<SeamCheck, String>) {
        let wanted =
            |pass: &str| self.seams.with_untracked(|s| matches!(s, SeamState::Working(p) if p == pass));
        match outcome {
            Ok(check) if wanted(&check.pass) => self.seams.set(SeamState::Ready(check)),
            Ok(_) => {}
            Err(reason) => self.seams.set(SeamState::Failed(reason)),
        }
    }

    /// Starts the streamed export of the placed tiles.
    pub(super) fn export_streamed(self) {
        let Some(Some(Ok(plan))) = self.plan.try_get_untracked() else { return };
        let PlacedSources { tiles, files } = match self.placed_sources(&plan) {
            Ok(sources) => sources,
            Err(reason) => return self.export.set(ExportState::Failed(reason)),
        };
        let total = tiles.len();
        // The file is about the tiles' size (their overscan is cut); a multi-part file's later
        // parts wait beside it until the first is written.
        let needed = plan.progress().bytes_total.saturating_mul(2);
        let export = StreamedExport {
            layout: self.layout.get_untracked(),
            compression: self.compression.get_untracked(),
        };
        let request =
            Request::ExportStreamed { session: self.session.get_value(), grid: plan.grid, tiles, export };
        self.levels.export_progress.set(Some((0, total)));
        leptos::task::spawn_local(async move {
            if let Some(room) = browser::storage_room().await {
                if room < needed {
                    return self.export.set(ExportState::Failed(format!(
                        "the file needs about {} of this browser's storage while it is written, and the \
                         browser offers {}; free some, or merge with the tilemerge command line",
                        gb(needed),
                        gb(room)
                    )));
                }
            }
            self.with_pool(|pool| pool.send_files(0, &request, &files));
        });
    }

    /// The streamed export's progress.
    pub(super) fn export_progressed(self, placed: usize, total: usize) {
        self.levels.export_progress.set(Some((placed, total)));
    }

    /// The streamed export is written (or not): its file is offered as the download.
    pub(super) fn export_written(self, outcome: Result<(String, u64), String>) {
        self.levels.export_progress.set(None);
        self.levels.peak_bytes.set(self.pool.with_value(|p| p.as_ref().map(|p| p.peak_memory())));
        let Ok((name, _)) = outcome else {
            let reason = outcome.err().unwrap_or_default();
            return self.export.set(ExportState::Failed(reason));
        };
        leptos::task::spawn_local(async move {
            let url = browser::private_file_url(&name).await;
            self.offer_export(url.map_err(|e| format!("the written file cannot be opened: {e}")));
        });
    }

    /// The exported file at `url` (a `blob:` URL) is downloaded, and offered as a link in case
    /// the download does not start by itself; an earlier export's URL is let go.
    pub(super) fn offer_export(self, url: Result<String, String>) {
        self.export.update(|state| {
            if let ExportState::Ready { url: old, .. } = state {
                browser::revoke(old);
            }
            *state = match url {
                Ok(url) => {
                    let started = browser::start_download(&url, EXR_FILE_NAME).is_ok();
                    ExportState::Ready { url, started }
                }
                Err(e) => ExportState::Failed(e),
            };
        });
    }
}
