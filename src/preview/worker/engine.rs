//! What a worker does with requests, without any JavaScript: sessions that keep their tiles'
//! files as received and decode only what is asked for. Natively testable; [`super::serve`]
//! only moves messages and bytes.

use std::collections::HashMap;

use tilemerge::view::{pass_range, pixel_values, placed_tile_at, render_regions_rgba8, Channel, Mapping};
use tilemerge::{
    check_blocks, export_exr_from_files, read_info, Canvas, CanvasOptions, ExrOptions, Grid, PassInfo,
    PassKind, PassSelection, Rect, Resolution, TileError, TileId, TileState,
};

use tilemerge::decode::DEFAULT_MAX_DECODED_BYTES;
use tilemerge::DecodeError;

use super::protocol::{Holding, Request, Response, SessionId};
use crate::preview::seams::{seam_map_rgba, SeamCheck};
use crate::preview::view::ProbeReading;

/// An answer and the bytes that travel with it.
pub type Reply = (Response, Option<Vec<u8>>);

/// The sessions one worker holds.
#[derive(Default)]
pub struct Engine {
    sessions: HashMap<SessionId, Session>,
}

impl Engine {
    /// Carries out a request; `bytes` is the buffer that came with it. Returns the answer and the
    /// bytes to send back with it, or `None` for requests that need no answer (`Begin`, `End`).
    /// Every failure becomes a response: nothing here panics.
    pub fn handle(&mut self, request: Request, bytes: Option<Vec<u8>>) -> Option<Reply> {
        let reply = match request {
            Request::Begin { session, grid, holding } => {
                self.sessions.insert(session, Session::new(grid, holding));
                return None;
            }
            Request::Tile { session, tile } => {
                let Some(held) = self.sessions.get_mut(&session) else {
                    return Some((unknown(session), None));
                };
                let Some(bytes) = bytes else {
                    let reason = "no file bytes came with the tile".to_string();
                    return Some((Response::Failed { session, tile, reason }, None));
                };
                let response = match held.add(tile, bytes) {
                    Ok(added) => Response::Placed {
                        session,
                        tile,
                        placed: added.placed,
                        passes: added.passes,
                        pixel_bytes: added.pixel_bytes,
                    },
                    Err(reason) => Response::Failed { session, tile, reason },
                };
                (response, None)
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
            Request::End { session } => {
                self.sessions.remove(&session);
                return None;
            }
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
}

impl Session {
    /// An empty session for `grid`.
    pub fn new(grid: Grid, holding: Holding) -> Session {
        Session { grid, holding, files: Vec::new(), passes: Vec::new(), canvas: None }
    }

    /// Takes a tile's file: refuses it from its header alone when it is not one of the grid's
    /// tiles or not the size Blender renders for it (so a header claiming a huge image is never
    /// decoded); for the preview, decodes the pass on screen onto the canvas. Returns why not, in
    /// words, when the tile cannot be used.
    pub fn add(&mut self, tile: TileId, bytes: Vec<u8>) -> Result<Added, String> {
        let refuse = |error: TileError| error.to_string();
        if !self.grid.contains(tile) {
            return Err(refuse(TileError::NotInGrid { image: self.grid.image, tile: self.grid.tile }));
        }
        let info = read_info(&bytes).map_err(|e| refuse(TileError::Decode(e)))?;
        let placed = match self.grid.resolve(tile, info.size) {
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
        if self.passes.is_empty() {
            self.passes = info.passes.clone();
        }
        let placed = match self.holding {
            Holding::Files => placed,
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
        self.files.retain(|(t, _)| *t != tile);
        self.files.push((tile, bytes));
        Ok(Added { placed, passes: info.passes.iter().map(PassInfo::full_name).collect(), pixel_bytes })
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
fn unknown(session: SessionId) -> Response {
    Response::Error { session: Some(session), reason: format!("this worker has no merge {session}") }
}

/// Draws `channel` of `pass`: the whole image's pixels, of which only the returned regions (this
/// canvas' placed tiles) hold anything.
pub fn render(canvas: &Canvas, session: SessionId, pass: &str, channel: Channel, mapping: Mapping) -> Reply {
    let size = canvas.size();
    let regions = placed_regions(canvas);
    if regions.is_empty() {
        // A worker whose tiles all failed has nothing to draw, which is not an error.
        return (Response::Rendered { session, width: size.width, height: size.height, regions }, None);
    }
    match render_regions_rgba8(canvas, pass, channel, mapping, &regions) {
        Ok(rgba) => {
            (Response::Rendered { session, width: size.width, height: size.height, regions }, Some(rgba))
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use tilemerge::{decode, Compression, DecodeOptions, ExrLayout, LayoutReport, DEFAULT_OVERSCAN};

    const B5: &str = "b5-multipart-320x180-t64";
    const B42: &str = "b42-singlepart-256x160-t100x70";

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures").join(name)
    }

    fn tiles(name: &str) -> Vec<(String, Vec<u8>)> {
        let dir = fixture(name).join("tiles");
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .expect("fixture tiles")
            .map(|e| {
                let path = e.expect("entry").path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                (name, std::fs::read(&path).expect("tile bytes"))
            })
            .collect();
        files.sort();
        files
    }

    fn begin(engine: &mut Engine, files: &[(String, Vec<u8>)], holding: Holding) {
        let report =
            LayoutReport::infer(files.iter().map(|(n, _)| n.as_str()), DEFAULT_OVERSCAN).expect("inferred");
        engine.handle(Request::Begin { session: 1, grid: report.grid, holding }, None);
    }

    /// Sends every tile; returns the answers.
    fn send_all(engine: &mut Engine, files: &[(String, Vec<u8>)]) -> Vec<Response> {
        files
            .iter()
            .map(|(name, bytes)| {
                let tile = TileId::from_file_name(name).expect("a tile name");
                engine.handle(Request::Tile { session: 1, tile }, Some(bytes.clone())).expect("an answer").0
            })
            .collect()
    }

    fn render(engine: &mut Engine, pass: &str) -> (Response, Option<Vec<u8>>) {
        let request = Request::Render {
            session: 1,
            pass: pass.into(),
            channel: Channel::Rgb,
            mapping: Mapping::Srgb { exposure: 0.0 },
        };
        engine.handle(request, None).expect("an answer")
    }

    #[test]
    fn merges_the_fixture_and_exports_its_full_image() {
        let files = tiles(B5);
        let mut engine = Engine::default();
        begin(&mut engine, &files, Holding::Files);
        for response in send_all(&mut engine, &files) {
            assert!(matches!(response, Response::Placed { pixel_bytes: 16, .. }), "{response:?}");
        }
        let full = std::fs::read(fixture(B5).join("full.exr")).expect("full.exr");
        let full = decode(&full, &DecodeOptions::default()).expect("decodes");
        for compression in [Compression::Zip, Compression::Piz] {
            let request = Request::Export { session: 1, layout: ExrLayout::MultiPart, compression };
            let (response, exr) = engine.handle(request, None).expect("an answer");
            assert_eq!(response, Response::Exported { session: 1 });
            let exr = exr.expect("exr bytes");
            assert_eq!(tilemerge::read_info(&exr).map(|i| i.compression), Ok(compression));
            let exported = decode(&exr, &DecodeOptions::default()).expect("decodes");
            assert_eq!(exported.passes, full.passes);
        }
    }

    #[test]
    fn the_preview_decodes_only_the_pass_on_screen_and_switches_from_the_kept_files() {
        let files = tiles(B5);
        let mut engine = Engine::default();
        begin(&mut engine, &files, Holding::Picture);
        let answers = send_all(&mut engine, &files);
        // Every pass is listed from the header, although only Combined is decoded.
        let Some(Response::Placed { passes, .. }) = answers.first() else { panic!("{answers:?}") };
        assert_eq!(passes.len(), 4, "{passes:?}");
        assert!(passes.contains(&"ViewLayer.Depth".to_string()));
        let held = |engine: &Engine| engine.session(1).map(Session::held_passes).unwrap_or_default();
        assert_eq!(held(&engine), ["ViewLayer.Combined"]);

        let (response, combined) = render(&mut engine, "ViewLayer.Combined");
        assert!(
            matches!(response, Response::Rendered { width: 320, height: 180, ref regions, .. } if regions.len() == 15)
        );
        let (response, depth) = render(&mut engine, "ViewLayer.Depth");
        assert!(
            matches!(response, Response::Rendered { ref regions, .. } if regions.len() == 15),
            "{response:?}"
        );
        assert_eq!(held(&engine), ["ViewLayer.Depth"]);

        // Depth's pixels are those of Depth in a canvas of everything.
        let grid = engine.session(1).map(|s| s.grid).expect("a session");
        let mut whole = Canvas::new(grid, CanvasOptions::default());
        for (name, bytes) in &files {
            whole.add(TileId::from_file_name(name).expect("a tile name"), bytes).expect("placed");
        }
        assert_eq!(depth, tilemerge::preview_rgba8(&whole, "ViewLayer.Depth", 0.0).ok());
        assert_eq!(combined, tilemerge::preview_rgba8(&whole, "ViewLayer.Combined", 0.0).ok());
        assert_ne!(depth, combined);

        let (response, _) = render(&mut engine, "ViewLayer.Mist");
        assert!(
            matches!(&response, Response::Error { reason, .. } if reason.contains("Mist")),
            "{response:?}"
        );
    }

    #[test]
    fn the_seam_check_finds_the_denoised_combined_seams_and_none_on_depth() {
        let files = tiles(B42);
        let mut engine = Engine::default();
        begin(&mut engine, &files, Holding::Files);
        assert!(send_all(&mut engine, &files).iter().all(|r| matches!(r, Response::Placed { .. })));
        let check = |engine: &mut Engine, pass: &str| {
            let request = Request::CheckSeams { session: 1, pass: pass.into() };
            match engine.handle(request, None) {
                Some((Response::Seams { check, width: 256, height: 160, .. }, Some(rgba))) => (check, rgba),
                other => panic!("{other:?}"),
            }
        };
        let (combined, map) = check(&mut engine, "ViewLayer.Combined");
        assert!(combined.max_abs > 0.9 && combined.max_abs < 1.0, "{}", combined.max_abs);
        assert!(combined.verdict().starts_with("Seams up to 0.98"), "{}", combined.verdict());
        assert_eq!(combined.edges.first().map(|e| e.max_abs), Some(combined.max_abs));
        assert_eq!(map.len(), 256 * 160 * 4);
        assert!(map.chunks_exact(4).any(|px| px[3] > 0), "the seams are drawn");

        let (depth, map) = check(&mut engine, "ViewLayer.Depth");
        assert_eq!(depth.verdict(), "Clean: no seams on ViewLayer.Depth");
        assert!(!depth.edges.is_empty());
        assert!(map.iter().all(|b| *b == 0), "nothing to draw on a clean pass");
    }

    #[test]
    fn a_truncated_tile_fails_with_a_reason_and_the_rest_merge() {
        let files = tiles(B5);
        let mut engine = Engine::default();
        begin(&mut engine, &files, Holding::Picture);
        let mut placed = 0;
        for (i, (name, bytes)) in files.iter().enumerate() {
            let tile = TileId::from_file_name(name).expect("a tile name");
            let bytes = if i == 3 { bytes[..bytes.len() / 2].to_vec() } else { bytes.clone() };
            match engine.handle(Request::Tile { session: 1, tile }, Some(bytes)).map(|(r, _)| r) {
                Some(Response::Placed { .. }) => placed += 1,
                Some(Response::Failed { reason, .. }) => assert!(!reason.is_empty()),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(placed, 14);
    }

    #[test]
    fn a_tile_of_the_wrong_size_fails_with_the_sizes() {
        let files = tiles(B5);
        let mut engine = Engine::default();
        for holding in [Holding::Picture, Holding::Files] {
            begin(&mut engine, &files, holding);
            let corner = files.iter().find(|(n, _)| n == "0-128-64-180.exr").map(|(_, b)| b.clone());
            let tile = TileId::from_file_name("64-64-128-128.exr").expect("a tile name");
            let response = engine.handle(Request::Tile { session: 1, tile }, corner).map(|(r, _)| r);
            let Some(Response::Failed { reason, .. }) = response else { panic!("placed: {response:?}") };
            assert!(reason.contains("80x68") && reason.contains("96x96"), "{reason}");
        }
    }

    /// A real tile whose header claims `size` (both windows patched; the pixels stay as they were).
    fn claiming(bytes: &[u8], width: i32, height: i32) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for attribute in [&b"dataWindow\0box2i\0\x10\0\0\0"[..], &b"displayWindow\0box2i\0\x10\0\0\0"[..]] {
            let mut from = 0;
            while let Some(at) = out[from..].windows(attribute.len()).position(|w| w == attribute) {
                let values = from + at + attribute.len();
                let window: Vec<u8> =
                    [0i32, 0, width - 1, height - 1].iter().flat_map(|v| v.to_le_bytes()).collect();
                out[values..values + 16].copy_from_slice(&window);
                from = values + 16;
            }
        }
        out
    }

    #[test]
    fn a_header_claiming_a_huge_image_fails_its_tile_without_allocating_it() {
        let files = tiles(B42);
        let huge = claiming(&files[0].1, 60_000, 60_000);
        assert_eq!(tilemerge::read_info(&huge).map(|i| i.size.width), Ok(60_000));
        let name = "0-0-60000-60000.exr".to_string();
        let files = vec![(name, huge)];
        let mut engine = Engine::default();
        begin(&mut engine, &files, Holding::Picture);
        let answers = send_all(&mut engine, &files);
        let Some(Response::Failed { reason, .. }) = answers.first() else { panic!("{answers:?}") };
        assert!(reason.contains("60000x60000") && reason.contains("limit"), "{reason}");
    }

    /// An engine holding every fixture tile but those for which `skip` is true.
    fn merged(skip: impl Fn(&str) -> bool) -> Engine {
        let files = tiles(B5);
        let mut engine = Engine::default();
        begin(&mut engine, &files, Holding::Picture);
        for (name, bytes) in files.iter().filter(|(n, _)| !skip(n)) {
            let tile = TileId::from_file_name(name).expect("a tile name");
            engine.handle(Request::Tile { session: 1, tile }, Some(bytes.clone()));
        }
        engine
    }

    #[test]
    fn probes_read_full_exr_s_values_and_name_the_tile() {
        let mut engine = merged(|_| false);
        let full = std::fs::read(fixture(B5).join("full.exr")).expect("full.exr");
        let full = decode(&full, &DecodeOptions::default()).expect("decodes");
        for pass in ["ViewLayer.Combined", "ViewLayer.Depth", "ViewLayer.Normal"] {
            let canvas = engine.canvas(1, pass).expect("the pass");
            // Corners, a pixel in the overscan band between two tiles, one in the bottom row.
            for (x, y, tile) in [
                (0, 0, "0-128-64-180"),
                (319, 179, "256-0-320-64"),
                (64, 100, "64-64-128-128"),
                (200, 170, "192-0-256-64"),
            ] {
                let Response::Probed { reading: Some(reading), .. } = probe(canvas, 1, pass, x, y) else {
                    panic!("nothing at {x},{y}");
                };
                assert_eq!(reading.tile_name(), tile);
                let expected = full.pass(pass).expect("the pass");
                let i = (y * 320 + x) as usize;
                let want: Vec<(String, u32)> = expected
                    .info
                    .channels
                    .iter()
                    .zip(&expected.channels)
                    .map(|(c, s)| (c.component.clone(), s.get_f32(i).expect("a sample").to_bits()))
                    .collect();
                assert_eq!(reading.values, want, "{pass} at {x},{y}");
            }
        }
        let canvas = engine.canvas(1, "ViewLayer.Combined").expect("the pass");
        assert!(matches!(
            probe(canvas, 1, "ViewLayer.Combined", 320, 0),
            Response::Probed { reading: None, .. }
        ));
    }

    #[test]
    fn ranges_come_from_placed_pixels_and_say_the_kind() {
        let mut engine = merged(|n| n.starts_with("0-"));
        let canvas = engine.canvas(1, "ViewLayer.Depth").expect("the pass");
        let Response::Ranged { kind, range: Some(found), ticket: 7, .. } =
            range(canvas, 1, 7, "ViewLayer.Depth", Channel::Rgb)
        else {
            panic!("no range");
        };
        assert_eq!(kind, Some(tilemerge::PassKind::Data));
        // The tiles of the left column are elsewhere: the empty zeros there are no depth.
        let (_, depth) = canvas.pass_samples("ViewLayer.Depth").expect("depth");
        let placed: Vec<f32> = (0..180u32)
            .flat_map(|y| (64..320u32).map(move |x| (y * 320 + x) as usize))
            .filter_map(|i| depth[0].get_f32(i))
            .collect();
        assert_eq!(Some(found), tilemerge::view::ValueRange::of(placed));
        assert!(found.min > 0.0, "{found:?}");
        assert!(matches!(
            probe(canvas, 1, "ViewLayer.Depth", 10, 10),
            Response::Probed { reading: None, .. }
        ));
        let canvas = engine.canvas(1, "ViewLayer.Combined").expect("the pass");
        assert_eq!(range_of(canvas, "ViewLayer.Combined"), Some(tilemerge::PassKind::Colour));
        // Colour is shown in sRGB: no range is worked out for it.
        assert!(matches!(
            range(canvas, 1, 0, "ViewLayer.Combined", Channel::Rgb),
            Response::Ranged { range: None, .. }
        ));

        let mut empty = Engine::default();
        begin(&mut empty, &tiles(B5), Holding::Picture);
        let canvas = empty.canvas(1, "ViewLayer.Depth").expect("an empty canvas");
        assert!(matches!(
            range(canvas, 1, 1, "ViewLayer.Depth", Channel::Rgb),
            Response::Ranged { kind: None, range: None, .. }
        ));
        let false_colour = Mapping::FalseColour { range: tilemerge::view::ValueRange { min: 0.0, max: 1.0 } };
        assert!(matches!(
            super::render(canvas, 1, "ViewLayer.Depth", Channel::Rgb, false_colour),
            (Response::Rendered { .. }, None)
        ));
    }

    fn range_of(canvas: &Canvas, pass: &str) -> Option<tilemerge::PassKind> {
        match range(canvas, 1, 0, pass, Channel::Rgb) {
            Response::Ranged { kind, .. } => kind,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn requests_for_unknown_sessions_are_errors() {
        let mut engine = Engine::default();
        let request =
            Request::Export { session: 9, layout: ExrLayout::MultiPart, compression: Compression::Zip };
        assert!(matches!(engine.handle(request, None), Some((Response::Error { session: Some(9), .. }, _))));
        let request = Request::CheckSeams { session: 9, pass: "ViewLayer.Depth".into() };
        assert!(matches!(engine.handle(request, None), Some((Response::Error { session: Some(9), .. }, _))));
    }
}
