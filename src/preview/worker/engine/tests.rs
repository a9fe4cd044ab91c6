//! A worker's sessions, natively: files kept as received, decoded only when asked, answers for unknown sessions.

use super::*;
use std::path::PathBuf;
use tilemerge::{decode, Compression, DecodeOptions, ExrLayout, LayoutReport, Size, DEFAULT_OVERSCAN};

const B5: &str = "b5-multipart-320x180-t64";
pub(super) const B42: &str = "b42-singlepart-256x160-t100x70";

pub(super) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures").join(name)
}

pub(super) fn tiles(name: &str) -> Vec<(String, Vec<u8>)> {
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

pub(super) fn begin(engine: &mut Engine, files: &[(String, Vec<u8>)], holding: Holding) {
    let report =
        LayoutReport::infer(files.iter().map(|(n, _)| n.as_str()), DEFAULT_OVERSCAN).expect("inferred");
    engine.handle(Request::Begin { session: 1, grid: report.grid, holding }, None);
}

/// Sends every tile; returns the answers.
pub(super) fn send_all(engine: &mut Engine, files: &[(String, Vec<u8>)]) -> Vec<Response> {
    files
        .iter()
        .map(|(name, bytes)| {
            let tile = TileId::from_file_name(name).expect("a tile name");
            engine
                .handle(Request::Tile { session: 1, tile, draw: None }, Some(bytes.clone()))
                .expect("an answer")
                .0
        })
        .collect()
}

/// Renders `pass`; returns the answer and its packed pixels painted on a whole `size` frame.
fn render(engine: &mut Engine, pass: &str, size: Size) -> (Response, Option<Vec<u8>>) {
    let request = Request::Render {
        session: 1,
        pass: pass.into(),
        channel: Channel::Rgb,
        mapping: Mapping::Srgb { exposure: 0.0 },
    };
    let (response, packed) = engine.handle(request, None).expect("an answer");
    let whole = match (&response, packed) {
        (Response::Rendered { regions, .. }, Some(packed)) => Some(paint(size, regions, &packed)),
        _ => None,
    };
    (response, whole)
}

/// Packed regions' pixels painted where they belong on a transparent `size` frame.
/// Every channel of a decoded pass at pixel `i`, as a probe reads them (component, f32 bits).
pub(super) fn exr_values(pass: &tilemerge::DecodedPass, i: usize) -> Vec<(String, u32)> {
    pass.info
        .channels
        .iter()
        .zip(&pass.channels)
        .map(|(c, s)| (c.component.clone(), s.get_f32(i).expect("a sample").to_bits()))
        .collect()
}

pub(super) fn paint(size: Size, regions: &[Rect], packed: &[u8]) -> Vec<u8> {
    let mut whole = vec![0u8; size.area() as usize * 4];
    let mut at = 0;
    for r in regions {
        for y in r.y..r.y + r.height {
            let row = r.width as usize * 4;
            let start = (y * size.width + r.x) as usize * 4;
            whole[start..start + row].copy_from_slice(&packed[at..at + row]);
            at += row;
        }
    }
    assert_eq!(at, packed.len(), "the packed pixels are the regions' and no more");
    whole
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

    let size = Size { width: 320, height: 180 };
    let (response, combined) = render(&mut engine, "ViewLayer.Combined", size);
    assert!(matches!(response, Response::Rendered { ref regions, .. } if regions.len() == 15));
    let (response, depth) = render(&mut engine, "ViewLayer.Depth", size);
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

    let (response, _) = render(&mut engine, "ViewLayer.Mist", size);
    assert!(matches!(&response, Response::Error { reason, .. } if reason.contains("Mist")), "{response:?}");
}

#[test]
fn tiles_of_a_colour_pass_come_back_drawn_and_those_of_a_data_pass_do_not() {
    let files = tiles(B5);
    let mut engine = Engine::default();
    begin(&mut engine, &files, Holding::Picture);
    let draw = TileDraw { channel: Channel::Rgb, exposure: 0.0 };
    let mut drawn = Vec::new();
    for (name, bytes) in &files[..8] {
        let tile = TileId::from_file_name(name).expect("a tile name");
        let request = Request::Tile { session: 1, tile, draw: Some(draw) };
        match engine.handle(request, Some(bytes.clone())).expect("an answer") {
            (Response::Placed { placed, drawn: Some(d), .. }, Some(pixels)) => {
                assert_eq!(*d, DrawnTile { pass: "ViewLayer.Combined".into(), draw });
                drawn.push((placed, pixels));
            }
            other => panic!("{other:?}"),
        }
    }
    // The same pixels as the whole merge drawn at the end.
    let size = Size { width: 320, height: 180 };
    let (_, whole) = render(&mut engine, "ViewLayer.Combined", size);
    let whole = whole.expect("pixels");
    let regions: Vec<Rect> = drawn.iter().map(|(r, _)| *r).collect();
    let packed: Vec<u8> = drawn.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    assert_eq!(paint(size, &regions, &packed), whole);

    // Depth on screen: its false colour needs the whole range, so nothing is drawn early.
    render(&mut engine, "ViewLayer.Depth", size);
    let (name, bytes) = &files[8];
    let tile = TileId::from_file_name(name).expect("a tile name");
    let answer = engine.handle(Request::Tile { session: 1, tile, draw: Some(draw) }, Some(bytes.clone()));
    assert!(matches!(answer, Some((Response::Placed { drawn: None, .. }, None))), "{answer:?}");
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
        match engine.handle(Request::Tile { session: 1, tile, draw: None }, Some(bytes)).map(|(r, _)| r) {
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
        let response = engine.handle(Request::Tile { session: 1, tile, draw: None }, corner).map(|(r, _)| r);
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
        engine.handle(Request::Tile { session: 1, tile, draw: None }, Some(bytes.clone()));
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
            let want = exr_values(full.pass(pass).expect("the pass"), (y * 320 + x) as usize);
            assert_eq!(reading.values, want, "{pass} at {x},{y}");
        }
    }
    let canvas = engine.canvas(1, "ViewLayer.Combined").expect("the pass");
    assert!(matches!(probe(canvas, 1, "ViewLayer.Combined", 320, 0), Response::Probed { reading: None, .. }));
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
    assert!(matches!(probe(canvas, 1, "ViewLayer.Depth", 10, 10), Response::Probed { reading: None, .. }));
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
    let request = Request::Export { session: 9, layout: ExrLayout::MultiPart, compression: Compression::Zip };
    assert!(matches!(engine.handle(request, None), Some((Response::Error { session: Some(9), .. }, _))));
    let request = Request::CheckSeams { session: 9, pass: "ViewLayer.Depth".into() };
    assert!(matches!(engine.handle(request, None), Some((Response::Error { session: Some(9), .. }, _))));
}

