//! The cause of one task's failure, from its activity and the tail of its log.
//!
//! A Worker reports a failure as the activity `Failed: <reason>`, and for Blender the reason is
//! mostly an exit status; what went wrong (the CUDA error, the missing file, the Python exception)
//! is in Blender's last lines before it. The Manager adds its own lines ("Task failed by 2 workers,
//! ...") that say nothing about the cause.

use super::mask::mask;

/// Lines shown around the cause as the example excerpt.
const EXCERPT_BEFORE: usize = 3;
const EXCERPT_AFTER: usize = 2;

/// Why one task failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// The telling line, without time stamp or process prefix.
    pub text: String,
    /// `text` masked: equal failures have equal keys.
    pub key: String,
    /// Log lines around the cause (or the activity when there is no log).
    pub excerpt: Vec<String>,
}

/// Whether the activity alone says too little, so that the log tail is needed for the cause.
pub fn needs_log_tail(activity: &str) -> bool {
    let reason = strip_failed(activity.trim());
    if reason.is_empty() || is_manager_line(reason) {
        return true;
    }
    let lower = reason.to_ascii_lowercase();
    let only_exit_status = lower.contains("exit") && (lower.contains("status") || lower.contains("code"));
    only_exit_status || !is_telling(reason)
}

impl Cause {
    /// The cause from the activity and, when there is one, the log tail.
    pub fn find(activity: &str, log_tail: Option<&str>) -> Cause {
        let lines: Vec<&str> =
            log_tail.map(|tail| tail.lines().map(strip_stamp).collect()).unwrap_or_default();
        let window = last_run(&lines);
        let telling = window.clone().find(|&index| is_telling(content(lines[index])));
        let activity_reason = strip_failed(activity.trim());
        let (text, at) = match telling {
            Some(index) => (content(lines[index]).to_owned(), Some(index)),
            None if !activity_reason.is_empty() && !is_manager_line(activity_reason) => {
                (activity_reason.to_owned(), None)
            }
            None => match window.clone().rev().find(|&index| !is_noise(content(lines[index]))) {
                Some(index) => (content(lines[index]).to_owned(), Some(index)),
                None => ("No failure message".to_owned(), None),
            },
        };
        let excerpt = match at {
            Some(index) => {
                let from = index.saturating_sub(EXCERPT_BEFORE).max(window.start);
                let to = (index + EXCERPT_AFTER + 1).min(window.end);
                lines[from..to].iter().map(|line| line.to_string()).collect()
            }
            None if !activity.trim().is_empty() => vec![activity.trim().to_owned()],
            None => Vec::new(),
        };
        Cause { key: mask(&text), text, excerpt }
    }
}

/// The lines of the last failed run: up to and including the Worker's last `Failed:` line, after
/// the one before it (older runs may have failed otherwise).
fn last_run(lines: &[&str]) -> std::ops::Range<usize> {
    let failed_lines: Vec<usize> =
        (0..lines.len()).filter(|&index| content(lines[index]).starts_with("Failed: ")).collect();
    match failed_lines.as_slice() {
        [] => 0..lines.len(),
        [.., previous, last] => previous + 1..last + 1,
        [last] => 0..last + 1,
    }
}

/// A log line without its leading time stamp (`2026-12-01T03:11:03.123Z ...`).
fn strip_stamp(line: &str) -> &str {
    let line = line.trim_end();
    match line.split_once(' ') {
        Some((first, rest))
            if first.starts_with(|c: char| c.is_ascii_digit())
                && first.contains(':')
                && first.contains('-') =>
        {
            rest
        }
        _ => line,
    }
}

/// A line without the Worker's `pid=1234 > ` prefix of Blender's output.
fn content(line: &str) -> &str {
    match line.split_once(" > ") {
        Some((prefix, rest)) if prefix.starts_with("pid=") => rest.trim(),
        _ => line.trim(),
    }
}

fn strip_failed(text: &str) -> &str {
    text.strip_prefix("Failed: ").unwrap_or(text).trim()
}

/// Lines the Manager writes about a failure, not its cause.
fn is_manager_line(line: &str) -> bool {
    const MANAGER: [&str; 5] =
        ["Task failed by ", "task changed status ", "Manager ", "Task is ", "task assigned to worker "];
    MANAGER.iter().any(|start| line.starts_with(start))
}

/// Lines that never tell the cause.
fn is_noise(line: &str) -> bool {
    line.is_empty() || is_manager_line(line) || line.starts_with("Failed: ")
}

