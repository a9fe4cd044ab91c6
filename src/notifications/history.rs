//! The farm's history this session, built from live events: each event is compared with what was
//! known before, and only a change a person cares about becomes a notice. What the first fetch after
//! connecting brings is learned without notices, so connecting never floods the list.

use std::collections::{HashMap, VecDeque};

use flamenco_api::{EventJobUpdate, EventWorkerTagUpdate, EventWorkerUpdate, JobStatus, WorkerStatus};

/// How many notices are kept; older ones go, so a busy farm cannot grow memory without bound.
pub const DEFAULT_CAPACITY: usize = 1000;

/// What a notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    Job,
    Worker,
    Tag,
}

/// How a notice should catch the eye.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Normal,
    Good,
    Problem,
}

impl Tone {
    pub fn css_class(self) -> &'static str {
        match self {
            Tone::Normal => "notice-normal",
            Tone::Good => "notice-good",
            Tone::Problem => "notice-problem",
        }
    }
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Increasing through the session; also says which notices were read.
    pub id: u64,
    /// When the event arrived (ms since the epoch).
    pub at_ms: f64,
    pub kind: NoticeKind,
    /// The job or worker's name, and where its page is (none for a deleted one or a tag).
    pub subject: String,
    pub href: Option<String>,
    /// What happened to it, e.g. "queued → active".
    pub what: String,
    /// The status it went to, for the status colour.
    pub status: Option<String>,
    /// The job's activity or the reason given for the change, when known.
    pub detail: Option<String>,
    pub tone: Tone,
}

impl Notice {
    /// The notice as one line of text (the bar's and screen readers' version).
    pub fn summary(&self) -> String {
        let noun = match self.kind {
            NoticeKind::Job => "Job",
            NoticeKind::Worker => "Worker",
            NoticeKind::Tag => "Tag",
        };
        format!("{noun} {} {}", self.subject, self.what)
    }
}

/// Which notices the list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeFilter {
    All,
    Jobs,
    Workers,
    Tags,
    Problems,
}

impl NoticeFilter {
    pub const ALL: [NoticeFilter; 5] = [
        NoticeFilter::All,
        NoticeFilter::Jobs,
        NoticeFilter::Workers,
        NoticeFilter::Tags,
        NoticeFilter::Problems,
    ];

    pub fn label(self) -> &'static str {
        match self {
            NoticeFilter::All => "All",
            NoticeFilter::Jobs => "Jobs",
            NoticeFilter::Workers => "Workers",
            NoticeFilter::Tags => "Tags",
            NoticeFilter::Problems => "Problems",
        }
    }

    pub fn admits(self, notice: &Notice) -> bool {
        match self {
            NoticeFilter::All => true,
            NoticeFilter::Jobs => notice.kind == NoticeKind::Job,
            NoticeFilter::Workers => notice.kind == NoticeKind::Worker,
            NoticeFilter::Tags => notice.kind == NoticeKind::Tag,
            NoticeFilter::Problems => notice.tone == Tone::Problem,
        }
    }
}

#[derive(Clone, Debug)]
struct Known<S> {
    name: String,
    status: S,
}

/// The notices and what is known of each job, worker and tag.
#[derive(Clone, Debug)]
pub struct History {
    notices: VecDeque<Notice>,
    capacity: usize,
    next_id: u64,
    read_up_to: u64,
    jobs: HashMap<String, Known<JobStatus>>,
    workers: HashMap<String, Known<WorkerStatus>>,
    tags: HashMap<String, String>,
    /// Whether the first fetch told what exists: before that, an unknown id is not news.
    jobs_baseline: bool,
    workers_baseline: bool,
    tags_baseline: bool,
}

impl Default for History {
    fn default() -> Self {
        History::with_capacity(DEFAULT_CAPACITY)
    }
}

impl History {
    pub fn with_capacity(capacity: usize) -> Self {
        History {
            notices: VecDeque::new(),
            capacity: capacity.max(1),
            next_id: 1,
            read_up_to: 0,
            jobs: HashMap::new(),
            workers: HashMap::new(),
            tags: HashMap::new(),
            jobs_baseline: false,
            workers_baseline: false,
            tags_baseline: false,
        }
    }

