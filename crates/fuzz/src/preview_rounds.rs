//! Mutated tile sets for the merge preview in the browser (`tests/e2e/preview_fuzz.rs`): a round is
//! one fixture's tile set with every tile replaced by a mutant of itself under its own name, each
//! with what the native pipeline makes of it.

use crate::fixtures::Fixture;
use crate::mutate::Rng;
use crate::targets::{mutate_tile, run_tile_as_the_preview};

/// The stream of case numbers the browser's rounds draw from (the fuzzer's targets use 0 to 3).
const STREAM: u64 = 16;

/// A mutated tile, under the file name of the tile it came from.
pub struct Mutant {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The native pipeline's answer: `Err` names why the tile cannot be used.
    pub native: Result<(), String>,
}

/// One tile set to drop on the preview.
pub struct Round {
    /// The fixture's folder name.
    pub fixture: String,
    pub mutants: Vec<Mutant>,
}

/// At least `count` mutants in whole rounds, the fixtures taken in turn; the same `seed` gives the
/// same rounds.
pub fn rounds(fixtures: &[Fixture], count: usize, seed: u64) -> Vec<Round> {
    let mut rounds = Vec::new();
    let mut made = 0;
    while made < count && !fixtures.is_empty() {
        let fixture = &fixtures[rounds.len() % fixtures.len()];
        let mutants: Vec<Mutant> = fixture
            .tiles
            .iter()
            .map(|tile| {
                let mut rng = Rng::for_case(seed, STREAM, made as u64);
                made += 1;
                let mut bytes = tile.bytes.clone();
                mutate_tile(&mut rng, &mut bytes, &fixture.tiles);
                let native = run_tile_as_the_preview(fixture, tile.id, &bytes);
                Mutant { file_name: tile.id.file_name(), bytes, native }
            })
            .collect();
        if mutants.is_empty() {
            break;
        }
        rounds.push(Round { fixture: fixture.name.clone(), mutants });
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_are_whole_sets_of_mutants_the_same_for_a_seed() {
        let fixtures = crate::fixtures::load().expect("the fixtures in ../shared/fixtures");
        let first = rounds(&fixtures, 40, 7);
        let total: usize = first.iter().map(|round| round.mutants.len()).sum();
        assert!(total >= 40);
        for round in &first {
            let fixture = fixtures.iter().find(|f| f.name == round.fixture).expect("its fixture");
            let names: Vec<String> = fixture.tiles.iter().map(|t| t.id.file_name()).collect();
            let mutated: Vec<&String> = round.mutants.iter().map(|m| &m.file_name).collect();
            assert_eq!(mutated, names.iter().collect::<Vec<_>>(), "every tile of the set, once");
        }
        let again = rounds(&fixtures, 40, 7);
        let bytes = |rs: &[Round]| {
            rs.iter().flat_map(|r| r.mutants.iter().map(|m| m.bytes.clone())).collect::<Vec<_>>()
        };
        assert_eq!(bytes(&first), bytes(&again));
        let originals: Vec<&[u8]> =
            fixtures.iter().flat_map(|f| f.tiles.iter().map(|t| t.bytes.as_slice())).collect();
        assert!(bytes(&first).iter().all(|b| !originals.contains(&b.as_slice())), "every tile is changed");
    }
}
