//! Job actions over one job or a selection: which jobs an action applies to, which it skips and why,
//! and the report the wrangler reads afterwards.

use flamenco_api::{Job, JobAction};

/// A job the action does not apply to, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub job_name: String,
    pub reason: String,
}

/// What an action will do before it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionPlan {
    pub action: JobAction,
    /// `(id, name)` of the jobs the action applies to.
    pub targets: Vec<(String, String)>,
    pub skipped: Vec<Skipped>,
}

impl ActionPlan {
    /// Splits `jobs` by whether Flamenco's rules allow `action` on them.
    pub fn new<'a>(action: JobAction, jobs: impl IntoIterator<Item = &'a Job>) -> ActionPlan {
        let mut targets = Vec::new();
        let mut skipped = Vec::new();
        for job in jobs {
            if job.delete_requested_at.is_some() {
                skipped.push(Skipped { job_name: job.name.clone(), reason: "is being deleted".into() });
            } else if action.allowed(&job.status) {
                targets.push((job.id.clone(), job.name.clone()));
            } else {
                skipped.push(Skipped { job_name: job.name.clone(), reason: format!("is {}", job.status) });
            }
        }
        targets.sort_by(|a, b| a.1.cmp(&b.1));
        skipped.sort_by(|a, b| a.job_name.cmp(&b.job_name));
        ActionPlan { action, targets, skipped }
    }

    /// Whether the button for this action should be enabled.
    pub fn is_possible(&self) -> bool {
        !self.targets.is_empty()
    }
}

/// A job the Manager refused the action for, or did not answer for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub job_name: String,
    pub message: String,
    /// No answer came (the Manager went away): the job may or may not have changed.
    pub unanswered: bool,
}

impl Refused {
    /// The job `job_name` whose request failed with `failure`.
    pub fn new(job_name: &str, failure: &crate::api::ApiFailure) -> Refused {
        Refused {
            job_name: job_name.to_owned(),
            message: failure.to_string(),
            unanswered: failure.is_connection_problem(),
        }
    }

    /// A refusal explained in words (not a failed request).
    pub fn because(job_name: &str, message: String) -> Refused {
        Refused { job_name: job_name.to_owned(), message, unanswered: false }
    }
}

/// What was sent to the jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Action(JobAction),
    Priority(i32),
    /// A new worker tag, by the name the person picked ("Any worker" for none).
    WorkerTag(String),
}

/// What happened after sending an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionReport {
    pub change: Change,
    pub applied: usize,
    /// The jobs done, by name, where the report names them (a status action).
    pub applied_names: Vec<String>,
    pub refused: Vec<Refused>,
    pub skipped: Vec<Skipped>,
}

impl ActionReport {
    /// One line for the wrangler: "Paused 3 jobs. Skipped 2: "Credits" is completed; ...".
    pub fn summary(&self) -> String {
        let mut text = match &self.change {
            Change::Action(action) => format!("{} {}.", past_tense(*action), count(self.applied)),
            Change::Priority(priority) => format!("Set priority {priority} on {}.", count(self.applied)),
            Change::WorkerTag(name) => format!("Set worker tag \"{name}\" on {}.", count(self.applied)),
        };
        let (unanswered, refused): (Vec<&Refused>, Vec<&Refused>) =
            self.refused.iter().partition(|refused| refused.unanswered);
        if !unanswered.is_empty() && !self.applied_names.is_empty() {
            // Which ones got through matters when others did not: say it per job.
            text.pop();
            text.push_str(&format!(": {}.", quoted(self.applied_names.iter().map(String::as_str))));
        }
        if !refused.is_empty() {
            let reasons: Vec<String> = refused
                .iter()
                .map(|refused| format!("\"{}\": {}", refused.job_name, refused.message))
                .collect();
            text.push_str(&format!(" The Manager refused {}: {}.", refused.len(), reasons.join("; ")));
        }
        if let Some(first) = unanswered.first() {
            text.push_str(&format!(
                " No answer for {} ({}), which may be unchanged: {}. Try again once the Manager is back.",
                count(unanswered.len()),
                first.message,
                quoted(unanswered.iter().map(|refused| refused.job_name.as_str()))
            ));
        }
        if !self.skipped.is_empty() {
            let reasons: Vec<String> = self
                .skipped
                .iter()
                .map(|skipped| format!("\"{}\" {}", skipped.job_name, skipped.reason))
                .collect();
            text.push_str(&format!(" Skipped {}: {}.", self.skipped.len(), reasons.join("; ")));
        }
        text
    }

    /// Whether anything went wrong (for the report's colour).
    pub fn has_problems(&self) -> bool {
        !self.refused.is_empty()
    }
}

