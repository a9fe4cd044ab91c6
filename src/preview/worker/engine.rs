//! What a worker does with requests, without any JavaScript: sessions that keep their tiles'
//! files as received and decode only what is asked for. Natively testable; [`super::serve`]
//! only moves messages and bytes.

use std::collections::HashMap;

use tilemerge::view::{pass_range, pixel_values, placed_tile_at, render_packed_rgba8, Channel, Mapping};
use tilemerge::{
    check_blocks, export_exr_from_files, read_info, Canvas, CanvasOptions, ExrInfo, ExrOptions, Grid,
    PassInfo, PassKind, PassSelection, Rect, Resolution, TileError, TileId, TileState,
};

use tilemerge::decode::DEFAULT_MAX_DECODED_BYTES;
use tilemerge::DecodeError;

use super::protocol::{DrawnTile, Holding, Measurement, Request, Response, SessionId, TileDraw};
use crate::preview::seams::{seam_map_rgba, SeamCheck};
use crate::preview::view::ProbeReading;

/// An answer and the bytes that travel with it.
pub type Reply = (Response, Option<Vec<u8>>);

/// The sessions one worker holds.
pub struct Engine {
    sessions: HashMap<SessionId, Session>,
    levels: HashMap<SessionId, LevelsSession>,
    /// Where levels sessions keep their tiles' files.
    files: Box<dyn TileFiles>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::with_files(Box::new(HeldFiles::default()))
    }
}

impl Engine {
    /// An engine whose levels sessions keep their files in `files`.
    pub fn with_files(files: Box<dyn TileFiles>) -> Engine {
        Engine { sessions: HashMap::new(), levels: HashMap::new(), files }
    }

