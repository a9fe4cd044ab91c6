//! Splits Farmdeck's WebAssembly after Trunk has built it: the jobs page stays in the app's own
//! `farmdeck-<hash>_bg.wasm`, and the code only other pages reach (the `#[wasm_split]` functions of
//! `src/pages/lazy.rs`) moves into content-hashed chunks that those pages download when first opened.
//!
//! Trunk cannot split, so this runs as its `post_build` hook (see `Trunk.toml`): it splits the
//! linker's output (kept with `--emit-relocs`, see `.cargo/config.toml`), runs wasm-bindgen and
//! wasm-opt as Trunk would, and replaces Trunk's two app files in the staging folder, with the
//! integrity digests in `index.html` updated to match. It also moves Trunk's inline start script
//! into a file (`start_script`), for the hosting examples' Content-Security-Policy.

pub mod names;
pub mod start_script;
mod tools;

use std::fs;
use std::path::{Path, PathBuf};

pub use tools::Optimise;

/// What went wrong, naming the file or tool concerned.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no {0} in Trunk's staging folder: was the app built by this Trunk run?")]
    TrunkOutputMissing(String),
    #[error("splitting {path} failed: {message}")]
    Split { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    StartScript { path: PathBuf, message: String },
    #[error("{tool} failed on {path}: {message}")]
    Tool { tool: &'static str, path: PathBuf, message: String },
}

fn read(path: &Path) -> Result<Vec<u8>, ChunkError> {
    fs::read(path).map_err(|source| ChunkError::Io { path: path.to_path_buf(), source })
}

fn write(path: &Path, content: &[u8]) -> Result<(), ChunkError> {
    fs::write(path, content).map_err(|source| ChunkError::Io { path: path.to_path_buf(), source })
}

/// Where the build's pieces are.
pub struct Build {
    /// The linker's output for the app binary, with relocations.
    pub linked_wasm: PathBuf,
    /// Trunk's staging folder (becomes `dist/`).
    pub staging: PathBuf,
    /// The app binary's name (`farmdeck`): Trunk names its files `<bin>-<hash>.js` / `_bg.wasm`.
    pub bin: String,
    /// Whether to run wasm-opt (release builds).
    pub optimise: Optimise,
}

/// A file the split wrote into the staging folder, with its size.
pub struct Published {
    pub name: String,
    pub bytes: u64,
}

/// Splits the app, replaces Trunk's app files and adds the chunks and their loader.
pub fn split_into_chunks(build: &Build) -> Result<Vec<Published>, ChunkError> {
    let (app_js, app_wasm) = trunk_app_files(&build.staging, &build.bin)?;
    let app_js_name = file_name(&app_js);
    let work = build.staging.join(".wasm-chunks");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).map_err(|source| ChunkError::Io { path: work.clone(), source })?;

    let linked = read(&build.linked_wasm)?;
    let split_main = work.join("main.wasm");
    let loader_emitted = "__wasm_split.js";
    let main_module = format!("./{app_js_name}");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&linked);
        options.output_dir = &work;
        options.main_out_path = &split_main;
        options.link_name = "./__wasm_split.js";
        options.main_module = &main_module;
        options
    })
    .map_err(|error| ChunkError::Split { path: build.linked_wasm.clone(), message: format!("{error:#}") })?;

    let stem = app_js_name.trim_end_matches(".js");
    tools::bindgen(&split_main, &work, stem)?;
    let bindgen_wasm = work.join(format!("{stem}_bg.wasm"));
    build.optimise.run(&bindgen_wasm)?;
    build.optimise.run_all(&split.split_modules)?;

    let mut loader = String::from_utf8_lossy(&read(&work.join(loader_emitted))?).into_owned();
    let mut published = Vec::new();
    for chunk in &split.split_modules {
        let content = read(chunk)?;
        let emitted = file_name(chunk);
        let name = names::published_chunk_name(&emitted, &content);
        loader = names::rename_in_loader(&loader, &emitted, &name);
        write(&build.staging.join(&name), &content)?;
        published.push(Published { name, bytes: content.len() as u64 });
    }
    let loader_name = format!("chunks-{}.js", names::content_hash(loader.as_bytes()));
    write(&build.staging.join(&loader_name), loader.as_bytes())?;
    published.push(Published { name: loader_name.clone(), bytes: loader.len() as u64 });

    let js = String::from_utf8_lossy(&read(&work.join(format!("{stem}.js")))?).into_owned();
    let js = names::rename_loader_import(&js, loader_emitted, &loader_name);
    let wasm = read(&bindgen_wasm)?;
    replace_with_integrity(&build.staging, &app_js, js.as_bytes())?;
    replace_with_integrity(&build.staging, &app_wasm, &wasm)?;
    published.push(Published { name: file_name(&app_wasm), bytes: wasm.len() as u64 });
    published.push(Published { name: app_js_name, bytes: js.len() as u64 });
    let _ = fs::remove_dir_all(&work);
    Ok(published)
}

/// Overwrites one of Trunk's files and the integrity digest `index.html` gives for it.
fn replace_with_integrity(staging: &Path, file: &Path, content: &[u8]) -> Result<(), ChunkError> {
    let old_integrity = names::integrity(&read(file)?);
    write(file, content)?;
    let index = staging.join("index.html");
    let html = String::from_utf8_lossy(&read(&index)?).into_owned();
    write(&index, html.replace(&old_integrity, &names::integrity(content)).as_bytes())
}

/// Trunk's `<bin>-<hash>.js` and `<bin>-<hash>_bg.wasm` in the staging folder.
fn trunk_app_files(staging: &Path, bin: &str) -> Result<(PathBuf, PathBuf), ChunkError> {
    let entries =
        fs::read_dir(staging).map_err(|source| ChunkError::Io { path: staging.to_path_buf(), source })?;
    let prefix = format!("{bin}-");
    let js = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| {
            let name = file_name(path);
            name.starts_with(&prefix) && name.ends_with(".js")
        })
        .ok_or_else(|| ChunkError::TrunkOutputMissing(format!("{bin}-<hash>.js")))?;
    let wasm = js.with_file_name(file_name(&js).replace(".js", "_bg.wasm"));
    if !wasm.is_file() {
        return Err(ChunkError::TrunkOutputMissing(file_name(&wasm)));
    }
    Ok((js, wasm))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}
