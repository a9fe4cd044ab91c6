//! Merges of real Blender tiles against Blender's own full-frame render.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use tilemerge::{
    decode, export_exr, Canvas, CanvasOptions, Compression, DecodeOptions, ExrLayout, ExrOptions,
    LayoutReport, PassSelection, DEFAULT_OVERSCAN,
};

fn merge(fixture: &str, options: CanvasOptions) -> Canvas {
    let grid = job(fixture).grid(DEFAULT_OVERSCAN).expect("grid");
    let mut canvas = Canvas::new(grid, options);
    for (id, bytes) in tiles(fixture) {
        let placement = canvas.add(id, &bytes).unwrap_or_else(|p| panic!("{p}"));
        assert!(placement.is_complete() && placement.mismatch.is_none(), "{placement:?}");
    }
    assert!(canvas.coverage().is_complete());
    canvas
}

#[test]
fn fixture_folders_match_their_grids() {
    for fixture in [B5, B42] {
        let grid = job(fixture).grid(DEFAULT_OVERSCAN).unwrap();
        let names: Vec<String> = tiles(fixture).iter().map(|(id, _)| id.file_name()).collect();
        let report = LayoutReport::match_files(grid, false, names.iter().map(String::as_str));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.found.len(), report.expected_tiles);
        // Without settings the grid is inferred from the names alone, to the same result.
        let inferred = LayoutReport::infer(names.iter().map(String::as_str), DEFAULT_OVERSCAN).unwrap();
        assert_eq!(inferred.grid, grid);
    }
}