    /// Carries out a request; `bytes` is the buffer that came with it. Returns the answer and the
    /// bytes to send back with it, or `None` for requests that need no answer (`Begin`, `End`).
    /// Every failure becomes a response: nothing here panics.
    pub fn handle(&mut self, request: Request, bytes: Option<Vec<u8>>) -> Option<Reply> {
        let id = request.session();
        if matches!(request, Request::Begin { .. } | Request::End { .. }) {
            self.sessions.remove(&id);
            if self.levels.remove(&id).is_some() {
                self.files.forget(id);
            }
        } else if let Some(held) = self.levels.get_mut(&id) {
            return Some(held.handle(request, bytes, self.files.as_mut()));
        }
        let reply = match request {
            Request::Begin { session, grid, holding: Holding::Levels { base } } => {
                self.levels.insert(session, LevelsSession::new(session, grid, base));
                return None;
            }
            Request::Begin { session, grid, holding } => {
                self.sessions.insert(session, Session::new(grid, holding));
                return None;
            }
            Request::Tile { session, tile, draw } => {
                let Some(held) = self.sessions.get_mut(&session) else {
                    return Some((unknown(session), None));
                };
                let Some(bytes) = bytes else {
                    let reason = "no file bytes came with the tile".to_string();
                    return Some((Response::Failed { session, tile, reason }, None));
                };
                match held.add(tile, bytes) {
                    Ok(added) => {
                        let drawn = held.draw_placed(added.placed, draw).map(|(d, p)| (d, added.placed, p));
                        added.answer(session, tile, drawn)
                    }
                    Err(reason) => (Response::Failed { session, tile, reason }, None),
                }
            }
            Request::Render { session, pass, channel, mapping } => match self.canvas(session, &pass) {
                Ok(canvas) => render(canvas, session, &pass, channel, mapping),
                Err(response) => (response, None),
            },
            Request::Range { session, ticket, pass, channel } => match self.canvas(session, &pass) {
                Ok(canvas) => (range(canvas, session, ticket, &pass, channel), None),
                Err(response) => (response, None),
            },
            Request::Probe { session, pass, x, y } => match self.canvas(session, &pass) {
                Ok(canvas) => (probe(canvas, session, &pass, x, y), None),
                Err(response) => (response, None),
            },
            Request::ExportStreamed { session, .. } | Request::CheckSeamsStreamed { session, .. } => (
                Response::Error {
                    session: Some(session),
                    reason: "a streamed export or seam check is made by the worker's message loop".into(),
                },
                None,
            ),
            Request::Detail { session, .. } => (
                Response::Error {
                    session: Some(session),
                    reason: "a detail is drawn only for a frame previewed in levels".into(),
                },
                None,
            ),
            Request::Export { session, layout, compression } => {
                let Some(held) = self.sessions.get(&session) else {
                    return Some((unknown(session), None));
                };
                match held.export(&ExrOptions { layout, compression, ..ExrOptions::DEFAULT }) {
                    Ok(exr) => (Response::Exported { session }, Some(exr)),
                    Err(reason) => (Response::Error { session: Some(session), reason }, None),
                }
            }
            Request::CheckSeams { session, pass } => {
                let Some(held) = self.sessions.get(&session) else {
                    return Some((unknown(session), None));
                };
                let size = held.grid.image;
                match held.check_seams(&pass) {
                    Ok((check, rgba)) => (
                        Response::Seams { session, check, width: size.width, height: size.height },
                        Some(rgba),
                    ),
                    Err(reason) => (Response::Error { session: Some(session), reason }, None),
                }
            }
            Request::Metadata { session, ticket, tile } => {
                let Some(held) = self.sessions.get(&session) else {
                    return Some((unknown(session), None));
                };
                match held.metadata(tile) {
                    Ok(found) => (Response::Metadata { session, ticket, found }, None),
                    Err(reason) => (Response::Error { session: Some(session), reason }, None),
                }
            }
            Request::HistogramRange { session, ticket, pass, channel, region, scale } => {
                let reply = match self.canvas(session, &pass) {
                    Ok(canvas) => measure::histogram_range(
                        canvas,
                        session,
                        ticket,
                        (pass.as_str(), channel),
                        region,
                        scale,
                    ),
                    Err(response) => response,
                };
                (unmeasured(reply, ticket, Measurement::Histogram), None)
            }
            Request::HistogramCounts { session, ticket, pass, channel, region, options } => {
                let reply = match self.canvas(session, &pass) {
                    Ok(canvas) => measure::histogram_counts(
                        canvas,
                        session,
                        ticket,
                        (pass.as_str(), channel),
                        region,
                        options,
                    ),
                    Err(response) => response,
                };
                (unmeasured(reply, ticket, Measurement::Histogram), None)
            }
            Request::RegionSums { session, ticket, pass, region } => {
                let reply = match self.canvas(session, &pass) {
                    Ok(canvas) => measure::region_sums_of(canvas, session, ticket, &pass, region),
                    Err(response) => response,
                };
                (unmeasured(reply, ticket, Measurement::Region), None)
            }
            Request::Reference { session } => {
                let Some(held) = self.sessions.get_mut(&session) else {
                    return Some((unknown(session), None));
                };
                let outcome = match bytes {
                    Some(bytes) => held.take_reference(bytes),
                    None => Err("no file bytes came with the reference".to_string()),
                };
                (Response::Referenced { session, outcome }, None)
            }
            Request::Compare { session, ticket, pass, other, threshold, view } => {
                let Some(held) = self.sessions.get_mut(&session) else {
                    return Some((unknown(session), None));
                };
                compare::compare(held, session, ticket, (&pass, &other), threshold, view)
            }
            Request::RenderOther { session, ticket, other, channel, mapping } => {
                let Some(held) = self.sessions.get_mut(&session) else {
                    return Some((unknown(session), None));
                };
                compare::render_other(held, session, ticket, &other, channel, mapping)
            }
            Request::OtherJobTile { session, job, grid, tile } => {
                let Some(held) = self.sessions.get_mut(&session) else {
                    return Some((unknown(session), None));
                };
                compare::take_job_tile(held, session, (job, grid, tile), bytes)
            }
            Request::End { .. } => return None,
        };
        Some(reply)
    }

    /// The canvas of `session` holding `pass` (decoded from the kept files if it held another),
    /// or the response saying why not.
    pub fn canvas(&mut self, session: SessionId, pass: &str) -> Result<&Canvas, Response> {
        let held = self.sessions.get_mut(&session).ok_or_else(|| unknown(session))?;
        held.canvas_for(pass).map_err(|reason| Response::Error { session: Some(session), reason })
    }

