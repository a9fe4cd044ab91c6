//! Real output of simulated renders: EXR tiles and frames under the render root, the merged
//! single image, and the JPEG thumbnails behind a job's last-rendered image.

pub mod exr_out;
pub mod procedural;
pub mod thumbnail;

use std::path::{Component, Path, PathBuf};

use exr_out::Passes;
use procedural::{seam_noise, Picture};
use thumbnail::Thumbnails;
use tilemerge::{
    blender_border_rect, export_exr, Canvas, CanvasOptions, ExrOptions, Grid, Rect, TileId, TileState,
};

/// Size of the frames a simulated `simple-blender-render` job writes: small, as they only need to
/// exist and look like something.
pub const FRAME_SIZE: (u32, u32) = (160, 90);

/// The directory all render output goes to, standing in for the farm's shared storage.
#[derive(Clone, Debug)]
pub struct RenderRoot {
    root: PathBuf,
}

impl RenderRoot {
    pub fn new(root: PathBuf) -> RenderRoot {
        RenderRoot { root }
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Where a path from a job's settings lands on this machine. A path under the render root is
    /// used as is; any other absolute path is re-rooted below it (`/render/x` ->
    /// `<root>/render/x`), as if the root were the farm's shared storage mount. Paths that climb
    /// out with `..` are refused.
    pub fn resolve(&self, job_path: &str) -> Option<PathBuf> {
        let normalized = job_path.replace('\\', "/");
        let path = Path::new(&normalized);
        if path.components().any(|component| matches!(component, Component::ParentDir)) {
            return None;
        }
        if path.starts_with(&self.root) {
            return Some(path.to_path_buf());
        }
        let relative: PathBuf =
            path.components().filter(|component| matches!(component, Component::Normal(_))).collect();
        if relative.as_os_str().is_empty() {
            return None;
        }
        Some(self.root.join(relative))
    }
}

/// What a task produces when it completes.
#[derive(Clone, Debug)]
pub enum Work {
    /// One tile of a single image: `<dir>/<x0>-<y0>-<x1>-<y1>.exr`.
    Tile {
        picture: Picture,
        grid: Grid,
        tile: TileId,
        dir: PathBuf,
        seam_noise: bool,
        rendering: TileRendering,
    },
    /// The merge of the grid's tiles in `dir` into `output`.
    Merge { grid: Grid, dir: PathBuf, output: PathBuf },
    /// Frames of a frames job, one per step; `pattern` holds Blender's `#` frame placeholder.
    Frames { seed: u64, pattern: PathBuf, frames: Vec<i64>, format: FrameFormat },
    /// A program run for real (`exec` of `tilemerge`); `image`, when given, is what it writes
    /// that becomes the job's last-rendered image.
    Exec { program: PathBuf, args: Vec<String>, image: Option<PathBuf> },
    /// A file copied (what denoising does to a simulated picture, which has no noise).
    CopyFile { from: PathBuf, to: PathBuf },
    /// An image file that becomes the job's last-rendered image, as a Worker uploads a file
    /// Blender reports saving.
    LastRendered { image: PathBuf },
    /// Several of the above, one after the other (a task with several commands).
    Steps(Vec<Work>),
    /// A task that writes nothing (e.g. the preview video).
    Nothing,
}

/// Which border a tile is rendered with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TileRendering {
    /// As the published Single Image Render job type has Blender render it, portrait bug included.
    PublishedJobType,
    /// The render border a job type gave Blender: `[min_x, max_x, min_y, max_y]`, fractions of
    /// the image, Y from the bottom.
    Border([f64; 4]),
}

/// Carries out the work of a task at its end. Returns the thumbnails of the last image it made.
pub fn carry_out(work: &Work, seconds: f64) -> Result<Option<Thumbnails>, String> {
    match work {
        Work::Tile { picture, grid, tile, dir, seam_noise, rendering } => {
            render_tile(picture, grid, *tile, dir, *rendering, (*seam_noise, seconds))
        }
        Work::Merge { grid, dir, output } => merge_tiles(grid, dir, output).map(Some),
        Work::Exec { program, args, image } => {
            run_program(program, args)?;
            image.as_deref().map(Thumbnails::from_image_file).transpose()
        }
        Work::LastRendered { image } => Thumbnails::from_image_file(image).map(Some),
        Work::CopyFile { from, to } => std::fs::copy(from, to)
            .map(|_| None)
            .map_err(|error| format!("copying {} to {}: {error}", from.display(), to.display())),
        Work::Steps(steps) => {
            let mut last = None;
            for step in steps {
                if let Work::Frames { seed, pattern, frames, format } = step {
                    for frame in frames {
                        last = Some(render_frame(*seed, pattern, *frame, *format)?);
                    }
                } else if let Some(thumbnails) = carry_out(step, seconds)? {
                    last = Some(thumbnails);
                }
            }
            Ok(last)
        }
        Work::Frames { .. } | Work::Nothing => Ok(None),
    }
}

