//! Tiles the tests make themselves: Blender's rounding, the portrait bug, and broken files.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::bit_equal;
use tilemerge::synth::{pass, Frame};
use tilemerge::{
    decode, read_info, Canvas, CanvasOptions, Compression, DecodeError, DecodeOptions, ExrLayout, ExrOptions,
    Grid, LayoutProblem, LayoutReport, MismatchCause, SampleType, Samples, Size, TileError, TileId,
    TileState, DEFAULT_OVERSCAN,
};

const FAST: ExrOptions = ExrOptions { compression: Compression::None, ..ExrOptions::DEFAULT };

fn grid(w: u32, h: u32, tile: u32) -> Grid {
    Grid::new(Size { width: w, height: h }, Size { width: tile, height: tile }, DEFAULT_OVERSCAN).unwrap()
}

fn id(x0: u32, y0: u32, x1: u32, y1: u32) -> TileId {
    TileId { x0, y0, x1, y1 }
}

/// Every canvas channel equals the frame's, bit for bit, inside `rect` (or everywhere).
fn assert_matches(canvas: &Canvas, frame: &Frame, rect: Option<tilemerge::Rect>) {
    let rect =
        rect.unwrap_or(tilemerge::Rect { x: 0, y: 0, width: frame.size.width, height: frame.size.height });
    let crop = frame.crop(rect).unwrap();
    let w = frame.size.width as usize;
    for (info, buffers) in &crop.passes {
        for (channel, expected) in info.channels.iter().zip(buffers) {
            let merged = canvas.channel(&channel.name).unwrap();
            for row in 0..rect.height as usize {
                for col in 0..rect.width as usize {
                    let at = (rect.y as usize + row) * w + rect.x as usize + col;
                    let want = expected.get_bits(row * rect.width as usize + col);
                    assert_eq!(
                        merged.get_bits(at),
                        want,
                        "{} at ({}, {})",
                        channel.name,
                        rect.x as usize + col,
                        rect.y as usize + row
                    );
                }
            }
        }
    }
}

#[test]
fn blender_rounding_960x540_tile_is_one_row_taller_and_merges_exactly() {
    let g = grid(960, 540, 128);
    let frame = Frame::blender_like(g.image, 1);
    let tall = id(0, 128, 128, 256);
    let files = frame.tile_files(&g, &FAST).unwrap();
    assert_eq!(files.len(), 40);
    let (_, tall_bytes) = files.iter().find(|(t, _)| *t == tall).unwrap();
    // The naive formula says 128+16 x 128+32 = 144x160; Blender renders 161 rows.
    assert_eq!(read_info(tall_bytes).unwrap().size, Size { width: 144, height: 161 });

    let mut canvas = Canvas::new(g, CanvasOptions::default());
    for (tile, bytes) in files.iter().rev() {
        let p = canvas.add(*tile, bytes).unwrap_or_else(|p| panic!("{p}"));
        assert!(p.mismatch.is_none() && p.is_complete());
    }
    assert!(canvas.coverage().is_complete());
    assert_matches(&canvas, &frame, None);
    assert!(canvas.seam_report().passes.iter().all(|p| p.max_abs == 0.0));

    // A file cut with integer edges is one row short: reported with both sizes, and since the
    // naive geometry explains it, still placed where it belongs.
    let naive = g.rendered_naively(tall).unwrap();
    let naive_bytes = frame.tile_file(Some(naive), &FAST).unwrap().unwrap();
    let mut canvas = Canvas::new(g, CanvasOptions::default());
    let p = canvas.add(tall, &naive_bytes).unwrap();
    let mismatch = p.mismatch.unwrap();
    assert_eq!(mismatch.cause, Some(MismatchCause::NaiveRounding));
    let text = mismatch.to_string();
    assert!(text.contains("144x160") && text.contains("144x161"), "{text}");
    assert!(p.is_complete());
    assert_matches(&canvas, &frame, Some(p.core));
}

