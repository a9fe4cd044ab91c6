//! What the page does with each worker's answer.

use js_sys::ArrayBuffer;
use leptos::prelude::*;

use super::{Preview, SeamState};
use crate::preview::browser;
use crate::preview::model::TileStatus;
use crate::preview::worker::protocol::Response;

impl Preview {
    /// Handles a worker's answer.
    pub(super) fn answer(self, response: Response, buffer: Option<ArrayBuffer>) {
        let current = self.session.try_get_value();
        let exporting = self.export_session.try_get_value().flatten();
        match response {
            Response::Ready => {}
            Response::Placed {
                session,
                tile,
                placed,
                passes,
                pixel_bytes,
                drawn,
                render_seconds,
                drawn_at,
            } if Some(session) == current => {
                self.refine_memory(pixel_bytes);
                self.note_render_time(tile, render_seconds);
                if !self.live.get_untracked() {
                    return;
                }
                // Every tile reports the same passes: the list changes (and redraws) only when new.
                if self.passes.with_untracked(|known| passes.iter().any(|p| !known.0.contains(p))) {
                    self.passes.update(|p| p.merge(&passes));
                }
                if self.pass.get_untracked().is_none() {
                    self.pass.set(self.passes.with_untracked(|p| p.default_pass().cloned()));
                }
                if let (Some(drawn), Some(pixels)) = (drawn, buffer) {
                    self.placed_drawn(session, drawn_at.unwrap_or(placed), *drawn, pixels);
                }
                self.settle(session, tile, TileStatus::Placed);
            }
            Response::Failed { session, tile, reason } if Some(session) == current => {
                self.settle(session, tile, TileStatus::Failed(reason));
            }
            Response::Failed { session, tile, reason } if Some(session) == exporting => {
                self.files_failed(session, format!("{tile}: {reason}"));
            }
            Response::Rendered { session, regions } if Some(session) == current => {
                let started = browser::now();
                let drawn = match (self.canvas.get_untracked(), buffer) {
                    (Some(canvas), Some(rgba)) => browser::draw_packed(&canvas, &regions, &rgba),
                    // A worker with no tiles placed sends no pixels.
                    _ => Ok(()),
                };
                self.times.update_value(|t| t.drawing += browser::now() - started);
                if let Err(e) = drawn {
                    self.problem.set(Some(format!("Cannot draw the image: {e}")));
                }
                self.note_drawn();
            }
            Response::Detailed { session, ticket, regions, .. } if Some(session) == current => {
                self.detailed(ticket, regions, buffer);
            }
            Response::Ranged { session, ticket, kind, range } if Some(session) == current => {
                self.ranged(ticket, kind, range);
            }
            Response::Probed { session, x, y, reading } if Some(session) == current => {
                self.probed(x, y, reading);
            }
            Response::Metadata { session, ticket, found } if Some(session) == current => {
                self.metadata_answered(ticket, found);
            }
            Response::HistogramRanged { session, ticket, series, range } if Some(session) == current => {
                self.histogram_ranged(ticket, series, range);
            }
            Response::HistogramCounted { session, ticket, channels } if Some(session) == current => {
                self.histogram_counted(ticket, channels);
            }
            Response::RegionSummed { session, ticket, channels } if Some(session) == current => {
                self.stats_summed(ticket, channels);
            }
            Response::Unmeasured { session, ticket, measurement, reason } if Some(session) == current => {
                self.unmeasured(ticket, measurement, reason);
            }
            Response::Referenced { session, outcome } if Some(session) == current => {
                self.referenced(session, outcome);
            }
            Response::Compared { session, ticket, outcome, width, height, regions }
                if Some(session) == current =>
            {
                self.compared(ticket, outcome, (width, height, regions), buffer);
            }
            Response::RenderedOther { session, ticket, width, height, regions }
                if Some(session) == current =>
            {
                if let Some(rgba) = buffer {
                    self.rendered_other(ticket, (width, height, regions), rgba);
                }
            }
            Response::OtherJobTile { session, job, tile, outcome } if Some(session) == current => {
                self.other_job_tile(session, job, tile, outcome);
            }
            Response::ExportProgress { session, placed, total } if Some(session) == current => {
                self.export_progressed(placed, total);
            }
            Response::SeamsChecked { session, outcome } if Some(session) == current => {
                self.seams_checked(outcome);
            }
            Response::ExportWritten { session, outcome } if Some(session) == current => {
                self.export_written(outcome);
            }
            Response::Exported { session } if Some(session) == exporting => {
                // The session stays: a seam check or another export reuses its files.
                let url = buffer
                    .ok_or_else(|| "the worker sent no file".to_string())
                    .and_then(|exr| browser::blob_url(&exr, "image/x-exr"));
                self.offer_export(url);
            }
            Response::Seams { session, check, width, height } if Some(session) == exporting => {
                let wanted =
                    self.seams.with_untracked(|s| matches!(s, SeamState::Working(p) if *p == check.pass));
                if !wanted || self.pass.get_untracked().as_ref() != Some(&check.pass) {
                    // Checked for a pass no longer on screen.
                    return;
                }
                let drawn = match (self.seam_canvas.get_untracked(), buffer) {
                    (Some(canvas), Some(rgba)) => {
                        browser::reset_canvas(&canvas, width, height).and_then(|()| {
                            let all = tilemerge::Rect { x: 0, y: 0, width, height };
                            browser::draw_regions(&canvas, width, height, &[all], &rgba)
                        })
                    }
                    _ => Ok(()),
                };
                match drawn {
                    Ok(()) => self.seams.set(SeamState::Ready(check)),
                    Err(e) => self.seams.set(SeamState::Failed(format!("Cannot draw the seam map: {e}"))),
                }
            }
            Response::Error { session, reason } if session.is_some() && session == exporting => {
                self.fail_files_work(reason);
            }
            Response::Error { reason, .. } => self.problem.set(Some(reason)),
            // Answers for a merge that was replaced or cancelled.
            _ => {}
        }
    }
}
