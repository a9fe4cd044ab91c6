//! Trunk's `post_build` hook (see `Trunk.toml`): splits the app's WebAssembly into the jobs page and
//! the chunks other pages load when opened, and moves the inline start script into a file. Reads
//! Trunk's hook environment.

use std::path::PathBuf;
use std::process::ExitCode;

use wasm_chunks::start_script::move_start_script_in;
use wasm_chunks::{split_into_chunks, Build, Optimise};

fn main() -> ExitCode {
    let Some(staging) = std::env::var_os("TRUNK_STAGING_DIR").map(PathBuf::from) else {
        eprintln!(
            "wasm-chunks runs as Trunk's post_build hook (TRUNK_STAGING_DIR is not set): run `trunk build`"
        );
        return ExitCode::FAILURE;
    };
    let profile = std::env::var("TRUNK_PROFILE").unwrap_or_else(|_| "debug".into());
    let source = std::env::var_os("TRUNK_SOURCE_DIR").map(PathBuf::from).unwrap_or_default();
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| source.join("target"));
    let bin = "farmdeck".to_string();
    let build = Build {
        linked_wasm: target_dir.join("wasm32-unknown-unknown").join(&profile).join(format!("{bin}.wasm")),
        staging,
        bin,
        optimise: if profile == "release" { Optimise::ForSize } else { Optimise::No },
    };
    let done = split_into_chunks(&build)
        .and_then(|published| Ok((published, move_start_script_in(&build.staging)?)));
    match done {
        Ok((published, start_script)) => {
            let total: u64 = published.iter().map(|file| file.bytes).sum();
            println!(
                "wasm-chunks: the app and {} chunk files, {total} bytes; started by {start_script}",
                published.len() - 1
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("wasm-chunks: {error}");
            ExitCode::FAILURE
        }
    }
}
