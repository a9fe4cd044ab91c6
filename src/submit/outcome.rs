//! What the page says after a submission or a check: the Manager's answer in words, and whether the
//! job type must be reloaded first.

use crate::api::ApiFailure;

/// Why a submission did not go through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitFailure {
    pub message: String,
    /// The job type changed on the Manager (412): reloading it is the way on.
    pub outdated_job_type: bool,
}

impl SubmitFailure {
    pub fn from_failure(failure: &ApiFailure) -> SubmitFailure {
        let outdated_job_type = matches!(failure, ApiFailure::Manager { status: 412, .. });
        let message = match failure {
            _ if outdated_job_type => "Not submitted: the job type changed on the Manager since this form was loaded. Reload it; your values are kept where they still apply.".to_owned(),
            ApiFailure::Manager { status: 400, .. } => format!("Not submitted: the Manager refused the job: {failure}"),
            _ if failure.is_connection_problem() => {
                format!("Not submitted: {failure}. Everything you typed is kept; submit again when the Manager is back.")
            }
            _ => format!("Not submitted: {failure}. Everything you typed is kept."),
        };
        SubmitFailure { message, outdated_job_type }
    }
}

/// The job compiler's answer to a check, in words.
pub fn check_answer(result: &Result<(), ApiFailure>) -> (bool, String) {
    match result {
        Ok(()) => (true, "The Manager's job compiler accepts this job.".to_owned()),
        Err(failure) => (false, format!("The job compiler says: {failure}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamenco_api::ManagerError;

    fn manager(status: u16, body: &str) -> ApiFailure {
        ApiFailure::Manager { status, error: ManagerError::from_body(status, body) }
    }

    #[test]
    fn an_outdated_job_type_offers_a_reload() {
        let failure = SubmitFailure::from_failure(&manager(
            412,
            r#"{"code": 412, "message": "rejecting submitted job because its settings are outdated, refresh the job type"}"#,
        ));
        assert!(failure.outdated_job_type);
        assert!(failure.message.contains("Reload"));
    }

    #[test]
    fn refusals_and_outages_say_what_went_wrong() {
        let refused = SubmitFailure::from_failure(&manager(400, r#"{"message": "bad frame range"}"#));
        assert!(!refused.outdated_job_type);
        assert!(refused.message.contains("bad frame range"), "{}", refused.message);
        let away = SubmitFailure::from_failure(&ApiFailure::Unreachable {
            url: "http://farm".into(),
            detail: "no answer".into(),
        });
        assert!(
            away.message.contains("cannot reach the Manager") && away.message.contains("kept"),
            "{}",
            away.message
        );
        let broken =
            SubmitFailure::from_failure(&manager(500, r#"{"code": 500, "message": "database locked"}"#));
        assert!(broken.message.contains("database locked"));
        assert!(check_answer(&Ok(())).0);
        assert!(check_answer(&Err(manager(400, r#"{"message": "no"}"#))).1.contains("no"));
    }
}
