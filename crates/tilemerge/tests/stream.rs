//! The streamed merge (`tilemerge::stream`) against the whole-frame merge: the same file, byte
//! for byte, with tiles fed in random order, while holding only a band of rows.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::HashMap;
use std::io::Cursor;

use common::*;
use tilemerge::synth::{splitmix64, Frame};
use tilemerge::{
    decode_for_grid, export_exr, Canvas, CanvasOptions, Compression, ExrLayout, ExrOptions, Grid, SeamReport,
    Size, StreamMerge, TileId, DEFAULT_OVERSCAN,
};

/// `items` in an order drawn from `seed`.
fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
    items
}

/// The whole-frame merge: every tile placed, in an order drawn from `seed`, then written.
fn whole(grid: Grid, files: &[(TileId, Vec<u8>)], exr: &ExrOptions, seed: u64) -> (Vec<u8>, SeamReport) {
    let mut canvas = Canvas::new(grid, CanvasOptions::default());
    for (tile, bytes) in shuffled(files.iter().collect(), seed) {
        canvas.add(*tile, bytes).expect("placed");
    }
    (export_exr(&canvas, exr).expect("written"), canvas.seam_report())
}

/// What a streamed merge held and wrote.
struct Streamed {
    file: Vec<u8>,
    seams: SeamReport,
    /// The most bytes its canvas held at once, and what it planned for.
    held: u64,
    planned: u64,
}

/// The streamed merge on one thread: bands top first, each band's tiles in an order drawn from
/// `seed`; the first part's blocks written as they come, the others' kept until it is done.
fn streamed(grid: Grid, files: &[(TileId, Vec<u8>)], exr: &ExrOptions, seed: u64) -> Streamed {
    let by_tile: HashMap<TileId, &Vec<u8>> = files.iter().map(|(t, b)| (*t, b)).collect();
    let options = CanvasOptions::default();
    let first = grid.tiles().into_iter().find(|t| by_tile.contains_key(t)).expect("a tile");
    let decoded = decode_for_grid(&grid, first, by_tile[&first], &options.decode).expect("decodes");
    let per_pixel: u64 =
        decoded.passes.iter().flat_map(|p| &p.info.channels).map(|c| c.sample_type.bytes() as u64).sum();
    let mut merge = StreamMerge::new(grid, options, first, &decoded, exr).expect("a plan");
    let planned = merge.memory_plan(0, 0).band;
    let (mut first_part, mut later_parts, mut held) = (Vec::new(), Vec::new(), 0);
    for band in 0..merge.bands().len() {
        let tiles = merge.start_band(band).expect("the band moves down").tiles.clone();
        for tile in shuffled(tiles, seed ^ band as u64) {
            let bytes = by_tile[&tile];
            let decoded =
                decode_for_grid(&grid, tile, bytes, &merge.canvas().options().decode).expect("decodes");
            merge.place(tile, decoded).expect("placed");
        }
        let rows = merge.canvas().held_rows();
        held = held.max(u64::from(grid.image.width) * u64::from(rows.end - rows.start) * per_pixel);
        for i in merge.finish_band() {
            let block = merge.encode_block_with(i, &mut tilemerge::Miniz).expect("encoded");
            match block.part() {
                0 => first_part.push(block),
                _ => {
                    let mut record = Vec::new();
                    block.write_record(&mut record).expect("kept");
                    later_parts.push((block.part(), record));
                }
            }
        }
    }
    // Each later part's blocks in the order they were kept, parts in order.
    later_parts.sort_by_key(|(part, _)| *part);
    let kept = later_parts.into_iter().map(|(_, record)| {
        tilemerge::EncodedBlock::read_record(&mut Cursor::new(record)).map(|b| b.expect("a record"))
    });
    let mut file = Cursor::new(Vec::new());
    let writer = merge.file_writer();
    writer
        .write_to(
            &mut file,
            first_part
                .into_iter()
                .map(Ok)
                .chain(kept.map(|r| r.map_err(|e| tilemerge::ExportError::Exr(e.to_string())))),
        )
        .expect("written");
    let canvas = merge.finish().expect("the passes and attributes of a whole-frame merge");
    Streamed { file: file.into_inner(), seams: canvas.seam_report(), held, planned }
}

fn grid(width: u32, height: u32, tile_width: u32, tile_height: u32) -> Grid {
    let size = |width, height| Size { width, height };
    Grid::new(size(width, height), size(tile_width, tile_height), DEFAULT_OVERSCAN).expect("a grid")
}