#[test]
fn portrait_image_top_tiles_cut_short_are_reported_and_placed_where_possible() {
    // 180 wide, 320 high: the published job type clamps the top overscan at 180.
    let g = grid(180, 320, 64);
    let frame = Frame::blender_like(g.image, 2);
    let mut canvas = Canvas::new(g, CanvasOptions::default());
    let mut problems = Vec::new();
    for tile in g.tiles() {
        // `None`: Blender refused the inverted border and wrote no file.
        let rendered = g.rendered_by_published_job_type(tile);
        let Some(bytes) = frame.tile_file(rendered, &FAST) else { continue };
        if let Err(problem) = canvas.add(tile, &bytes.unwrap()) {
            problems.push(problem);
        }
    }
    // Row 128..192: 52 of 64 core rows were rendered.
    let cut = id(0, 128, 64, 192);
    let Some(TileState::Placed(p)) = canvas.tile_state(cut) else { panic!("{:?}", canvas.tile_state(cut)) };
    let m = p.mismatch.unwrap();
    assert_eq!(m.cause, Some(MismatchCause::PortraitClamp));
    assert_eq!(m.expected, Some(Size { width: 80, height: 96 }));
    assert_eq!(m.actual, Size { width: 80, height: 68 });
    assert!(!p.is_complete());
    assert_eq!(p.placed.height, 52);
    assert_matches(&canvas, &frame, Some(p.placed));
    // Row 192..256 rendered only rows 176..180, none of its own.
    let gone = id(0, 192, 64, 256);
    let failed = problems.iter().find(|p| p.tile == gone).unwrap();
    let text = failed.to_string();
    assert!(
        text.contains("0-192-64-256")
            && text.contains("80x4")
            && text.contains("80x96")
            && text.contains("portrait"),
        "{text}"
    );
    // Row 256..320 has an inverted border: Blender wrote nothing.
    assert_eq!(canvas.tile_state(id(0, 256, 64, 320)), Some(&TileState::Missing));
    let coverage = canvas.coverage();
    assert_eq!((coverage.partial, coverage.failed, coverage.missing), (3, 3, 3));
    assert!(!coverage.is_complete());
    // Landscape and unaffected rows were placed whole and exactly.
    assert_matches(&canvas, &frame, Some(g.core(id(64, 0, 128, 64))));
    assert_eq!(canvas.problems().len(), 6);
}

#[test]
fn a_missing_tile_is_reported_by_the_folder_check_and_the_canvas() {
    let g = grid(200, 150, 64);
    let frame = Frame::blender_like(g.image, 3);
    let mut files = frame.tile_files(&g, &FAST).unwrap();
    let lost = files.remove(5).0;
    let names: Vec<String> = files.iter().map(|(t, _)| t.file_name()).collect();
    let report = LayoutReport::match_files(g, false, names.iter().map(String::as_str));
    assert_eq!(report.missing, vec![lost]);
    assert!(report.problems.iter().any(|p| p == &LayoutProblem::Missing { tile: lost }));
    assert!(report.problems.iter().any(|p| p.to_string().contains(&lost.file_name())));

    let mut canvas = Canvas::new(g, CanvasOptions::default());
    for (tile, bytes) in &files {
        canvas.add(*tile, bytes).unwrap();
    }
    let coverage = canvas.coverage();
    assert_eq!((coverage.missing, coverage.complete), (1, files.len()));
    assert_eq!(coverage.total_pixels - coverage.covered_pixels, g.core(lost).area());
    assert_eq!(canvas.tile_state(lost), Some(&TileState::Missing));
    // Its neighbours' overscan over it waits for it rather than being compared with nothing.
    assert!(canvas.seam_report().pending_strips > 0);
    assert_matches(&canvas, &frame, Some(g.core(files[0].0)));
}

fn sample_tile() -> (Grid, TileId, Vec<u8>) {
    let g = grid(200, 150, 64);
    let frame = Frame::blender_like(g.image, 4);
    let tile = id(64, 64, 128, 128);
    let bytes = frame
        .tile_file(
            g.rendered(tile),
            &ExrOptions {
                layout: ExrLayout::SinglePart,
                compression: Compression::Zip,
                ..ExrOptions::default()
            },
        )
        .unwrap()
        .unwrap();
    (g, tile, bytes)
}

