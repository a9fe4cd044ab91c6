//! `tilemerge`: merges or checks a folder of Blender tiles from the command line.

#[cfg(not(target_arch = "wasm32"))]
mod bench_compare;
#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod deflate;
#[cfg(not(target_arch = "wasm32"))]
mod gen;
#[cfg(not(target_arch = "wasm32"))]
mod merge;
#[cfg(not(target_arch = "wasm32"))]
mod report;
#[cfg(not(target_arch = "wasm32"))]
mod stream;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Merge(a) => merge::run_merge(&a),
        cli::Command::Check(a) => merge::run_check(&a),
        cli::Command::GenBench(a) => gen::run(&a),
        cli::Command::BenchCompare(a) => bench_compare::run(&a),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("tilemerge: {message}");
            std::process::ExitCode::from(cli::EXIT_USAGE)
        }
    }
}

// The command-line tool needs files and threads; on wasm32 only the library is meant to be used.
#[cfg(target_arch = "wasm32")]
fn main() {}
