//! The answer of `fetchJobs`, read in batches: 10,000 jobs are several megabytes of JSON, and
//! reading them in one go would hold the page still for far longer than a frame. The bytes are
//! walked one job at a time (only to find where each job ends), each job is read by serde, and the
//! page is free to paint and take input between batches.

use flamenco_api::Job;

/// Why the answer is not a list of jobs; a bad job names its place in the list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JobsAnswerError {
    #[error("the answer is not a JSON object with a \"jobs\" list: {0}")]
    Shape(String),
    #[error("job {index} of the list (counting from 0) is not a valid job: {detail}")]
    Job { index: usize, detail: String },
}

/// Reads the jobs of one answer a batch at a time.
pub struct JobsReader<'a> {
    scanner: Scanner<'a>,
    jobs: Vec<Job>,
    done: bool,
}

impl<'a> JobsReader<'a> {
    /// Finds the answer's `"jobs"` list; no job is read yet.
    pub fn new(answer: &'a [u8]) -> Result<Self, JobsAnswerError> {
        let mut scanner = Scanner { bytes: answer, at: 0 };
        let empty = scanner.enter_jobs_list().map_err(JobsAnswerError::Shape)?;
        let mut reader = JobsReader { scanner, jobs: Vec::new(), done: false };
        if empty {
            reader.finish()?;
        }
        Ok(reader)
    }

    /// Reads at least one more job, and more while `more` says there is time; false once done.
    pub fn read_batch(&mut self, mut more: impl FnMut() -> bool) -> Result<bool, JobsAnswerError> {
        while !self.done {
            let index = self.jobs.len();
            let raw = self.scanner.value().map_err(JobsAnswerError::Shape)?;
            let job = serde_json::from_slice::<Job>(raw)
                .map_err(|error| JobsAnswerError::Job { index, detail: error.to_string() })?;
            self.jobs.push(job);
            if self.scanner.list_ends().map_err(JobsAnswerError::Shape)? {
                self.finish()?;
            } else if !more() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The jobs read, in the answer's order.
    pub fn into_jobs(self) -> Vec<Job> {
        self.jobs
    }

    fn finish(&mut self) -> Result<(), JobsAnswerError> {
        self.done = true;
        self.scanner.rest_of_answer().map_err(JobsAnswerError::Shape)
    }
}

/// Finds where JSON values start and end, without reading them (serde does that, per job).
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn unexpected(&self, wanted: &str) -> String {
        match self.peek() {
            Some(byte) if byte.is_ascii_graphic() => {
                format!("expected {wanted} at byte {}, found '{}'", self.at, char::from(byte))
            }
            Some(byte) => format!("expected {wanted} at byte {}, found byte {byte:#04x}", self.at),
            None => format!("expected {wanted} at byte {}, found the end", self.at),
        }
    }

    fn expect(&mut self, wanted: u8) -> Result<(), String> {
        self.skip_space();
        if self.peek() == Some(wanted) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{}'", char::from(wanted))))
        }
    }

