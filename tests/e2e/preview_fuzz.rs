//! The browser half of the fuzzing (`scripts/fuzz`): 1,000 tiles mutated as the fuzzer mutates them
//! (`crates/fuzz`: bit flips, truncations, header fields and sizes, spliced tails), dropped on the
//! merge preview one tile set after another in the same tab. Every tile the native pipeline refuses
//! is shown failed with its reason, none is left waiting, no worker panics, and the tab lives on to
//! merge the real tiles.

use std::path::PathBuf;

use crate::preview::{fixture_named, tile_files, tiles_in_state};
use crate::support::{Browser, Simfarm};

/// How many mutated tiles are dropped: a smoke of 150 in the test suite, the 1,000 of
/// `scripts/fuzz` through `FARMDECK_PREVIEW_MUTANTS`.
fn mutant_count() -> usize {
    std::env::var("FARMDECK_PREVIEW_MUTANTS").ok().and_then(|n| n.parse().ok()).unwrap_or(150)
}

/// The tile list's rows: (file name, state, reason shown).
async fn rows(browser: &Browser) -> Vec<(String, String, String)> {
    let script = "return Array.from(document.querySelectorAll('table.tile-list tr[data-tile]'))
        .map(row => [row.dataset.tile, row.dataset.state, row.cells[2] ? row.cells[2].textContent : '']);";
    let value = browser.client.execute(script, vec![]).await.expect("the tile list can be read");
    serde_json::from_value(value).expect("rows of three strings")
}

/// Picks `files` in the page's file input, as a person dropping another tile set would.
async fn pick(browser: &Browser, files: &[PathBuf]) {
    browser.unfold("Tile files").await;
    let input = browser.field("Tile files").await;
    input.clear().await.expect("the last set can be put back");
    let paths: Vec<String> = files.iter().map(|path| path.display().to_string()).collect();
    input.send_keys(&paths.join("\n")).await.expect("the files can be picked");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_mutated_tiles_are_each_refused_or_placed_and_the_tab_merges_on() {
    let fixtures = fuzz::fixtures::load().expect("the fixtures in ../shared/fixtures");
    let rounds = fuzz::preview_rounds::rounds(&fixtures, mutant_count(), 17);
    // The fixtures take turns, so a round's tile names are never the last round's: its rows can
    // only be its own.
    assert!(rounds.windows(2).all(|pair| pair[0].fixture != pair[1].fixture), "the fixtures alternate");
    let folder = tempfile::tempdir().expect("a folder for the mutants");
    let folder = folder.path().canonicalize().expect("a canonical path, as chromedriver wants");

    let farm = Simfarm::start(&["--workers", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/preview", farm.url)).await;
    browser.heading("Merge preview").await;
    let (mut refused_natively, mut failed, mut placed, mut wrong) = (0, 0, 0, Vec::new());
    for (index, round) in rounds.iter().enumerate() {
        let dir = folder.join(format!("round-{index:03}"));
        std::fs::create_dir_all(&dir).expect("a round's folder");
        let mut files = Vec::new();
        for mutant in &round.mutants {
            let path = dir.join(&mutant.file_name);
            std::fs::write(&path, &mutant.bytes).expect("a mutant written");
            files.push(path);
        }
        pick(&browser, &files).await;
        let first = &round.mutants[0].file_name;
        browser
            .wait_xpath(
                &format!(
                    "//table[contains(@class,'tile-list')][.//tr[@data-tile='{first}']][not(.//tr[@data-state='queued'])]"
                ),
                &format!("round {index} ({}) settled", round.fixture),
            )
            .await;
        let shown = rows(&browser).await;
        assert_eq!(shown.len(), round.mutants.len(), "round {index}: a row per tile: {shown:?}");
        for mutant in &round.mutants {
            let Some((_, state, reason)) = shown.iter().find(|(name, _, _)| *name == mutant.file_name) else {
                wrong.push(format!("round {index}: no row for {}", mutant.file_name));
                continue;
            };
            match (state.as_str(), &mutant.native) {
                ("failed", _) if reason.trim().is_empty() => {
                    wrong.push(format!("round {index}: {} failed without a reason", mutant.file_name))
                }
                ("failed", native) => {
                    if native.is_ok() {
                        println!(
                            "round {index}: {} failed in the browser only: {}",
                            mutant.file_name,
                            reason.trim()
                        );
                    }
                    failed += 1
                }
                ("placed", Ok(())) => placed += 1,
                (state, native) => wrong.push(format!(
                    "round {index} ({}): {} is {state}, natively {native:?}",
                    round.fixture, mutant.file_name
                )),
            }
            refused_natively += usize::from(mutant.native.is_err());
        }
    }
    let dropped: usize = rounds.iter().map(|round| round.mutants.len()).sum();
    println!(
        "preview fuzz: {dropped} mutated tiles in {} sets: {failed} shown failed, {placed} placed; \
         the native pipeline refused {refused_natively}",
        rounds.len()
    );
    assert!(
        wrong.is_empty(),
        "{} tiles shown otherwise than they should be:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(failed >= refused_natively, "every refused tile shown failed");
    let panics: Vec<String> = browser
        .console_messages()
        .await
        .into_iter()
        .map(|(_, text)| text)
        .filter(|text| text.contains("panicked") || text.contains("RuntimeError"))
        .collect();
    assert!(panics.is_empty(), "the app or a worker panicked:\n{}", panics.join("\n"));

    // The same tab merges the real tiles after all that.
    pick(&browser, &tile_files(&fixture_named("b5-multipart-320x180-t64").join("tiles"))).await;
    browser.wait_xpath(&tiles_in_state("placed", 15), "the real tiles placed after the mutants").await;
    browser.close().await;
}
