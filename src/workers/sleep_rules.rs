//! A worker's sleep schedule as typed, checked as Flamenco's sleep scheduler reads it before it is
//! sent: the Manager stores whatever it gets, and reads a bad value in surprising ways (an end before
//! the start is swapped with it, a one-letter day crashes its day cleanup).
//!
//! Flamenco's rules: days are two-letter lowercase names `mo tu we th fr sa su`, separated by spaces,
//! none meaning every day; the worker sleeps from the start time until before the end time (`HH:MM`,
//! 24 h, the Manager's local time) on the same day; an empty start is midnight, an empty end the end of
//! the day, and `24:00` is allowed as the end.

use flamenco_api::WorkerSleepSchedule;

/// The days in Flamenco's order and spelling.
pub const DAYS: [&str; 7] = ["mo", "tu", "we", "th", "fr", "sa", "su"];

/// A field of the schedule form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScheduleField {
    Days,
    Start,
    End,
}

impl ScheduleField {
    /// The field's label on screen, also used to name it in messages.
    pub fn label(self) -> &'static str {
        match self {
            ScheduleField::Days => "Days of week",
            ScheduleField::Start => "Start time",
            ScheduleField::End => "End time",
        }
    }
}

/// What is wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleProblem {
    pub field: ScheduleField,
    pub message: String,
}

impl ScheduleProblem {
    fn new(field: ScheduleField, detail: impl AsRef<str>) -> ScheduleProblem {
        ScheduleProblem { field, message: format!("{}: {}", field.label(), detail.as_ref()) }
    }
}

/// The schedule form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScheduleForm {
    pub is_active: bool,
    pub days: String,
    pub start: String,
    pub end: String,
}

impl ScheduleForm {
    /// The form showing the Manager's schedule; an empty, inactive one when the worker has none.
    pub fn of(saved: Option<&WorkerSleepSchedule>) -> ScheduleForm {
        saved.map_or_else(ScheduleForm::default, |schedule| ScheduleForm {
            is_active: schedule.is_active,
            days: schedule.days_of_week.clone(),
            start: schedule.start_time.clone(),
            end: schedule.end_time.clone(),
        })
    }

    /// The schedule to send, in Flamenco's spelling, or every field that is wrong.
    pub fn validate(&self) -> Result<WorkerSleepSchedule, Vec<ScheduleProblem>> {
        let mut problems = Vec::new();
        let days = parse_days(&self.days).map_err(|problem| problems.push(problem)).ok();
        let start =
            parse_time(&self.start, ScheduleField::Start).map_err(|problem| problems.push(problem)).ok();
        let end = parse_time(&self.end, ScheduleField::End).map_err(|problem| problems.push(problem)).ok();
        if let Some(Some(start)) = start {
            if start == 24 * 60 {
                problems.push(ScheduleProblem::new(
                    ScheduleField::Start,
                    "24:00 is the end of the day; start at 00:00 instead",
                ));
            }
        }
        if let (Some(Some(start)), Some(Some(end))) = (start, end) {
            if end <= start && start < 24 * 60 {
                problems.push(ScheduleProblem::new(
                    ScheduleField::End,
                    "must be later than the start time, on the same day (the Manager would swap them); for a night, sleep from the evening until 24:00, or from 00:00 until the morning",
                ));
            }
        }
        match (days, start, end) {
            (Some(days), Some(start), Some(end)) if problems.is_empty() => Ok(WorkerSleepSchedule {
                is_active: self.is_active,
                days_of_week: days,
                start_time: start.map(format_time).unwrap_or_default(),
                end_time: end.map(format_time).unwrap_or_default(),
            }),
            _ => Err(problems),
        }
    }
}

/// Days as Flamenco stores them: known two-letter names in week order, each once; any case and
/// spacing accepted on input.
fn parse_days(text: &str) -> Result<String, ScheduleProblem> {
    let mut chosen = [false; 7];
    for word in text.split(|c: char| c.is_whitespace() || c == ',') {
        if word.is_empty() {
            continue;
        }
        let lower = word.to_lowercase();
        match DAYS.iter().position(|day| *day == lower) {
            Some(index) => chosen[index] = true,
            None => {
                return Err(ScheduleProblem::new(
                    ScheduleField::Days,
                    format!("“{word}” is not a day; use mo tu we th fr sa su, separated by spaces, or leave it empty for every day"),
                ))
            }
        }
    }
    Ok(DAYS.iter().zip(chosen).filter(|(_, on)| *on).map(|(day, _)| *day).collect::<Vec<_>>().join(" "))
}

