//! The two programs Trunk itself runs on the app, run here on the split module and its chunks:
//! wasm-bindgen (the version `scripts/setup.sh` installs) and wasm-opt.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ChunkError;

/// The WebAssembly features the app's target enables: wasm-opt must accept them.
const FEATURES: [&str; 5] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
];

/// Whether modules are run through wasm-opt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimise {
    /// Debug builds: as linked.
    No,
    /// Release builds: `wasm-opt -Oz`, as the app's `data-wasm-opt="z"` would.
    ForSize,
}

impl Optimise {
    /// Optimises one module in place.
    pub fn run(self, module: &Path) -> Result<(), ChunkError> {
        if self == Optimise::No {
            return Ok(());
        }
        let mut command = Command::new("wasm-opt");
        command.arg("-Oz").args(FEATURES).arg("-o").arg(module).arg(module);
        run("wasm-opt", command, module)
    }

    /// Optimises many small modules, on every core.
    pub fn run_all(self, modules: &[PathBuf]) -> Result<(), ChunkError> {
        let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
        let per_core = modules.len().div_ceil(cores).max(1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = modules
                .chunks(per_core)
                .map(|share| scope.spawn(move || share.iter().try_for_each(|module| self.run(module))))
                .collect();
            workers.into_iter().try_for_each(|worker| {
                worker.join().unwrap_or_else(|_| {
                    Err(tool_error("wasm-opt", Path::new("(a thread)"), "panicked".into()))
                })
            })
        })
    }
}

/// Generates the JavaScript glue for the split main module, named like Trunk's (`<stem>.js`,
/// `<stem>_bg.wasm`); the linker's exports stay, for the chunks to link against.
pub fn bindgen(module: &Path, out_dir: &Path, stem: &str) -> Result<(), ChunkError> {
    let mut command = Command::new("wasm-bindgen");
    command
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--keep-lld-exports",
            "--no-demangle",
            "--out-name",
            stem,
        ])
        .arg("--out-dir")
        .arg(out_dir)
        .arg(module);
    run("wasm-bindgen", command, module)
}

/// Runs `tool` on `module`; a failure carries what the tool printed.
fn run(tool: &'static str, mut command: Command, module: &Path) -> Result<(), ChunkError> {
    let output = command.output().map_err(|error| tool_error(tool, module, error.to_string()))?;
    if !output.status.success() {
        return Err(tool_error(tool, module, String::from_utf8_lossy(&output.stderr).into_owned()));
    }
    Ok(())
}

fn tool_error(tool: &'static str, path: &Path, message: String) -> ChunkError {
    ChunkError::Tool { tool, path: path.to_path_buf(), message }
}
