//! A single-image job runs to completion; its tiles have Blender's sizes and, merged by tilemerge
//! here, equal the procedural image exactly; the socket sees the job and task events in order.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use serde_json::{json, Value};
use simfarm::render::exr_out::{self, Passes};
use simfarm::render::procedural::Picture;
use tilemerge::{read_info, Canvas, CanvasOptions, Grid, Rect, Size, TileId, DEFAULT_OVERSCAN};

const WIDTH: u32 = 200;
const HEIGHT: u32 = 120;
const TILE: u32 = 48;

fn submission(root: &Path) -> Value {
    json!({
        "name": "poster", "type": "single-image-render", "priority": 50, "submitter_platform": "linux",
        "settings": {
            "tile_size_x": TILE, "tile_size_y": TILE, "frame": 1, "resolution_x": WIDTH, "resolution_y": HEIGHT,
            "resolution_scale": 100, "format": "OPEN_EXR_MULTILAYER", "image_file_extension": ".exr",
            "render_output_root": root.to_string_lossy(), "add_path_components": 0,
            "render_output_path": format!("{}/poster/{{timestamp}}/tiles", root.display()),
            "blendfile": "/projects/poster.blend"
        }
    })
}

/// The job's grid, as tilemerge (checked against real Blender tiles) computes it.
fn grid() -> Grid {
    let size = |width, height| Size { width, height };
    Grid::new(size(WIDTH, HEIGHT), size(TILE, TILE), DEFAULT_OVERSCAN).expect("grid")
}

/// Where Blender renders a tile: the rectangle its file must hold, rows from the top.
fn rendered(x0: u32, y0: u32, x1: u32, y1: u32) -> Rect {
    grid().rendered(TileId { x0, y0, x1, y1 }).expect("a landscape image has every tile")
}

/// Reads every tile, checks its size against Blender's geometry and merges them with tilemerge:
/// the reference merge.
fn reference_merge(tiles_dir: &Path) -> (Vec<[f32; 4]>, Vec<f32>, usize) {
    let mut canvas = Canvas::new(grid(), CanvasOptions::default());
    let mut count = 0;
    for entry in std::fs::read_dir(tiles_dir).expect("tiles dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let id = TileId::from_file_name(&name).expect("a tile name");
        let bytes = std::fs::read(&path).expect("tile reads");
        let size = read_info(&bytes).expect("an EXR").size;
        assert_eq!(size, grid().rendered(id).expect("rendered").size(), "{name}");
        let placement = canvas.add(id, &bytes).unwrap_or_else(|problem| panic!("{problem}"));
        assert!(placement.is_complete() && placement.mismatch.is_none(), "{placement:?}");
        count += 1;
    }
    assert!(canvas.coverage().is_complete());
    let merged = Passes::from_canvas(&canvas).expect("tiles were placed");
    (merged.rgba, merged.depth, count)
}