    /// A session, to look at.
    pub fn session(&self, session: SessionId) -> Option<&Session> {
        self.sessions.get(&session)
    }
}

/// What a session says of a tile it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    /// The part of the tile's core its file holds.
    pub placed: Rect,
    /// Every pass of the tile (full names).
    pub passes: Vec<String>,
    /// Bytes per pixel of its largest pass.
    pub pixel_bytes: u64,
    /// The render time in its header, in seconds.
    pub render_seconds: Option<f64>,
}

impl Added {
    /// The answer for the tile, with its pixels when it was drawn as placed (the drawing, where
    /// on the canvas they go, the pixels).
    pub fn answer(
        self,
        session: SessionId,
        tile: TileId,
        drawn: Option<(DrawnTile, Rect, Vec<u8>)>,
    ) -> Reply {
        let Added { placed, passes, pixel_bytes, render_seconds } = self;
        let (drawn, drawn_at, pixels) = match drawn {
            Some((d, at, p)) => (Some(Box::new(d)), (at != placed).then_some(at), Some(p)),
            None => (None, None, None),
        };
        let response =
            Response::Placed { session, tile, placed, passes, pixel_bytes, drawn, render_seconds, drawn_at };
        (response, pixels)
    }
}

/// One merge in a worker: its tiles' files as they came (compressed) and, for the preview, a
/// canvas holding only the pass on screen; asked for another pass, the canvas is dropped and
/// decoded again from the files. Memory is the files plus one pass, whatever the tiles hold.
pub struct Session {
    grid: Grid,
    holding: Holding,
    files: Vec<(TileId, Vec<u8>)>,
    /// The passes of the first tile taken, from its header.
    passes: Vec<PassInfo>,
    /// The canvas and the pass it holds.
    canvas: Option<(String, Canvas)>,
    /// The reference file and B of an A/B comparison.
    compare: compare::CompareHeld,
}

impl Session {
    /// An empty session for `grid`.
    pub fn new(grid: Grid, holding: Holding) -> Session {
        Session {
            grid,
            holding,
            files: Vec::new(),
            passes: Vec::new(),
            canvas: None,
            compare: Default::default(),
        }
    }

    /// Takes a tile's file: refuses it from its header alone when it is not one of the grid's
    /// tiles or not the size Blender renders for it (so a header claiming a huge image is never
    /// decoded); for the preview, decodes the pass on screen onto the canvas. Returns why not, in
    /// words, when the tile cannot be used.
    pub fn add(&mut self, tile: TileId, bytes: Vec<u8>) -> Result<Added, String> {
        let refuse = |error: TileError| error.to_string();
        let (info, placed, pixel_bytes) = checked(&self.grid, tile, &bytes)?;
        if self.passes.is_empty() {
            self.passes = info.passes.clone();
        }
        let placed = match self.holding {
            // A levels session is held by a `LevelsSession`, never by this one.
            Holding::Files | Holding::Levels { .. } => placed,
            Holding::Picture => {
                // Only one pass is decoded: the rest of the file is checked for its blocks, so a
                // tile cut short fails now rather than when another pass is shown or exported.
                check_blocks(&bytes).map_err(|e| refuse(TileError::Decode(e)))?;
                let (_, canvas) = self.canvas.get_or_insert_with(|| {
                    let pass = default_pass(&info.passes);
                    let canvas = Canvas::new(self.grid, one_pass(&pass, false));
                    (pass, canvas)
                });
                canvas.add(tile, &bytes).map_err(|problem| problem.error.to_string())?.placed
            }
        };
        let render_seconds = measure::render_seconds(&bytes);
        self.compare.merge_changed();
        self.files.retain(|(t, _)| *t != tile);
        self.files.push((tile, bytes));
        let passes = info.passes.iter().map(PassInfo::full_name).collect();
        Ok(Added { placed, passes, pixel_bytes, render_seconds })
    }

