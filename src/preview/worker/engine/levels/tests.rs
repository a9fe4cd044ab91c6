//! A levels session against the whole-frame preview of the same real Blender tiles: the same
//! values under the probe, the same pixels at full size, and tiles fed in any order.

use super::super::tests::{begin, exr_values, fixture, paint, tiles};
use super::*;
use crate::preview::worker::engine::Engine;
use crate::preview::worker::protocol::Holding;
use tilemerge::pyramid::level_size;
use tilemerge::{decode, Size};

const B5: &str = "b5-multipart-320x180-t64";
const SIZE: Size = Size { width: 320, height: 180 };

/// An engine holding every tile of B5 as levels from `base`, the tiles sent in a shuffled order.
fn levels(base: u8) -> Engine {
    let mut files = tiles(B5);
    // A fixed shuffle: tiles come back from a farm in any order.
    files.sort_by_key(|(name, _)| name.bytes().rev().map(u32::from).sum::<u32>() % 7);
    let mut engine = Engine::default();
    begin(&mut engine, &files, Holding::Levels { base });
    for (name, bytes) in &files {
        let tile = TileId::from_file_name(name).expect("a tile name");
        let draw = Some(TileDraw { channel: Channel::Rgb, exposure: 0.0 });
        let answer = engine.handle(Request::Tile { session: 1, tile, draw }, Some(bytes.clone()));
        assert!(matches!(answer, Some((Response::Placed { drawn_at: Some(_), .. }, Some(_)))), "{answer:?}");
    }
    engine
}

fn whole() -> Engine {
    let files = tiles(B5);
    let mut engine = Engine::default();
    begin(&mut engine, &files, Holding::Picture);
    for (name, bytes) in &files {
        let tile = TileId::from_file_name(name).expect("a tile name");
        engine.handle(Request::Tile { session: 1, tile, draw: None }, Some(bytes.clone()));
    }
    engine
}

fn ask(engine: &mut Engine, request: Request) -> (Response, Option<Vec<u8>>) {
    engine.handle(request, None).expect("an answer")
}

#[test]
fn probes_read_the_full_exrs_values_in_every_pass() {
    let mut levels = levels(2);
    let full = std::fs::read(fixture(B5).join("full.exr")).expect("full.exr");
    let full = decode(&full, &tilemerge::DecodeOptions::default()).expect("decodes");
    for pass in ["ViewLayer.Combined", "ViewLayer.Depth"] {
        for (x, y) in [(0, 0), (319, 179), (64, 100), (200, 170), (127, 63)] {
            let probe = Request::Probe { session: 1, pass: pass.into(), x, y };
            let Response::Probed { reading: Some(reading), .. } = ask(&mut levels, probe).0 else {
                panic!("nothing at {x},{y}");
            };
            let want = exr_values(full.pass(pass).expect("the pass"), (y * SIZE.width + x) as usize);
            assert_eq!(reading.values, want, "{pass} at {x},{y}");
        }
    }
}

#[test]
fn a_detail_at_full_size_is_the_whole_frames_drawing_and_the_view_is_the_base_level() {
    let (mut levels, mut whole) = (levels(2), whole());
    let mapping = Mapping::Srgb { exposure: 1.0 };
    let render =
        |pass: &str| Request::Render { session: 1, pass: pass.into(), channel: Channel::Rgb, mapping };
    let (Response::Rendered { regions, .. }, Some(packed)) = ask(&mut whole, render("ViewLayer.Combined"))
    else {
        panic!("the whole frame is drawn")
    };
    let whole_frame = paint(SIZE, &regions, &packed);
    // A region across four tiles' edges, at full size.
    let region = Rect { x: 40, y: 30, width: 130, height: 90 };
    let detail = Request::Detail {
        session: 1,
        ticket: 7,
        pass: "ViewLayer.Combined".into(),
        channel: Channel::Rgb,
        mapping,
        level: 0,
        region,
    };
    let (Response::Detailed { ticket: 7, level: 0, regions, .. }, Some(packed)) = ask(&mut levels, detail)
    else {
        panic!("the detail is drawn")
    };
    assert_eq!(regions.iter().map(Rect::area).sum::<u64>(), region.area(), "the region, once");
    let detail = paint(SIZE, &regions, &packed);
    for y in region.y..region.bottom() {
        let row = |frame: &[u8]| {
            frame
                [((y * SIZE.width + region.x) * 4) as usize..((y * SIZE.width + region.right()) * 4) as usize]
                .to_vec()
        };
        assert_eq!(row(&detail), row(&whole_frame), "row {y}");
    }
    // The view of a levels session covers its base level, each pixel once.
    let base = level_size(SIZE, 2);
    let (Response::Rendered { regions, .. }, Some(packed)) = ask(&mut levels, render("ViewLayer.Combined"))
    else {
        panic!("the levels are drawn")
    };
    assert_eq!(packed.len() as u64, regions.iter().map(Rect::area).sum::<u64>() * 4);
    let drawn = paint(base, &regions, &packed);
    assert!(drawn.chunks_exact(4).all(|p| p[3] > 0), "every pixel of the {base:?} view is drawn");
}

