//! The simulated workers: each signs on, asks for work, "renders" for `--task-seconds` while
//! reporting steps and log lines, writes real output, and fails now and then (`--failure-rate`)
//! the ways Blender fails on a real farm ([`crate::failures`]).

use std::time::Duration;

use flamenco_api::{FarmStatusReport, WorkerStatus};
use tokio::task::JoinHandle;

use crate::clock::Rng;
use crate::failures;
use crate::farm::{self, Assignment, LiveEvent, Outcome, SharedFarm};
use crate::render::{self, Work};

/// How the simulated workers behave.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// How long one task takes.
    pub task_seconds: f64,
    /// Chance that a run of a task fails.
    pub failure_rate: f64,
    /// Task runs that go wrong on request ([`crate::trouble`]).
    pub trouble: crate::trouble::Trouble,
}

/// Worker names, the way render farms tend to name their machines.
const NAMES: [&str; 12] = [
    "blade-01",
    "blade-02",
    "blade-03",
    "blade-04",
    "studio-gpu",
    "render-mac",
    "tower-07",
    "tower-08",
    "attic-box",
    "lab-03",
    "lab-04",
    "spare-laptop",
];

/// The name of the `index`th simulated worker.
pub fn worker_name(index: usize) -> String {
    match NAMES.get(index) {
        Some(name) => (*name).to_owned(),
        None => format!("worker-{:02}", index + 1),
    }
}

/// Signs on `count` workers and runs each in its own task.
pub fn spawn_workers(shared: &SharedFarm, count: usize, options: &SimOptions) -> Vec<JoinHandle<()>> {
    (0..count)
        .map(|index| {
            let (id, seed) = {
                let mut farm = farm::lock(shared);
                let id = farm.add_worker(&worker_name(index), WorkerStatus::Starting);
                (id, farm.rng.next_u64())
            };
            tokio::spawn(run_worker(shared.clone(), id, options.clone(), seed))
        })
        .collect()
}

/// Starts the loop of a worker that is already known to the farm (e.g. seeded asleep).
pub fn spawn_worker(shared: &SharedFarm, id: String, options: &SimOptions, seed: u64) -> JoinHandle<()> {
    tokio::spawn(run_worker(shared.clone(), id, options.clone(), seed))
}

/// The interval at which a worker checks in and reports progress.
fn tick(options: &SimOptions) -> Duration {
    Duration::from_secs_f64((options.task_seconds / 8.0).clamp(0.02, 0.5))
}

async fn run_worker(shared: SharedFarm, id: String, options: SimOptions, seed: u64) {
    let mut rng = Rng::new(seed);
    let tick = tick(&options);
    tokio::time::sleep(tick).await;
    {
        let mut farm = farm::lock(&shared);
        if farm.worker_details(&id).is_some_and(|worker| worker.status == WorkerStatus::Starting) {
            farm.worker_set_status(&id, WorkerStatus::Awake);
        }
    }
    loop {
        let assignment = {
            let mut farm = farm::lock(&shared);
            match farm.worker_check_in(&id) {
                // Deleted, or shut down: a stopped worker process does not come back by itself.
                None | Some(WorkerStatus::Offline) => return,
                Some(WorkerStatus::Awake) => farm.schedule(&id),
                // A restarting worker process stops and its service manager starts it again.
                Some(WorkerStatus::Restart) => {
                    farm.worker_set_status(&id, WorkerStatus::Starting);
                    None
                }
                Some(WorkerStatus::Starting) => {
                    farm.worker_set_status(&id, WorkerStatus::Awake);
                    None
                }
                Some(_) => None,
            }
        };
        match assignment {
            Some(assignment) => match options.trouble.next_run() {
                Some(mishap) => {
                    crate::trouble::run(&shared, &id, options.task_seconds, mishap, assignment).await
                }
                None => run_task(&shared, &id, &options, &mut rng, assignment).await,
            },
            None => tokio::time::sleep(tick).await,
        }
    }
}