fn seed_of(job_id: &str) -> u64 {
    simfarm::jobtypes::fnv1a(job_id.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_image_job_renders_exact_tiles_and_merge() {
    let server = start("single", 4, 0.2).await;
    let root = server.state.render_root.path().to_path_buf();
    let client = Client::new(&server);
    let mut socket = SocketClient::connect(&server).await;
    assert_eq!(socket.subscribe("allJobs", None).await, "ok");
    assert_eq!(socket.subscribe("allLastRendered", None).await, "ok");

    let reply = client.post("/api/v3/jobs/check", submission(&root)).await;
    assert_eq!(reply.status, 204);
    // Subscribe to the job's task updates before its workers start.
    let mut paused = submission(&root);
    paused["initial_status"] = json!("paused");
    let id = submit(&client, paused).await;
    assert_eq!(socket.subscribe("job", Some(&id)).await, "ok");
    let all = tasks(&client, &id).await;
    assert_eq!(all.len(), 5 * 3 + 1);
    assert_eq!(all[0]["name"], "render-0-0");
    assert_eq!(all[1]["name"], "render-48-0");
    assert_eq!(all[15]["name"], "merge");
    let resume = json!({"status": "requeueing", "reason": "go"});
    assert_eq!(client.post(&format!("/api/v3/jobs/{id}/setstatus"), resume).await.status, 204);

    let events = socket
        .collect_until(30.0, |name, p| {
            name == "/jobs" && p["id"] == id.as_str() && p["status"] == "completed"
        })
        .await;
    assert_eq!(job_status(&client, &id).await, "completed");

    // Events: valid, and in order per task (active before completed) and for the job.
    let mut task_statuses: HashMap<String, Vec<String>> = HashMap::new();
    let mut merge_started_after = 0;
    let mut job_statuses = Vec::new();
    for (name, payload) in &events {
        check_event(name, payload);
        match name.as_str() {
            "/task" => {
                let list = task_statuses.entry(payload["id"].as_str().unwrap().to_owned()).or_default();
                let status = payload["status"].as_str().unwrap().to_owned();
                if list.last() != Some(&status) {
                    list.push(status.clone());
                }
                if payload["name"] == "merge" && status == "active" {
                    merge_started_after = task_statuses
                        .values()
                        .filter(|s| s.last().map(String::as_str) == Some("completed"))
                        .count();
                }
            }
            "/jobs" if payload["id"] == id.as_str() => {
                job_statuses.push(payload["status"].as_str().unwrap().to_owned())
            }
            _ => {}
        }
    }
    assert_eq!(task_statuses.len(), 16, "every task sent updates");
    for statuses in task_statuses.values() {
        assert_eq!(statuses, &["active", "completed"], "{statuses:?}");
    }
    assert_eq!(merge_started_after, 15, "the merge waited for every tile");
    job_statuses.dedup();
    assert_eq!(job_statuses, ["paused", "requeueing", "queued", "active", "completed"]);
    assert!(events.iter().any(|(n, p)| n == "/last-rendered" && p["job_id"] == id.as_str()));

    // The tiles, merged here, equal the procedural image exactly; so does simfarm's merge.
    let output = client.get(&format!("/api/v3/jobs/{id}")).await.json()["settings"]["render_output_path"]
        .as_str()
        .unwrap()
        .to_owned();
    let tiles_dir = Path::new(&output);
    assert!(tiles_dir.starts_with(&root));
    let (rgba, depth, count) = reference_merge(tiles_dir);
    assert_eq!(count, 15);
    let picture = Picture { width: WIDTH, height: HEIGHT, seed: seed_of(&id) };
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let expected = picture.sample(x, y);
            let index = (y * WIDTH + x) as usize;
            assert_eq!(rgba[index], expected.rgba, "pixel {x},{y}");
            assert_eq!(depth[index], expected.depth, "depth {x},{y}");
        }
    }
    let merged = exr_out::read(&tiles_dir.parent().unwrap().join("merged.exr")).expect("merged image");
    assert_eq!(merged.rgba, rgba);
    assert_eq!(merged.depth, depth);

    // Overscan agrees between neighbours: every tile pixel equals the picture, overscan included.
    let tile = exr_out::read(&tiles_dir.join("48-48-96-96.exr")).expect("tile");
    let rect = rendered(48, 48, 96, 96);
    for fy in 0..tile.height {
        for fx in 0..tile.width {
            let expected = picture.sample(rect.x + fx as u32, rect.y + fy as u32);
            assert_eq!(tile.rgba[fy * tile.width + fx], expected.rgba);
        }
    }

    // The render root and the thumbnails are served.
    let info = client.get(&format!("/api/v3/jobs/{id}/last-rendered")).await.json();
    let global = client.get("/api/v3/jobs/last-rendered").await.json();
    assert_eq!(info, global);
    let url = format!("{}/{}", info["base"].as_str().unwrap(), info["suffixes"][1].as_str().unwrap());
    let jpeg = client.get(&url).await;
    assert_eq!(jpeg.status, 200);
    assert!(jpeg.body.starts_with(&[0xFF, 0xD8]));
    let relative = tiles_dir.strip_prefix(&root).unwrap().join("0-0-48-48.exr");
    let served = client.get(&format!("/renders/{}", relative.display())).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.body, std::fs::read(tiles_dir.join("0-0-48-48.exr")).unwrap());
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seam_noise_changes_only_the_overscan() {
    let server = start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        render_root: Some(temp_root("seams")),
        workers: 4,
        task_seconds: 0.1,
        failure_rate: 0.0,
        seed: Some(9),
        seam_noise: true,
        ..simfarm::Config::default()
    })
    .await;
    let root = server.state.render_root.path().to_path_buf();
    let client = Client::new(&server);
    let id = submit(&client, submission(&root)).await;
    eventually(30.0, "completed", || async { (job_status(&client, &id).await == "completed").then_some(()) })
        .await;
    let output = client.get(&format!("/api/v3/jobs/{id}")).await.json()["settings"]["render_output_path"]
        .as_str()
        .unwrap()
        .to_owned();
    let (rgba, _, _) = reference_merge(Path::new(&output));
    let picture = Picture { width: WIDTH, height: HEIGHT, seed: seed_of(&id) };
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            assert_eq!(rgba[(y * WIDTH + x) as usize], picture.sample(x, y).rgba);
        }
    }
    let tile = exr_out::read(&Path::new(&output).join("48-48-96-96.exr")).expect("tile");
    let rect = rendered(48, 48, 96, 96);
    let differing = (0..tile.height)
        .flat_map(|fy| (0..tile.width).map(move |fx| (fx, fy)))
        .filter(|&(fx, fy)| {
            tile.rgba[fy * tile.width + fx] != picture.sample(rect.x + fx as u32, rect.y + fy as u32).rgba
        })
        .count();
    assert!(differing > 0, "the overscan carries noise");
    server.stop();
}