    /// The canvas holding `pass`, decoded again from the files when it held another pass. A
    /// tile that cannot be decoded in this pass is left off (its region is not drawn).
    pub fn canvas_for(&mut self, pass: &str) -> Result<&Canvas, String> {
        if self.canvas.as_ref().is_none_or(|(held, _)| held != pass) {
            if !self.passes.is_empty() && !self.passes.iter().any(|p| p.full_name() == pass) {
                let names: Vec<String> = self.passes.iter().map(PassInfo::full_name).collect();
                return Err(format!("there is no pass {pass:?}; the tiles have {}", names.join(", ")));
            }
            // The old pass goes before the new one is decoded: never two passes at once.
            self.canvas = None;
            let mut canvas = Canvas::new(self.grid, one_pass(pass, false));
            for (tile, bytes) in &self.files {
                // Recorded on the canvas as failed, and so not drawn.
                let _ = canvas.add(*tile, bytes);
            }
            self.canvas = Some((pass.to_string(), canvas));
        }
        self.canvas.as_ref().map(|(_, canvas)| canvas).ok_or_else(|| "the canvas is gone".to_string())
    }

    /// The pixels of a tile just placed, drawn with `draw` when the canvas holds a colour pass
    /// (which needs no range of the whole image): the page shows them at once. `None` for a data
    /// pass, a session of files, or no `draw` asked.
    pub fn draw_placed(&self, placed: Rect, draw: Option<TileDraw>) -> Option<(DrawnTile, Vec<u8>)> {
        let draw = draw?;
        let (pass, canvas) = self.canvas.as_ref()?;
        let (info, _) = canvas.pass_samples(pass)?;
        if info.kind() != PassKind::Colour {
            return None;
        }
        let mapping = Mapping::Srgb { exposure: draw.exposure };
        let (_, pixels) = render_packed_rgba8(canvas, pass, draw.channel, mapping, &[placed]).ok()?;
        Some((DrawnTile { pass: pass.clone(), draw }, pixels))
    }

    /// The passes the canvas holds now (one at most).
    pub fn held_passes(&self) -> Vec<String> {
        self.canvas
            .as_ref()
            .map(|(_, canvas)| canvas.passes().iter().map(PassInfo::full_name).collect())
            .unwrap_or_default()
    }

    /// Compares neighbouring tiles' overscan in `pass`, on a canvas of that pass alone that is
    /// dropped before the map is coloured.
    pub fn check_seams(&self, pass: &str) -> Result<(SeamCheck, Vec<u8>), String> {
        let mut canvas = Canvas::new(self.grid, one_pass(pass, true));
        for (tile, bytes) in &self.files {
            canvas.add(*tile, bytes).map_err(|problem| problem.to_string())?;
        }
        let check = SeamCheck::from_report(pass, &canvas.seam_report());
        let map = canvas.seam_map(pass).ok_or_else(|| format!("there is no pass {pass:?}"))?;
        drop(canvas);
        Ok((check, seam_map_rgba(&map)))
    }

    /// The merged EXR, written from the files one pass at a time.
    pub fn export(&self, options: &ExrOptions) -> Result<Vec<u8>, String> {
        let files: Vec<(TileId, &[u8])> = self.files.iter().map(|(t, b)| (*t, b.as_slice())).collect();
        export_exr_from_files(&self.grid, &files, options).map_err(|e| e.to_string())
    }
}

/// A tile's header, where its file goes and what a pixel of its largest pass takes, checked
/// from the header alone: a file that is not one of the grid's tiles, not the size Blender
/// renders for it, or whose one pass could not be decoded, is refused before any decoding.
fn checked(grid: &Grid, tile: TileId, bytes: &[u8]) -> Result<(ExrInfo, Rect, u64), String> {
    let refuse = |error: TileError| error.to_string();
    if !grid.contains(tile) {
        return Err(refuse(TileError::NotInGrid { image: grid.image, tile: grid.tile }));
    }
    let info = read_info(bytes).map_err(|e| refuse(TileError::Decode(e)))?;
    let placed = match grid.resolve(tile, info.size) {
        Resolution::Exact { placed, .. } | Resolution::Explained { placed, .. } => placed,
        Resolution::Unplaceable(mismatch) => return Err(refuse(TileError::Size(mismatch))),
    };
    // One pass of the tile is decoded at a time: refused here when even that could not be.
    let pixel_bytes = info.passes.iter().map(pixel_bytes).max().unwrap_or(0);
    let decoded = info.size.area().saturating_mul(pixel_bytes);
    if decoded > DEFAULT_MAX_DECODED_BYTES {
        return Err(refuse(TileError::Decode(DecodeError::TooLarge {
            width: info.size.width.into(),
            height: info.size.height.into(),
            bytes: decoded,
            limit: DEFAULT_MAX_DECODED_BYTES,
        })));
    }
    Ok((info, placed, pixel_bytes))
}