/// Runs one task to its end, or until the Manager or the worker's own status change stops it.
async fn run_task(shared: &SharedFarm, id: &str, options: &SimOptions, rng: &mut Rng, task: Assignment) {
    let tick = tick(options);
    let steps = task.steps_total.max(1);
    // A tile takes its own time (the same on every run), which its file records as Blender does.
    let seconds = match &task.work {
        Work::Tile { picture, tile, .. } => render::tile_seconds(picture, *tile, options.task_seconds),
        _ => options.task_seconds,
    };
    let ticks = (steps as f64).max((seconds / tick.as_secs_f64()).round()).max(1.0) as i64;
    let fail_at = (rng.next_f64() < options.failure_rate).then(|| rng.below(ticks as usize) as i64);
    let mut done_steps = 0;
    for index in 0..ticks {
        tokio::time::sleep(tick).await;
        if fail_at == Some(index) {
            // Its own numbers, so that the worker's draws (which runs fail, and when) stay as
            // `--seed` made them.
            let mut details = Rng::new(failures::seed_of(&[id, &task.task_id]));
            let failure = failures::random_failure(&mut details, index + 1);
            let mut farm = farm::lock(shared);
            if !farm.may_keep_running(id, &task.task_id) {
                return;
            }
            for line in &failure.log_lines {
                farm.write_task_log(&task.task_id, line);
            }
            farm.task_done(id, &task.task_id, Outcome::Failed(failure.activity()));
            return;
        }
        let steps_now = (index + 1) * steps / ticks;
        // Frames are written as their steps complete; tiles and merges at the end.
        for step in done_steps..steps_now {
            if let Work::Frames { seed, pattern, frames, format } = &task.work {
                if let Some(&frame) = frames.get(step as usize) {
                    let (seed, pattern, format) = (*seed, pattern.clone(), *format);
                    let result = tokio::task::spawn_blocking(move || {
                        render::render_frame(seed, &pattern, frame, format)
                    })
                    .await;
                    if !store_output(shared, id, &task, result) {
                        return;
                    }
                }
            }
        }
        if steps_now == steps {
            let work = task.work.clone();
            let result = tokio::task::spawn_blocking(move || render::carry_out(&work, seconds)).await;
            let result = result.map(|inner| inner.map(|thumbs| thumbs.unwrap_or_default()));
            if !store_output(shared, id, &task, result) {
                return;
            }
        }
        let mut farm = farm::lock(shared);
        if farm.worker_check_in(id) != Some(WorkerStatus::Awake) {
            return; // the status change already gave the task back
        }
        let line = log_line(&task, index + 1, ticks);
        if !farm.task_progress(id, &task.task_id, steps_now, &line) {
            return;
        }
        done_steps = steps_now;
    }
    farm::lock(shared).task_done(id, &task.task_id, Outcome::Completed);
}

/// Stores rendered output as the job's last-rendered image; a failed render fails the task.
/// Returns whether the task goes on.
fn store_output(
    shared: &SharedFarm,
    id: &str,
    task: &Assignment,
    result: Result<Result<render::thumbnail::Thumbnails, String>, tokio::task::JoinError>,
) -> bool {
    let mut farm = farm::lock(shared);
    match result {
        Ok(Ok(thumbnails)) => {
            if farm.may_keep_running(id, &task.task_id) {
                farm.set_last_rendered(&task.job_id, thumbnails);
                true
            } else {
                false
            }
        }
        Ok(Err(message)) => {
            farm.task_done(
                id,
                &task.task_id,
                Outcome::Failed(format!("render output could not be written: {message}")),
            );
            false
        }
        Err(error) => {
            farm.task_done(id, &task.task_id, Outcome::Failed(format!("render crashed: {error}")));
            false
        }
    }
}

/// A log line in the style of Blender's render progress.
fn log_line(task: &Assignment, tick: i64, ticks: i64) -> String {
    let samples = 64;
    let sample = (tick * samples / ticks).max(1);
    format!(
        "pid=4242 > Fra:1 Mem:{:.2}M (Peak {:.2}M) | Time:00:{:05.2} | {} | Sample {sample}/{samples}",
        120.0 + tick as f64 * 3.5,
        180.0 + tick as f64 * 4.0,
        tick as f64 * 0.25,
        task.task_name
    )
}

/// How often the sleep scheduler looks at the active schedules (Flamenco: every minute and at each
/// schedule's start and end; simfarm's farms live for minutes, so more often).
const SLEEP_CHECK_INTERVAL: Duration = Duration::from_secs(2);

/// Puts workers to sleep and wakes them as their active sleep schedules say, like Flamenco's sleep
/// scheduler (saving a schedule applies it at once as well).
pub fn spawn_sleep_scheduler(shared: SharedFarm) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(SLEEP_CHECK_INTERVAL).await;
            farm::lock(&shared).apply_sleep_schedules(time::OffsetDateTime::now_utc());
        }
    })
}

/// Sends `/status` whenever the farm's status changes, like Flamenco's periodic farm status check.
pub fn spawn_farm_status(shared: SharedFarm) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = None;
        loop {
            {
                let farm = farm::lock(&shared);
                let status = farm.farm_status();
                if last.as_ref() != Some(&status) {
                    farm.emit(LiveEvent::FarmStatus(FarmStatusReport { status: status.clone() }));
                    last = Some(status);
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
}
