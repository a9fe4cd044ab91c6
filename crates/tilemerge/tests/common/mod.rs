//! Helpers shared by the native integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use tilemerge::{decode, DecodeOptions, JobSettings, Samples, TileId};

/// `../shared/fixtures` next to the workspace: read in place, never copied into the repo.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
}

pub const B5: &str = "b5-multipart-320x180-t64";
pub const B42: &str = "b42-singlepart-256x160-t100x70";

pub fn job(fixture: &str) -> JobSettings {
    let text = std::fs::read_to_string(fixtures().join(fixture).join("job.json")).expect("job.json");
    JobSettings::from_json(&text).expect("settings")
}

/// Every tile of a fixture, in reverse name order so placement order differs from grid order.
pub fn tiles(fixture: &str) -> Vec<(TileId, Vec<u8>)> {
    let dir = fixtures().join(fixture).join("tiles");
    let mut tiles: Vec<(TileId, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("tiles dir")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).expect("name").to_string();
            (TileId::from_file_name(&name).expect("tile name"), std::fs::read(&p).expect("read"))
        })
        .collect();
    tiles.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    tiles
}

pub fn full(fixture: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(fixture).join("full.exr")).expect("full.exr")
}

/// Every channel of an EXR by full name.
pub fn channels(bytes: &[u8]) -> BTreeMap<String, Samples> {
    let tile = decode(bytes, &DecodeOptions::default()).expect("decodes");
    tile.passes
        .into_iter()
        .flat_map(|p| p.info.channels.into_iter().map(|c| c.name).zip(p.channels))
        .collect()
}

/// Whether two buffers hold the same sample type and the same bits everywhere.
pub fn bit_equal(a: &Samples, b: &Samples) -> bool {
    a.sample_type() == b.sample_type()
        && a.len() == b.len()
        && (0..a.len()).all(|i| a.get_bits(i) == b.get_bits(i))
}

/// A tiny deterministic generator, so synthetic images need no extra crate.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32) / (1u64 << 24) as f32
    }
}
