//! `fuzz`: runs mutated inputs through tilemerge and flamenco-api and reports cases, distinct
//! errors and failures. Usage:
//!
//! ```text
//! fuzz [--cases N] [--seed S] [--target tiles|names|settings|socketio|all] [--start I]
//!      [--time-limit SECONDS] [--replay I] [--save-to DIR] [--top K]
//! ```
//!
//! Case `I` of a target under seed `S` is always the same input, so `--replay I` (with one
//! `--target`) regenerates a case, keeps its input and runs it alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fuzz::{normalise, regressions_dir, run_guarded, silence_panics, Case, Fixture, Target, Verdict};

#[global_allocator]
static ALLOCATOR: fuzz::alloc::Counting = fuzz::alloc::Counting;

/// Share of the cases each target gets, in parts of 16: tiles cost the most per case and are
/// where the risk is; names, settings and frames are cheap.
const SHARES: [(Target, u64); 4] =
    [(Target::Tiles, 10), (Target::Names, 2), (Target::Settings, 2), (Target::Socketio, 2)];

struct Options {
    cases: u64,
    seed: u64,
    targets: Vec<Target>,
    start: u64,
    time_limit: Duration,
    replay: Option<u64>,
    save_to: PathBuf,
    top: usize,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        cases: 1_000_000,
        seed: 1,
        targets: Target::ALL.to_vec(),
        start: 0,
        time_limit: Duration::from_secs(5),
        replay: None,
        save_to: regressions_dir(),
        top: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number =
            |text: String| text.replace('_', "").parse::<u64>().map_err(|_| format!("not a number: {text}"));
        match flag.as_str() {
            "--cases" => options.cases = number(value()?)?,
            "--seed" => options.seed = number(value()?)?,
            "--start" => options.start = number(value()?)?,
            "--time-limit" => options.time_limit = Duration::from_secs(number(value()?)?),
            "--replay" => options.replay = Some(number(value()?)?),
            "--save-to" => options.save_to = PathBuf::from(value()?),
            "--top" => options.top = number(value()?)? as usize,
            "--target" => {
                let name = value()?;
                options.targets = if name == "all" {
                    Target::ALL.to_vec()
                } else {
                    vec![Target::from_name(&name).ok_or_else(|| format!("unknown target {name}"))?]
                };
            }
            "--help" | "-h" => return Err("usage: fuzz [--cases N] [--seed S] [--target tiles|names|settings|socketio|all] [--start I] [--time-limit SECONDS] [--replay I] [--save-to DIR] [--top K]".into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// Keeps a failing input in `dir/<target>/` and says where.
fn save(dir: &Path, case: &Case, fixtures: &[Fixture], label: &str) -> String {
    let folder = dir.join(case.target.name());
    let path = folder.join(case.file_name(fixtures, label));
    match std::fs::create_dir_all(&folder).and_then(|()| std::fs::write(&path, &case.input)) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(not saved: {e})"),
    }
}

/// The case running now, for the watchdog: its target's index and number, and when it started
/// in milliseconds since the run began (0 between cases).
static RUNNING_TARGET: AtomicUsize = AtomicUsize::new(0);
static RUNNING_CASE: AtomicU64 = AtomicU64::new(0);
static RUNNING_SINCE: AtomicU64 = AtomicU64::new(0);

/// A case over the time limit is a hang: the watchdog regenerates its input (cases are pure
/// functions of seed and number), keeps it and ends the process, since the stuck thread
/// cannot be stopped.
fn watchdog(fixtures: Arc<Vec<Fixture>>, seed: u64, limit: Duration, save_to: PathBuf, began: Instant) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(100));
        let since = RUNNING_SINCE.load(Ordering::SeqCst);
        let now = began.elapsed().as_millis() as u64;
        if since == 0 || now.saturating_sub(since) < limit.as_millis() as u64 {
            continue;
        }
        let target = Target::ALL.get(RUNNING_TARGET.load(Ordering::SeqCst)).copied().unwrap_or(Target::Tiles);
        let index = RUNNING_CASE.load(Ordering::SeqCst);
        let case = Case::generate(target, seed, index, &fixtures);
        let path = save(&save_to, &case, &fixtures, &format!("s{seed}-c{index}-hang"));
        eprintln!(
            "FAILURE {} case {index}: still running after {} s (a hang); input: {path}",
            target.name(),
            limit.as_secs()
        );
        println!("failures: 1 (a hang: the run stopped at {} case {index})", target.name());
        std::process::exit(3);
    });
}