#[test]
fn b5_multipart_merge_equals_full_render_bit_for_bit() {
    let canvas = merge(B5, CanvasOptions::default());
    assert_eq!(canvas.source_layout(), Some(ExrLayout::MultiPart));
    let full = channels(&full(B5));
    assert_eq!(full.len(), 11, "Combined RGBA, Depth Z, Normal XYZ, Diffuse Color RGB");
    for (name, reference) in &full {
        let merged = canvas.channel(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(bit_equal(merged, reference), "{name} differs");
    }
    // And through the written file, in both layouts and a lossless compression.
    for layout in [ExrLayout::MultiPart, ExrLayout::SinglePart] {
        let options = ExrOptions { layout, compression: Compression::Zip, ..ExrOptions::default() };
        let bytes = export_exr(&canvas, &options).expect("export");
        let info = tilemerge::read_info(&bytes).unwrap();
        assert_eq!(info.layout, layout);
        assert_eq!((info.size.width, info.size.height), (320, 180));
        let written = channels(&bytes);
        assert_eq!(written.len(), full.len());
        for (name, reference) in &full {
            assert!(bit_equal(&written[name], reference), "{name} differs after export as {layout:?}");
        }
    }
    let seams = canvas.seam_report();
    assert_eq!(seams.pending_strips, 0);
    // 15 tiles on a 5x3 grid: 10 + 12 side edges and 16 diagonal ones.
    assert_eq!(seams.edges.len(), 38);
    for pass in &seams.passes {
        assert_eq!(pass.max_abs, 0.0, "{} seams on a clean render", pass.pass);
        assert!(pass.channels.iter().all(|c| c.pixels > 0));
    }
    assert!(canvas.seam_map("ViewLayer.Combined").unwrap().iter().all(|v| *v == 0.0));
}

#[test]
fn b42_singlepart_noisy_and_depth_are_exact_and_denoised_combined_has_seams() {
    let canvas = merge(B42, CanvasOptions::default());
    assert_eq!(canvas.source_layout(), Some(ExrLayout::SinglePart));
    let full = channels(&full(B42));
    let mut combined_differs = false;
    for (name, reference) in &full {
        let merged = canvas.channel(name).unwrap();
        if name.contains(".Combined.") {
            combined_differs |= !bit_equal(merged, reference);
        } else {
            assert!(bit_equal(merged, reference), "{name} differs");
        }
    }
    assert!(combined_differs, "the per-tile denoised Combined cannot match the full render");

    let seams = canvas.seam_report();
    let by_name = |n: &str| seams.passes.iter().find(|p| p.pass == n).unwrap_or_else(|| panic!("{n}"));
    assert!(by_name("ViewLayer.Combined").max_abs > 0.1, "{:?}", by_name("ViewLayer.Combined"));
    assert!(by_name("ViewLayer.Combined").mean_abs > 0.0);
    assert_eq!(by_name("ViewLayer.Noisy Image").max_abs, 0.0);
    assert_eq!(by_name("ViewLayer.Depth").max_abs, 0.0);
    let map = canvas.seam_map("Combined").unwrap();
    assert_eq!(map.len(), 256 * 160);
    let worst = map.iter().cloned().fold(0f32, f32::max);
    assert_eq!(f64::from(worst), by_name("ViewLayer.Combined").max_abs);
    // Far from any tile border nothing overlaps, so the map is zero there.
    assert_eq!(map[80 * 256 + 50], 0.0);
    // Half floats survive the export: the single-part file keeps Depth as float.
    let bytes = export_exr(
        &canvas,
        &ExrOptions { layout: ExrLayout::SinglePart, compression: Compression::Piz, ..ExrOptions::default() },
    )
    .unwrap();
    let written = channels(&bytes);
    assert!(bit_equal(&written["ViewLayer.Depth.Z"], &full["ViewLayer.Depth.Z"]));
    assert!(bit_equal(&written["ViewLayer.Noisy Image.G"], &full["ViewLayer.Noisy Image.G"]));
}

#[test]
fn chosen_passes_are_the_only_ones_decoded_and_kept() {
    let options =
        DecodeOptions { passes: PassSelection::Only(vec!["Depth".into()]), ..DecodeOptions::default() };
    let (_, bytes) = &tiles(B5)[0];
    let tile = decode(bytes, &options).unwrap();
    assert_eq!(tile.passes.len(), 1);
    assert_eq!(tile.passes[0].info.full_name(), "ViewLayer.Depth");
    let all = decode(bytes, &DecodeOptions::default()).unwrap();
    assert_eq!(all.pass("ViewLayer.Depth").unwrap().channels, tile.passes[0].channels);
    assert!(all.decoded_bytes() > 10 * tile.decoded_bytes());

    let canvas = merge(B5, CanvasOptions { decode: options, ..CanvasOptions::default() });
    assert_eq!(canvas.passes().len(), 1);
    let full = channels(&full(B5));
    assert!(bit_equal(canvas.channel("ViewLayer.Depth.Z").unwrap(), &full["ViewLayer.Depth.Z"]));

    let unknown =
        DecodeOptions { passes: PassSelection::Only(vec!["Mist".into()]), ..DecodeOptions::default() };
    let err = decode(bytes, &unknown).unwrap_err().to_string();
    assert!(err.contains("Mist") && err.contains("ViewLayer.Diffuse Color"), "{err}");
}

#[test]
fn partial_canvas_reads_back_and_png_previews() {
    let grid = job(B5).grid(DEFAULT_OVERSCAN).unwrap();
    let mut canvas = Canvas::new(grid, CanvasOptions::default());
    let tiles = tiles(B5);
    let (first, bytes) = &tiles[0];
    let placement = canvas.add(*first, bytes).unwrap();
    let coverage = canvas.coverage();
    assert_eq!((coverage.complete, coverage.missing), (1, 14));
    assert_eq!(coverage.covered_pixels, placement.core.area());
    // The strips this tile's overscan laid over its neighbours wait for them.
    assert!(canvas.seam_report().pending_strips > 0);
    let image = canvas.pass_f32("ViewLayer.Combined").unwrap();
    assert_eq!(image.components.len(), 4);
    let c = image.components.iter().position(|c| c == "A").unwrap();
    let inside = (placement.core.y as usize * 320 + placement.core.x as usize) * 4 + c;
    assert_eq!(image.data[inside], 1.0, "placed pixels are opaque");
    assert_eq!(image.data[c], 0.0, "unplaced pixels are empty");
    let png = tilemerge::export_png(&canvas, "Combined", 0.0).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let err = tilemerge::export_png(&canvas, "Mist", 0.0).unwrap_err();
    assert!(err.to_string().contains("Mist"));
    // Placing the same tile again is refused and leaves it placed.
    let again = canvas.add(*first, bytes).unwrap_err();
    assert!(again.to_string().contains("already placed"), "{again}");
    assert_eq!(canvas.coverage().complete, 1);
}

#[test]
fn exports_from_the_files_pass_by_pass_are_the_bytes_of_the_whole_canvas_export() {
    for fixture in [B5, B42] {
        let grid = job(fixture).grid(DEFAULT_OVERSCAN).unwrap();
        let tiles = tiles(fixture);
        let files: Vec<(tilemerge::TileId, &[u8])> = tiles.iter().map(|(t, b)| (*t, b.as_slice())).collect();
        let canvas = merge(fixture, CanvasOptions { seams: false, ..CanvasOptions::default() });
        for layout in [ExrLayout::MultiPart, ExrLayout::SinglePart] {
            for compression in [Compression::Zip, Compression::Piz, Compression::None] {
                let options = ExrOptions { layout, compression, ..ExrOptions::default() };
                let whole = export_exr(&canvas, &options).unwrap();
                let by_pass = tilemerge::export_exr_from_files(&grid, &files, &options).unwrap();
                assert_same_file(&whole, &by_pass, &format!("{fixture} {layout:?} {compression:?}"));
                assert_eq!(tilemerge::read_info(&by_pass).unwrap().compression, compression);
            }
        }
    }
}

#[test]
fn an_export_from_files_names_the_tile_that_fails() {
    let grid = job(B5).grid(DEFAULT_OVERSCAN).unwrap();
    let mut tiles = tiles(B5);
    let (bad, bytes) = &mut tiles[4];
    bytes.truncate(bytes.len() - 100);
    let bad = *bad;
    let files: Vec<(tilemerge::TileId, &[u8])> = tiles.iter().map(|(t, b)| (*t, b.as_slice())).collect();
    let err =
        tilemerge::export_exr_from_files(&grid, &files, &ExrOptions::default()).unwrap_err().to_string();
    assert!(err.contains(&bad.to_string()) && err.contains("truncated"), "{err}");
    assert!(tilemerge::export_exr_from_files(&grid, &[], &ExrOptions::default()).is_err());
}

/// Asserts two EXR files are the same but for the order of their headers' custom attributes,
/// which exr keeps in a `HashMap` (so two merges of the same tiles order them differently):
/// the headers are equal as read, the files equally long, and every byte after the headers
/// (offset tables and compressed blocks) the same.
fn assert_same_file(a: &[u8], b: &[u8], what: &str) {
    let meta = |bytes: &[u8]| exr::meta::MetaData::read_from_buffered(bytes, false).expect("headers");
    let (meta_a, meta_b) = (meta(a), meta(b));
    assert_eq!(meta_a, meta_b, "{what}: headers");
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let blocks: usize = meta_a.headers.iter().map(|h| h.chunk_count).sum();
    // The offset tables start where the headers end; their first entry points just past them.
    let tables = (0..a.len().min(1 << 20))
        .find(|&at| {
            a.get(at..at + 8).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes)
                == Some((at + 8 * blocks) as u64)
        })
        .expect("the offset tables");
    assert!(a[tables..] == b[tables..], "{what}: the offset tables or blocks differ");
}
