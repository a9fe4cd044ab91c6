//! A/B comparison in a worker: the reference EXR or another job's tiles kept as they came
//! (compressed), B's pass decoded only when compared or shown, and this worker's share of the
//! figures: its placed tiles only, so the page merges every worker's sums into exact figures over
//! the whole image.

use tilemerge::analysis::{
    difference_rgba8, placed_tiles, ChannelPairing, CompareOptions, DifferencePartial, DifferenceView,
    PassView,
};
use tilemerge::view::{render_packed_rgba8, Channel, Mapping};
use tilemerge::{check_blocks, read_info, Canvas, Grid, PassInfo, Rect, TileId};

use super::{one_pass, Reply, Session};
use crate::preview::worker::protocol::{Other, Response, SessionId};

mod other_job;

use other_job::{pieces, JobFiles};

/// What a session keeps for comparisons.
#[derive(Default)]
pub struct CompareHeld {
    /// The reference EXR's file as it came: only the pass compared is decoded.
    reference: Option<Vec<u8>>,
    /// Another job's tiles, as they came.
    job: Option<JobFiles>,
    /// B, decoded: one pass of the reference or of the merge.
    other: Option<(Other, Canvas)>,
}

impl CompareHeld {
    /// The merge's tiles changed: B decoded from them is out of date.
    pub fn merge_changed(&mut self) {
        if matches!(self.other, Some((Other::Pass(_), _))) {
            self.other = None;
        }
    }
}

/// This worker's answer to a `Compare`, before it is put in a response.
pub struct CompareShare {
    /// Its sums, `None` when it has no tile placed.
    pub partial: Option<DifferencePartial>,
    /// The difference picture (whole image, of which only `regions` are this worker's).
    pub rgba: Option<Vec<u8>>,
    pub regions: Vec<Rect>,
}

impl Session {
    /// Keeps a reference file, after checking from its header that it is an EXR of the merge's
    /// size and from its blocks that none is cut short. Returns its passes (full names).
    pub fn take_reference(&mut self, bytes: Vec<u8>) -> Result<Vec<String>, String> {
        let info =
            read_info(&bytes).map_err(|e| format!("the reference file cannot be read as an EXR: {e}"))?;
        let (size, image) = (info.size, self.grid.image);
        if size != image {
            return Err(format!(
                "the reference file is {size} pixels but the merge is {image}: they cannot be compared"
            ));
        }
        check_blocks(&bytes).map_err(|e| format!("the reference file is damaged: {e}"))?;
        // A new reference replaces the old one and whatever was decoded from it.
        self.compare.other = None;
        self.compare.reference = Some(bytes);
        Ok(info.passes.iter().map(PassInfo::full_name).collect())
    }

    /// B's canvas, decoded now unless it already holds `other`. One B at a time, dropped before
    /// the next is decoded.
    fn other_canvas(&mut self, other: &Other) -> Result<&Canvas, String> {
        if self.compare.other.as_ref().is_none_or(|(held, _)| held != other) {
            self.compare.other = None;
            let canvas = match other {
                Other::Pass(pass) => {
                    let mut canvas = Canvas::new(self.grid, one_pass(pass, false));
                    for (tile, bytes) in &self.files {
                        // Recorded on the canvas as failed, and so not compared.
                        let _ = canvas.add(*tile, bytes);
                    }
                    canvas
                }
                Other::Reference(pass) => {
                    let bytes = self.compare.reference.as_ref().ok_or("no reference file has been picked")?;
                    // The whole frame is one tile of a grid without overscan.
                    let image = self.grid.image;
                    let grid = Grid::new(image, image, 0).map_err(|e| e.to_string())?;
                    let tile = TileId { x0: 0, y0: 0, x1: image.width, y1: image.height };
                    let mut canvas = Canvas::new(grid, one_pass(pass, false));
                    canvas.add(tile, bytes).map_err(|p| format!("the reference file: {}", p.error))?;
                    canvas
                }
                Other::Job { job, pass } => {
                    let held = self.compare.job.as_ref().filter(|held| held.job == *job);
                    let held = held.ok_or("the other job's tiles have not been sent to this worker")?;
                    // B's own grid: its tiles may be of another size than A's.
                    let mut canvas = Canvas::new(held.grid, one_pass(pass, false));
                    for (tile, bytes) in &held.files {
                        // Recorded on the canvas as failed, and so left out like a missing tile.
                        let _ = canvas.add(*tile, bytes);
                    }
                    canvas
                }
            };
            if canvas.pass_samples(other_pass(other)).is_none() {
                return Err(format!("{} has no pass {:?}", describe(other), other_pass(other)));
            }
            self.compare.other = Some((other.clone(), canvas));
        }
        self.compare.other.as_ref().map(|(_, canvas)| canvas).ok_or_else(|| "B is gone".to_string())
    }