/// Runs a program to its end; a failure carries what it printed.
fn run_program(program: &Path, args: &[String]) -> Result<(), String> {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .map_err(|error| format!("cannot run {}: {error}", program.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let printed = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = printed.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!("{} exited with {}: {}", program.display(), output.status, tail.join(" | ")))
}

/// The image format of a frames job (its `format` setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameFormat {
    Exr,
    Png,
    Jpeg,
}

impl FrameFormat {
    /// The file extension Blender gives this format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FrameFormat::Exr => "exr",
            FrameFormat::Png => "png",
            FrameFormat::Jpeg => "jpg",
        }
    }

    /// From Blender's `file_format` names; formats without a writer here fall back to PNG.
    pub fn from_setting(format: &str) -> FrameFormat {
        match format {
            "OPEN_EXR" | "OPEN_EXR_MULTILAYER" | "EXR" | "MULTILAYER" => FrameFormat::Exr,
            "JPEG" | "JPG" => FrameFormat::Jpeg,
            _ => FrameFormat::Png,
        }
    }
}

/// How long the render task of `tile` takes, given the farm's `task_seconds`: between half and
/// twice that, varying from tile to tile as Cycles' render times do across a frame (here a hash
/// of the job's picture and the tile's position, log-uniform), the same on every run.
pub fn tile_seconds(picture: &Picture, tile: TileId, task_seconds: f64) -> f64 {
    let mut z = picture.seed ^ (u64::from(tile.x0) << 32) ^ u64::from(tile.y0) ^ 0x5EED_71E5;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
    task_seconds * 0.5 * 4f64.powf(unit)
}

/// A duration as Blender writes `RenderTime` (`BLI_timecode_string_from_time_simple`):
/// `MM:SS.cc`, with hours in front past an hour; hundredths are cut, not rounded.
pub fn blender_time(seconds: f64) -> String {
    let hundredths = (seconds.max(0.0) * 100.0).floor() as u64;
    let (whole, cents) = (hundredths / 100, hundredths % 100);
    let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60);
    if hours > 0 {
        format!("{hours:02}:{minutes:02}:{secs:02}.{cents:02}")
    } else {
        format!("{minutes:02}:{secs:02}.{cents:02}")
    }
}

/// Renders a tile as the published job type has Blender render it: writes its EXR (with the
/// task's `seconds` as its `RenderTime`) and returns the thumbnails of what was rendered. `None`, and no file, where the job type's portrait bug
/// inverts the border: Blender stops with "Image too small" and writes nothing.
pub fn render_tile(
    picture: &Picture,
    grid: &Grid,
    tile: TileId,
    dir: &Path,
    rendering: TileRendering,
    (noise, seconds): (bool, f64),
) -> Result<Option<Thumbnails>, String> {
    let rect = match rendering {
        TileRendering::PublishedJobType => grid.rendered_by_published_job_type(tile),
        TileRendering::Border(border) => blender_border_rect(border, grid.image),
    };
    let Some(rect) = rect else {
        return Ok(None);
    };
    let core = grid.core(tile);
    let (width, height) = (rect.width as usize, rect.height as usize);
    let mut passes = Passes::new(width, height);
    passes.render_time = Some(blender_time(seconds));
    let tile_key = (u64::from(tile.x0) << 32) ^ u64::from(tile.y0) ^ picture.seed.rotate_left(17);
    for fy in 0..height {
        // Both the file's rows and the rectangle's count from the top.
        let y = rect.y + fy as u32;
        for fx in 0..width {
            let x = rect.x + fx as u32;
            let mut sample = picture.sample(x, y);
            if noise && !core.contains(&Rect { x, y, width: 1, height: 1 }) {
                let delta = seam_noise(tile_key, x, y);
                for channel in &mut sample.rgba[..3] {
                    *channel += delta;
                }
            }
            passes.rgba[fy * width + fx] = sample.rgba;
            passes.depth[fy * width + fx] = sample.depth;
        }
    }
    exr_out::write(&dir.join(tile.file_name()), &passes)?;
    Ok(Some(Thumbnails::from_passes(&passes)))
}

