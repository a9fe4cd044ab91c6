//! The merge's state on the page, in plain types: which file is which tile, what became of each,
//! how far the merge is and which passes there are. The components only show it.

use std::fmt;

use tilemerge::{Compression, ExrLayout, Grid, LayoutProblem, LayoutReport, Size, TileId};

use super::timing::FrameTimes;

/// A picked file, by name and size (its bytes stay in the browser until a worker needs them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickedFile {
    /// The file name, e.g. `0-0-64-64.exr`.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// What became of a tile or file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TileStatus {
    /// Sent to a worker, no answer yet.
    Queued,
    /// Decoded and merged.
    Placed,
    /// A tile of the grid with no file.
    Missing,
    /// The file could not be read, decoded or placed, and why.
    Failed(String),
    /// The file is not used, and why (not a tile of the grid, or a duplicate).
    Unused(String),
    /// The merge was cancelled before the tile was done.
    Cancelled,
    /// The job has not rendered the tile yet: its render task's status (queued, active, ...).
    NotRendered(String),
}

impl TileStatus {
    /// A short word for the state (also its CSS class).
    pub fn label(&self) -> &'static str {
        match self {
            TileStatus::Queued => "queued",
            TileStatus::Placed => "placed",
            TileStatus::Missing => "missing",
            TileStatus::Failed(_) => "failed",
            TileStatus::Unused(_) => "unused",
            TileStatus::Cancelled => "cancelled",
            TileStatus::NotRendered(_) => "not-rendered",
        }
    }

    /// Why, for the states that have a reason.
    pub fn reason(&self) -> Option<&str> {
        match self {
            TileStatus::Failed(r) | TileStatus::Unused(r) | TileStatus::NotRendered(r) => Some(r),
            _ => None,
        }
    }
}

/// One line of the tile list: a file, a grid tile, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileRow {
    /// The file name, or the expected name of a missing tile.
    pub name: String,
    /// The grid tile, when the file is one.
    pub tile: Option<TileId>,
    /// Index into the picked files, when there is a file to send.
    pub file: Option<usize>,
    /// The file's size in bytes (0 without a file).
    pub bytes: u64,
    /// What became of it.
    pub status: TileStatus,
}

impl TileRow {
    /// Whether the file goes to a worker.
    pub fn is_sent(&self) -> bool {
        self.tile.is_some()
            && self.file.is_some()
            && !matches!(self.status, TileStatus::Unused(_) | TileStatus::NotRendered(_))
    }
}

/// Why the picked files cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// No file was picked.
    NoFiles,
    /// No file is named like a tile, so there is no grid.
    NoTileNames,
    /// The grid from the names and the size given is not valid.
    BadGrid(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::NoFiles => write!(f, "Pick the tile files to merge."),
            PlanError::NoTileNames => {
                write!(f, "No file is named like a tile (<x0>-<y0>-<x1>-<y1>.exr), so the layout is unknown.")
            }
            PlanError::BadGrid(reason) => write!(f, "These tiles make no valid layout: {reason}"),
        }
    }
}

/// The layout of a merge and every tile's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The tile grid.
    pub grid: Grid,
    /// Whether the image size came from the file names (rather than from the user).
    pub inferred: bool,
    /// Files and tiles, grid tiles first in grid order.
    pub rows: Vec<TileRow>,
}

impl Plan {
    /// Lays out `files`: the grid from their names, with the image `size` when given (names alone
    /// cannot tell the size when the last row or column is missing).
    pub fn new(files: &[PickedFile], size: Option<Size>, overscan: u32) -> Result<Plan, PlanError> {
        if files.is_empty() {
            return Err(PlanError::NoFiles);
        }
        let names = || files.iter().map(|f| f.name.as_str());
        let report = match size {
            None => LayoutReport::infer(names(), overscan).map_err(|e| match e {
                tilemerge::LayoutError::NothingToInfer => PlanError::NoTileNames,
                other => PlanError::BadGrid(other.to_string()),
            })?,
            Some(size) => {
                let ids: Vec<TileId> = names().filter_map(TileId::from_file_name).collect();
                let inferred = Grid::infer(&ids, overscan).map_err(|_| PlanError::NoTileNames)?;
                let grid = Grid::new(size, inferred.tile, overscan)
                    .map_err(|e| PlanError::BadGrid(e.to_string()))?;
                LayoutReport::match_files(grid, false, names())
            }
        };
        Ok(Plan::from_report(files, &report))
    }