#[test]
fn another_pass_is_decoded_again_from_the_kept_files_and_what_levels_cannot_do_says_so() {
    let mut levels = levels(1);
    let range =
        Request::Range { session: 1, ticket: 3, pass: "ViewLayer.Depth".into(), channel: Channel::Rgb };
    let Response::Ranged { kind: Some(PassKind::Data), range: Some(range), .. } = ask(&mut levels, range).0
    else {
        panic!("the depth's range")
    };
    assert!(range.min < range.max, "{range:?}");
    let missing = Request::Render {
        session: 1,
        pass: "ViewLayer.Nope".into(),
        channel: Channel::Rgb,
        mapping: Mapping::Srgb { exposure: 0.0 },
    };
    let Response::Error { reason, .. } = ask(&mut levels, missing).0 else { panic!("an unknown pass") };
    assert!(reason.contains("there is no pass \"ViewLayer.Nope\""), "{reason}");
    let export = Request::Export {
        session: 1,
        layout: tilemerge::ExrLayout::MultiPart,
        compression: tilemerge::Compression::Zip,
    };
    let Response::Error { reason, .. } = ask(&mut levels, export).0 else { panic!("no export") };
    assert!(
        reason.starts_with(
            "Exporting the merge from the browser is not available for a frame previewed in levels (320x180)"
        ),
        "{reason}"
    );
    let sums = Request::RegionSums {
        session: 1,
        ticket: 4,
        pass: "ViewLayer.Depth".into(),
        region: Rect { x: 0, y: 0, width: 9, height: 9 },
    };
    assert!(matches!(ask(&mut levels, sums).0, Response::Unmeasured { ticket: 4, .. }));
    // Ending the session drops its files.
    levels.handle(Request::End { session: 1 }, None);
    let probe = Request::Probe { session: 1, pass: "ViewLayer.Depth".into(), x: 0, y: 0 };
    assert!(matches!(ask(&mut levels, probe).0, Response::Error { .. }));
}

#[test]
fn the_cache_of_full_size_tiles_stays_within_its_budget() {
    let grid =
        tilemerge::Grid::new(Size { width: 2048, height: 1024 }, Size { width: 1024, height: 1024 }, 0)
            .expect("a grid");
    let mut session = LevelsSession::new(1, grid, 3);
    let info = tilemerge::synth::pass("ViewLayer", "Combined", &[("R", tilemerge::SampleType::F32)]);
    for x in 0..24u32 {
        let rect = Rect { x: x * 1024, y: 0, width: 1024, height: 1024 };
        let image = TileImage {
            level: 0,
            rect,
            info: info.clone(),
            channels: vec![tilemerge::Samples::F32(vec![0.0; 1 << 20])],
        };
        session.cache(TileId { x0: x, y0: 0, x1: x + 1, y1: 1 }, image);
    }
    assert!(session.held_bytes() <= FULL_CACHE_BYTES, "{} bytes held", session.held_bytes());
    assert_eq!(session.full.len(), (FULL_CACHE_BYTES / (4 << 20)) as usize);
}

#[test]
fn a_detail_between_full_size_and_the_base_is_the_level_a_session_with_that_base_holds() {
    // Level 1 drawn as a detail of a session based at 2, and as the view of one based at 1.
    let (mut based_at_2, mut based_at_1) = (levels(2), levels(1));
    let mapping = Mapping::Srgb { exposure: -0.5 };
    let whole = Rect { x: 0, y: 0, width: SIZE.width, height: SIZE.height };
    let detail = Request::Detail {
        session: 1,
        ticket: 1,
        pass: "ViewLayer.Combined".into(),
        channel: Channel::Rgb,
        mapping,
        level: 1,
        region: whole,
    };
    let (Response::Detailed { level: 1, regions, .. }, Some(packed)) = ask(&mut based_at_2, detail) else {
        panic!("the detail is drawn")
    };
    let level_1 = level_size(SIZE, 1);
    let detail = paint(level_1, &regions, &packed);
    let render =
        Request::Render { session: 1, pass: "ViewLayer.Combined".into(), channel: Channel::Rgb, mapping };
    let (Response::Rendered { regions, .. }, Some(packed)) = ask(&mut based_at_1, render) else {
        panic!("the view is drawn")
    };
    assert_eq!(detail, paint(level_1, &regions, &packed));
}
