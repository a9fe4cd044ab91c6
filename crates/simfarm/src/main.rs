//! The `simfarm` command: a stand-in Flamenco Manager. See the library for what it does.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// A stand-in Flamenco Manager with a simulated render farm.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Serve the dashboard's built files from this directory at `/`.
    #[arg(long)]
    serve_app: Option<PathBuf>,
    /// Where render output is written (default: a new temporary directory).
    #[arg(long)]
    render_root: Option<PathBuf>,
    /// Number of simulated workers.
    #[arg(long, default_value_t = 6)]
    workers: usize,
    /// How long one task takes, in seconds.
    #[arg(long, default_value_t = 3.0)]
    task_seconds: f64,
    /// Chance that a task run fails (0 to 1).
    #[arg(long, default_value_t = 0.05)]
    failure_rate: f64,
    /// Seed for the random numbers, for reproducible runs.
    #[arg(long)]
    seed: Option<u64>,
    /// Start with a believable demo farm.
    #[arg(long)]
    demo: bool,
    /// Create this many jobs at start-up, for load tests.
    #[arg(long, default_value_t = 0)]
    seed_jobs: usize,
    /// Add small per-tile noise in the overscan, so that merges have seams to find.
    #[arg(long)]
    seam_noise: bool,
    /// The Manager's name, as `/api/v3/version` reports it.
    #[arg(long, default_value = "simfarm")]
    name: String,
    /// Start like a Manager that was never set up (no shared storage, no Blender), so that the
    /// dashboard offers its Setup Assistant.
    #[arg(long)]
    first_run: bool,
    /// A folder of job-type scripts, as the Manager's `scripts/` folder: every `*.js` in it is a
    /// job type (`my_type.js` is `my-type`), read again on every request.
    #[arg(long, value_name = "DIR")]
    scripts: Option<std::path::PathBuf>,
    /// The `tilemerge` program that job-type scripts' `exec` of `tilemerge` runs (default: the
    /// one next to simfarm, else `tilemerge` on PATH).
    #[arg(long, value_name = "PATH")]
    tilemerge: Option<std::path::PathBuf>,
    /// Also seed a failed job "sh010 lighting (failing)" whose tasks failed with these kinds, in these
    /// numbers, e.g. `segfault=3,missing-file=2` (kinds: segfault, gpu-memory, missing-file, python).
    #[arg(long, value_name = "KIND=COUNT,...")]
    failing_job: Option<simfarm::failures::FailurePlan>,
    /// Milliseconds a socket.io client may stay silent before it is dropped (tests shorten it).
    #[arg(long, hide = true, default_value_t = simfarm::live::PING_TIMEOUT_MS)]
    socket_idle_timeout_ms: u64,
    /// The n-th task handed out (counting from 1) hangs: its worker stays on it and keeps checking
    /// in, without progress, until the task is cancelled or requeued.
    #[arg(long, value_name = "N")]
    stuck_task: Option<u64>,
    /// The worker given the n-th task (counting from 1) signs off halfway through it: it goes
    /// offline and the Manager requeues the task.
    #[arg(long, value_name = "N")]
    drop_worker: Option<u64>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let valid =
        args.task_seconds.is_finite() && args.task_seconds > 0.0 && (0.0..=1.0).contains(&args.failure_rate);
    if !valid {
        eprintln!("simfarm: --task-seconds must be positive and --failure-rate between 0 and 1");
        std::process::exit(2);
    }
    let config = simfarm::Config {
        listen: args.listen,
        serve_app: args.serve_app,
        render_root: args.render_root,
        workers: args.workers,
        task_seconds: args.task_seconds,
        failure_rate: args.failure_rate,
        seed: args.seed,
        demo: args.demo,
        seed_jobs: args.seed_jobs,
        seam_noise: args.seam_noise,
        name: args.name,
        socket_idle_timeout: std::time::Duration::from_millis(args.socket_idle_timeout_ms),
        first_run: args.first_run,
        scripts: args.scripts,
        tilemerge: args.tilemerge.unwrap_or_else(simfarm::jobtypes::scripts::work::default_tilemerge),
        trouble: simfarm::trouble::Trouble::new(args.stuck_task, args.drop_worker),
        failing_job: args.failing_job,
    };
    let server = match simfarm::start(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("simfarm: cannot start: {error}");
            std::process::exit(1);
        }
    };
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("simfarm: shutting down");
    server.stop();
}