#[derive(Default)]
struct Tally {
    cases: u64,
    results: u64,
    errors: HashMap<String, u64>,
    failures: Vec<String>,
    seconds: f64,
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let fixtures = match fuzz::fixtures::load() {
        Ok(f) => Arc::new(f),
        Err(message) => {
            eprintln!("fuzz: {message}");
            return ExitCode::from(2);
        }
    };
    silence_panics();

    if let (Some(index), [target]) = (options.replay, options.targets.as_slice()) {
        let case = Case::generate(*target, options.seed, index, &fixtures);
        let path = save(&options.save_to, &case, &fixtures, &format!("s{}-c{index}", options.seed));
        let verdict = run_guarded(&case, &fixtures);
        println!("{} case {index} ({} bytes, kept as {path}): {verdict:?}", target.name(), case.input.len());
        return if matches!(verdict, Verdict::Failure(_)) { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    } else if options.replay.is_some() {
        eprintln!("--replay needs exactly one --target");
        return ExitCode::from(2);
    }

    for f in fixtures.iter() {
        println!(
            "fixture {}: {} tiles, best compression {:.2}:1, canvas {:.1} tiles' worth",
            f.name,
            f.tiles.len(),
            f.compression_ratio(),
            f.canvas_factor()
        );
    }
    let began = Instant::now();
    watchdog(Arc::clone(&fixtures), options.seed, options.time_limit, options.save_to.clone(), began);
    let total_share: u64 =
        SHARES.iter().filter(|(t, _)| options.targets.contains(t)).map(|(_, s)| s).sum::<u64>().max(1);
    let mut tallies: Vec<(Target, Tally)> = Vec::new();
    let mut remaining = options.cases;
    let selected: Vec<(Target, u64)> =
        SHARES.iter().copied().filter(|(t, _)| options.targets.contains(t)).collect();
    let mut last_progress = Instant::now();
    for (n, (target, share)) in selected.iter().enumerate() {
        let cases = if n + 1 == selected.len() { remaining } else { options.cases * share / total_share };
        remaining -= cases;
        let mut tally = Tally::default();
        let started = Instant::now();
        RUNNING_TARGET.store(Target::ALL.iter().position(|t| t == target).unwrap_or(0), Ordering::SeqCst);
        for index in options.start..options.start + cases {
            let case = Case::generate(*target, options.seed, index, &fixtures);
            RUNNING_CASE.store(index, Ordering::SeqCst);
            RUNNING_SINCE.store(began.elapsed().as_millis() as u64 + 1, Ordering::SeqCst);
            let verdict = run_guarded(&case, &fixtures);
            RUNNING_SINCE.store(0, Ordering::SeqCst);
            tally.cases += 1;
            match verdict {
                Verdict::Ok => tally.results += 1,
                Verdict::Error(message) => *tally.errors.entry(normalise(&message)).or_default() += 1,
                Verdict::Failure(why) => {
                    let kind = if why.starts_with("panic") { "panic" } else { "alloc" };
                    let path = save(
                        &options.save_to,
                        &case,
                        &fixtures,
                        &format!("s{}-c{index}-{kind}", options.seed),
                    );
                    eprintln!("FAILURE {} case {index}: {why}; input: {path}", target.name());
                    tally.failures.push(why);
                }
            }
            if last_progress.elapsed() > Duration::from_secs(30) {
                eprintln!("[fuzz] {}: {} of {cases} cases", target.name(), tally.cases);
                last_progress = Instant::now();
            }
        }
        tally.seconds = started.elapsed().as_secs_f64();
        tallies.push((*target, tally));
    }

    let elapsed = began.elapsed().as_secs_f64();
    let mut total = (0u64, 0usize, 0usize);
    for (target, tally) in &tallies {
        println!(
            "{}: cases: {}, distinct errors: {}, failures: {} ({} results; {:.1} s, {:.0} cases/s)",
            target.name(),
            tally.cases,
            tally.errors.len(),
            tally.failures.len(),
            tally.results,
            tally.seconds,
            tally.cases as f64 / tally.seconds.max(1e-9)
        );
        let mut errors: Vec<(&String, &u64)> = tally.errors.iter().collect();
        errors.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (message, count) in errors.iter().take(options.top) {
            println!("    {count:>8}  {message}");
        }
        total.0 += tally.cases;
        total.1 += tally.errors.len();
        total.2 += tally.failures.len();
    }
    println!(
        "total: cases: {}, distinct errors: {}, failures: {}, elapsed: {elapsed:.1} s, {:.0} cases/s (seed {})",
        total.0,
        total.1,
        total.2,
        total.0 as f64 / elapsed.max(1e-9),
        options.seed
    );
    if total.2 > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