    /// Compares `pass` of this worker's tiles with B and draws the difference.
    pub fn compare(
        &mut self,
        pass: &str,
        other: &Other,
        threshold: f32,
        view: DifferenceView,
    ) -> Result<CompareShare, String> {
        let placed = placed_tiles(self.canvas_for(pass)?);
        if placed.is_empty() {
            // This worker holds no tile of the merge: nothing to compare, which is no error.
            return Ok(CompareShare { partial: None, rgba: None, regions: Vec::new() });
        }
        self.other_canvas(other)?;
        let (Some((_, a)), Some((_, b))) = (&self.canvas, &self.compare.other) else {
            return Err("the merge holds no pixels".to_string());
        };
        let view_a = PassView::of_canvas(a, pass).map_err(|e| e.to_string())?;
        let view_b = PassView::of_canvas(b, other_pass(other)).map_err(|e| e.to_string())?;
        let pairing = match other {
            Other::Reference(_) | Other::Job { .. } => ChannelPairing::Same,
            Other::Pass(_) => ChannelPairing::Shared,
        };
        let options = CompareOptions { threshold, pairing, ..CompareOptions::default() };
        let (tiles, mine): (Vec<(TileId, Rect)>, Vec<bool>) = match other {
            // Only where B has pixels: each of A's tiles cut by B's placed tiles.
            Other::Job { .. } => pieces(&self.grid, &placed, &placed_tiles(b)),
            // Every worker lists the whole grid in the same order (its own tiles with the part
            // it placed), so the page can merge the shares tile by tile.
            _ => self
                .grid
                .tiles()
                .into_iter()
                .map(|tile| match placed.iter().find(|(t, _)| *t == tile) {
                    Some(&(_, rect)) => ((tile, rect), true),
                    None => ((tile, self.grid.core(tile)), false),
                })
                .unzip(),
        };
        let partial =
            DifferencePartial::share(&view_a, &view_b, options, &tiles, &mine).map_err(|e| e.to_string())?;
        let rgba = difference_rgba8(&view_a, &view_b, pairing, view).map_err(|e| e.to_string())?;
        let regions = tiles.iter().zip(&mine).filter(|(_, m)| **m).map(|((_, r), _)| *r);
        Ok(CompareShare {
            partial: Some(partial),
            rgba: Some(rgba),
            regions: regions.filter(|r| !r.is_empty()).collect(),
        })
    }

    /// Draws B over this worker's placed tiles (the regions of A it holds).
    pub fn render_other(
        &mut self,
        other: &Other,
        channel: Channel,
        mapping: Mapping,
    ) -> Result<(Option<Vec<u8>>, Vec<Rect>), String> {
        let regions: Vec<Rect> = match &self.canvas {
            Some((_, a)) => placed_tiles(a).into_iter().map(|(_, r)| r).collect(),
            None => Vec::new(),
        };
        if regions.is_empty() {
            return Ok((None, regions));
        }
        let b = self.other_canvas(other)?;
        let (regions, rgba) = render_packed_rgba8(b, other_pass(other), channel, mapping, &regions)
            .map_err(|e| e.to_string())?;
        Ok((Some(rgba), regions))
    }
}

/// The pass B names.
fn other_pass(other: &Other) -> &str {
    match other {
        Other::Reference(pass) | Other::Pass(pass) | Other::Job { pass, .. } => pass,
    }
}

/// B in words, for messages.
fn describe(other: &Other) -> &'static str {
    match other {
        Other::Reference(_) => "the reference file",
        Other::Pass(_) => "the merge",
        Other::Job { .. } => "the other job's merge",
    }
}

/// Carries out `Compare`.
pub fn compare(
    held: &mut Session,
    session: SessionId,
    ticket: u32,
    (pass, other): (&str, &Other),
    threshold: f32,
    view: DifferenceView,
) -> Reply {
    let (width, height) = (held.grid.image.width, held.grid.image.height);
    match held.compare(pass, other, threshold, view) {
        Ok(share) => (
            Response::Compared {
                session,
                ticket,
                outcome: Ok(share.partial.map(Box::new)),
                width,
                height,
                regions: share.regions,
            },
            share.rgba,
        ),
        Err(reason) => (
            Response::Compared { session, ticket, outcome: Err(reason), width, height, regions: Vec::new() },
            None,
        ),
    }
}

/// Carries out `OtherJobTile`.
pub fn take_job_tile(
    held: &mut Session,
    session: SessionId,
    (job, grid, tile): (String, Grid, TileId),
    bytes: Option<Vec<u8>>,
) -> Reply {
    let outcome = match bytes {
        Some(bytes) => held.take_job_tile(&job, grid, tile, bytes),
        None => Err("no file bytes came with the tile".to_string()),
    };
    (Response::OtherJobTile { session, job, tile, outcome }, None)
}

/// Carries out `RenderOther`.
pub fn render_other(
    held: &mut Session,
    session: SessionId,
    ticket: u32,
    other: &Other,
    channel: Channel,
    mapping: Mapping,
) -> Reply {
    let (width, height) = (held.grid.image.width, held.grid.image.height);
    match held.render_other(other, channel, mapping) {
        Ok((rgba, regions)) => (Response::RenderedOther { session, ticket, width, height, regions }, rgba),
        Err(reason) => (Response::Error { session: Some(session), reason }, None),
    }
}

#[cfg(test)]
mod job_tests;
#[cfg(test)]
mod tests;