    fn from_report(files: &[PickedFile], report: &LayoutReport) -> Plan {
        let by_tile = report.files_by_tile();
        let index_of = |name: &str| files.iter().position(|f| f.name == name);
        let mut rows: Vec<TileRow> = report
            .grid
            .tiles()
            .into_iter()
            .map(|tile| match by_tile.get(&tile) {
                Some(name) => {
                    let file = index_of(name);
                    let bytes = file.and_then(|i| files.get(i)).map_or(0, |f| f.bytes);
                    TileRow { name: name.clone(), tile: Some(tile), file, bytes, status: TileStatus::Queued }
                }
                None => TileRow {
                    name: tile.file_name(),
                    tile: Some(tile),
                    file: None,
                    bytes: 0,
                    status: TileStatus::Missing,
                },
            })
            .collect();
        let used: Vec<&String> = by_tile.values().collect();
        for (i, file) in files.iter().enumerate() {
            if used.contains(&&file.name) {
                continue;
            }
            let reason = report
                .problems
                .iter()
                .find(|p| names_file(p, &file.name))
                .map_or_else(|| "not a tile of this image's grid".to_string(), ToString::to_string);
            rows.push(TileRow {
                name: file.name.clone(),
                tile: None,
                file: Some(i),
                bytes: file.bytes,
                status: TileStatus::Unused(reason),
            });
        }
        Plan { grid: report.grid, inferred: report.inferred, rows }
    }

    /// The layout of a job's tiles: every tile of `grid`, each with its source (same index as
    /// the grid's tiles) and `status` (queued to be fetched, or not rendered yet).
    pub fn for_job(grid: Grid, status: impl Fn(TileId) -> TileStatus) -> Plan {
        let rows = grid
            .tiles()
            .into_iter()
            .enumerate()
            .map(|(i, tile)| TileRow {
                name: tile.file_name(),
                tile: Some(tile),
                file: Some(i),
                bytes: 0,
                status: status(tile),
            })
            .collect();
        Plan { grid, inferred: false, rows }
    }

    /// A tile's render task is now `task_status` (`completed` means rendered); the source to
    /// fetch when the tile has become ready to fetch. A tile whose task runs again shows that
    /// until it completes, and is then fetched again.
    pub fn task_status(&mut self, tile: TileId, task_status: &str) -> Option<usize> {
        let row = self.rows.iter_mut().find(|r| r.tile == Some(tile))?;
        if task_status == "completed" {
            if matches!(row.status, TileStatus::NotRendered(_)) {
                row.status = TileStatus::Queued;
                return row.file;
            }
        } else if !matches!(row.status, TileStatus::Cancelled) {
            row.status = TileStatus::NotRendered(format!("task {task_status}"));
        }
        None
    }