    /// Moves into the `"jobs"` list of the top-level object; true when that list is empty.
    fn enter_jobs_list(&mut self) -> Result<bool, String> {
        self.expect(b'{')?;
        loop {
            self.skip_space();
            if self.peek() == Some(b'}') {
                return Err("it has no \"jobs\"".to_owned());
            }
            let key = self.string()?;
            self.expect(b':')?;
            if key == b"\"jobs\"" {
                self.expect(b'[')?;
                self.skip_space();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(true);
                }
                return Ok(false);
            }
            self.value()?;
            if self.member_ends()? {
                return Err("it has no \"jobs\"".to_owned());
            }
        }
    }

    /// After a job: true at the end of the list, false before the next job.
    fn list_ends(&mut self) -> Result<bool, String> {
        self.comma_or(b']', "',' or ']' in the jobs list")
    }

    /// After a member of the top-level object: true at its end.
    fn member_ends(&mut self) -> Result<bool, String> {
        self.comma_or(b'}', "',' or '}' after a member")
    }

    /// Takes a `,` (false: more follows) or `close` (true: the list or object ends).
    fn comma_or(&mut self, close: u8, expected: &str) -> Result<bool, String> {
        self.skip_space();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(byte) if byte == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(self.unexpected(expected)),
        }
    }

    /// The members after the jobs list, and nothing after the object.
    fn rest_of_answer(&mut self) -> Result<(), String> {
        while !self.member_ends()? {
            self.skip_space();
            self.string()?;
            self.expect(b':')?;
            self.value()?;
        }
        self.skip_space();
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(self.unexpected("the end of the answer"))
        }
    }

    /// A string, quotes included.
    fn string(&mut self) -> Result<&'a [u8], String> {
        let start = self.at;
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string"));
        }
        self.at += 1;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(&self.bytes[start..self.at]);
                }
                Some(b'\\') => self.at += 2,
                Some(_) => self.at += 1,
                None => return Err(format!("a string from byte {start} never ends")),
            }
        }
    }

    /// Any value, skipped; its bytes are returned. Only where it ends matters here: what is inside
    /// is checked when the job is read.
    fn value(&mut self) -> Result<&'a [u8], String> {
        self.skip_space();
        let start = self.at;
        match self.peek() {
            Some(b'"') => {
                self.string()?;
            }
            Some(b'{' | b'[') => self.nested()?,
            Some(_) => {
                while matches!(self.peek(), Some(byte) if !matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                {
                    self.at += 1;
                }
            }
            None => {}
        }
        if self.at == start {
            return Err(self.unexpected("a value"));
        }
        Ok(&self.bytes[start..self.at])
    }

    /// An object or array, to its closing bracket.
    fn nested(&mut self) -> Result<(), String> {
        let start = self.at;
        let mut depth = 0_usize;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.string()?;
                    continue;
                }
                Some(b'{' | b'[') => depth += 1,
                Some(b'}' | b']') => {
                    depth -= 1;
                    if depth == 0 {
                        self.at += 1;
                        return Ok(());
                    }
                }
                None => return Err(format!("a value from byte {start} never ends")),
                Some(_) => {}
            }
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, name: &str) -> String {
        format!(
            r#"{{"id":"{id}","name":"{name}","type":"simple-blender-render","priority":50,"status":"queued",
              "created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","activity":"",
              "submitter_platform":"linux","metadata":{{"project":"a [b] {{c}}, \"d\""}},"steps_completed":0,"steps_total":4}}"#
        )
    }

    fn answer(count: usize) -> String {
        let jobs: Vec<String> = (0..count).map(|n| job(&format!("j{n}"), &format!("shot {n}"))).collect();
        format!("{{ \"jobs\" : [ {} ] }}", jobs.join(" ,\n"))
    }

    fn read_all(text: &str, per_batch: usize) -> Result<(Vec<Job>, usize), JobsAnswerError> {
        let mut reader = JobsReader::new(text.as_bytes())?;
        let mut batches = 0;
        loop {
            batches += 1;
            let mut budget = per_batch;
            let more = reader.read_batch(|| {
                budget -= 1;
                budget > 0
            })?;
            if !more {
                return Ok((reader.into_jobs(), batches));
            }
        }
    }

    #[test]
    fn jobs_are_read_in_batches_in_order() {
        let text = answer(10);
        let (jobs, batches) = read_all(&text, 3).expect("a valid answer");
        assert_eq!(batches, 4, "3 + 3 + 3 + 1");
        let ids: Vec<&str> = jobs.iter().map(|job| job.id.as_str()).collect();
        assert_eq!(ids, ["j0", "j1", "j2", "j3", "j4", "j5", "j6", "j7", "j8", "j9"]);
        assert_eq!(
            jobs[3].metadata.as_ref().and_then(|m| m.get("project")).map(String::as_str),
            Some("a [b] {c}, \"d\"")
        );
    }

    #[test]
    fn the_same_jobs_as_reading_the_whole_answer() {
        let text = answer(25);
        let whole: flamenco_api::JobsQueryResult = serde_json::from_str(&text).expect("valid");
        let (jobs, _) = read_all(&text, 7).expect("valid");
        assert_eq!(jobs, whole.jobs);
    }

    #[test]
    fn an_empty_list_and_other_members_are_fine() {
        let (jobs, batches) =
            read_all(r#"{"other": {"x": [1, "]"]}, "jobs": [], "n": -1.5e3}"#, 5).expect("valid");
        assert!(jobs.is_empty());
        assert_eq!(batches, 1);
    }

    #[test]
    fn a_bad_job_is_named_by_its_place_and_what_is_wrong() {
        let text = answer(3).replace(r#""id":"j2","name":"shot 2","#, r#""id":"j2","#);
        let failure = read_all(&text, 100).expect_err("job 2 has no name");
        assert!(
            matches!(&failure, JobsAnswerError::Job { index: 2, detail } if detail.contains("missing field `name`")),
            "{failure}"
        );
        assert!(failure.to_string().starts_with("job 2 of the list"), "{failure}");
    }

    #[test]
    fn answers_that_are_not_a_jobs_list_say_so() {
        for (text, says) in [
            ("[]", "expected '{'"),
            ("{}", "no \"jobs\""),
            (r#"{"jobs": {}}"#, "expected '['"),
            (r#"{"jobs": ["unterminated]}"#, "never ends"),
            (r#"{"jobs": [], "after": [}"#, "found the end"),
            (r#"{"jobs": [] "after": 1}"#, "',' or '}'"),
            (r#"{"other": 1}"#, "no \"jobs\""),
            (r#"{"jobs": []} trailing"#, "the end of the answer"),
            ("", "expected '{'"),
        ] {
            match read_all(text, 10) {
                Err(JobsAnswerError::Shape(detail)) => assert!(detail.contains(says), "{text}: {detail}"),
                Err(other) => panic!("{text}: {other}"),
                Ok(_) => panic!("{text}: accepted"),
            }
        }
    }

    #[test]
    fn a_list_that_stops_after_a_job_says_where() {
        let text = format!("{{\"jobs\": [{} {}]}}", job("a", "b"), job("c", "d"));
        match read_all(&text, 10) {
            Err(JobsAnswerError::Shape(detail)) => {
                assert!(detail.contains("',' or ']' in the jobs list"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_job_that_is_not_an_object_is_named() {
        let failure = read_all(r#"{"jobs": [1]}"#, 1).expect_err("not a job");
        assert!(matches!(failure, JobsAnswerError::Job { index: 0, .. }), "{failure}");
    }
}
