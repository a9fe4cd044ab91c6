//! The merge's state: files to tiles, statuses, progress, passes and the typed layout.

use super::*;

#[test]
fn sizes_overscan_and_layouts_are_parsed() {
    assert_eq!(requested_size(" ", ""), Ok(None));
    assert_eq!(requested_size("320", "180"), Ok(Some(Size { width: 320, height: 180 })));
    assert!(requested_size("320", "").is_err());
    assert!(requested_size("0", "10").is_err());
    assert_eq!(requested_overscan("16"), Ok(16));
    assert!(requested_overscan("-1").is_err());
    for (layout, value, _) in EXPORT_LAYOUTS {
        assert_eq!(export_layout(export_layout_value(layout)), Some(layout));
        assert_eq!(export_layout(value), Some(layout));
    }
    assert_eq!(export_layout("tiled"), None);
    for (compression, _) in EXPORT_COMPRESSIONS {
        assert!(compression.is_lossless() && compression.can_encode(), "{compression}");
        assert_eq!(export_compression(compression.name()), Some(compression));
    }
    assert_eq!(export_compression("dwaa"), None, "lossy is not offered");
}

fn picked(names: &[&str]) -> Vec<PickedFile> {
    names.iter().map(|n| PickedFile { name: n.to_string(), bytes: 100 }).collect()
}

const GRID_2X2: [&str; 4] = ["0-0-64-64.exr", "64-0-100-64.exr", "0-64-64-90.exr", "64-64-100-90.exr"];

#[test]
fn infers_the_layout_and_queues_every_tile() {
    let plan = Plan::new(&picked(&GRID_2X2), None, 16).expect("a plan");
    assert_eq!(plan.grid.image, Size { width: 100, height: 90 });
    assert!(plan.inferred);
    assert_eq!(plan.rows.len(), 4);
    assert!(plan.rows.iter().all(|r| r.status == TileStatus::Queued && r.is_sent()));
    assert_eq!(
        plan.progress(),
        Progress { tiles_done: 0, tiles_total: 4, bytes_done: 0, bytes_total: 400, not_rendered: 0 }
    );
}

#[test]
fn a_given_size_shows_the_missing_last_column() {
    let files = picked(&GRID_2X2[..1]);
    let plan = Plan::new(&files, Some(Size { width: 100, height: 64 }), 16).expect("a plan");
    assert!(!plan.inferred);
    assert_eq!(plan.count("missing"), 1);
    assert_eq!(plan.progress().tiles_total, 1);
}

#[test]
fn stray_files_are_listed_unused_with_a_reason() {
    let mut names = GRID_2X2.to_vec();
    names.push("notes.txt");
    let plan = Plan::new(&picked(&names), None, 16).expect("a plan");
    let stray = plan.rows.iter().find(|r| r.name == "notes.txt").expect("listed");
    assert!(matches!(&stray.status, TileStatus::Unused(r) if r.contains("notes.txt")));
    assert!(!stray.is_sent());
}

#[test]
fn no_tile_names_and_no_files_are_errors() {
    assert_eq!(Plan::new(&[], None, 16), Err(PlanError::NoFiles));
    assert_eq!(Plan::new(&picked(&["a.exr"]), None, 16), Err(PlanError::NoTileNames));
}

#[test]
fn answers_settle_tiles_and_cancel_leaves_the_rest() {
    let mut plan = Plan::new(&picked(&GRID_2X2), None, 16).expect("a plan");
    let first = plan.rows[0].tile.expect("a tile");
    let second = plan.rows[1].tile.expect("a tile");
    plan.settle(first, TileStatus::Placed);
    plan.settle(second, TileStatus::Failed("truncated".into()));
    plan.settle(first, TileStatus::Failed("late answer".into()));
    assert_eq!(plan.rows[0].status, TileStatus::Placed);
    assert_eq!(plan.rows[1].status.reason(), Some("truncated"));
    assert_eq!(plan.progress().tiles_done, 2);
    assert!(!plan.progress().is_finished());
    assert_eq!(plan.state_summary(), "1 placed · 2 queued · 1 failed");
    plan.cancel();
    assert_eq!(plan.count("cancelled"), 2);
    assert_eq!(plan.placed().count(), 1);
    assert_eq!(plan.state_summary(), "1 placed · 1 failed · 2 cancelled");
}

