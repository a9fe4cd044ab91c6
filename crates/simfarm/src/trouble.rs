//! Trouble on request, so that a dashboard's problem views can be tested: a task that hangs and a
//! worker that drops out while working (`--stuck-task`, `--drop-worker`).
//!
//! Both pick "the n-th task handed out on the farm" (counting from 1), which is deterministic
//! whichever worker happens to get it.
//!
//! - A **stuck** task behaves like a hung Blender on a live Worker: the Worker keeps asking the
//!   Manager whether it may keep running (which touches the task, as Flamenco's `mayWorkerRun`
//!   does), so the Manager's task timeout never fires; the task stays `active` with no more
//!   progress until someone cancels or requeues it, or the worker's status is changed.
//! - A **dropping** worker renders half of its task, then signs off (its process is stopped): the
//!   Manager marks it `offline` and gives its task back, `queued` (or `paused` when its job is
//!   pausing), with an activity that says why. The worker stays offline; its `task` is still that
//!   task, as a real Manager's worker `task` is its last one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use flamenco_api::WorkerStatus;

use crate::farm::{self, Assignment, SharedFarm};

/// Which task runs go wrong, shared by all simulated workers.
#[derive(Clone, Debug, Default)]
pub struct Trouble {
    /// The n-th task handed out hangs.
    pub stuck_task: Option<u64>,
    /// The worker given the n-th task signs off halfway through it.
    pub drop_worker: Option<u64>,
    handed_out: Arc<AtomicU64>,
}

/// What goes wrong with one task run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mishap {
    Stuck,
    DropOut,
}

impl Trouble {
    pub fn new(stuck_task: Option<u64>, drop_worker: Option<u64>) -> Trouble {
        Trouble { stuck_task, drop_worker, handed_out: Arc::default() }
    }

    /// Counts one task handed out and says whether it goes wrong.
    pub fn next_run(&self) -> Option<Mishap> {
        if self.stuck_task.is_none() && self.drop_worker.is_none() {
            return None;
        }
        let number = self.handed_out.fetch_add(1, Ordering::SeqCst) + 1;
        if self.stuck_task == Some(number) {
            Some(Mishap::Stuck)
        } else if self.drop_worker == Some(number) {
            Some(Mishap::DropOut)
        } else {
            None
        }
    }
}

/// Runs a task that goes wrong, in place of a normal run.
pub async fn run(shared: &SharedFarm, worker_id: &str, task_seconds: f64, mishap: Mishap, task: Assignment) {
    let tick = Duration::from_secs_f64((task_seconds / 8.0).clamp(0.02, 0.5));
    match mishap {
        Mishap::Stuck => hang(shared, worker_id, tick, &task).await,
        Mishap::DropOut => drop_out(shared, worker_id, tick, &task).await,
    }
}

/// Starts, then hangs while the worker keeps checking in.
async fn hang(shared: &SharedFarm, worker_id: &str, tick: Duration, task: &Assignment) {
    let mut reported = false;
    loop {
        tokio::time::sleep(tick).await;
        let mut farm = farm::lock(shared);
        if farm.worker_check_in(worker_id) != Some(WorkerStatus::Awake) {
            return; // the status change already gave the task back
        }
        let line =
            if reported { "" } else { "pid=4242 > Fra:1 Mem:131.20M | Synchronizing object | Suzanne" };
        // Same steps as before: the Manager only sees that the worker is still on it.
        if !farm.task_progress(worker_id, &task.task_id, 0, line) {
            return;
        }
        reported = true;
    }
}

/// Renders about half of the task, then signs off.
async fn drop_out(shared: &SharedFarm, worker_id: &str, tick: Duration, task: &Assignment) {
    let half = task.steps_total / 2;
    for _ in 0..4 {
        tokio::time::sleep(tick).await;
        if !farm::lock(shared).task_progress(worker_id, &task.task_id, half, "") {
            return;
        }
    }
    let mut farm = farm::lock(shared);
    if !farm.may_keep_running(worker_id, &task.task_id) {
        return;
    }
    farm.worker_set_status(worker_id, WorkerStatus::Offline);
    farm.return_task_of_worker(&task.task_id, "the worker signed off");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_runs_go_wrong_once() {
        let trouble = Trouble::new(Some(2), Some(4));
        let shared = trouble.clone();
        let runs: Vec<_> = (0..6).map(|_| shared.next_run()).collect();
        assert_eq!(runs, [None, Some(Mishap::Stuck), None, Some(Mishap::DropOut), None, None]);
    }

    #[test]
    fn no_trouble_by_default() {
        let trouble = Trouble::default();
        assert!((0..10).all(|_| trouble.next_run().is_none()));
    }
}