fn add_error(bytes: &[u8]) -> (TileError, String) {
    let (g, tile, _) = sample_tile();
    let mut canvas = Canvas::new(g, CanvasOptions::default());
    let problem = canvas.add(tile, bytes).unwrap_err();
    assert!(matches!(canvas.tile_state(tile), Some(TileState::Failed(_))));
    let text = problem.to_string();
    assert!(text.starts_with("tile 64-64-128-128: "), "{text}");
    (problem.error, text)
}

#[test]
fn a_truncated_file_says_so() {
    let (_, _, bytes) = sample_tile();
    for cut in [bytes.len() - 1, bytes.len() / 2, 40, 2] {
        let (error, text) = add_error(&bytes[..cut]);
        assert!(
            matches!(error, TileError::Decode(DecodeError::Truncated { length, .. }) if length == cut),
            "{cut}: {error:?}"
        );
        assert!(text.contains("truncated") && text.contains(&format!("after {cut} bytes")), "{text}");
    }
}

#[test]
fn a_file_that_is_not_an_exr_says_so() {
    for (bytes, shows) in
        [(&b"\x89PNG\r\n\x1a\n0000"[..], "PNG"), (b"<html>Not Found</html>", "<html>"), (b"", "empty")]
    {
        let (error, text) = add_error(bytes);
        assert!(matches!(error, TileError::Decode(DecodeError::NotExr { .. })), "{error:?}");
        assert!(text.contains("not an OpenEXR file") && text.contains(shows), "{text}");
    }
}

/// Offset of an attribute's value in the header: name, NUL, type, NUL, i32 size, value.
fn attribute_value(bytes: &[u8], name: &str, kind: &str) -> usize {
    let needle = [name.as_bytes(), b"\0", kind.as_bytes(), b"\0"].concat();
    let at = bytes.windows(needle.len()).position(|w| w == needle.as_slice()).expect("attribute");
    at + needle.len() + 4
}