    /// Records what became of a tile; answers for tiles no longer queued are ignored.
    pub fn settle(&mut self, tile: TileId, status: TileStatus) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.tile == Some(tile) && r.is_sent()) {
            if row.status == TileStatus::Queued {
                row.status = status;
            }
        }
    }

    /// Marks every tile still queued as cancelled.
    pub fn cancel(&mut self) {
        for row in self.rows.iter_mut().filter(|r| r.status == TileStatus::Queued) {
            row.status = TileStatus::Cancelled;
        }
    }

    /// Tiles and bytes done of those sent.
    pub fn progress(&self) -> Progress {
        let sent = self.rows.iter().filter(|r| r.is_sent());
        let done = |r: &&TileRow| !matches!(r.status, TileStatus::Queued);
        Progress {
            tiles_done: sent.clone().filter(done).count(),
            tiles_total: sent.clone().count(),
            bytes_done: sent.clone().filter(done).map(|r| r.bytes).sum(),
            bytes_total: sent.map(|r| r.bytes).sum(),
            not_rendered: self.rows.iter().filter(|r| matches!(r.status, TileStatus::NotRendered(_))).count(),
        }
    }

    /// The tiles merged, for the export.
    pub fn placed(&self) -> impl Iterator<Item = &TileRow> {
        self.rows.iter().filter(|r| r.status == TileStatus::Placed)
    }

    /// Whether every tile of the grid has been answered and none waits to be rendered: the
    /// frame is as complete as it will get.
    pub fn is_complete(&self) -> bool {
        self.progress().is_finished()
            && !self.rows.iter().any(|r| matches!(r.status, TileStatus::Queued | TileStatus::NotRendered(_)))
    }

    /// How many rows are in `status`'s state.
    pub fn count(&self, label: &str) -> usize {
        self.rows.iter().filter(|r| r.status.label() == label).count()
    }

    /// The rows counted by state, the states there are only, in a fixed order ("9 placed ·
    /// 1 failed"): the folded tile list's summary, so a failure shows without unfolding it.
    pub fn state_summary(&self) -> String {
        const ORDER: [&str; 7] =
            ["placed", "queued", "not-rendered", "failed", "missing", "unused", "cancelled"];
        let counted = ORDER.iter().map(|label| (self.count(label), label)).filter(|(n, _)| *n > 0);
        let parts: Vec<String> =
            counted.map(|(n, label)| format!("{n} {}", label.replace('-', " "))).collect();
        parts.join(" · ")
    }
}

/// Whether a layout problem is about this file.
fn names_file(problem: &LayoutProblem, name: &str) -> bool {
    match problem {
        LayoutProblem::UnexpectedFile { file }
        | LayoutProblem::OutsideImage { file, .. }
        | LayoutProblem::Overlap { file, .. }
        | LayoutProblem::EmptyTile { file } => file == name,
        LayoutProblem::Duplicate { files, used, .. } => used != name && files.iter().any(|f| f == name),
        LayoutProblem::Missing { .. } => false,
    }
}

/// How far a merge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Tiles answered (placed or failed).
    pub tiles_done: usize,
    /// Tiles sent to workers.
    pub tiles_total: usize,
    /// Bytes of the tiles answered.
    pub bytes_done: u64,
    /// Bytes of all tiles sent (0 when their size is not known before they are fetched).
    pub bytes_total: u64,
    /// A job's tiles whose render task has not completed: they come later.
    pub not_rendered: usize,
}

impl Progress {
    /// Whether every tile sent has been answered.
    pub fn is_finished(&self) -> bool {
        self.tiles_done == self.tiles_total
    }

    /// For screen readers and the bar's label, e.g. `3 of 15 tiles, 1.2 of 4.0 MB`; tiles
    /// fetched from a farm have no size until fetched, and a job's tiles still rendering are named.
    pub fn text(&self) -> String {
        let mb = |b: u64| b as f64 / 1_000_000.0;
        let mut text = format!("{} of {} tiles", self.tiles_done, self.tiles_total);
        if self.bytes_total > 0 {
            text += &format!(", {:.1} of {:.1} MB", mb(self.bytes_done), mb(self.bytes_total));
        }
        if self.not_rendered > 0 {
            text += &format!("; {} not rendered yet", self.not_rendered);
        }
        text
    }
}

