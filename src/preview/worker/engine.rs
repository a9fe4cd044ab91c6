//! What a worker does with requests, without any JavaScript: sessions of [`Canvas`]es that tiles
//! are decoded into. Natively testable; [`super::serve`] only moves messages and bytes.

use std::collections::HashMap;

use tilemerge::view::{pass_range, pixel_values, placed_tile_at, render_rgba8, Channel, Mapping};
use tilemerge::{export_exr, Canvas, CanvasOptions, ExrOptions, Rect, TileState};

use super::protocol::{Request, Response, SessionId};
use crate::preview::view::ProbeReading;

/// An answer and the bytes that travel with it.
pub type Reply = (Response, Option<Vec<u8>>);

/// The sessions one worker holds.
#[derive(Default)]
pub struct Engine {
    sessions: HashMap<u32, Canvas>,
}

impl Engine {
    /// Carries out a request; `bytes` is the buffer that came with it. Returns the answer and the
    /// bytes to send back with it, or `None` for requests that need no answer (`Begin`, `End`).
    /// Every failure becomes a response: nothing here panics.
    pub fn handle(&mut self, request: Request, bytes: Option<Vec<u8>>) -> Option<Reply> {
        let reply = match request {
            Request::Begin { session, grid } => {
                // Seams cost a copy of every overlap; this slice does not show them yet.
                let options = CanvasOptions { seams: false, ..CanvasOptions::default() };
                self.sessions.insert(session, Canvas::new(grid, options));
                return None;
            }
            Request::Tile { session, tile } => {
                let Some(canvas) = self.sessions.get_mut(&session) else {
                    return Some((unknown(session), None));
                };
                let Some(bytes) = bytes else {
                    let reason = "no file bytes came with the tile".to_string();
                    return Some((Response::Failed { session, tile, reason }, None));
                };
                let response = match canvas.add(tile, &bytes) {
                    Ok(placement) => Response::Placed {
                        session,
                        tile,
                        placed: placement.placed,
                        passes: canvas.passes().iter().map(|p| p.full_name()).collect(),
                    },
                    Err(problem) => Response::Failed { session, tile, reason: problem.error.to_string() },
                };
                (response, None)
            }
            Request::Render { session, pass, channel, mapping } => {
                let Some(canvas) = self.sessions.get(&session) else {
                    return Some((unknown(session), None));
                };
                render(canvas, session, &pass, channel, mapping)
            }
            Request::Range { session, ticket, pass, channel } => {
                let Some(canvas) = self.sessions.get(&session) else {
                    return Some((unknown(session), None));
                };
                (range(canvas, session, ticket, &pass, channel), None)
            }
            Request::Probe { session, pass, x, y } => {
                let Some(canvas) = self.sessions.get(&session) else {
                    return Some((unknown(session), None));
                };
                (probe(canvas, session, &pass, x, y), None)
            }
            Request::Export { session, layout } => {
                let Some(canvas) = self.sessions.get(&session) else {
                    return Some((unknown(session), None));
                };
                match export_exr(canvas, &ExrOptions { layout, ..ExrOptions::DEFAULT }) {
                    Ok(exr) => (Response::Exported { session }, Some(exr)),
                    Err(e) => (Response::Error { session: Some(session), reason: e.to_string() }, None),
                }
            }
            Request::End { session } => {
                self.sessions.remove(&session);
                return None;
            }
        };
        Some(reply)
    }
}

