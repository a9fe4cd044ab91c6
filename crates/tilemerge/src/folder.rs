//! Matching a folder's file names against a tile grid: missing tiles, unexpected files,
//! duplicates, tiles outside the image and overlaps.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::layout::{Grid, LayoutError, Size, TileId};

/// A problem found by matching a folder's file names against the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LayoutProblem {
    /// A file whose name is not `<x0>-<y0>-<x1>-<y1>.exr`.
    UnexpectedFile {
        /// The file name.
        file: String,
    },
    /// Several files name the same tile; `used` is the one merged.
    Duplicate {
        /// The tile.
        tile: TileId,
        /// All files naming it.
        files: Vec<String>,
        /// The file that is used.
        used: String,
    },
    /// A tile name reaching past the image.
    OutsideImage {
        /// The file name.
        file: String,
        /// The image size.
        image: Size,
    },
    /// A tile name that is not on the grid and covers pixels of grid tiles.
    Overlap {
        /// The file name.
        file: String,
        /// The grid tiles it overlaps.
        overlaps: Vec<TileId>,
    },
    /// A tile name with an empty rectangle.
    EmptyTile {
        /// The file name.
        file: String,
    },
    /// A grid tile with no file.
    Missing {
        /// The tile.
        tile: TileId,
    },
}

impl fmt::Display for LayoutProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutProblem::UnexpectedFile { file } => {
                write!(f, "unexpected file {file}: not named <x0>-<y0>-<x1>-<y1>.exr")
            }
            LayoutProblem::Duplicate { tile, files, used } => {
                write!(f, "tile {tile} has {} files ({}); using {used}", files.len(), files.join(", "))
            }
            LayoutProblem::OutsideImage { file, image } => {
                write!(f, "tile file {file} reaches outside the {image} image")
            }
            LayoutProblem::Overlap { file, overlaps } => {
                let names: Vec<String> = overlaps.iter().map(TileId::to_string).collect();
                write!(f, "tile file {file} is not on the tile grid and overlaps tiles {}", names.join(", "))
            }
            LayoutProblem::EmptyTile { file } => write!(f, "tile file {file} names an empty rectangle"),
            LayoutProblem::Missing { tile } => write!(f, "tile {tile} is missing ({})", tile.file_name()),
        }
    }
}

/// The result of matching a folder of file names against a grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutReport {
    /// The grid the files were matched against.
    pub grid: Grid,
    /// Whether the grid was inferred from the file names (no job settings given).
    pub inferred: bool,
    /// Number of tiles the grid has.
    pub expected_tiles: usize,
    /// Grid tiles and the file each one is read from, in grid order.
    pub found: Vec<(TileId, String)>,
    /// Grid tiles with no file.
    pub missing: Vec<TileId>,
    /// Everything wrong with the folder, missing tiles included.
    pub problems: Vec<LayoutProblem>,
}