/// Whether a line names what went wrong. Blender's report of leaked memory at exit and the header
/// of a Python traceback follow a failure but are not it.
fn is_telling(line: &str) -> bool {
    const TELLING: [&str; 10] = [
        "error",
        "exception",
        "fault",
        "cannot",
        "can't",
        "no such file",
        "out of memory",
        "not found",
        "killed",
        "permission denied",
    ];
    const NOT_THE_CAUSE: [&str; 2] = ["not freed memory blocks", "traceback (most recent call last)"];
    if is_noise(line) {
        return false;
    }
    let lower = line.to_ascii_lowercase();
    TELLING.iter().any(|word| lower.contains(word)) && !NOT_THE_CAUSE.iter().any(|word| lower.contains(word))
}

#[cfg(test)]
mod tests {
    use super::{needs_log_tail, Cause};

    const OOM: &str = "\
2026-12-01T03:11:03.100Z task assigned to worker blade-01 (4107c7aa-e86d-4244-858b-6c4fce2af503)
2026-12-01T03:11:03.200Z pid=4242 > Fra:3 Mem:432.50M (Peak 605.50M) | Loading render kernels
2026-12-01T03:11:03.300Z pid=4242 > Error: CUDA error: out of memory in cuMemAlloc (device 0, 812345678 bytes)
2026-12-01T03:11:03.400Z pid=4242 > Error: Not freed memory blocks: 12, total unfreed memory 0.003 MB
2026-12-01T03:11:03.500Z Failed: Blender exited with status 1
2026-12-01T03:11:03.600Z Task failed by 1 worker, Manager will mark it as soft failure. 2 more failures will cause hard failure.";

    #[test]
    fn the_first_telling_line_of_the_last_run_is_the_cause() {
        let cause = Cause::find("Failed: Blender exited with status 1", Some(OOM));
        assert_eq!(cause.text, "Error: CUDA error: out of memory in cuMemAlloc (device 0, 812345678 bytes)");
        assert_eq!(cause.key, "Error: CUDA error: out of memory in cuMemAlloc (device #, # bytes)");
        assert_eq!(cause.excerpt.len(), 5);
        assert!(cause.excerpt[0].starts_with("task assigned"));
        assert!(cause.excerpt[4].starts_with("Failed: "));
    }

    #[test]
    fn an_older_run_s_error_is_not_taken_for_the_last_one_s() {
        let tail = format!("{OOM}\npid=7 > Fra:1 | Rendering\nFailed: exit status 2");
        let cause = Cause::find("Failed: exit status 2", Some(&tail));
        assert_eq!(cause.text, "exit status 2");
        assert_eq!(cause.excerpt, ["Failed: exit status 2"]);
    }

    #[test]
    fn a_python_exception_is_the_cause_not_the_traceback_header() {
        let tail = "pid=9 > Traceback (most recent call last):\n\
                    pid=9 >   File \"/render/scripts/fix_paths.py\", line 42, in <module>\n\
                    pid=9 > KeyError: 'bpy_prop_collection[key]: key \"Camera.003\" not found'\n\
                    Failed: Blender exited with status 1";
        let cause = Cause::find("Failed: Blender exited with status 1", Some(tail));
        assert_eq!(cause.key, "KeyError: '…'");
    }

    #[test]
    fn without_a_telling_line_the_activity_is_the_cause_and_the_manager_s_lines_never_are() {
        let cause = Cause::find("Failed: render output could not be written: disk full", None);
        assert_eq!(cause.text, "render output could not be written: disk full");
        let generic = "Task failed by 2 worker(s), Manager will mark it as soft failure";
        let cause = Cause::find(generic, Some("pid=1 > Fra:1 | Rendering\nTask failed by 2 workers"));
        assert_eq!(cause.text, "pid=1 > Fra:1 | Rendering".split(" > ").nth(1).unwrap());
        assert_eq!(Cause::find(generic, None).text, "No failure message");
    }

    #[test]
    fn the_log_is_read_only_when_the_activity_says_too_little() {
        assert!(needs_log_tail("Failed: Blender exited with status 1"));
        assert!(needs_log_tail("Failed: exit status 139"));
        assert!(needs_log_tail("Task failed by 1 worker(s), Manager will mark it as soft failure"));
        assert!(needs_log_tail(""));
        assert!(!needs_log_tail("Failed: Error: Cannot read file '/a/b.png': No such file or directory"));
    }
}
