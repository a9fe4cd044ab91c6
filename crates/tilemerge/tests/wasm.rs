//! The library in headless Chromium: real Blender 5 tile bytes, embedded at compile time from
//! `../shared/fixtures` (read there, not copied into the repository).
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use tilemerge::{
    decode, export_exr, preview_rgba8, Canvas, CanvasOptions, Compression, DecodeError, DecodeOptions,
    ExrLayout, ExrOptions, JobSettings, PassSelection, Samples, TileError, TileId, DEFAULT_OVERSCAN,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! b5 {
    ($($part:literal),+) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/b5-multipart-320x180-t64/", $($part),+)
    };
}

macro_rules! b5_tile {
    ($name:literal) => {
        ($name, include_bytes!(b5!("tiles/", $name)).as_slice())
    };
}

const TILES: [(&str, &[u8]); 15] = [
    b5_tile!("0-0-64-64.exr"),
    b5_tile!("0-128-64-180.exr"),
    b5_tile!("0-64-64-128.exr"),
    b5_tile!("128-0-192-64.exr"),
    b5_tile!("128-128-192-180.exr"),
    b5_tile!("128-64-192-128.exr"),
    b5_tile!("192-0-256-64.exr"),
    b5_tile!("192-128-256-180.exr"),
    b5_tile!("192-64-256-128.exr"),
    b5_tile!("256-0-320-64.exr"),
    b5_tile!("256-128-320-180.exr"),
    b5_tile!("256-64-320-128.exr"),
    b5_tile!("64-0-128-64.exr"),
    b5_tile!("64-128-128-180.exr"),
    b5_tile!("64-64-128-128.exr"),
];
const FULL: &[u8] = include_bytes!(b5!("full.exr"));
const JOB: &str = include_str!(b5!("job.json"));

fn id(name: &str) -> TileId {
    TileId::from_file_name(name).expect("tile name")
}

fn canvas(options: CanvasOptions) -> Canvas {
    let grid = JobSettings::from_json(JOB).unwrap().grid(DEFAULT_OVERSCAN).unwrap();
    Canvas::new(grid, options)
}

fn channels(bytes: &[u8]) -> BTreeMap<String, Samples> {
    decode(bytes, &DecodeOptions::default())
        .unwrap()
        .passes
        .into_iter()
        .flat_map(|p| p.info.channels.into_iter().map(|c| c.name).zip(p.channels))
        .collect()
}

fn bit_equal(a: &Samples, b: &Samples) -> bool {
    a.len() == b.len() && (0..a.len()).all(|i| a.get_bits(i) == b.get_bits(i))
}

#[wasm_bindgen_test]
fn blender5_tiles_merge_bit_for_bit_in_the_browser() {
    let mut canvas = canvas(CanvasOptions::default());
    for (name, bytes) in TILES.iter().rev() {
        let placement = canvas.add(id(name), bytes).unwrap();
        assert!(placement.is_complete());
    }
    assert!(canvas.coverage().is_complete());
    let full = channels(FULL);
    assert_eq!(full.len(), 11);
    for (name, reference) in &full {
        assert!(bit_equal(canvas.channel(name).unwrap(), reference), "{name}");
    }
    assert!(canvas.seam_report().passes.iter().all(|p| p.max_abs == 0.0));
    let bytes = export_exr(
        &canvas,
        &ExrOptions { layout: ExrLayout::MultiPart, compression: Compression::Zip, ..ExrOptions::default() },
    )
    .unwrap();
    let written = channels(&bytes);
    for (name, reference) in &full {
        assert!(bit_equal(&written[name], reference), "{name} after export");
    }
}

