//! Which actions a user may take on a job or task, as Flamenco's own web app decides (FLAMENCO.md).
//! The Manager itself does not check these; clients must.

use crate::{JobStatus, TaskStatus};

/// Something a user can do to a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobAction {
    /// Stop handing out the job's tasks; running ones finish first.
    Pause,
    /// Continue a paused job (Flamenco's "requeue" from paused).
    Resume,
    /// Run a finished, failed or canceled job's tasks again.
    Requeue,
    Cancel,
    /// Mark for deletion (`DELETE /api/v3/jobs/{id}`), not a status change.
    Delete,
}

impl JobAction {
    pub const ALL: [JobAction; 5] =
        [JobAction::Pause, JobAction::Resume, JobAction::Requeue, JobAction::Cancel, JobAction::Delete];

    /// The statuses from which Flamenco's web app offers this action.
    pub fn allowed_from(self) -> &'static [JobStatus] {
        use JobStatus::*;
        match self {
            JobAction::Pause => &[Active, Canceled, Queued],
            JobAction::Resume => &[Paused],
            JobAction::Requeue => &[Canceled, Completed, Failed],
            JobAction::Cancel => &[Active, Failed, Paused, PauseRequested, Queued],
            JobAction::Delete => &[Canceled, Completed, Failed, Paused, Queued],
        }
    }

    /// Whether a job in `status` may get this action. Unknown statuses allow nothing.
    pub fn allowed(self, status: &JobStatus) -> bool {
        self.allowed_from().contains(status)
    }

    /// The status to request through `setstatus`; `None` for Delete, which has its own endpoint.
    pub fn requested_status(self) -> Option<JobStatus> {
        match self {
            JobAction::Pause => Some(JobStatus::PauseRequested),
            JobAction::Resume | JobAction::Requeue => Some(JobStatus::Requeueing),
            JobAction::Cancel => Some(JobStatus::CancelRequested),
            JobAction::Delete => None,
        }
    }

    /// The button's text.
    pub fn label(self) -> &'static str {
        match self {
            JobAction::Pause => "Pause",
            JobAction::Resume => "Resume",
            JobAction::Requeue => "Requeue",
            JobAction::Cancel => "Cancel",
            JobAction::Delete => "Delete",
        }
    }

    /// A lower-case identifier, e.g. for CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            JobAction::Pause => "pause",
            JobAction::Resume => "resume",
            JobAction::Requeue => "requeue",
            JobAction::Cancel => "cancel",
            JobAction::Delete => "delete",
        }
    }
}

/// Something a user can do to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskAction {
    /// Run the task again (`queued`).
    Requeue,
    Cancel,
}

impl TaskAction {
    pub const ALL: [TaskAction; 2] = [TaskAction::Requeue, TaskAction::Cancel];

    /// The task statuses from which Flamenco's web app offers this action.
    pub fn allowed_from(self) -> &'static [TaskStatus] {
        use TaskStatus::*;
        match self {
            TaskAction::Requeue => &[Canceled, Completed, Failed],
            TaskAction::Cancel => &[Active, Queued, SoftFailed],
        }
    }

    /// Whether a task in `status`, of a job in `job_status`, may get this action. Cancelling is blocked
    /// while the job is pausing (Flamenco issue #104315).
    pub fn allowed(self, status: &TaskStatus, job_status: &JobStatus) -> bool {
        if self == TaskAction::Cancel && *job_status == JobStatus::PauseRequested {
            return false;
        }
        self.allowed_from().contains(status)
    }

    /// The status to request through the task's `setstatus`.
    pub fn requested_status(self) -> TaskStatus {
        match self {
            TaskAction::Requeue => TaskStatus::Queued,
            TaskAction::Cancel => TaskStatus::Canceled,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskAction::Requeue => "Requeue",
            TaskAction::Cancel => "Cancel",
        }
    }
}

impl JobStatus {
    /// Whether the job will not change any more by itself.
    pub fn is_final(&self) -> bool {
        matches!(self, JobStatus::Canceled | JobStatus::Completed | JobStatus::Failed)
    }