/// The answer to a request for a session this worker does not hold.
fn unknown(session: u32) -> Response {
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
    match render_rgba8(canvas, pass, channel, mapping) {
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
    match pass_range(canvas, pass, channel, &regions) {
        Ok(range) => Response::Ranged { session, ticket, kind: Some(info.kind()), range },
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
    use tilemerge::{decode, DecodeOptions, ExrLayout, LayoutReport, TileId, DEFAULT_OVERSCAN};

    fn fixture() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/b5-multipart-320x180-t64")
    }

    fn tiles() -> Vec<(String, Vec<u8>)> {
        let dir = fixture().join("tiles");
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

    fn begin(engine: &mut Engine, files: &[(String, Vec<u8>)]) {
        let report =
            LayoutReport::infer(files.iter().map(|(n, _)| n.as_str()), DEFAULT_OVERSCAN).expect("inferred");
        engine.handle(Request::Begin { session: 1, grid: report.grid }, None);
    }

    #[test]
    fn merges_the_fixture_and_exports_its_full_image() {
        let files = tiles();
        let mut engine = Engine::default();
        begin(&mut engine, &files);
        for (name, bytes) in &files {
            let tile = TileId::from_file_name(name).expect("a tile name");
            let (response, _) =
                engine.handle(Request::Tile { session: 1, tile }, Some(bytes.clone())).expect("an answer");
            assert!(matches!(response, Response::Placed { .. }), "{name}: {response:?}");
        }
        let (response, exr) = engine
            .handle(Request::Export { session: 1, layout: ExrLayout::MultiPart }, None)
            .expect("an answer");
        assert_eq!(response, Response::Exported { session: 1 });
        let exported = decode(&exr.expect("exr bytes"), &DecodeOptions::default()).expect("decodes");
        let full = std::fs::read(fixture().join("full.exr")).expect("full.exr");
        let full = decode(&full, &DecodeOptions::default()).expect("decodes");
        assert_eq!(exported.passes, full.passes);

        let render = Request::Render {
            session: 1,
            pass: "ViewLayer.Combined".into(),
            channel: Channel::Rgb,
            mapping: Mapping::Srgb { exposure: 0.0 },
        };
        let (response, rgba) = engine.handle(render, None).expect("an answer");
        assert!(
            matches!(response, Response::Rendered { width: 320, height: 180, ref regions, .. } if regions.len() == 15)
        );
        assert_eq!(rgba.map(|b| b.len()), Some(320 * 180 * 4));
    }

    #[test]
    fn a_truncated_tile_fails_with_a_reason_and_the_rest_merge() {
        let files = tiles();
        let mut engine = Engine::default();
        begin(&mut engine, &files);
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
        let files = tiles();
        let mut engine = Engine::default();
        begin(&mut engine, &files);
        let corner = files.iter().find(|(n, _)| n == "0-128-64-180.exr").map(|(_, b)| b.clone());
        let tile = TileId::from_file_name("64-64-128-128.exr").expect("a tile name");
        let response = engine.handle(Request::Tile { session: 1, tile }, corner).map(|(r, _)| r);
        let Some(Response::Failed { reason, .. }) = response else { panic!("placed: {response:?}") };
        assert!(reason.contains("80x68") && reason.contains("96x96"), "{reason}");
    }

    /// An engine holding every fixture tile but those for which `skip` is true.
    fn merged(skip: impl Fn(&str) -> bool) -> Engine {
        let files = tiles();
        let mut engine = Engine::default();
        begin(&mut engine, &files);
        for (name, bytes) in files.iter().filter(|(n, _)| !skip(n)) {
            let tile = TileId::from_file_name(name).expect("a tile name");
            engine.handle(Request::Tile { session: 1, tile }, Some(bytes.clone()));
        }
        engine
    }

    #[test]
    fn probes_read_full_exr_s_values_and_name_the_tile() {
        let engine = merged(|_| false);
        let canvas = engine.sessions.get(&1).expect("the session");
        let full = std::fs::read(fixture().join("full.exr")).expect("full.exr");
        let full = decode(&full, &DecodeOptions::default()).expect("decodes");
        // Corners, a pixel in the overscan band between two tiles, one in the bottom row.
        for (x, y, tile) in [
            (0, 0, "0-128-64-180"),
            (319, 179, "256-0-320-64"),
            (64, 100, "64-64-128-128"),
            (200, 170, "192-0-256-64"),
        ] {
            for pass in ["ViewLayer.Combined", "ViewLayer.Depth", "ViewLayer.Normal"] {
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
        assert!(matches!(
            probe(canvas, 1, "ViewLayer.Combined", 320, 0),
            Response::Probed { reading: None, .. }
        ));
    }

    #[test]
    fn ranges_come_from_placed_pixels_and_say_the_kind() {
        let engine = merged(|n| n.starts_with("0-"));
        let canvas = engine.sessions.get(&1).expect("the session");
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
        let colour = range_of(canvas, "ViewLayer.Combined");
        assert_eq!(colour, Some(tilemerge::PassKind::Colour));
        assert!(matches!(
            probe(canvas, 1, "ViewLayer.Depth", 10, 10),
            Response::Probed { reading: None, .. }
        ));

        let mut empty = Engine::default();
        begin(&mut empty, &tiles());
        let canvas = empty.sessions.get(&1).expect("the session");
        assert!(matches!(
            range(canvas, 1, 1, "ViewLayer.Depth", Channel::Rgb),
            Response::Ranged { kind: None, range: None, .. }
        ));
        let false_colour = Mapping::FalseColour { range: tilemerge::view::ValueRange { min: 0.0, max: 1.0 } };
        assert!(matches!(
            render(canvas, 1, "ViewLayer.Depth", Channel::Rgb, false_colour),
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
        let response = engine.handle(Request::Export { session: 9, layout: ExrLayout::MultiPart }, None);
        assert!(matches!(response, Some((Response::Error { session: Some(9), .. }, _))));
    }
}