#[test]
fn job_tiles_wait_for_their_task_and_are_fetched_again_after_a_rerun() {
    let grid = Grid::new(Size { width: 100, height: 64 }, Size { width: 64, height: 64 }, 16).expect("grid");
    let [first, second] = [grid.tiles()[0], grid.tiles()[1]];
    let mut plan = Plan::for_job(grid, |t| {
        if t == first {
            TileStatus::Queued
        } else {
            TileStatus::NotRendered("task queued".into())
        }
    });
    assert_eq!(plan.progress().tiles_total, 1, "tiles not rendered are not fetched yet");
    assert_eq!(plan.rows[1].status.label(), "not-rendered");
    assert_eq!(plan.task_status(second, "active"), None);
    assert_eq!(plan.rows[1].status.reason(), Some("task active"));
    assert_eq!(plan.task_status(second, "completed"), Some(1));
    assert_eq!(plan.task_status(second, "completed"), None, "already fetching");
    plan.settle(second, TileStatus::Placed);
    assert_eq!(plan.task_status(second, "queued"), None);
    assert_eq!(plan.placed().count(), 0, "a requeued tile is not exported");
    assert_eq!(plan.task_status(second, "completed"), Some(1));
    assert_eq!(plan.task_status(first, "completed"), None);
}

#[test]
fn a_frame_is_complete_once_no_tile_waits() {
    let mut plan = Plan::new(&picked(&GRID_2X2), None, 16).expect("a plan");
    let tiles: Vec<TileId> = plan.rows.iter().filter_map(|r| r.tile).collect();
    for tile in &tiles[..3] {
        plan.settle(*tile, TileStatus::Placed);
    }
    assert!(!plan.is_complete(), "one tile is still queued");
    plan.settle(tiles[3], TileStatus::Failed("truncated".into()));
    assert!(plan.is_complete(), "a failed tile is an answer too");
    plan.rows[0].status = TileStatus::NotRendered("task active".into());
    assert!(!plan.is_complete(), "a tile still rendering will come");
    let times = FrameTimes::default();
    let mut figures =
        FrameFigures { millis: 1240.0, times, workers: 2, worker_bytes: 310e6, page_bytes: 12e6 };
    assert_eq!(figures.text(), "Full frame in 1.24 s · 2 workers, 310 MB of WebAssembly memory (page 12 MB)");
    figures.times.tile_shown(48.0);
    assert_eq!(
        figures.text(),
        "Full frame in 1.24 s (first tiles 0.05 s) · 2 workers, 310 MB of WebAssembly memory (page 12 MB)"
    );
}

#[test]
fn passes_keep_their_order_and_prefer_combined() {
    let mut passes = Passes::default();
    passes.merge(&["ViewLayer.Depth".into(), "ViewLayer.Combined".into()]);
    passes.merge(&["ViewLayer.Combined".into(), "ViewLayer.Normal".into()]);
    assert_eq!(passes.0.len(), 3);
    assert_eq!(passes.default_pass().map(String::as_str), Some("ViewLayer.Combined"));
    let files = Progress {
        tiles_done: 3,
        tiles_total: 15,
        bytes_done: 1_200_000,
        bytes_total: 4_000_000,
        not_rendered: 0,
    };
    assert_eq!(files.text(), "3 of 15 tiles, 1.2 of 4.0 MB");
    // A job's tiles: no sizes before they are fetched, and the tiles still rendering named.
    let job = Progress { tiles_done: 14, tiles_total: 14, bytes_done: 0, bytes_total: 0, not_rendered: 46 };
    assert_eq!(job.text(), "14 of 14 tiles; 46 not rendered yet");
}