    /// Whether the job is on its way to another status (the Manager is acting on a request).
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            JobStatus::PauseRequested
                | JobStatus::CancelRequested
                | JobStatus::Requeueing
                | JobStatus::UnderConstruction
        )
    }

    /// Whether workers may pick up this job's tasks.
    pub fn is_runnable(&self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Active)
    }
}

impl TaskStatus {
    /// Whether the task will not run again unless someone requeues it.
    pub fn is_final(&self) -> bool {
        matches!(self, TaskStatus::Canceled | TaskStatus::Completed | TaskStatus::Failed)
    }

    /// Whether a worker may pick the task up (given a runnable job).
    pub fn is_runnable(&self) -> bool {
        matches!(self, TaskStatus::Queued | TaskStatus::SoftFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of FLAMENCO.md, written out status by status so that each cell is checked.
    #[test]
    fn job_actions_follow_flamencos_table_for_every_status() {
        use JobStatus::*;
        // (status, pause, resume, requeue, cancel, delete)
        let table = [
            (Active, true, false, false, true, false),
            (Canceled, true, false, true, false, true),
            (Completed, false, false, true, false, true),
            (Failed, false, false, true, true, true),
            (Paused, false, true, false, true, true),
            (PauseRequested, false, false, false, true, false),
            (Queued, true, false, false, true, true),
            (CancelRequested, false, false, false, false, false),
            (Requeueing, false, false, false, false, false),
            (UnderConstruction, false, false, false, false, false),
        ];
        assert_eq!(table.len(), JobStatus::ALL.len(), "every status is in the table");
        for (status, pause, resume, requeue, cancel, delete) in table {
            assert_eq!(JobAction::Pause.allowed(&status), pause, "pause from {status}");
            assert_eq!(JobAction::Resume.allowed(&status), resume, "resume from {status}");
            assert_eq!(JobAction::Requeue.allowed(&status), requeue, "requeue from {status}");
            assert_eq!(JobAction::Cancel.allowed(&status), cancel, "cancel from {status}");
            assert_eq!(JobAction::Delete.allowed(&status), delete, "delete from {status}");
        }
    }

    #[test]
    fn unknown_job_status_allows_no_action() {
        let status = JobStatus::Unknown("archived".into());
        assert!(JobAction::ALL.iter().all(|action| !action.allowed(&status)));
    }

    #[test]
    fn job_actions_request_flamencos_statuses() {
        assert_eq!(JobAction::Pause.requested_status(), Some(JobStatus::PauseRequested));
        assert_eq!(JobAction::Resume.requested_status(), Some(JobStatus::Requeueing));
        assert_eq!(JobAction::Requeue.requested_status(), Some(JobStatus::Requeueing));
        assert_eq!(JobAction::Cancel.requested_status(), Some(JobStatus::CancelRequested));
        assert_eq!(JobAction::Delete.requested_status(), None);
    }

    #[test]
    fn task_actions_follow_flamencos_rules_for_every_status() {
        use TaskStatus::*;
        // (status, requeue, cancel) while the job is active
        let table = [
            (Active, false, true),
            (Canceled, true, false),
            (Completed, true, false),
            (Failed, true, false),
            (Queued, false, true),
            (SoftFailed, false, true),
            (Paused, false, false),
        ];
        assert_eq!(table.len(), TaskStatus::ALL.len());
        for (status, requeue, cancel) in table {
            assert_eq!(TaskAction::Requeue.allowed(&status, &JobStatus::Active), requeue, "requeue {status}");
            assert_eq!(TaskAction::Cancel.allowed(&status, &JobStatus::Active), cancel, "cancel {status}");
        }
    }

    #[test]
    fn task_cancel_is_blocked_while_the_job_is_pausing() {
        for status in TaskStatus::ALL {
            assert!(!TaskAction::Cancel.allowed(status, &JobStatus::PauseRequested));
        }
        assert!(TaskAction::Requeue.allowed(&TaskStatus::Failed, &JobStatus::PauseRequested));
    }

    #[test]
    fn task_actions_request_queued_and_canceled() {
        assert_eq!(TaskAction::Requeue.requested_status(), TaskStatus::Queued);
        assert_eq!(TaskAction::Cancel.requested_status(), TaskStatus::Canceled);
    }
}
