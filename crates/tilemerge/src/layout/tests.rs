//! The tile geometry against what Blender really renders.

use super::*;

fn grid(w: u32, h: u32, tw: u32, th: u32) -> Grid {
    Grid::new(Size { width: w, height: h }, Size { width: tw, height: th }, DEFAULT_OVERSCAN).unwrap()
}

#[test]
fn parses_tile_names_and_rejects_others() {
    assert_eq!(
        TileId::from_file_name("64-128-128-192.EXR"),
        Some(TileId { x0: 64, y0: 128, x1: 128, y1: 192 })
    );
    for bad in ["64-128-128.exr", "a-1-2-3.exr", "1-2-3-4-5.exr", "1-2-3-+4.exr", "1-2-3-4.png", ".exr", ""] {
        assert_eq!(TileId::from_file_name(bad), None, "{bad}");
    }
}

#[test]
fn blender_rounding_makes_a_tile_one_row_taller() {
    // FLAMENCO.md: at 960x540 the border edge 112/540 lands on row 111.
    assert_eq!(blender_border_edge(112, 540), 111);
    let g = grid(960, 540, 128, 128);
    let id = TileId { x0: 0, y0: 128, x1: 128, y1: 256 };
    let rendered = g.rendered(id).unwrap();
    assert_eq!(rendered.height, 161);
    assert_eq!(rendered.width, 144);
    assert_eq!(rendered.x, 0);
    // Rows from the top: Blender row 111 is the last row, so the rect ends at 540 - 111.
    assert_eq!(rendered.bottom(), 540 - 111);
    let geometry = g.geometry(id);
    // 17 overscan rows below the core, which sits 16 rows under the file's top.
    assert_eq!(geometry.crop.unwrap(), Rect { x: 0, y: 16, width: 128, height: 128 });
    assert_eq!(g.rendered_naively(id).unwrap().height, 160);
}

#[test]
fn overscan_is_clamped_at_the_edges_and_y_counts_from_the_bottom() {
    let g = grid(320, 180, 64, 64);
    let bottom_left = TileId { x0: 0, y0: 0, x1: 64, y1: 64 };
    assert_eq!(g.core(bottom_left), Rect { x: 0, y: 116, width: 64, height: 64 });
    assert_eq!(g.rendered(bottom_left).unwrap(), Rect { x: 0, y: 100, width: 80, height: 80 });
    let top = TileId { x0: 64, y0: 128, x1: 128, y1: 180 };
    assert_eq!(g.rendered(top).unwrap(), Rect { x: 48, y: 0, width: 96, height: 68 });
    assert_eq!(g.tiles().len(), 15);
    assert!(g.contains(top));
    assert!(!g.contains(TileId { x0: 64, y0: 128, x1: 128, y1: 192 }));
}

#[test]
fn tiles_come_in_the_job_types_order_with_blender_names() {
    // b5-multipart-320x180-t64: rows from the bottom, columns from the left.
    let tiles = grid(320, 180, 64, 64).tiles();
    let names: Vec<String> = tiles.iter().map(TileId::file_name).collect();
    assert_eq!(names.len(), 15);
    assert_eq!(names[..2], ["0-0-64-64.exr", "64-0-128-64.exr"]);
    assert_eq!(names[5], "0-64-64-128.exr");
    assert_eq!(names[14], "256-128-320-180.exr");
    // The top-right corner's overscan is clamped on two sides.
    let corner = grid(320, 180, 64, 64).rendered(tiles[14]).unwrap();
    assert_eq!(corner, Rect::from_edges(240, 0, 320, 180 - 112));
    // b42: 256x160 in 100x70 tiles, the last column and row narrower.
    let uneven = grid(256, 160, 100, 70).tiles();
    assert_eq!(uneven.len(), 9);
    assert_eq!(uneven[8], TileId { x0: 200, y0: 140, x1: 256, y1: 160 });
}

