//! `gen-bench`: a synthetic tile set with Blender's geometry (overscan, Y from the bottom,
//! float32 border rounding), laid out like a job's `tiles` folder with its `job.json`.

use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;
use tilemerge::synth::Frame;
use tilemerge::{ExrOptions, Grid, TileId};

use crate::cli::{progress, thread_pool, GenArgs};

pub fn run(args: &GenArgs) -> Result<ExitCode, String> {
    let start = Instant::now();
    let grid = Grid::new(args.size, args.tile, args.overscan).map_err(|e| e.to_string())?;
    let tiles_dir = args.dir.join("tiles");
    std::fs::create_dir_all(&tiles_dir).map_err(|e| format!("cannot create {}: {e}", tiles_dir.display()))?;
    // Tiles of an earlier run with another grid would be "unexpected files" in this one.
    if let Ok(entries) = std::fs::read_dir(&tiles_dir) {
        for entry in entries.flatten() {
            if TileId::from_file_name(&entry.file_name().to_string_lossy()).is_some() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let pool = thread_pool(args.threads)?;
    // Each tile is computed alone, so that sets of frames too large to hold can be made; the
    // whole frame only for --full.
    let options =
        ExrOptions { layout: args.layout.into(), compression: args.compression, zip_level: args.zip_level };
    let tiles = grid.tiles();
    let bar = progress(args.quiet, tiles.len(), "writing");
    let written: Result<Vec<usize>, String> = pool.install(|| {
        tiles
            .par_iter()
            .filter_map(|id| {
                let rendered = if args.portrait_bug {
                    grid.rendered_by_published_job_type(*id)
                } else {
                    grid.rendered(*id)
                };
                bar.inc(1);
                let bytes = rendered
                    .map(|rect| Frame::blender_like_region(grid.image, rect, args.seed).to_exr(&options))?;
                Some(bytes.map_err(|e| e.to_string()).and_then(|bytes| {
                    let path = tiles_dir.join(id.file_name());
                    std::fs::write(&path, &bytes)
                        .map(|_| bytes.len())
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))
                }))
            })
            .collect()
    });
    bar.finish_and_clear();
    let written = written?;
    let tiles_path = std::fs::canonicalize(&tiles_dir).unwrap_or(tiles_dir.clone());
    let job = serde_json::json!({
        "type": "single-image-render",
        "settings": {
            "tile_size_x": args.tile.width,
            "tile_size_y": args.tile.height,
            "frame": 1,
            "resolution_x": args.size.width,
            "resolution_y": args.size.height,
            "resolution_scale": 100,
            "format": "OPEN_EXR_MULTILAYER",
            "image_file_extension": ".exr",
            "render_output_path": tiles_path.to_string_lossy(),
        },
        "generator": {
            "tool": "tilemerge gen-bench",
            "seed": args.seed,
            "overscan": args.overscan,
            "layout": format!("{}", options.layout),
            "compression": args.compression.name(),
            "passes": ["ViewLayer.Combined (RGBA half)", "ViewLayer.Depth (Z float)"],
            "portrait_bug": args.portrait_bug,
        },
    });
    let job_path = args.dir.join("job.json");
    let text = serde_json::to_string_pretty(&job).map_err(|e| e.to_string())?;
    std::fs::write(&job_path, text).map_err(|e| format!("cannot write {}: {e}", job_path.display()))?;
    if args.full {
        let bytes = Frame::blender_like(grid.image, args.seed).to_exr(&options).map_err(|e| e.to_string())?;
        let path = args.dir.join("full.exr");
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!(
        "wrote {} tiles ({} bytes) of a {} image in {} tiles to {} in {:.2} s",
        written.len(),
        written.iter().sum::<usize>(),
        grid.image,
        grid.tile,
        tiles_dir.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