#[wasm_bindgen_test]
fn a_preview_of_one_pass_decodes_only_that_pass() {
    let options = CanvasOptions {
        decode: DecodeOptions {
            passes: PassSelection::Only(vec!["Combined".into()]),
            ..DecodeOptions::default()
        },
        seams: false,
        ..CanvasOptions::default()
    };
    let mut canvas = canvas(options);
    // Decoding happens where the bytes are (a worker); the canvas only places.
    for (name, bytes) in TILES.iter().take(4) {
        let decoded =
            tilemerge::decode_for_grid(canvas.grid(), id(name), bytes, &canvas.options().decode).unwrap();
        assert_eq!(decoded.passes.len(), 1);
        canvas.place(id(name), decoded).unwrap();
    }
    let coverage = canvas.coverage();
    assert_eq!((coverage.complete, coverage.missing), (4, 11));
    let image = canvas.pass_f32("Combined").unwrap();
    assert_eq!(image.components, ["R", "G", "B", "A"]);
    assert_eq!(image.data.len(), 320 * 180 * 4);
    let rgba = preview_rgba8(&canvas, "Combined", 1.0).unwrap();
    assert_eq!(rgba.len(), 320 * 180 * 4);
    assert!(rgba.chunks(4).any(|p| p[3] == 255) && rgba.chunks(4).any(|p| p[3] == 0));
}

#[wasm_bindgen_test]
fn broken_bytes_are_problems_not_panics() {
    let (name, bytes) = TILES[0];
    let mut canvas = canvas(CanvasOptions::default());
    let truncated = canvas.add(id(name), &bytes[..bytes.len() / 2]).unwrap_err();
    assert!(matches!(truncated.error, TileError::Decode(DecodeError::Truncated { .. })), "{truncated}");
    let not_exr = canvas.add(id(name), b"<!doctype html>").unwrap_err();
    assert!(not_exr.to_string().contains("not an OpenEXR file"), "{not_exr}");
    // The right bytes for another tile: a size mismatch naming both sizes.
    let (_, other) = TILES[1];
    let wrong = canvas.add(id(name), other).unwrap_err().to_string();
    assert!(wrong.contains("80x68") && wrong.contains("80x80"), "{wrong}");
    assert!(canvas.add(id(name), bytes).is_ok());
}

#[wasm_bindgen_test]
fn the_inspector_measures_a_merge_in_the_browser() {
    use tilemerge::analysis::{
        compare, difference_rgba8, header_attributes, histogram, placed_tiles, region_stats, ChannelPairing,
        CompareOptions, DifferenceView, HistogramOptions, PassView, Series,
    };
    let mut canvas = canvas(CanvasOptions { seams: false, ..CanvasOptions::default() });
    for (name, bytes) in TILES {
        canvas.add(id(name), bytes).unwrap();
    }
    let full = decode(FULL, &DecodeOptions::default()).unwrap();
    let tiles = placed_tiles(&canvas);
    for pass in ["Combined", "Depth", "Normal", "Diffuse Color"] {
        let (a, b) =
            (PassView::of_canvas(&canvas, pass).unwrap(), PassView::of_decoded(&full, pass).unwrap());
        let c = compare(&a, &b, CompareOptions::default(), &tiles).unwrap();
        assert!(c.overall.is_equal() && c.overall.psnr == f64::INFINITY, "{pass}: {:?}", c.overall);
        let heat =
            difference_rgba8(&a, &b, ChannelPairing::Same, DifferenceView::Heat { gain: 1.0 }).unwrap();
        assert_eq!(heat.len(), 320 * 180 * 4);
    }
    let combined = PassView::of_canvas(&canvas, "Combined").unwrap();
    let h = histogram(&combined, &[Series::Luminance], None, HistogramOptions::default()).unwrap();
    let c = &h.channels[0];
    assert_eq!(c.counts.iter().sum::<u64>() + c.below + c.above + c.non_finite, 320 * 180);
    let stats = region_stats(&combined, combined.bounds()).unwrap();
    assert_eq!(stats.channels[3].min, Some(1.0), "an opaque render");
    let attributes = header_attributes(TILES[0].1).unwrap();
    assert!(attributes.iter().any(|a| a.name == "Software" && a.text == "Blender 5.0.1"));
}
