//! Which job's tasks to fetch next: each job at most once in the queue, a few fetches at a time,
//! so that a farm with many active jobs does not get a burst of large requests.

use std::collections::{HashSet, VecDeque};

/// How many task lists are fetched at the same time.
pub const CONCURRENT_FETCHES: usize = 3;

#[derive(Clone, Debug, Default)]
pub struct FetchQueue {
    waiting: VecDeque<String>,
    queued: HashSet<String>,
    in_flight: usize,
}

impl FetchQueue {
    /// Asks for a job's tasks; a job already waiting keeps its place.
    pub fn push(&mut self, job_id: &str) {
        if self.queued.insert(job_id.to_owned()) {
            self.waiting.push_back(job_id.to_owned());
        }
    }

    /// Forgets a job that is no longer followed.
    pub fn remove(&mut self, job_id: &str) {
        if self.queued.remove(job_id) {
            self.waiting.retain(|id| id != job_id);
        }
    }

    /// The next job to fetch, if a fetch may start now.
    pub fn start_next(&mut self) -> Option<String> {
        if self.in_flight >= CONCURRENT_FETCHES {
            return None;
        }
        let job_id = self.waiting.pop_front()?;
        self.queued.remove(&job_id);
        self.in_flight += 1;
        Some(job_id)
    }

    /// A fetch ended.
    pub fn finished(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Whether nothing waits or runs.
    #[cfg(test)]
    pub fn is_idle(&self) -> bool {
        self.waiting.is_empty() && self.in_flight == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_fetches_at_a_time_each_job_once() {
        let mut queue = FetchQueue::default();
        for id in ["a", "b", "a", "c", "d", "e"] {
            queue.push(id);
        }
        queue.remove("e");
        let started: Vec<String> = std::iter::from_fn(|| queue.start_next()).collect();
        assert_eq!(started, vec!["a", "b", "c"]);
        queue.push("a"); // changed again while being fetched: fetched once more afterwards
        queue.finished();
        assert_eq!(queue.start_next().as_deref(), Some("d"));
        assert_eq!(queue.start_next(), None);
        queue.finished();
        assert_eq!(queue.start_next().as_deref(), Some("a"));
        for _ in 0..3 {
            queue.finished();
        }
        assert!(queue.is_idle());
    }
}