/// The first full frame: how long it took to be on screen and the WebAssembly memory it took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameFigures {
    /// From the start of the merge to the last worker's pixels drawn.
    pub millis: f64,
    /// Where that time went.
    pub times: FrameTimes,
    /// Preview workers.
    pub workers: usize,
    /// The workers' peak WebAssembly memory, summed.
    pub worker_bytes: f64,
    /// The page's WebAssembly memory.
    pub page_bytes: f64,
}

impl FrameFigures {
    /// E.g. `Full frame in 1.24 s (first tiles 0.05 s) · 2 workers, 310 MB of WebAssembly
    /// memory (page 12 MB)`.
    pub fn text(&self) -> String {
        let first = self.times.first_text().map(|t| format!(" ({t})")).unwrap_or_default();
        format!(
            "Full frame in {:.2} s{first} · {} workers, {:.0} MB of WebAssembly memory (page {:.0} MB)",
            self.millis / 1000.0,
            self.workers,
            self.worker_bytes / 1e6,
            self.page_bytes / 1e6
        )
    }
}

/// The passes merged so far, in the order they were first reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Passes(pub Vec<String>);

impl Passes {
    /// Adds the passes a worker reported.
    pub fn merge(&mut self, reported: &[String]) {
        for pass in reported {
            if !self.0.contains(pass) {
                self.0.push(pass.clone());
            }
        }
    }

    /// The pass to show first: the combined image when there is one.
    pub fn default_pass(&self) -> Option<&String> {
        self.0.iter().find(|p| p.ends_with("Combined")).or_else(|| self.0.first())
    }
}

/// The image size typed by the user: none when both fields are empty (the names decide).
pub fn requested_size(width: &str, height: &str) -> Result<Option<Size>, String> {
    let (width, height) = (width.trim(), height.trim());
    if width.is_empty() && height.is_empty() {
        return Ok(None);
    }
    match (width.parse::<u32>(), height.parse::<u32>()) {
        (Ok(width), Ok(height)) if width > 0 && height > 0 => Ok(Some(Size { width, height })),
        _ => Err("Give the image width and height as whole numbers of pixels, or leave both empty.".into()),
    }
}

/// The overscan typed by the user, in pixels.
pub fn requested_overscan(text: &str) -> Result<u32, String> {
    text.trim().parse().map_err(|_| "Give the overscan as a whole number of pixels.".to_string())
}

/// The EXR layouts an export can be written in, with their `<select>` values and labels.
pub const EXPORT_LAYOUTS: [(ExrLayout, &str, &str); 2] = [
    (ExrLayout::MultiPart, "multipart", "Multi-part (Blender 5)"),
    (ExrLayout::SinglePart, "singlepart", "Single-part (Blender 4)"),
];

/// The layout for a `<select>` value.
pub fn export_layout(value: &str) -> Option<ExrLayout> {
    EXPORT_LAYOUTS.iter().find(|(_, v, _)| *v == value).map(|(l, _, _)| *l)
}

/// The `<select>` value for a layout.
pub fn export_layout_value(layout: ExrLayout) -> &'static str {
    EXPORT_LAYOUTS.iter().find(|(l, _, _)| *l == layout).map_or("multipart", |(_, v, _)| v)
}

/// The compressions an export can be written with: the lossless ones the encoder writes, ZIP
/// (Blender's default) first. Their `<select>` value is [`Compression::name`].
pub const EXPORT_COMPRESSIONS: [(Compression, &str); 5] = [
    (Compression::Zip, "ZIP (lossless, 16 lines)"),
    (Compression::Piz, "PIZ (lossless, wavelet)"),
    (Compression::Zips, "ZIPS (lossless, 1 line)"),
    (Compression::Rle, "RLE (lossless)"),
    (Compression::None, "None"),
];

/// The compression for a `<select>` value, when it is one offered.
pub fn export_compression(value: &str) -> Option<Compression> {
    Compression::from_name(value).filter(|c| EXPORT_COMPRESSIONS.iter().any(|(offered, _)| offered == c))
}

#[cfg(test)]
mod tests;