#[test]
fn a_measurement_that_fails_answers_its_panel_with_the_ticket_and_the_reason() {
    let mut engine = merged(|_| false);
    let options = tilemerge::analysis::HistogramScale::Linear;
    let request = Request::HistogramRange {
        session: 1,
        ticket: 5,
        pass: "ViewLayer.Mist".into(),
        channel: Channel::Rgb,
        region: None,
        scale: options,
    };
    let Some((Response::Unmeasured { ticket: 5, measurement: Measurement::Histogram, reason, .. }, None)) =
        engine.handle(request, None)
    else {
        panic!("the histogram's failure is not its own answer");
    };
    assert!(reason.contains("ViewLayer.Mist"), "{reason}");
    let region = Rect { x: 0, y: 0, width: 10, height: 10 };
    let request = Request::RegionSums { session: 1, ticket: 2, pass: "ViewLayer.Mist".into(), region };
    assert!(matches!(
        engine.handle(request, None),
        Some((Response::Unmeasured { ticket: 2, measurement: Measurement::Region, .. }, None))
    ));
}

fn metadata(
    engine: &mut Engine,
    tile: Option<TileId>,
) -> Option<(TileId, Vec<tilemerge::analysis::HeaderAttribute>)> {
    match engine.handle(Request::Metadata { session: 1, ticket: 7, tile }, None).expect("an answer").0 {
        Response::Metadata { session: 1, ticket: 7, found } => found,
        other => panic!("not metadata: {other:?}"),
    }
}

fn text_of(attributes: &[tilemerge::analysis::HeaderAttribute], name: &str) -> Option<String> {
    attributes.iter().find(|a| a.name == name).map(|a| a.text.clone())
}

#[test]
fn metadata_comes_from_the_merges_first_tile_or_the_tile_asked_for() {
    let files = tiles(B42);
    let mut engine = Engine::default();
    begin(&mut engine, &files, Holding::Picture);
    // The last tiles first: the merge's attributes still come from the grid's first tile.
    let mut reversed = files.clone();
    reversed.reverse();
    send_all(&mut engine, &reversed);
    let (tile, attributes) = metadata(&mut engine, None).expect("the merge's attributes");
    assert_eq!(tile, TileId { x0: 0, y0: 0, x1: 100, y1: 70 });
    assert_eq!(text_of(&attributes, "RenderTime").as_deref(), Some("00:00.73"));
    assert_eq!(text_of(&attributes, "cycles.ViewLayer.samples").as_deref(), Some("32"));
    let corner = TileId { x0: 200, y0: 140, x1: 256, y1: 160 };
    let (tile, attributes) = metadata(&mut engine, Some(corner)).expect("the corner's attributes");
    assert_eq!(tile, corner);
    assert_eq!(text_of(&attributes, "RenderTime").as_deref(), Some("00:00.18"));
}

#[test]
fn metadata_of_a_tile_held_elsewhere_is_none_and_long_values_are_cut() {
    let files = tiles(B42);
    let mut engine = Engine::default();
    begin(&mut engine, &files, Holding::Files);
    assert_eq!(metadata(&mut engine, None), None, "no files yet");
    send_all(&mut engine, &files[..1]);
    assert_eq!(metadata(&mut engine, Some(TileId { x0: 100, y0: 0, x1: 200, y1: 70 })), None);
    let long = tilemerge::analysis::HeaderAttribute {
        part: 0,
        name: "note".into(),
        type_name: "string".into(),
        text: "é".repeat(5000),
    };
    let cut = inspect::bounded(long);
    assert_eq!(cut.text.chars().count(), inspect::MAX_TEXT_CHARS + 1);
    assert!(cut.text.ends_with('…'));
}
