//! The first worker's session of files, shared by the export and the seam check: filled with every
//! placed tile's file when first needed, given up when one of them fails.

use leptos::prelude::*;
use tilemerge::TileId;

use super::{ExportState, Preview, SeamState};
use crate::preview::browser;
use crate::preview::worker::protocol::{Holding, Request, SessionId};

impl Preview {
    /// Writes the merged EXR in the first worker, from the placed tiles' files.
    pub fn export(self) {
        self.export.set(ExportState::Working);
        if self.levels.base.get_untracked().is_some() {
            return self.export_streamed();
        }
        let (layout, compression) = (self.layout.get_untracked(), self.compression.get_untracked());
        self.with_files(move |session| Request::Export { session, layout, compression });
    }

    /// Compares neighbouring tiles' overscan in the pass on screen, in the first worker.
    pub fn check_seams(self) {
        let Some(pass) = self.pass.get_untracked() else { return };
        self.clear_seams();
        self.seams.set(SeamState::Working(pass.clone()));
        if self.levels.base.get_untracked().is_some() {
            return self.check_seams_streamed(pass);
        }
        self.with_files(move |session| Request::CheckSeams { session, pass: pass.clone() });
    }

    /// Whether the first worker is busy with an export or a seam check.
    pub fn files_busy(self) -> bool {
        self.export.with(|e| *e == ExportState::Working)
            || self.seams.with(|s| matches!(s, SeamState::Working(_)))
    }

    /// Forgets the seam check and clears its map: it belonged to another pass or merge.
    pub fn clear_seams(self) {
        self.seams.try_set(SeamState::Idle);
        if let Some(canvas) = self.seam_canvas.get_untracked() {
            let (w, h) = (canvas.width(), canvas.height());
            // Clearing a canvas cannot fail in a way worth telling.
            let _ = browser::reset_canvas(&canvas, w, h);
        }
    }

    /// Sends `request` to the first worker's session of files, first filling it with every placed
    /// tile's file (read again) when it is not filled yet: the export and the seam check share it.
    pub(super) fn with_files(self, request: impl Fn(SessionId) -> Request + 'static) {
        let Some(Some(Ok(plan))) = self.plan.try_get_untracked() else { return };
        if let (Some(session), true) = (self.export_session.get_value(), self.files_sent.get_value()) {
            return self.with_pool(|pool| pool.send(0, &request(session), None));
        }
        let session = self.next_session();
        self.export_session.set_value(Some(session));
        self.files_sent.set_value(false);
        let tiles: Vec<(TileId, usize)> = plan.placed().filter_map(|r| Some((r.tile?, r.file?))).collect();
        self.with_pool(|pool| {
            pool.send(0, &Request::Begin { session, grid: plan.grid, holding: Holding::Files }, None)
        });
        leptos::task::spawn_local(async move {
            for (tile, file) in tiles {
                if !self.wait_for_room(session, Some(0)).await {
                    return;
                }
                if let Err(reason) = self.send_tile(session, tile, file, Some(0)).await {
                    return self.files_failed(session, format!("{tile}: {reason}"));
                }
            }
            if self.export_session.try_get_value() == Some(Some(session)) {
                self.files_sent.set_value(true);
                self.with_pool(|pool| pool.send(0, &request(session), None));
            }
        });
    }

    /// The first worker's session of files lost a tile: what waited for it fails.
    pub(super) fn files_failed(self, session: SessionId, reason: String) {
        // An export or seam check missing a tile the preview shows would be wrong: give it up.
        self.export_session.try_set_value(None);
        self.files_sent.try_set_value(false);
        self.with_pool(|pool| pool.send(0, &Request::End { session }, None));
        self.fail_files_work(reason);
    }

    /// Whatever the first worker was doing for the page failed, and why.
    pub(super) fn fail_files_work(self, reason: String) {
        if self.export.try_get_untracked() == Some(ExportState::Working) {
            self.export.try_set(ExportState::Failed(reason.clone()));
        }
        if matches!(self.seams.try_get_untracked(), Some(SeamState::Working(_))) {
            self.seams.try_set(SeamState::Failed(reason));
        }
    }
}
