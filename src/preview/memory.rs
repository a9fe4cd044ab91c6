//! Whether a merge fits in the browser, decided before any tile is read: a tile set too large is
//! refused with the figures rather than left to crash the tab or a worker.

use tilemerge::Size;

use super::levels::BASE_SIDE;
use super::worker::engine::levels::FULL_CACHE_BYTES;

/// A wasm32 worker can address 4 GiB at most, and a browser gives out its last gigabytes
/// grudgingly: no worker is planned to hold more than this.
pub const WORKER_LIMIT: u64 = 2 << 30;

/// Bytes per pixel of the pass on screen before any header is read: 4 half-float channels.
pub const ASSUMED_PIXEL_BYTES: u64 = 8;

/// A gigabyte as the figures are shown (and as `navigator.deviceMemory` counts).
const GB: f64 = (1u64 << 30) as f64;

/// What a merge is made of, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryPlan {
    /// Preview workers, each holding a canvas of the whole image.
    pub workers: usize,
    /// The merged image.
    pub image: Size,
    /// The tile files' bytes, all together.
    pub file_bytes: u64,
    /// Bytes per pixel of one pass: the largest pass once a header has told it, else
    /// [`ASSUMED_PIXEL_BYTES`].
    pub pixel_bytes: u64,
}

/// One item of the estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// What holds the memory.
    pub what: String,
    /// How many bytes.
    pub bytes: u64,
}

/// What a merge needs in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// Everything, in all workers and the page.
    pub total: u64,
    /// The busiest worker (the first: it also writes the export and checks the seams).
    pub busiest_worker: u64,
    /// The items making up the total.
    pub needs: Vec<Need>,
}

impl MemoryPlan {
    /// What the merge needs: per worker a canvas of the pass on screen and its RGBA view, the
    /// page's view, the kept tile files (in the preview workers, and again in the first worker
    /// for the export and seam check), and that worker's one-pass canvas, seam map and file.
    pub fn estimate(&self) -> Estimate {
        let workers = self.workers.max(1) as u64;
        let pixels = self.image.area();
        let canvas = pixels.saturating_mul(self.pixel_bytes);
        let view = pixels.saturating_mul(4);
        // The one-pass canvas, the seam map (f32 and RGBA) and the written file (about the size of
        // the tiles: same compression, no overscan).
        let export = canvas.saturating_add(pixels.saturating_mul(8)).saturating_add(self.file_bytes);
        let needs = vec![
            Need {
                what: format!("image canvases ({workers} × {})", gb(canvas)),
                bytes: canvas.saturating_mul(workers),
            },
            Need { what: "image views".into(), bytes: view.saturating_mul(workers + 1) },
            Need { what: "tile files (kept twice)".into(), bytes: self.file_bytes.saturating_mul(2) },
            Need { what: "export and seam check".into(), bytes: export },
        ];
        let total = needs.iter().fold(0u64, |sum, n| sum.saturating_add(n.bytes));
        let busiest_worker = canvas
            .saturating_add(view)
            .saturating_add(self.file_bytes / workers)
            .saturating_add(self.file_bytes)
            .saturating_add(export);
        Estimate { total, busiest_worker, needs }
    }
}

/// What the browser allows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Bytes one worker may hold.
    pub per_worker: u64,
    /// The device's memory, when the browser tells it (`navigator.deviceMemory`, in GB).
    pub device: Option<u64>,
}

impl Budget {
    /// The budget for a browser reporting `device_memory` GB (`None`, 0 or NaN when it does not).
    pub fn for_browser(device_memory: Option<f64>) -> Budget {
        let device = device_memory.filter(|gb| gb.is_finite() && *gb > 0.0).map(|gb| (gb * GB) as u64);
        Budget { per_worker: WORKER_LIMIT, device }
    }
}

/// The refusal, naming the figures, when the merge does not fit; `None` when it does.
pub fn refusal(plan: &MemoryPlan, budget: &Budget) -> Option<String> {
    let estimate = plan.estimate();
    let over_worker = estimate.busiest_worker > budget.per_worker;
    let over_device = budget.device.is_some_and(|device| estimate.total > device);
    if !over_worker && !over_device {
        return None;
    }
    let needs: Vec<String> = estimate.needs.iter().map(|n| format!("{}: {}", n.what, gb(n.bytes))).collect();
    let allows = match budget.device {
        Some(device) => {
            format!("{} per worker and {} in all on this device", gb(budget.per_worker), gb(device))
        }
        None => format!("{} per worker", gb(budget.per_worker)),
    };
    Some(format!(
        "This tile set needs about {} in the browser ({}), {} of it in one worker; this browser allows \
         about {allows}. Merge it with the tilemerge command line instead, or pick part of the tiles \
         (give the image size to merge a smaller region).",
        gb(estimate.total),
        needs.join(", "),
        gb(estimate.busiest_worker),
    ))
}

/// How the workers hold a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Every worker holds a canvas of the whole frame: every tool of the preview works.
    Whole,
    /// The frame is held as levels from `base` up and decoded at full size where the view
    /// zooms in: a frame of any size fits, the tools that read every pixel do not work.
    Levels { base: u8 },
}