#[test]
fn portrait_clamp_cuts_the_top_tiles_and_is_recognised() {
    // 100 wide, 200 high: the job type clamps the top overscan at 100.
    let g = grid(100, 200, 64, 64);
    let cut = TileId { x0: 0, y0: 64, x1: 64, y1: 128 };
    let expected = g.rendered(cut).unwrap();
    let buggy = g.rendered_with_portrait_clamp(cut).unwrap();
    assert_eq!(expected.height, 144 - 48);
    assert_eq!(buggy.height, 100 - 48);
    // Its top edge is resolution_x = 100 rows from the bottom, instead of 144.
    assert_eq!(buggy.y, 200 - 100);
    assert_eq!(g.rendered_by_published_job_type(cut), Some(buggy));
    match g.resolve(cut, buggy.size()) {
        Resolution::Explained { placed, mismatch, .. } => {
            assert_eq!(mismatch.cause, Some(MismatchCause::PortraitClamp));
            assert_eq!(mismatch.expected, Some(expected.size()));
            // Rows 64..100 from the bottom survive: 36 rows of the 64.
            assert_eq!(placed, Rect { x: 0, y: 100, width: 64, height: 36 });
        }
        other => panic!("{other:?}"),
    }
    // Above resolution_x the buggy border is inverted: Blender renders nothing.
    let gone = TileId { x0: 0, y0: 128, x1: 64, y1: 192 };
    assert_eq!(g.rendered_with_portrait_clamp(gone), None);
    // Landscape images are not affected.
    assert_eq!(
        grid(200, 100, 64, 64).rendered_with_portrait_clamp(TileId { x0: 0, y0: 64, x1: 64, y1: 100 }),
        None
    );
}

#[test]
fn without_overscan_a_rounded_edge_costs_the_core_a_row() {
    let g = Grid::new(Size { width: 960, height: 540 }, Size { width: 64, height: 64 }, 0).unwrap();
    let mut cut = 0;
    for id in g.tiles() {
        let rendered = g.rendered(id).unwrap();
        match g.resolve(id, rendered.size()) {
            Resolution::Exact { placed, .. } => {
                assert_eq!(placed, g.core(id).intersect(&rendered));
                cut += usize::from(placed != g.core(id));
            }
            other => panic!("{other:?}"),
        }
    }
    // 448/540 lands on row 447: the row of tiles 384..448 loses its top row.
    assert_eq!(blender_border_edge(448, 540), 447);
    assert_eq!(cut, 15);
}

#[test]
fn absurd_grids_are_refused() {
    let big = Size { width: 65_536, height: 65_536 };
    let one = Size { width: 1, height: 1 };
    assert!(matches!(Grid::new(big, one, 16), Err(LayoutError::TooManyTiles { .. })));
    assert!(matches!(Grid::new(big, Size { width: 0, height: 64 }, 16), Err(LayoutError::OutOfRange { .. })));
    assert!(Grid::new(Size { width: 70_000, height: 10 }, one, 16).is_err());
    let id = TileId { x0: u32::MAX - 1, y0: 0, x1: u32::MAX, y1: 64 };
    assert!(!grid(128, 128, 64, 64).contains(id));
}

#[test]
fn unexplained_sizes_are_not_placed() {
    let g = grid(320, 180, 64, 64);
    let id = TileId { x0: 64, y0: 64, x1: 128, y1: 128 };
    let r = g.resolve(id, Size { width: 95, height: 96 });
    assert_eq!(
        r,
        Resolution::Unplaceable(SizeMismatch {
            expected: Some(Size { width: 96, height: 96 }),
            actual: Size { width: 95, height: 96 },
            cause: None
        })
    );
    let text = match r {
        Resolution::Unplaceable(m) => m.to_string(),
        _ => unreachable!(),
    };
    assert!(text.contains("95x96") && text.contains("96x96"), "{text}");
}