impl LayoutReport {
    /// Matches file names (not paths) against `grid`.
    pub fn match_files<'a>(
        grid: Grid,
        inferred: bool,
        files: impl IntoIterator<Item = &'a str>,
    ) -> LayoutReport {
        let expected = grid.tiles();
        let mut by_tile: HashMap<TileId, Vec<String>> = HashMap::new();
        let mut problems = Vec::new();
        let mut sorted: Vec<&str> = files.into_iter().collect();
        sorted.sort_unstable();
        sorted.dedup();
        for file in sorted {
            let Some(id) = TileId::from_file_name(file) else {
                problems.push(LayoutProblem::UnexpectedFile { file: file.to_string() });
                continue;
            };
            if grid.contains(id) {
                by_tile.entry(id).or_default().push(file.to_string());
            } else if id.x1 <= id.x0 || id.y1 <= id.y0 {
                problems.push(LayoutProblem::EmptyTile { file: file.to_string() });
            } else if id.x1 > grid.image.width || id.y1 > grid.image.height {
                problems.push(LayoutProblem::OutsideImage { file: file.to_string(), image: grid.image });
            } else {
                let core = grid.core(id);
                let overlaps =
                    expected.iter().copied().filter(|t| !grid.core(*t).intersect(&core).is_empty()).collect();
                problems.push(LayoutProblem::Overlap { file: file.to_string(), overlaps });
            }
        }
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for id in &expected {
            match by_tile.remove(id) {
                None => missing.push(*id),
                Some(files) => {
                    let canonical = id.file_name();
                    let used = files
                        .iter()
                        .find(|f| **f == canonical)
                        .or_else(|| files.first())
                        .cloned()
                        .unwrap_or(canonical);
                    if files.len() > 1 {
                        problems.push(LayoutProblem::Duplicate { tile: *id, files, used: used.clone() });
                    }
                    found.push((*id, used));
                }
            }
        }
        problems.extend(missing.iter().map(|tile| LayoutProblem::Missing { tile: *tile }));
        LayoutReport { grid, inferred, expected_tiles: expected.len(), found, missing, problems }
    }

    /// Infers the grid from the names (see [`Grid::infer`]) and matches them against it.
    pub fn infer<'a>(
        files: impl IntoIterator<Item = &'a str> + Clone,
        overscan: u32,
    ) -> Result<LayoutReport, LayoutError> {
        let ids: Vec<TileId> = files.clone().into_iter().filter_map(TileId::from_file_name).collect();
        let grid = Grid::infer(&ids, overscan)?;
        Ok(LayoutReport::match_files(grid, true, files))
    }

    /// Tiles per file name, for looking files up.
    pub fn files_by_tile(&self) -> BTreeMap<TileId, String> {
        self.found.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::DEFAULT_OVERSCAN;

    fn grid(w: u32, h: u32, tw: u32, th: u32) -> Grid {
        Grid::new(Size { width: w, height: h }, Size { width: tw, height: th }, DEFAULT_OVERSCAN).unwrap()
    }

    #[test]
    fn folder_matching_reports_every_kind_of_problem() {
        let g = grid(128, 128, 64, 64);
        let files = [
            "0-0-64-64.exr",
            "00-0-64-64.exr",
            "64-0-128-64.exr",
            "0-64-64-128.exr",
            "0-0-128-128.exr",
            "128-0-192-64.exr",
            "5-5-5-9.exr",
            "notes.txt",
        ];
        let report = LayoutReport::match_files(g, false, files);
        assert_eq!(report.expected_tiles, 4);
        assert_eq!(report.missing, vec![TileId { x0: 64, y0: 64, x1: 128, y1: 128 }]);
        assert_eq!(report.found.len(), 3);
        let p = &report.problems;
        assert!(p.contains(&LayoutProblem::UnexpectedFile { file: "notes.txt".into() }));
        assert!(p.contains(&LayoutProblem::EmptyTile { file: "5-5-5-9.exr".into() }));
        assert!(p.contains(&LayoutProblem::OutsideImage { file: "128-0-192-64.exr".into(), image: g.image }));
        assert!(p.iter().any(|x| matches!(x, LayoutProblem::Overlap { file, overlaps } if file == "0-0-128-128.exr" && overlaps.len() == 4)));
        assert!(p.iter().any(|x| matches!(x, LayoutProblem::Duplicate { used, files, .. } if used == "0-0-64-64.exr" && files.len() == 2)));
        assert!(p.iter().any(|x| matches!(x, LayoutProblem::Missing { .. })));
    }

    #[test]
    fn grid_is_inferred_from_names() {
        let names = [
            "0-0-100-70.exr",
            "100-0-200-70.exr",
            "200-0-256-70.exr",
            "0-70-100-140.exr",
            "200-140-256-160.exr",
        ];
        let report = LayoutReport::infer(names, 16).unwrap();
        assert_eq!(report.grid.image, Size { width: 256, height: 160 });
        assert_eq!(report.grid.tile, Size { width: 100, height: 70 });
        assert_eq!(report.missing.len(), 4);
        assert!(matches!(LayoutReport::infer(["x.txt"], 16), Err(LayoutError::NothingToInfer)));
    }
}
