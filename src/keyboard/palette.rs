//! The command palette's model: everything it can go to or do, and how typed text ranks them.

use flamenco_api::JobAction;

/// What choosing an entry does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Go to a path of the app (a page, a job, a worker).
    Go(String),
    /// Open the shortcuts dialog.
    ShowShortcuts,
    /// Ask to pause, resume or cancel a job.
    Job(JobAction, String),
}

/// What kind of thing an entry is; also the order of equal matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Action,
    Page,
    Job,
    Worker,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Action => "Action",
            Kind::Page => "Page",
            Kind::Job => "Job",
            Kind::Worker => "Worker",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub label: String,
    /// Shown beside the label (a job's status), not matched.
    pub detail: String,
    pub target: Target,
}

/// The app's pages, as the navigation names them.
pub const PAGES: &[(&str, &str)] = &[
    ("Jobs", "/jobs"),
    ("Workers", "/workers"),
    ("Tags", "/tags"),
    ("Submit", "/submit"),
    ("Preview", "/preview"),
    ("Last rendered", "/last-rendered"),
    ("Manager settings", "/manager"),
    ("Settings", "/settings"),
    ("Notifications", "/notifications"),
    ("Problems", "/problems"),
    ("Timeline", "/timeline"),
];

/// How well `query` matches `label`: lower is better; None when it does not. Case is ignored;
/// the label starting with the query beats a word starting with it, which beats it anywhere,
/// which beats its letters in order.
pub fn match_score(query: &str, label: &str) -> Option<u32> {
    let query = query.trim().to_lowercase();
    let label = label.to_lowercase();
    if query.is_empty() {
        return Some(3);
    }
    if label.starts_with(&query) {
        return Some(0);
    }
    if let Some(at) = label.find(&query) {
        let word_start = label[..at].ends_with(|c: char| !c.is_alphanumeric());
        return Some(if word_start { 1 } else { 2 });
    }
    let mut letters = label.chars();
    query.chars().filter(|c| !c.is_whitespace()).all(|wanted| letters.any(|c| c == wanted)).then_some(4)
}

/// The best `limit` entries for `query`, best first; equal matches keep kind order, then name order.
pub fn rank(query: &str, entries: &[Entry], limit: usize) -> Vec<Entry> {
    let mut scored: Vec<(u32, &Entry)> = entries
        .iter()
        .filter_map(|entry| match_score(query, &entry.label).map(|score| (score, entry)))
        .collect();
    scored.sort_by(|(a, left), (b, right)| {
        a.cmp(b).then(left.kind.cmp(&right.kind)).then_with(|| left.label.cmp(&right.label))
    });
    scored.into_iter().take(limit).map(|(_, entry)| entry.clone()).collect()
}

/// The pages, minus Submit on a read-only screen.
pub fn page_entries(read_only: bool) -> impl Iterator<Item = Entry> {
    PAGES.iter().filter(move |(_, path)| !(read_only && *path == "/submit")).map(|(label, path)| Entry {
        kind: Kind::Page,
        label: (*label).to_owned(),
        detail: String::new(),
        target: Target::Go((*path).to_owned()),
    })
}

/// The actions: the shortcuts, and those the rules allow on the current job (none read-only).
pub fn action_entries(
    current: Option<(&str, &str, &flamenco_api::JobStatus)>,
    read_only: bool,
) -> Vec<Entry> {
    let mut entries = vec![Entry {
        kind: Kind::Action,
        label: "Show keyboard shortcuts".to_owned(),
        detail: "?".to_owned(),
        target: Target::ShowShortcuts,
    }];
    if let (Some((id, name, status)), false) = (current, read_only) {
        for action in [JobAction::Pause, JobAction::Resume, JobAction::Cancel] {
            if action.allowed(status) {
                entries.push(Entry {
                    kind: Kind::Action,
                    label: format!("{} job {name}", action.label()),
                    detail: String::new(),
                    target: Target::Job(action, id.to_owned()),
                });
            }
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamenco_api::JobStatus;

    fn entry(kind: Kind, label: &str) -> Entry {
        Entry { kind, label: label.into(), detail: String::new(), target: Target::Go(format!("/{label}")) }
    }

    #[test]
    fn matches_rank_prefix_word_substring_then_letters() {
        assert_eq!(match_score("wor", "Workers"), Some(0));
        assert_eq!(match_score("shot", "Main shot"), Some(1));
        assert_eq!(match_score("hot", "Main shot"), Some(2));
        assert_eq!(match_score("mst", "Main shot"), Some(4));
        assert_eq!(match_score("xyz", "Main shot"), None);
        assert_eq!(match_score("MAIN", "main shot"), Some(0), "case is ignored");
        assert_eq!(match_score("  ", "Jobs"), Some(3), "nothing typed matches everything");
    }

    #[test]
    fn the_best_come_first_and_the_list_is_limited() {
        let entries = vec![
            entry(Kind::Worker, "render-01"),
            entry(Kind::Job, "Robot render"),
            entry(Kind::Page, "Workers"),
            entry(Kind::Job, "Rendered intro"),
        ];
        let labels: Vec<String> = rank("rend", &entries, 10).into_iter().map(|e| e.label).collect();
        assert_eq!(labels, ["Rendered intro", "render-01", "Robot render"]);
        assert_eq!(rank("", &entries, 2).len(), 2);
        assert!(rank("zzz", &entries, 10).is_empty());
    }

    #[test]
    fn actions_follow_the_rules_and_read_only() {
        let labels = |entries: Vec<Entry>| entries.into_iter().map(|e| e.label).collect::<Vec<_>>();
        let active = action_entries(Some(("j1", "Shot", &JobStatus::Active)), false);
        assert_eq!(labels(active), ["Show keyboard shortcuts", "Pause job Shot", "Cancel job Shot"]);
        let paused = action_entries(Some(("j1", "Shot", &JobStatus::Paused)), false);
        assert_eq!(labels(paused), ["Show keyboard shortcuts", "Resume job Shot", "Cancel job Shot"]);
        assert_eq!(
            labels(action_entries(Some(("j1", "Shot", &JobStatus::Active)), true)),
            ["Show keyboard shortcuts"]
        );
        assert_eq!(labels(action_entries(None, false)), ["Show keyboard shortcuts"]);
        assert!(page_entries(true).all(|page| page.label != "Submit"));
        assert!(page_entries(false).any(|page| page.label == "Submit"));
    }
}