/// Merges the tiles the grid's tasks wrote to `dir` into `output` with tilemerge, which checks
/// every file's size against Blender's geometry and places its own pixels. Refuses, naming the
/// tiles, when they do not cover the image (the published job type's portrait bug leaves gaps).
/// Returns the thumbnails of the merged image.
pub fn merge_tiles(grid: &Grid, dir: &Path, output: &Path) -> Result<Thumbnails, String> {
    let mut canvas = Canvas::new(*grid, CanvasOptions { seams: false, ..CanvasOptions::default() });
    for tile in grid.tiles() {
        // Where Blender renders nothing, the tile's task wrote no file.
        if grid.rendered_by_published_job_type(tile).is_none() {
            continue;
        }
        let path = dir.join(tile.file_name());
        let bytes = std::fs::read(&path).map_err(|error| format!("reading {}: {error}", path.display()))?;
        canvas.add(tile, &bytes).map_err(|problem| problem.to_string())?;
    }
    let coverage = canvas.coverage();
    if !coverage.is_complete() {
        let gaps: Vec<String> = coverage
            .tiles
            .iter()
            .filter_map(|tile| match &tile.state {
                TileState::Placed(placement) if placement.is_complete() => None,
                TileState::Placed(placement) => Some(match placement.mismatch {
                    Some(mismatch) => format!("tile {} is cut short: {mismatch}", tile.tile),
                    None => format!("tile {} is cut short", tile.tile),
                }),
                TileState::Missing => Some(format!("tile {} has no file", tile.tile)),
                TileState::Failed(error) => Some(format!("tile {}: {error}", tile.tile)),
            })
            .collect();
        return Err(format!(
            "the tiles cover {} of {} pixels: {}",
            coverage.covered_pixels,
            coverage.total_pixels,
            gaps.join("; ")
        ));
    }
    let bytes = export_exr(&canvas, &ExrOptions::DEFAULT)
        .map_err(|error| format!("writing {}: {error}", output.display()))?;
    exr_out::write_file(output, &bytes)?;
    let merged = Passes::from_canvas(&canvas).ok_or_else(|| format!("{}: no tiles", dir.display()))?;
    Ok(Thumbnails::from_passes(&merged))
}

/// Renders one frame of a frames job to its file. Returns the frame's thumbnails.
pub fn render_frame(
    seed: u64,
    pattern: &Path,
    frame: i64,
    format: FrameFormat,
) -> Result<Thumbnails, String> {
    let (width, height) = FRAME_SIZE;
    let picture = Picture { width, height, seed: seed ^ (frame as u64).wrapping_mul(0x9E37_79B9) };
    let mut passes = Passes::new(width as usize, height as usize);
    for y in 0..height {
        for x in 0..width {
            let sample = picture.sample(x, y);
            let index = (y * width + x) as usize;
            passes.rgba[index] = sample.rgba;
            passes.depth[index] = sample.depth;
        }
    }
    let path = frame_path(pattern, frame);
    let thumbnails = Thumbnails::from_passes(&passes);
    match format {
        FrameFormat::Exr => exr_out::write(&path, &passes)?,
        FrameFormat::Png | FrameFormat::Jpeg => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|error| format!("creating {}: {error}", parent.display()))?;
            }
            let rgb = thumbnail::to_rgb8(&passes);
            let image_format =
                if format == FrameFormat::Png { image::ImageFormat::Png } else { image::ImageFormat::Jpeg };
            rgb.save_with_format(&path, image_format)
                .map_err(|error| format!("writing {}: {error}", path.display()))?;
        }
    }
    Ok(thumbnails)
}