fn past_tense(action: JobAction) -> &'static str {
    match action {
        JobAction::Pause => "Asked to pause",
        JobAction::Resume => "Resumed",
        JobAction::Requeue => "Requeued",
        JobAction::Cancel => "Asked to cancel",
        JobAction::Delete => "Marked for deletion",
    }
}

/// `"A", "B"`: names as the list shows them.
fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(|name| format!("\"{name}\"")).collect::<Vec<_>>().join(", ")
}

fn count(jobs: usize) -> String {
    if jobs == 1 {
        "1 job".to_owned()
    } else {
        format!("{jobs} jobs")
    }
}

#[cfg(test)]
mod tests {
    use flamenco_api::JobStatus;

    use super::*;
    use crate::jobs::table::tests::job;

    #[test]
    fn a_plan_splits_a_mixed_selection_by_flamencos_rules() {
        let jobs = [
            job("a", "Alpha", JobStatus::Active, "t"),
            job("b", "Beta", JobStatus::Completed, "t"),
            job("c", "Gamma", JobStatus::Queued, "t"),
            job("d", "Delta", JobStatus::Failed, "t"),
        ];
        let plan = ActionPlan::new(JobAction::Pause, &jobs);
        assert_eq!(
            plan.targets,
            [("a".to_owned(), "Alpha".to_owned()), ("c".to_owned(), "Gamma".to_owned())]
        );
        assert_eq!(
            plan.skipped,
            [
                Skipped { job_name: "Beta".into(), reason: "is completed".into() },
                Skipped { job_name: "Delta".into(), reason: "is failed".into() },
            ]
        );
        assert!(plan.is_possible());
        assert!(!ActionPlan::new(JobAction::Resume, &jobs).is_possible());
    }

    #[test]
    fn jobs_being_deleted_are_skipped_whatever_their_status() {
        let mut doomed = job("a", "Alpha", JobStatus::Queued, "t");
        doomed.delete_requested_at = Some("t".into());
        let plan = ActionPlan::new(JobAction::Pause, [&doomed]);
        assert!(plan.targets.is_empty());
        assert_eq!(plan.skipped[0].reason, "is being deleted");
    }

    #[test]
    fn the_report_counts_what_was_done_and_names_what_was_skipped() {
        let report = ActionReport {
            change: Change::Action(JobAction::Pause),
            applied: 2,
            applied_names: vec![],
            refused: vec![],
            skipped: vec![Skipped { job_name: "Beta".into(), reason: "is completed".into() }],
        };
        assert_eq!(report.summary(), "Asked to pause 2 jobs. Skipped 1: \"Beta\" is completed.");
        let priority = ActionReport {
            change: Change::Priority(80),
            applied: 1,
            applied_names: vec![],
            refused: vec![],
            skipped: vec![],
        };
        assert_eq!(priority.summary(), "Set priority 80 on 1 job.");
        let refused = ActionReport {
            change: Change::Action(JobAction::Delete),
            applied: 0,
            applied_names: vec![],
            refused: vec![Refused::because("Alpha", "no such job (HTTP 404)".into())],
            skipped: vec![],
        };
        assert_eq!(
            refused.summary(),
            "Marked for deletion 0 jobs. The Manager refused 1: \"Alpha\": no such job (HTTP 404)."
        );
        assert!(refused.has_problems());
        let tag = ActionReport {
            change: Change::WorkerTag("GPU".into()),
            applied: 1,
            applied_names: vec![],
            refused: vec![Refused::because("Beta", "no such job (HTTP 404)".into())],
            skipped: vec![],
        };
        assert_eq!(
            tag.summary(),
            "Set worker tag \"GPU\" on 1 job. The Manager refused 1: \"Beta\": no such job (HTTP 404)."
        );
    }

    #[test]
    fn a_manager_gone_mid_action_is_reported_per_job() {
        let gone =
            crate::api::ApiFailure::Unreachable { url: "http://farm".into(), detail: "no answer".into() };
        let refusal = crate::api::ApiFailure::Manager {
            status: 404,
            error: flamenco_api::ManagerError::from_body(404, r#"{"code":404,"message":"no such job"}"#),
        };
        let report = ActionReport {
            change: Change::Action(JobAction::Pause),
            applied: 2,
            applied_names: vec!["A".into(), "B".into()],
            refused: vec![Refused::new("C", &gone), Refused::new("D", &refusal), Refused::new("E", &gone)],
            skipped: vec![],
        };
        assert_eq!(
            report.summary(),
            "Asked to pause 2 jobs: \"A\", \"B\". The Manager refused 1: \"D\": no such job (HTTP 404). No answer for 2 jobs \
             (cannot reach the Manager at http://farm: no answer), which may be unchanged: \"C\", \"E\". Try again \
             once the Manager is back."
        );
        assert!(report.has_problems());
    }
}
