//! simfarm: a stand-in Flamenco Manager with a simulated render farm, for Farmdeck's demo and
//! end-to-end tests. It speaks the Manager's REST API (`flamenco-openapi.yaml`) and its socket.io 2
//! live updates, runs simulated workers through Flamenco's job and task state machine, and writes
//! real output (Blender-shaped EXR tiles, frames, JPEG thumbnails).
//!
//! The binary is a thin wrapper around [`start`]; tests run [`router`] in-process or [`start`] on
//! port 0.

pub mod addon;
pub mod api;
pub mod clock;
pub mod failures;
pub mod farm;
pub mod hosting;
pub mod jobtypes;
pub mod live;
pub mod render;
pub mod seeding;
pub mod sim;
pub mod trouble;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::routing::{any, get};
use axum::Router;
use flamenco_api::{EventLifeCycle, LifeCycleEventType};
use tokio::task::JoinHandle;

use crate::api::ApiState;
use crate::farm::{Farm, FarmOptions, LiveEvent, SharedFarm};
use crate::jobtypes::scripts::ScriptFolder;
use crate::jobtypes::JobTypes;
use crate::render::RenderRoot;
use crate::sim::SimOptions;

/// How simfarm runs; the command-line flags of the binary.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The dashboard's built files, served at `/`.
    pub serve_app: Option<PathBuf>,
    /// Where render output goes; a new temporary directory when `None`.
    pub render_root: Option<PathBuf>,
    pub workers: usize,
    pub task_seconds: f64,
    pub failure_rate: f64,
    /// Seed of the random numbers (ids, failures); from the clock when `None`.
    pub seed: Option<u64>,
    pub demo: bool,
    pub seed_jobs: usize,
    /// Per-tile noise in the overscan, so that merges have seams to find.
    pub seam_noise: bool,
    /// The Manager's name in `/api/v3/version`.
    pub name: String,
    /// How long a socket.io client may stay silent before it is dropped (the Manager: 60 s).
    pub socket_idle_timeout: std::time::Duration,
    /// Start like a Manager that was never set up: `/api/v3/configuration` says `isFirstRun`
    /// until the Setup Assistant saves a shared storage path and Blender.
    pub first_run: bool,
    /// Task runs that go wrong on request: a stuck task, a worker that drops out.
    pub trouble: trouble::Trouble,
    /// A failed job whose tasks failed with these kinds, in these numbers (`--failing-job`).
    pub failing_job: Option<failures::FailurePlan>,
    /// A folder of job-type scripts (`--scripts`).
    pub scripts: Option<PathBuf>,
    /// The `tilemerge` program scripts' `exec` of `tilemerge` runs (`--tilemerge`).
    pub tilemerge: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            serve_app: None,
            render_root: None,
            workers: 6,
            task_seconds: 3.0,
            failure_rate: 0.05,
            seed: None,
            demo: false,
            seed_jobs: 0,
            seam_noise: false,
            name: "simfarm".into(),
            socket_idle_timeout: live::IDLE_TIMEOUT,
            first_run: false,
            trouble: trouble::Trouble::default(),
            failing_job: None,
            scripts: None,
            tilemerge: jobtypes::scripts::work::default_tilemerge(),
        }
    }
}

/// Everything the router serves from.
#[derive(Clone)]
pub struct AppState {
    pub farm: SharedFarm,
    pub api: ApiState,
    /// The socket.io clients, for live updates.
    pub hub: Arc<live::Hub>,
    pub serve_app: Option<PathBuf>,
    pub render_root: RenderRoot,
}

impl AppState {
    /// A new, empty farm with its live-update forwarder running (needs a Tokio runtime).
    pub fn new(config: &Config, render_root: PathBuf) -> AppState {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<LiveEvent>();
        let seed = config.seed.unwrap_or_else(clock::Rng::seed_from_entropy);
        let farm =
            Arc::new(Mutex::new(Farm::new(FarmOptions { name: config.name.clone(), seed }, Some(sender))));
        let hub = live::Hub::new(config.socket_idle_timeout);
        live::spawn_forwarder(hub.clone(), receiver);
        let render_root = RenderRoot::new(render_root);
        let api = ApiState::new(
            farm.clone(),
            Arc::new(match &config.scripts {
                Some(dir) => JobTypes::with_scripts(ScriptFolder::new(dir.clone(), config.tilemerge.clone())),
                None => JobTypes::new(),
            }),
            render_root.clone(),
            config.seam_noise,
            config.name.clone(),
            config.first_run,
        );
        AppState { farm, api, hub, serve_app: config.serve_app.clone(), render_root }
    }
}