/// Blender's output path for a frame: the last run of `#` becomes the zero-padded frame number;
/// without `#`, four digits are appended.
pub fn frame_path(pattern: &Path, frame: i64) -> PathBuf {
    let text = pattern.to_string_lossy();
    match text.rfind('#') {
        Some(end) => {
            let start = text[..=end].trim_end_matches('#').len();
            let digits = end + 1 - start;
            PathBuf::from(format!("{}{:0digits$}{}", &text[..start], frame, &text[end + 1..]))
        }
        None => PathBuf::from(format!("{text}{frame:04}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_paths_are_rerooted_under_the_render_root() {
        let root = RenderRoot::new(PathBuf::from("/tmp/renders"));
        assert_eq!(root.resolve("/tmp/renders/a/b"), Some(PathBuf::from("/tmp/renders/a/b")));
        assert_eq!(root.resolve("/render/sf/x"), Some(PathBuf::from("/tmp/renders/render/sf/x")));
        assert_eq!(root.resolve("C:\\render\\x"), Some(PathBuf::from("/tmp/renders/C:/render/x")));
        assert_eq!(root.resolve("/render/../etc"), None);
        assert_eq!(root.resolve("/"), None);
    }

    /// Renders every tile of a `width` x `height` image in `tile` px tiles into `<dir>/tiles`.
    fn render_all(name: &str, (width, height): (u32, u32), tile: u32) -> (Picture, Grid, PathBuf) {
        let size = |width, height| tilemerge::Size { width, height };
        let grid = Grid::new(size(width, height), size(tile, tile), tilemerge::DEFAULT_OVERSCAN).unwrap();
        let picture = Picture { width, height, seed: 7 };
        let dir = std::env::temp_dir().join(format!("simfarm-render-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for tile in grid.tiles() {
            let seconds = tile_seconds(&picture, tile, 1.0);
            render_tile(
                &picture,
                &grid,
                tile,
                &dir.join("tiles"),
                TileRendering::PublishedJobType,
                (true, seconds),
            )
            .unwrap();
        }
        (picture, grid, dir)
    }

    #[test]
    fn tiles_take_their_own_time_and_write_it_as_blender_does() {
        let (picture, grid, dir) = render_all("times", (256, 160), 64);
        let mut times = Vec::new();
        for tile in grid.tiles() {
            let seconds = tile_seconds(&picture, tile, 1.0);
            assert!((0.5..=2.0).contains(&seconds), "{tile}: {seconds}");
            assert_eq!(seconds, tile_seconds(&picture, tile, 1.0), "the same on every run");
            let bytes = std::fs::read(dir.join("tiles").join(tile.file_name())).unwrap();
            let header = tilemerge::analysis::header_attributes(&bytes).unwrap();
            let written = header.iter().find(|a| a.name == "RenderTime").expect("a RenderTime");
            assert_eq!((written.type_name.as_str(), written.text.clone()), ("string", blender_time(seconds)));
            times.push(seconds);
        }
        times.sort_by(f64::total_cmp);
        assert!(times[times.len() - 1] > 1.5 * times[0], "the times vary: {times:?}");
        assert_eq!(blender_time(0.734), "00:00.73");
        assert_eq!(blender_time(62.5), "01:02.50");
        assert_eq!(blender_time(3725.019), "01:02:05.01");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn tiles_have_blenders_sizes_and_merge_into_the_picture() {
        // 960x540 in 128 px tiles: Blender's float32 rounding makes 0-128-128-256 161 rows high.
        let (picture, grid, dir) = render_all("landscape", (960, 540), 128);
        let tall = exr_out::read(&dir.join("tiles/0-128-128-256.exr")).unwrap();
        assert_eq!((tall.width, tall.height), (144, 161));
        // The seam noise stays in the overscan: the merge is the picture itself.
        merge_tiles(&grid, &dir.join("tiles"), &dir.join("merged.exr")).unwrap();
        let merged = exr_out::read(&dir.join("merged.exr")).unwrap();
        assert_eq!((merged.width, merged.height), (960, 540));
        for (i, (rgba, depth)) in merged.rgba.iter().zip(&merged.depth).enumerate() {
            let sample = picture.sample(i as u32 % 960, i as u32 / 960);
            assert_eq!((*rgba, *depth), (sample.rgba, sample.depth), "pixel {i}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn portrait_images_get_the_published_job_types_short_tiles_and_no_merge() {
        // 100 wide, 200 high: the job type clamps the top overscan at row 100 from the bottom.
        let (_, grid, dir) = render_all("portrait", (100, 200), 64);
        let cut = exr_out::read(&dir.join("tiles/0-64-64-128.exr")).unwrap();
        assert_eq!((cut.width, cut.height), (80, 100 - 48));
        // Above that the border is inverted: Blender renders nothing and writes no file.
        assert!(!dir.join("tiles/0-128-64-192.exr").exists());
        let error = merge_tiles(&grid, &dir.join("tiles"), &dir.join("merged.exr")).unwrap_err();
        assert!(error.contains("0-64-64-128") && error.contains("portrait"), "{error}");
        assert!(error.contains("tile 0-128-64-192 has no file"), "{error}");
        assert!(!dir.join("merged.exr").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn frame_numbers_replace_hashes() {
        assert_eq!(frame_path(Path::new("/r/shot/######.png"), 7), PathBuf::from("/r/shot/000007.png"));
        assert_eq!(frame_path(Path::new("/r/shot/f_"), 12), PathBuf::from("/r/shot/f_0012"));
    }
}
