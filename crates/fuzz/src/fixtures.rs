//! The real Blender tiles in `../shared/fixtures`, read once and decoded once.

use std::path::PathBuf;

use tilemerge::{decode, DecodeOptions, DecodedTile, Grid, JobSettings, TileId, DEFAULT_OVERSCAN};

/// One tile of a fixture.
pub struct FixtureTile {
    /// Its place in the grid, from its name.
    pub id: TileId,
    /// Its file.
    pub bytes: Vec<u8>,
    /// Its file decoded, to place as a neighbour.
    pub decoded: DecodedTile,
}

/// One fixture folder.
pub struct Fixture {
    /// The folder's name.
    pub name: String,
    /// Its `job.json`.
    pub job: String,
    /// The grid of its settings.
    pub grid: Grid,
    /// Its tiles, in name order.
    pub tiles: Vec<FixtureTile>,
}

/// `../shared/fixtures` beside the checkout, as tilemerge's tests find it; `FUZZ_FIXTURES`
/// overrides it.
pub fn dir() -> PathBuf {
    std::env::var_os("FUZZ_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"))
}

/// Every fixture, sorted by name so case numbers mean the same inputs everywhere.
pub fn load() -> Result<Vec<Fixture>, String> {
    let root = dir();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| format!("cannot read the fixtures at {}: {e}", root.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("job.json").is_file())
        .collect();
    folders.sort();
    let mut fixtures = Vec::new();
    for folder in folders {
        let name = folder.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let job =
            std::fs::read_to_string(folder.join("job.json")).map_err(|e| format!("{name}/job.json: {e}"))?;
        let grid = JobSettings::from_json(&job)
            .and_then(|s| s.grid(DEFAULT_OVERSCAN))
            .map_err(|e| format!("{name}/job.json: {e}"))?;
        let mut paths: Vec<PathBuf> = std::fs::read_dir(folder.join("tiles"))
            .map_err(|e| format!("{name}/tiles: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        paths.sort();
        let mut tiles = Vec::new();
        for path in paths {
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            let id =
                TileId::from_file_name(&file).ok_or_else(|| format!("{name}: {file} is not a tile name"))?;
            let bytes = std::fs::read(&path).map_err(|e| format!("{name}/{file}: {e}"))?;
            let decoded =
                decode(&bytes, &DecodeOptions::default()).map_err(|e| format!("{name}/{file}: {e}"))?;
            tiles.push(FixtureTile { id, bytes, decoded });
        }
        if tiles.is_empty() {
            return Err(format!("{name} has no tiles"));
        }
        fixtures.push(Fixture { name, job, grid, tiles });
    }
    if fixtures.is_empty() {
        return Err(format!("no fixtures in {}", root.display()));
    }
    Ok(fixtures)
}

impl Fixture {
    /// The most decoded bytes any of its tiles holds per byte of file: how well Blender's
    /// compression did on real renders.
    pub fn compression_ratio(&self) -> f64 {
        self.tiles
            .iter()
            .map(|t| t.decoded.decoded_bytes() as f64 / t.bytes.len().max(1) as f64)
            .fold(1.0, f64::max)
    }

    /// How many of its smallest tile the whole image holds: the canvas has that many times a
    /// tile's decoded bytes.
    pub fn canvas_factor(&self) -> f64 {
        let smallest = self.tiles.iter().map(|t| t.decoded.size.area()).min().unwrap_or(1).max(1);
        self.grid.image.area() as f64 / smallest as f64
    }
}