#[test]
fn synthetic_sets_stream_into_the_whole_frame_merges_bytes_holding_a_band() {
    let cases = [
        // Narrower last column, shorter top row; ZIP's 16-line blocks straddle the tile rows.
        (grid(300, 250, 64, 48), ExrLayout::MultiPart, Compression::Zip),
        (grid(300, 250, 64, 48), ExrLayout::SinglePart, Compression::Zip),
        // One-line blocks, and PIZ's 32 lines, taller than a tile row.
        (grid(257, 131, 40, 24), ExrLayout::MultiPart, Compression::Zips),
        (grid(257, 131, 40, 24), ExrLayout::MultiPart, Compression::Piz),
        (grid(200, 96, 96, 20), ExrLayout::SinglePart, Compression::None),
    ];
    for (index, (grid, layout, compression)) in cases.into_iter().enumerate() {
        let exr = ExrOptions { layout, compression, ..ExrOptions::DEFAULT };
        let frame = Frame::blender_like(grid.image, index as u64 + 1);
        let files = frame.tile_files(&grid, &exr).expect("tiles");
        let seed = 0x5eed + index as u64;
        let (reference, reference_seams) = whole(grid, &files, &exr, seed);
        let streamed = streamed(grid, &files, &exr, seed);
        let case = format!("{} {layout:?} {compression}", grid.image);
        assert!(streamed.file == reference, "{case}: the streamed file differs from the whole-frame one");
        assert_eq!(streamed.seams, reference_seams, "{case}");
        let frame_bytes = grid.image.area() * 12;
        assert!(
            streamed.held <= streamed.planned,
            "{case}: held {} of {} planned",
            streamed.held,
            streamed.planned
        );
        assert!(streamed.held < frame_bytes, "{case}: held {} of the frame's {frame_bytes}", streamed.held);
    }
}

#[test]
fn blender_fixtures_stream_into_the_whole_frame_merges_bytes() {
    for fixture in [B5, B42] {
        let grid = job(fixture).grid(DEFAULT_OVERSCAN).expect("the job's grid");
        let files = tiles(fixture);
        let first = tilemerge::decode(&files[0].1, &Default::default()).expect("decodes");
        let exr = ExrOptions {
            layout: first.layout,
            compression: first.metadata.compression().unwrap_or(Compression::Zip),
            ..ExrOptions::DEFAULT
        };
        for seed in [1, 2] {
            let (reference, reference_seams) = whole(grid, &files, &exr, seed);
            let streamed = streamed(grid, &files, &exr, seed);
            assert!(
                streamed.file == reference,
                "{fixture}: the streamed file differs from the whole-frame one"
            );
            assert_eq!(streamed.seams, reference_seams, "{fixture}");
        }
        // And the same pixels as Blender's own full frame (B42's denoised Combined is denoised
        // per tile, so only its noisy image and depth can be).
        let merged = channels(&streamed(grid, &files, &exr, 3).file);
        for (name, reference) in &channels(&full(fixture)) {
            if fixture == B5 || name.contains(".Noisy Image.") || name.contains(".Depth.") {
                assert!(bit_equal(&merged[name], reference), "{fixture} {name}");
            }
        }
    }
}

#[test]
fn two_whole_frame_merges_write_the_same_bytes_header_attributes_included() {
    // exr keeps custom attributes in a hash map; the files sort them, as OpenEXR does.
    let grid = job(B5).grid(DEFAULT_OVERSCAN).expect("the job's grid");
    let files = tiles(B5);
    let exr = ExrOptions::DEFAULT;
    assert!(whole(grid, &files, &exr, 1).0 == whole(grid, &files, &exr, 2).0);
}

#[test]
fn the_seams_checked_a_band_at_a_time_are_the_whole_frames() {
    for fixture in [B5, B42] {
        let grid = job(fixture).grid(DEFAULT_OVERSCAN).expect("the job's grid");
        let files = tiles(fixture);
        let by_tile: HashMap<TileId, &Vec<u8>> = files.iter().map(|(t, b)| (*t, b)).collect();
        let passes = tilemerge::read_info(&files[0].1).expect("a header").passes;
        for pass in passes.iter().map(tilemerge::PassInfo::full_name) {
            let only = tilemerge::PassSelection::Only(vec![pass.clone()]);
            let mut canvas = Canvas::new(grid, CanvasOptions::only(only, true));
            for (tile, bytes) in &files {
                canvas.add(*tile, bytes).expect("placed");
            }
            let listed: Vec<TileId> = shuffled(files.iter().map(|(t, _)| *t).collect(), 7);
            let mut read = |tile: TileId| Ok(by_tile[&tile].to_vec());
            let streamed = tilemerge::check_seams_streamed(grid, &listed, &mut read, &pass, &mut |_| {})
                .expect("checked");
            assert_eq!(streamed, canvas.seam_report(), "{fixture} {pass}");
        }
    }
}