    /// Learns the jobs a fetch returned, without notices.
    pub fn know_jobs<'a>(&mut self, jobs: impl IntoIterator<Item = (&'a str, &'a str, &'a JobStatus)>) {
        self.jobs = jobs
            .into_iter()
            .map(|(id, name, status)| {
                (id.to_owned(), Known { name: name.to_owned(), status: status.clone() })
            })
            .collect();
        self.jobs_baseline = true;
    }

    /// Learns the workers a fetch returned, without notices.
    pub fn know_workers<'a>(
        &mut self,
        workers: impl IntoIterator<Item = (&'a str, &'a str, &'a WorkerStatus)>,
    ) {
        self.workers = workers
            .into_iter()
            .map(|(id, name, status)| {
                (id.to_owned(), Known { name: name.to_owned(), status: status.clone() })
            })
            .collect();
        self.workers_baseline = true;
    }

    /// Learns the tags a fetch returned, without notices.
    pub fn know_tags<'a>(&mut self, tags: impl IntoIterator<Item = (&'a str, &'a str)>) {
        self.tags = tags.into_iter().map(|(id, name)| (id.to_owned(), name.to_owned())).collect();
        self.tags_baseline = true;
    }

    /// A `/jobs` event; the id of the notice it made, if any.
    pub fn job_event(&mut self, event: &EventJobUpdate, at_ms: f64) -> Option<u64> {
        let known = self.jobs.get(&event.id).cloned();
        if event.was_deleted == Some(true) {
            self.jobs.remove(&event.id);
            let name = known.map(|known| known.name).or(event.name.clone()).unwrap_or(event.id.clone());
            return Some(self.push(
                NoticeKind::Job,
                at_ms,
                name,
                None,
                "was deleted".into(),
                None,
                Tone::Normal,
            ));
        }
        let name =
            event.name.clone().filter(|name| !name.is_empty()).or(known.as_ref().map(|k| k.name.clone()));
        let name = name.unwrap_or_else(|| event.id.clone());
        self.jobs.insert(event.id.clone(), Known { name: name.clone(), status: event.status.clone() });
        let href = Some(format!("/jobs/{}", event.id));
        let status = Some(event.status.as_str().to_owned());
        let from = match known {
            Some(known) => Some(known.status),
            None if event.previous_status.is_some() => event.previous_status.clone(),
            None if self.jobs_baseline => {
                let what = format!("was submitted ({})", event.status);
                return Some(self.push(NoticeKind::Job, at_ms, name, href, what, status, Tone::Normal));
            }
            None => None,
        };
        let from = from.filter(|from| *from != event.status)?;
        let tone = match event.status {
            JobStatus::Failed => Tone::Problem,
            JobStatus::Completed => Tone::Good,
            _ => Tone::Normal,
        };
        let what = format!("{from} → {}", event.status);
        Some(self.push(NoticeKind::Job, at_ms, name, href, what, status, tone))
    }

    /// A `/workers` event; the id of the notice it made, if any. The Manager sends one on every
    /// task it hands out: only a change of status, a new worker or a deletion is news.
    pub fn worker_event(&mut self, event: &EventWorkerUpdate, at_ms: f64) -> Option<u64> {
        let known = self.workers.get(&event.id).cloned();
        if event.deleted_at.is_some() {
            self.workers.remove(&event.id);
            return Some(self.push(
                NoticeKind::Worker,
                at_ms,
                event.name.clone(),
                None,
                "was deleted".into(),
                None,
                Tone::Normal,
            ));
        }
        self.workers
            .insert(event.id.clone(), Known { name: event.name.clone(), status: event.status.clone() });
        let href = Some(format!("/workers/{}", event.id));
        let status = Some(event.status.as_str().to_owned());
        let tone = match event.status {
            WorkerStatus::Offline | WorkerStatus::Error => Tone::Problem,
            _ => Tone::Normal,
        };
        let from = match known {
            Some(known) => known.status,
            None if self.workers_baseline => {
                let what = format!("appeared ({})", event.status);
                return Some(self.push(
                    NoticeKind::Worker,
                    at_ms,
                    event.name.clone(),
                    href,
                    what,
                    status,
                    Tone::Normal,
                ));
            }
            None => event.previous_status.clone()?,
        };
        if from == event.status {
            return None;
        }
        let what = match event.status {
            WorkerStatus::Offline => format!("went offline (was {from})"),
            _ => format!("{from} → {}", event.status),
        };
        Some(self.push(NoticeKind::Worker, at_ms, event.name.clone(), href, what, status, tone))
    }

    /// A `/workertags` event; the id of the notice it made, if any.
    pub fn tag_event(&mut self, event: &EventWorkerTagUpdate, at_ms: f64) -> Option<u64> {
        let id = event.tag.id.clone()?;
        let name = event.tag.name.clone();
        let what = if event.was_deleted == Some(true) {
            self.tags.remove(&id);
            "was deleted".to_owned()
        } else {
            match self.tags.insert(id, name.clone()) {
                Some(old) if old != name => format!("was renamed (was {old})"),
                Some(_) => "was changed".to_owned(),
                None if self.tags_baseline => "was created".to_owned(),
                None => "was changed".to_owned(),
            }
        };
        Some(self.push(NoticeKind::Tag, at_ms, name, Some("/workers".into()), what, None, Tone::Normal))
    }

    /// Adds what a later fetch told about a notice (a job's activity or the reason it changed).
    pub fn set_detail(&mut self, id: u64, detail: String) {
        if let Some(notice) = self.notices.iter_mut().find(|notice| notice.id == id) {
            notice.detail = Some(detail).filter(|detail| !detail.trim().is_empty());
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: NoticeKind,
        at_ms: f64,
        subject: String,
        href: Option<String>,
        what: String,
        status: Option<String>,
        tone: Tone,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.notices.push_back(Notice { id, at_ms, kind, subject, href, what, status, detail: None, tone });
        while self.notices.len() > self.capacity {
            self.notices.pop_front();
        }
        id
    }

    /// The newest notice.
    pub fn latest(&self) -> Option<&Notice> {
        self.notices.back()
    }

    /// The notices the filter admits, newest first.
    pub fn newest_first(&self, filter: NoticeFilter) -> Vec<Notice> {
        self.notices.iter().rev().filter(|notice| filter.admits(notice)).cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.notices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.notices.is_empty()
    }

    /// How many kept notices came after the list was last seen.
    pub fn unread(&self) -> usize {
        self.notices.iter().filter(|notice| notice.id > self.read_up_to).count()
    }

    /// Everything so far has been seen.
    pub fn mark_all_read(&mut self) {
        self.read_up_to = self.next_id - 1;
    }

    /// Forgets every notice (what is known of the farm stays).
    pub fn clear(&mut self) {
        self.notices.clear();
        self.mark_all_read();
    }
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