impl MemoryPlan {
    /// What one worker of a levels preview holds at most: its share of the base level and the
    /// levels above it (a third more), the full-size tiles it keeps decoded, and one tile being
    /// decoded (its file, its rendered pixels and its placed ones).
    pub fn levels_per_worker(&self, base: u8, tile: Size) -> u64 {
        let workers = self.workers.max(1) as u64;
        let base_pixels = tilemerge::pyramid::level_size(self.image, base).area();
        let levels = base_pixels.saturating_mul(self.pixel_bytes).saturating_mul(4) / 3 / workers;
        let tile_pixels = tile.area().saturating_mul(self.pixel_bytes);
        let tiles = (self.image.area() / tile.area().max(1)).max(1);
        let file = self.file_bytes / tiles;
        levels
            .saturating_add(FULL_CACHE_BYTES)
            .saturating_add(file)
            .saturating_add(tile_pixels.saturating_mul(2))
    }
}

/// How to hold the merge of `plan` within `budget`: whole when it fits and levels are not
/// `preferred`, else as levels; refused with the figures when even its levels would not fit.
pub fn choose(plan: &MemoryPlan, budget: &Budget, tile: Size, preferred: bool) -> Result<Hold, String> {
    let whole = refusal(plan, budget);
    if whole.is_none() && !preferred {
        return Ok(Hold::Whole);
    }
    let base = tilemerge::pyramid::base_level(plan.image, BASE_SIDE);
    let needs = plan.levels_per_worker(base, tile);
    if needs <= budget.per_worker {
        return Ok(Hold::Levels { base });
    }
    Err(whole.unwrap_or_else(|| {
        format!(
            "Previewing this tile set in levels needs about {} in one worker; this browser allows about {}.",
            gb(needs),
            gb(budget.per_worker)
        )
    }))
}

/// Bytes as `5.1 GB` (or MB below a tenth of a gigabyte).
pub fn gb(bytes: u64) -> String {
    let value = bytes as f64 / GB;
    if value < 0.1 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{value:.1} GB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(width: u32, height: u32, workers: usize, pixel_bytes: u64) -> MemoryPlan {
        MemoryPlan { workers, image: Size { width, height }, file_bytes: 4_000_000, pixel_bytes }
    }

    #[test]
    fn a_small_job_fits_and_its_figures_add_up() {
        let small = plan(320, 180, 4, 16);
        let estimate = small.estimate();
        let pixels = 320 * 180;
        assert_eq!(estimate.needs[0].bytes, 4 * pixels * 16);
        assert_eq!(estimate.needs[1].bytes, 5 * pixels * 4);
        assert_eq!(estimate.needs[2].bytes, 8_000_000);
        assert_eq!(estimate.total, estimate.needs.iter().map(|n| n.bytes).sum::<u64>());
        assert_eq!(refusal(&small, &Budget::for_browser(Some(8.0))), None);
        assert_eq!(refusal(&small, &Budget::for_browser(None)), None);
    }

    #[test]
    fn an_image_too_large_for_a_worker_is_refused_with_the_figures() {
        // 60000² pixels of 4 halves: 26.8 GB per canvas.
        let huge = plan(60_000, 60_000, 2, ASSUMED_PIXEL_BYTES);
        let message = refusal(&huge, &Budget::for_browser(None)).expect("refused");
        assert!(message.starts_with("This tile set needs about 147.5 GB in the browser ("), "{message}");
        assert!(message.contains("image canvases (2 × 26.8 GB): 53.6 GB, image views: 40.2 GB"), "{message}");
        assert!(message.contains("allows about 2.0 GB per worker."), "{message}");
        assert!(message.contains("tilemerge command line"), "{message}");
    }

    #[test]
    fn the_device_memory_limits_the_whole_when_the_browser_tells_it() {
        // 8K of RGBA floats in 4 workers: each worker fits, all of them not in 2 GB.
        let big = plan(7680, 4320, 4, 16);
        assert!(big.estimate().busiest_worker < WORKER_LIMIT);
        assert_eq!(refusal(&big, &Budget::for_browser(None)), None);
        let message = refusal(&big, &Budget::for_browser(Some(2.0))).expect("refused");
        assert!(message.contains("2.0 GB per worker and 2.0 GB in all on this device"), "{message}");
        assert_eq!(Budget::for_browser(Some(f64::NAN)).device, None);
        assert_eq!(gb(3 << 20), "3.0 MB");
    }

    #[test]
    fn a_frame_too_large_to_hold_is_held_as_levels_within_a_worker() {
        let tile = Size { width: 1056, height: 1056 };
        // The 16K benchmark set: 256 tiles, 1.4 GB of files, in two workers.
        let huge = MemoryPlan { file_bytes: 1_400_000_000, ..plan(16384, 16384, 2, ASSUMED_PIXEL_BYTES) };
        let budget = Budget::for_browser(None);
        assert_eq!(choose(&huge, &budget, tile, false), Ok(Hold::Levels { base: 3 }));
        // Its share of 2048² levels, the cache, one tile: well under half a gigabyte a worker.
        let per_worker = huge.levels_per_worker(3, tile);
        assert!(per_worker < 300 << 20, "{}", gb(per_worker));
        let small = plan(320, 180, 4, 16);
        assert_eq!(choose(&small, &budget, tile, false), Ok(Hold::Whole));
        assert_eq!(choose(&small, &budget, tile, true), Ok(Hold::Levels { base: 0 }));
        // A budget too small for even the levels is refused with the whole frame's figures.
        let tiny = Budget { per_worker: 32 << 20, device: None };
        let refused = choose(&huge, &tiny, tile, false).expect_err("refused");
        assert!(refused.starts_with("This tile set needs about"), "{refused}");
    }
}
