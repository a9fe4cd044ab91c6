//! The repository's own job type, `jobtypes/single_image_tiles.js`, run by simfarm as a Manager
//! runs a script from its `scripts/` folder: every tile rendered whole with Blender's border maths
//! (portrait images and render scales included), merged by the real `tilemerge`, and the merge
//! equal to the picture in every pass; the merged preview becomes the job's last-rendered image.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::{json, Value};
use simfarm::render::exr_out;
use simfarm::render::procedural::Picture;
use simfarm::{Config, Server};
use tilemerge::{read_info, Grid, Size, TileId};

fn jobtypes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../jobtypes")
}

/// The `tilemerge` built beside this test (`cargo test --workspace` builds it; `scripts/test`
/// builds it before the tests).
fn tilemerge_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let target = exe.parent().and_then(Path::parent).expect("target/debug");
    let bin = target.join(format!("tilemerge{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "{} is missing: build it with `cargo build -p tilemerge`", bin.display());
    bin
}

async fn start_farm(name: &str) -> Server {
    let config = test_config(name, 4, 0.1);
    start_with(Config { scripts: Some(jobtypes_dir()), tilemerge: tilemerge_bin(), ..config }).await
}

fn submission(root: &Path, (width, height, scale): (u32, u32, u32), tile: u32, etag: &str) -> Value {
    json!({
        "name": "poster", "type": "single-image-tiles", "type_etag": etag, "submitter_platform": "linux",
        "settings": {
            "frame": 1, "resolution_x": width, "resolution_y": height, "resolution_scale": scale,
            "tile_size_x": tile, "tile_size_y": tile, "overscan": 16, "denoise": false,
            "render_output_root": root.to_string_lossy(), "add_path_components": 0,
            "render_output_path": format!("{}/poster/{{timestamp}}/tiles", root.display()),
            "blendfile": "/projects/poster.blend"
        }
    })
}

/// Runs one job to completion; returns its id and its tiles folder.
async fn render(server: &Server, size: (u32, u32, u32), tile: u32) -> (String, PathBuf) {
    let client = Client::new(server);
    let etag = client.get("/api/v3/jobs/type/single-image-tiles").await.json()["etag"]
        .as_str()
        .expect("etag")
        .to_owned();
    let id = submit(&client, submission(server.state.render_root.path(), size, tile, &etag)).await;
    let status = eventually(60.0, "the job ends", || async {
        let status = job_status(&client, &id).await;
        matches!(status.as_str(), "completed" | "failed").then_some(status)
    })
    .await;
    assert_eq!(status, "completed");
    let tiles = client.get(&format!("/api/v3/jobs/{id}")).await.json()["settings"]["render_output_path"]
        .as_str()
        .expect("the tiles folder")
        .to_owned();
    (id, PathBuf::from(tiles))
}

/// Every tile file has the size Blender renders for it, and the merge equals the picture.
fn check_tiles_and_merge(id: &str, tiles: &Path, (width, height): (u32, u32), tile: u32) {
    let grid = Grid::new(Size { width, height }, Size { width: tile, height: tile }, 16).expect("grid");
    for id in grid.tiles() {
        let bytes = std::fs::read(tiles.join(id.file_name())).unwrap_or_else(|e| panic!("tile {id}: {e}"));
        let expected = grid.rendered(id).expect("every tile is rendered");
        assert_eq!(read_info(&bytes).expect("an EXR").size, expected.size(), "tile {id}");
    }
    let merged = exr_out::read(&tiles.parent().expect("job folder").join("merged.exr")).expect("merged.exr");
    assert_eq!((merged.width, merged.height), (width as usize, height as usize));
    let picture = Picture { width, height, seed: simfarm::jobtypes::fnv1a(id.as_bytes()) };
    for y in 0..height {
        for x in 0..width {
            let expected = picture.sample(x, y);
            let index = (y * width + x) as usize;
            assert_eq!(merged.rgba[index], expected.rgba, "Combined at {x},{y}");
            assert_eq!(merged.depth[index], expected.depth, "Depth at {x},{y}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_job_type_renders_whole_tiles_and_tilemerge_merges_them_exactly() {
    let server = start_farm("tiles-job").await;
    let client = Client::new(&server);

    let (id, tiles) = render(&server, (200, 120, 100), 64).await;
    check_tiles_and_merge(&id, &tiles, (200, 120), 64);
    let listed = tasks(&client, &id).await;
    assert_eq!(listed.len(), 4 * 2 + 1);
    assert_eq!(listed.last().map(|t| t["name"].clone()), Some(json!("merge")));
    // The merged preview is the job's last-rendered image.
    let info = client.get(&format!("/api/v3/jobs/{id}/last-rendered")).await;
    assert_eq!(info.status, 200, "{}", info.text());
    assert!(tiles.parent().expect("job folder").join("merged.png").is_file());

    // Portrait, at half scale: 360x640 renders as 180x320, and the top tiles are whole (the
    // published job type leaves them short).
    let (id, tiles) = render(&server, (360, 640, 50), 64).await;
    check_tiles_and_merge(&id, &tiles, (180, 320), 64);
    assert!(TileId::from_file_name("128-256-180-320.exr")
        .is_some_and(|top| tiles.join(top.file_name()).is_file()));
    server.stop();
}