/// Minutes since midnight of an `HH:MM` time (`H:MM` accepted); `None` for an empty field.
fn parse_time(text: &str, field: ScheduleField) -> Result<Option<u32>, ScheduleProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let wrong = || {
        ScheduleProblem::new(
            field,
            format!("“{text}” is not a time; write it as HH:MM, 24-hour, e.g. 08:30 or 22:00"),
        )
    };
    let (hours, minutes) = text.split_once(':').ok_or_else(wrong)?;
    let digits = |part: &str, max_len: usize| {
        (!part.is_empty() && part.len() <= max_len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let (Some(hours), Some(minutes)) = (digits(hours, 2), digits(minutes, 2).filter(|_| minutes.len() == 2))
    else {
        return Err(wrong());
    };
    if minutes > 59 || hours > 24 || (hours == 24 && minutes > 0) {
        return Err(ScheduleProblem::new(field, format!("“{text}” is not a time of day; hours go from 00 to 23 (24:00 is the end of the day), minutes from 00 to 59")));
    }
    Ok(Some(hours * 60 + minutes))
}

fn format_time(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The schedule as typed on screen: the Manager's, or a person's unsaved edit. Live updates of the
/// worker rebuild nothing and the edit is kept until it is saved or discarded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScheduleDraft {
    edited: Option<ScheduleForm>,
}

impl ScheduleDraft {
    pub fn shown(&self, saved: Option<&WorkerSleepSchedule>) -> ScheduleForm {
        self.edited.clone().unwrap_or_else(|| ScheduleForm::of(saved))
    }

    /// Changes the form, starting the edit from the Manager's schedule.
    pub fn edit(&mut self, saved: Option<&WorkerSleepSchedule>, change: impl FnOnce(&mut ScheduleForm)) {
        change(self.edited.get_or_insert_with(|| ScheduleForm::of(saved)));
    }

    pub fn is_unsaved(&self, saved: Option<&WorkerSleepSchedule>) -> bool {
        self.edited.as_ref().is_some_and(|edited| *edited != ScheduleForm::of(saved))
    }

    /// Drops the edit: after a save, or when a person discards it.
    pub fn discard(&mut self) {
        self.edited = None;
    }
}

/// A schedule in words, for the worker's facts.
pub fn describe(schedule: Option<&WorkerSleepSchedule>) -> String {
    let Some(schedule) = schedule else { return "none".to_owned() };
    let days =
        if schedule.days_of_week.trim().is_empty() { "every day" } else { schedule.days_of_week.trim() };
    let start = if schedule.start_time.is_empty() { "00:00" } else { &schedule.start_time };
    let end = if schedule.end_time.is_empty() { "24:00" } else { &schedule.end_time };
    let state = if schedule.is_active { "active" } else { "not active" };
    format!("asleep {days}, {start}–{end} ({state})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(days: &str, start: &str, end: &str) -> ScheduleForm {
        ScheduleForm { is_active: true, days: days.into(), start: start.into(), end: end.into() }
    }

    fn fields(form: ScheduleForm) -> Vec<ScheduleField> {
        form.validate().err().unwrap_or_default().into_iter().map(|problem| problem.field).collect()
    }

    #[test]
    fn a_valid_schedule_is_sent_in_flamencos_spelling() {
        let schedule = form(" Fr mo,tu ", "9:00", "18:30").validate().expect("valid");
        assert_eq!(schedule.days_of_week, "mo tu fr");
        assert_eq!(schedule.start_time, "09:00");
        assert_eq!(schedule.end_time, "18:30");
        let all_day = form("", "", "").validate().expect("empty times mean the whole day");
        assert_eq!((all_day.days_of_week.as_str(), all_day.start_time.as_str()), ("", ""));
        assert!(form("sa su", "22:00", "24:00").validate().is_ok(), "24:00 ends the day");
    }

    #[test]
    fn each_wrong_field_is_named() {
        let problems = form("monday", "9", "25:00").validate().expect_err("invalid");
        let named: Vec<_> = problems.iter().map(|problem| problem.field).collect();
        assert_eq!(named, [ScheduleField::Days, ScheduleField::Start, ScheduleField::End]);
        assert!(
            problems[0].message.starts_with("Days of week: “monday” is not a day"),
            "{}",
            problems[0].message
        );
        assert!(problems[2].message.starts_with("End time:"), "{}", problems[2].message);
        assert_eq!(fields(form("", "12:60", "")), [ScheduleField::Start]);
        assert_eq!(fields(form("", "24:00", "")), [ScheduleField::Start], "starts never");
        assert_eq!(fields(form("", "09:00", "24:01")), [ScheduleField::End]);
        assert_eq!(fields(form("", "9:5", "")), [ScheduleField::Start], "minutes need two digits");
        assert_eq!(fields(form("", "+9:00", "")), [ScheduleField::Start]);
    }

    #[test]
    fn the_end_must_follow_the_start() {
        assert_eq!(fields(form("", "22:00", "06:00")), [ScheduleField::End], "across midnight");
        assert_eq!(fields(form("", "10:00", "10:00")), [ScheduleField::End], "never asleep");
        assert!(form("", "", "06:00").validate().is_ok(), "from midnight");
    }

    #[test]
    fn an_edit_survives_until_saved_or_discarded() {
        let saved = WorkerSleepSchedule {
            is_active: true,
            days_of_week: "mo".into(),
            start_time: "09:00".into(),
            end_time: "17:00".into(),
        };
        let mut draft = ScheduleDraft::default();
        assert_eq!(draft.shown(Some(&saved)).days, "mo");
        draft.edit(Some(&saved), |form| form.end = "18:00".into());
        assert!(draft.is_unsaved(Some(&saved)));
        assert_eq!(draft.shown(Some(&saved)).end, "18:00");
        assert_eq!(draft.shown(Some(&saved)).start, "09:00", "the rest from the Manager's");
        draft.discard();
        assert_eq!(draft.shown(None), ScheduleForm::default(), "none: an empty, inactive form");
        assert_eq!(describe(Some(&saved)), "asleep mo, 09:00–17:00 (active)");
        assert_eq!(describe(None), "none");
    }
}