fn set_i32(bytes: &mut [u8], at: usize, value: i32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn claim_size(original: &[u8], claimed: i32) -> Vec<u8> {
    let mut bytes = original.to_vec();
    let data = attribute_value(&bytes, "dataWindow", "box2i");
    set_i32(&mut bytes, data + 8, claimed); // xMax
    set_i32(&mut bytes, data + 12, claimed); // yMax
                                             // A consistent lie: the chunk count a file that size would have (ZIP: 16 lines per block).
    let chunks = attribute_value(&bytes, "chunkCount", "int");
    set_i32(&mut bytes, chunks, (claimed / 16) + 1);
    bytes
}

#[test]
fn a_header_claiming_a_huge_size_is_refused_before_allocating() {
    let (_, _, original) = sample_tile();
    for claimed in [1_000_000, 40_000] {
        let bytes = claim_size(&original, claimed);
        let side = claimed as u64 + 1;
        // Decoding alone refuses it by the size limit...
        match decode(&bytes, &DecodeOptions::default()) {
            Err(DecodeError::TooLarge { width, height, .. }) => assert_eq!((width, height), (side, side)),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("decoded a {side} px image"),
        }
        // ...and the canvas by the tile's size, naming both.
        let (error, text) = add_error(&bytes);
        assert!(matches!(error, TileError::Size(_)), "{error:?}");
        assert!(text.contains(&format!("{side}x{side}")) && text.contains("96x96"), "{text}");
    }
    // Past what EXR can address at all, the header itself is refused.
    let (error, text) = add_error(&claim_size(&original, i32::MAX - 1));
    assert!(matches!(error, TileError::Decode(DecodeError::Invalid(_))), "{error:?}");
    assert!(text.contains("window size"), "{text}");
}

#[test]
fn an_unsupported_compression_is_named() {
    let (_, _, original) = sample_tile();
    let at = attribute_value(&original, "compression", "compression");
    let mut htj2k = original.clone();
    htj2k[at] = 11; // HTJ2K32: a real EXR compression exr cannot decode, 32 lines per block
    let chunks = attribute_value(&htj2k, "chunkCount", "int");
    set_i32(&mut htj2k, chunks, 3); // 96 rows
    let (error, text) = add_error(&htj2k);
    assert!(
        matches!(
            error,
            TileError::Decode(DecodeError::UnsupportedCompression { compression: Compression::Htj2k32 })
        ),
        "{error:?}"
    );
    assert!(text.contains("HTJ2K32") && text.contains("not supported"), "{text}");
    let mut unknown = original;
    unknown[at] = 42;
    let (error, text) = add_error(&unknown);
    assert!(
        matches!(error, TileError::Decode(DecodeError::Invalid(_) | DecodeError::Unsupported(_))),
        "{error:?}"
    );
    assert!(text.contains("unknown compression"), "{text}");
}

#[test]
fn garbage_after_a_valid_header_never_panics() {
    let (_, _, original) = sample_tile();
    let header_end = attribute_value(&original, "compression", "compression") + 200;
    let mut rng = common::Lcg(7);
    for round in 0..200 {
        let mut bytes = original.clone();
        for _ in 0..1 + round % 8 {
            let at = header_end + (rng.next_f32() * (bytes.len() - header_end) as f32) as usize;
            if let Some(b) = bytes.get_mut(at) {
                *b = (rng.next_f32() * 256.0) as u8;
            }
        }
        // Either decodes (damage in pixel values) or reports a problem: never a panic.
        let _ = decode(&bytes, &DecodeOptions::default());
    }
}

#[test]
fn every_compression_exr_writes_round_trips() {
    let frame = Frame::blender_like(Size { width: 70, height: 45 }, 5);
    for compression in Compression::ALL {
        for layout in [ExrLayout::MultiPart, ExrLayout::SinglePart] {
            let result = frame.to_exr(&ExrOptions { layout, compression, ..ExrOptions::default() });
            if !compression.can_encode() {
                assert!(result.is_err());
                continue;
            }
            let bytes = result.unwrap_or_else(|e| panic!("{compression}: {e}"));
            let info = read_info(&bytes).unwrap();
            assert_eq!((info.compression, info.layout, info.size), (compression, layout, frame.size));
            let decoded = decode(&bytes, &DecodeOptions::default()).unwrap();
            for (info, buffers) in &frame.passes {
                let got = decoded.pass(&info.full_name()).unwrap();
                assert_eq!(got.info, *info);
                if compression.is_lossless() {
                    for (a, b) in got.channels.iter().zip(buffers) {
                        assert!(bit_equal(a, b), "{compression} {layout:?} {}", info.full_name());
                    }
                }
            }
        }
    }
}

#[test]
fn names_with_dots_and_spaces_and_mixed_types_survive_both_layouts() {
    let size = Size { width: 40, height: 30 };
    let mut rng = common::Lcg(9);
    let mut make = |t: SampleType| match t {
        SampleType::F16 => Samples::F16((0..1200).map(|_| half::f16::from_f32(rng.next_f32())).collect()),
        SampleType::F32 => Samples::F32((0..1200).map(|_| rng.next_f32()).collect()),
        SampleType::U32 => Samples::U32((0..1200).map(|_| (rng.next_f32() * 1e6) as u32).collect()),
    };
    let passes = [
        pass(
            "View Layer.001",
            "Diffuse Color",
            &[("R", SampleType::F16), ("G", SampleType::F16), ("B", SampleType::F16)],
        ),
        pass("View Layer.001", "Denoising Depth", &[("Z", SampleType::F32)]),
        pass("View Layer.001", "CryptoObject00", &[("id", SampleType::U32)]),
    ];
    let frame = Frame {
        size,
        passes: passes
            .iter()
            .map(|p| (p.clone(), p.channels.iter().map(|c| make(c.sample_type)).collect()))
            .collect(),
    };
    for layout in [ExrLayout::MultiPart, ExrLayout::SinglePart] {
        let bytes = frame
            .to_exr(&ExrOptions { layout, compression: Compression::Piz, ..ExrOptions::default() })
            .unwrap();
        let decoded = decode(&bytes, &DecodeOptions::default()).unwrap();
        assert_eq!(decoded.layout, layout);
        for (info, buffers) in &frame.passes {
            let got = decoded.pass(&info.full_name()).unwrap_or_else(|| panic!("{}", info.full_name()));
            assert_eq!(got.info.view_layer, "View Layer.001");
            for (a, b) in got.channels.iter().zip(buffers) {
                assert!(bit_equal(a, b));
            }
        }
    }
    // A plain RGBA file is one pass.
    let plain = Frame {
        size,
        passes: vec![(
            pass("", "", &[("R", SampleType::F16), ("A", SampleType::F16)]),
            vec![make(SampleType::F16), make(SampleType::F16)],
        )],
    };
    let decoded = decode(&plain.to_exr(&FAST).unwrap(), &DecodeOptions::default()).unwrap();
    assert_eq!(decoded.passes.len(), 1);
    assert_eq!(decoded.passes[0].info.display_name(), "RGBA");
}

#[test]
fn a_tile_with_other_passes_is_refused_with_both_channel_lists() {
    let g = grid(200, 150, 64);
    let frame = Frame::blender_like(g.image, 6);
    let mut canvas = Canvas::new(g, CanvasOptions::default());
    let first = id(0, 0, 64, 64);
    canvas.add(first, &frame.tile_file(g.rendered(first), &FAST).unwrap().unwrap()).unwrap();
    let mut odd = frame.clone();
    odd.passes[1].0.channels[0].sample_type = SampleType::F16;
    odd.passes[1].1[0] = Samples::zeroed(SampleType::F16, 200 * 150);
    let other = id(64, 0, 128, 64);
    let problem = canvas.add(other, &odd.tile_file(g.rendered(other), &FAST).unwrap().unwrap()).unwrap_err();
    let text = problem.to_string();
    assert!(
        text.contains("ViewLayer.Depth.Z (half)") && text.contains("ViewLayer.Depth.Z (float)"),
        "{text}"
    );
    let outside = canvas.add(id(1, 0, 64, 64), &[]).unwrap_err().to_string();
    assert!(outside.contains("not a tile"), "{outside}");
}

#[test]
fn seams_show_where_a_tile_disagrees_whatever_the_order() {
    let g = grid(192, 128, 64);
    let frame = Frame::blender_like(g.image, 8);
    let bad = id(64, 0, 128, 64);
    let offset = 0.25f32;
    let mut tiles = frame.tile_files(&g, &FAST).unwrap();
    // Re-render one tile brighter in Depth only: its overscan now disagrees by `offset`.
    let mut brighter = frame.crop(g.rendered(bad).unwrap()).unwrap();
    if let Samples::F32(z) = &mut brighter.passes[1].1[0] {
        for v in z.iter_mut().filter(|v| **v < 1e9) {
            *v += offset;
        }
    }
    tiles.iter_mut().find(|(t, _)| *t == bad).unwrap().1 = brighter.to_exr(&FAST).unwrap();

    let mut reports = Vec::new();
    for reverse in [false, true] {
        let mut canvas = Canvas::new(g, CanvasOptions::default());
        let order: Vec<_> = if reverse { tiles.iter().rev().collect() } else { tiles.iter().collect() };
        for (t, b) in order {
            canvas.add(*t, b).unwrap();
        }
        let report = canvas.seam_report();
        assert_eq!(report.pending_strips, 0);
        let depth = report.passes.iter().find(|p| p.pass == "ViewLayer.Depth").unwrap();
        assert!((depth.max_abs - f64::from(offset)).abs() < 1e-5, "{depth:?}");
        let combined = report.passes.iter().find(|p| p.pass == "ViewLayer.Combined").unwrap();
        assert_eq!(combined.max_abs, 0.0);
        for edge in &report.edges {
            let edge_depth = edge.passes.iter().find(|p| p.pass == "ViewLayer.Depth").unwrap();
            let touches = edge.a == bad || edge.b == bad;
            assert_eq!(edge_depth.max_abs > 0.0, touches, "{edge:?}");
        }
        let map = canvas.seam_map("Depth").unwrap();
        // Inside the bad tile's core, 8 px from its left edge: covered by the left tile's overscan.
        let core = g.core(bad);
        let inside = ((core.y + 20) * 192 + core.x + 8) as usize;
        assert!(map[inside] > 0.2 || frame.passes[1].1[0].get_f32(inside).unwrap() > 1e9);
        // Far from the bad tile the map is zero.
        assert!(map[(100 * 192 + 180) as usize] == 0.0);
        reports.push(report);
    }
    assert_eq!(reports[0].passes, reports[1].passes);
}