/// The whole HTTP surface: the API, socket.io, job files, the render root and the app.
pub fn router(state: &AppState) -> Router {
    let manager_name = state.api.name.clone();
    let mut app = Router::new()
        .merge(api::router(state.api.clone()))
        .route("/flamenco-addon.zip", get(move || addon::download(manager_name.clone())))
        .route("/job-files/{*path}", get(hosting::job_files).with_state(state.farm.clone()))
        .route("/socket.io", any(live::endpoint).with_state(state.hub.clone()))
        .route("/socket.io/", any(live::endpoint).with_state(state.hub.clone()))
        .nest_service("/renders", hosting::renders_service(state.render_root.path().to_path_buf()));
    if let Some(dir) = &state.serve_app {
        let (app_dir, root) = (dir.clone(), state.render_root.path().to_path_buf());
        app = app
            .route("/farmdeck.json", get(move || hosting::farmdeck_json(app_dir.clone(), root.clone())))
            .fallback_service(hosting::app_service(dir.clone()));
    }
    app.layer(hosting::cors())
}

/// A running simfarm.
pub struct Server {
    /// The address it really listens on.
    pub addr: SocketAddr,
    pub state: AppState,
    /// The HTTP server task; it runs until the process ends or the task is aborted.
    pub handle: JoinHandle<()>,
    pub workers: Vec<JoinHandle<()>>,
}

impl Server {
    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and stops the workers.
    pub fn stop(&self) {
        self.handle.abort();
        for worker in &self.workers {
            worker.abort();
        }
    }
}

/// Starts simfarm: seeds the farm, signs on the workers, listens, and prints the two start-up
/// lines on stdout (the URL, and which URL serves the render root).
pub async fn start(config: Config) -> std::io::Result<Server> {
    let root = match &config.render_root {
        Some(root) => root.clone(),
        None => std::env::temp_dir().join(format!(
            "simfarm-{}-{}",
            std::process::id(),
            clock::Rng::seed_from_entropy() % 100_000
        )),
    };
    std::fs::create_dir_all(&root)?;
    let root = root.canonicalize()?;
    let state = AppState::new(&config, root.clone());
    let options = SimOptions {
        task_seconds: config.task_seconds,
        failure_rate: config.failure_rate,
        trouble: config.trouble.clone(),
    };

    let seeder = seeding::Seeder {
        farm: &state.farm,
        job_types: &state.api.job_types,
        render_root: &state.render_root,
        seam_noise: config.seam_noise,
    };
    if config.seed_jobs > 0 {
        seeder.many(config.seed_jobs);
    }
    let mut workers = Vec::new();
    let mut worker_ids = Vec::new();
    for index in 0..config.workers {
        let (id, seed) = {
            let mut farm = farm::lock(&state.farm);
            let id = farm.add_worker(&sim::worker_name(index), flamenco_api::WorkerStatus::Starting);
            (id, farm.rng.next_u64())
        };
        worker_ids.push(id.clone());
        workers.push(sim::spawn_worker(&state.farm, id, &options, seed));
    }
    if config.demo {
        seeder.demo(&worker_ids);
    }
    if let Some(plan) = &config.failing_job {
        failures::seed_failing_job(&seeder, plan);
    }
    workers.push(sim::spawn_farm_status(state.farm.clone()));
    workers.push(sim::spawn_sleep_scheduler(state.farm.clone()));

    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let app = router(&state);
    let handle = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            eprintln!("simfarm: server stopped: {error}");
        }
    });
    farm::lock(&state.farm)
        .emit(LiveEvent::LifeCycle(EventLifeCycle { event_type: LifeCycleEventType::ManagerStartup }));

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "simfarm: listening on http://{addr}")?;
    writeln!(stdout, "simfarm: render root {}/ is served at http://{addr}/renders/", root.display())?;
    stdout.flush()?;
    let jobs = farm::lock(&state.farm).job_count();
    eprintln!(
        "simfarm: {} workers, {jobs} jobs, tasks take {}s, failure rate {}",
        config.workers, config.task_seconds, config.failure_rate
    );
    Ok(Server { addr, state, handle, workers })
}