/// Canvas options decoding `pass` alone.
fn one_pass(pass: &str, seams: bool) -> CanvasOptions {
    CanvasOptions::only(PassSelection::Only(vec![pass.to_string()]), seams)
}

/// The pass shown first: the combined image when there is one (as the page chooses).
fn default_pass(passes: &[PassInfo]) -> String {
    let names: Vec<String> = passes.iter().map(PassInfo::full_name).collect();
    names.iter().find(|p| p.ends_with("Combined")).or(names.first()).cloned().unwrap_or_default()
}

/// Bytes a pixel of a pass takes.
fn pixel_bytes(pass: &PassInfo) -> u64 {
    pass.channels.iter().map(|c| c.sample_type.bytes() as u64).sum()
}

/// The answer to a request for a session this worker does not hold.
/// A measuring request's error, with the ticket its panel waits on.
fn unmeasured(reply: Response, ticket: u32, measurement: Measurement) -> Response {
    match reply {
        Response::Error { session: Some(session), reason } => {
            Response::Unmeasured { session, ticket, measurement, reason }
        }
        other => other,
    }
}

fn unknown(session: SessionId) -> Response {
    Response::Error { session: Some(session), reason: format!("this worker has no merge {session}") }
}

/// Draws `channel` of `pass` over this canvas' placed tiles: their regions' pixels, packed.
pub fn render(canvas: &Canvas, session: SessionId, pass: &str, channel: Channel, mapping: Mapping) -> Reply {
    let regions = placed_regions(canvas);
    if regions.is_empty() {
        // A worker whose tiles all failed has nothing to draw, which is not an error.
        return (Response::Rendered { session, regions }, None);
    }
    match render_packed_rgba8(canvas, pass, channel, mapping, &regions) {
        Ok((regions, rgba)) => (Response::Rendered { session, regions }, Some(rgba)),
        Err(e) => (Response::Error { session: Some(session), reason: e.to_string() }, None),
    }
}

/// The kind of `pass` and the range of `channel` over this canvas' placed pixels.
pub fn range(canvas: &Canvas, session: SessionId, ticket: u32, pass: &str, channel: Channel) -> Response {
    let regions = placed_regions(canvas);
    if regions.is_empty() {
        return Response::Ranged { session, ticket, kind: None, range: None };
    }
    let Some((info, _)) = canvas.pass_samples(pass) else {
        return Response::Error {
            session: Some(session),
            reason: format!("the merged image has no pass {pass:?}"),
        };
    };
    let kind = info.kind();
    if kind == PassKind::Colour {
        // A colour pass is shown in sRGB, which needs no range: the pass over every pixel that
        // finds it would only delay the drawing.
        return Response::Ranged { session, ticket, kind: Some(kind), range: None };
    }
    match pass_range(canvas, pass, channel, &regions) {
        Ok(range) => Response::Ranged { session, ticket, kind: Some(kind), range },
        Err(e) => Response::Error { session: Some(session), reason: e.to_string() },
    }
}

/// The values of `pass` at a pixel, with the tile they came from, when one of this canvas'
/// placed tiles covers it.
pub fn probe(canvas: &Canvas, session: SessionId, pass: &str, x: u32, y: u32) -> Response {
    let reading = placed_tile_at(canvas, x, y)
        .and_then(|tile| Some(ProbeReading::new(tile, pixel_values(canvas, pass, x, y)?)));
    Response::Probed { session, x, y, reading }
}

/// The pixels written by the tiles placed on this canvas.
fn placed_regions(canvas: &Canvas) -> Vec<Rect> {
    canvas
        .coverage()
        .tiles
        .into_iter()
        .filter_map(|t| match t.state {
            TileState::Placed(p) => Some(p.placed),
            _ => None,
        })
        .collect()
}

mod compare;
mod inspect;
pub mod levels;
mod measure;

use levels::{HeldFiles, LevelsSession, TileFiles};

#[cfg(test)]
mod tests;
