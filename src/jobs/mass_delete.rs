//! "Delete old jobs": every job last updated before a chosen time, counted from the job store
//! before the person confirms, then one `deleteJobMass` request.

use flamenco_api::Job;
use leptos::prelude::*;

use super::store::use_jobs;
use crate::api::ApiFailure;
use crate::manager::use_manager;

/// A wall-clock time as a `datetime-local` input gives it (`2026-11-30T18:40`, seconds optional).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalDateTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Why the typed time cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateProblem {
    Empty,
    Invalid(String),
}

impl DateProblem {
    pub fn message(&self) -> String {
        match self {
            DateProblem::Empty => "Choose a date and time.".into(),
            DateProblem::Invalid(text) => {
                format!("\"{text}\" is not a date and time (year-month-day hour:minute).")
            }
        }
    }
}

impl LocalDateTime {
    pub fn parse(text: &str) -> Result<LocalDateTime, DateProblem> {
        let text = text.trim();
        if text.is_empty() {
            return Err(DateProblem::Empty);
        }
        let invalid = || DateProblem::Invalid(text.to_owned());
        let (date, time) = text.split_once(['T', ' ']).ok_or_else(invalid)?;
        let date: Vec<&str> = date.split('-').collect();
        let time: Vec<&str> = time.split(':').collect();
        if date.len() != 3 || !(2..=3).contains(&time.len()) {
            return Err(invalid());
        }
        let number = |part: &str| part.parse::<u32>().map_err(|_| invalid());
        let year = date[0].parse::<i32>().map_err(|_| invalid())?;
        let (month, day) = (number(date[1])?, number(date[2])?);
        let (hour, minute) = (number(time[0])?, number(time[1])?);
        let second = match time.get(2) {
            Some(part) => number(part.split('.').next().unwrap_or(part))?,
            None => 0,
        };
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return Err(invalid());
        }
        Ok(LocalDateTime { year, month, day, hour, minute, second })
    }

    /// RFC 3339 with the given offset east of UTC, e.g. `2026-11-30T18:40:00+01:00`.
    pub fn to_rfc3339(self, offset_minutes_east: i32) -> String {
        let sign = if offset_minutes_east < 0 { '-' } else { '+' };
        let offset = offset_minutes_east.unsigned_abs();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            offset / 60,
            offset % 60
        )
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Unix time in seconds (with its fraction) of an RFC 3339 timestamp, as the Manager writes them.
pub fn rfc3339_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let mut date = date.splitn(3, '-');
    let year: i64 = date.next()?.parse().ok()?;
    let month: i64 = date.next()?.parse().ok()?;
    let day: i64 = date.next()?.parse().ok()?;
    let zone_at = rest.find(['Z', 'z', '+', '-'])?;
    let (time, zone) = rest.split_at(zone_at);
    let mut time = time.splitn(3, ':');
    let hour: i64 = time.next()?.parse().ok()?;
    let minute: i64 = time.next()?.parse().ok()?;
    let second: f64 = time.next()?.parse().ok()?;
    let offset_seconds = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (hours, minutes) = zone.get(1..)?.split_once(':')?;
            sign * (hours.parse::<i64>().ok()? * 3600 + minutes.parse::<i64>().ok()? * 60)
        }
    };
    let whole = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 - offset_seconds;
    Some(whole as f64 + second)
}

/// The jobs a mass deletion up to `limit` (RFC 3339) would select, as the Manager does: last
/// updated at or before the limit rounded up to whole seconds.
pub fn jobs_updated_before<'a>(jobs: impl IntoIterator<Item = &'a Job>, limit: &str) -> usize {
    let Some(limit) = rfc3339_seconds(limit).map(f64::ceil) else { return 0 };
    jobs.into_iter()
        .filter(|job| rfc3339_seconds(&job.updated).is_some_and(|updated| updated <= limit))
        .count()
}

/// The offset of the browser's time zone at that local time, in minutes east of UTC.
fn browser_offset_minutes(at: LocalDateTime) -> i32 {
    let date = js_sys::Date::new_with_year_month_day_hr_min_sec(
        at.year as u32,
        at.month as i32 - 1,
        at.day as i32,
        at.hour as i32,
        at.minute as i32,
        at.second as i32,
    );
    -(date.get_timezone_offset() as i32)
}

/// What the Manager's answer means to the person.
pub fn failure_message(failure: &ApiFailure) -> String {
    match failure {
        ApiFailure::Manager { status: 416, .. } => {
            "No job was last updated before that time, so nothing was deleted (the Manager said: no jobs \
             modified before timestamp)."
                .into()
        }
        other => format!("The jobs were not deleted: {other}"),
    }
}

/// The "Delete old jobs…" button and the form it opens.
#[component]
pub fn MassDelete() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button type="button" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|open| *open = !*open)>
            "Delete old jobs…"
        </button>
        <Show when=move || open.get()>
            <MassDeleteForm open />
        </Show>
    }
}

#[component]
fn MassDeleteForm(open: RwSignal<bool>) -> impl IntoView {
    let store = use_jobs();
    let client = use_manager().client;
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<usize, String>>);
    let limit = Memo::new(move |_| {
        text.with(|text| LocalDateTime::parse(text)).map(|at| at.to_rfc3339(browser_offset_minutes(at)))
    });
    let count = Memo::new(move |_| match limit.get() {
        Ok(limit) => store.table.with(|table| jobs_updated_before(table.iter(), &limit)),
        Err(_) => 0,
    });
    let delete = Action::new_local(move |(limit, count): &(String, usize)| {
        let client = client.clone();
        let (limit, count) = (limit.clone(), *count);
        async move {
            client.delete_jobs_updated_before(&limit).await.map(|()| count).map_err(|f| failure_message(&f))
        }
    });
    Effect::new(move |_| {
        if let Some(result) = delete.value().get() {
            if result.is_ok() {
                text.set(String::new());
            }
            outcome.set(Some(result));
        }
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Ok(limit) = limit.get_untracked() {
            outcome.set(None);
            delete.dispatch((limit, count.get_untracked()));
        }
    };
    let summary = move || match limit.get() {
        Ok(_) => match count.get() {
            1 => "1 job was last updated before then and will be deleted.".to_owned(),
            n => format!("{n} jobs were last updated before then and will be deleted."),
        },
        Err(problem) => problem.message(),
    };
    let report = move || {
        outcome.get().map(|result| match result {
            Ok(count) => view! { <p class="action-report" role="status">{format!("Marked {count} old jobs for deletion.")}</p> }.into_any(),
            Err(message) => view! { <p class="field-error" role="alert">{message}</p> }.into_any(),
        })
    };
    view! {
        <form class="mass-delete" on:submit=on_submit aria-label="Delete old jobs">
            <label>
                "Delete jobs last updated before"
                <input type="datetime-local" step="1" prop:value=move || text.get() on:input:target=move |event| text.set(event.target().value()) />
            </label>
            <p class="mass-delete-count" role="status">{summary}</p>
            <button type="submit" class="danger" disabled=move || limit.with(Result::is_err) || delete.pending().get()>
                "Delete these jobs"
            </button>
            <button type="button" on:click=move |_| open.set(false)>"Close"</button>
            {report}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::table::tests::job;
    use flamenco_api::JobStatus;

    #[test]
    fn a_datetime_local_value_becomes_rfc3339_with_the_offset() {
        let at = LocalDateTime::parse("2026-11-30T18:40").unwrap();
        assert_eq!(at.to_rfc3339(60), "2026-11-30T18:40:00+01:00");
        assert_eq!(at.to_rfc3339(-330), "2026-11-30T18:40:00-05:30");
        let with_seconds = LocalDateTime::parse("2024-02-29T00:00:59").unwrap();
        assert_eq!(with_seconds.to_rfc3339(0), "2024-02-29T00:00:59+00:00");
    }

    #[test]
    fn impossible_or_empty_dates_are_refused() {
        assert_eq!(LocalDateTime::parse(" "), Err(DateProblem::Empty));
        for bad in ["2025-02-29T10:00", "2026-13-01T10:00", "2026-11-30T24:00", "yesterday", "2026-11-30"] {
            assert!(matches!(LocalDateTime::parse(bad), Err(DateProblem::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn rfc3339_times_compare_across_offsets_and_fractions() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(rfc3339_seconds("1970-01-01T01:00:00+01:00"), Some(0.0));
        assert_eq!(rfc3339_seconds("2000-03-01T00:00:00Z"), Some(951_868_800.0));
        let fraction = rfc3339_seconds("2026-11-30T18:48:26.952731673Z").unwrap();
        assert!((fraction - rfc3339_seconds("2026-11-30T18:48:26Z").unwrap() - 0.952731673).abs() < 1e-6);
        assert_eq!(rfc3339_seconds("not a time"), None);
    }

    #[test]
    fn the_count_takes_jobs_updated_up_to_the_limit_rounded_up_like_the_manager() {
        let at = |updated: &str| {
            let mut job = job(updated, updated, JobStatus::Completed, "t");
            job.updated = updated.into();
            job
        };
        let jobs = [
            at("2026-11-30T10:00:00Z"),
            at("2026-11-30T10:00:00.5Z"),
            at("2026-11-30T10:00:01.2Z"),
            at("2026-11-30T12:00:00Z"),
        ];
        assert_eq!(jobs_updated_before(&jobs, "2026-11-30T10:00:00.1Z"), 2);
        assert_eq!(
            jobs_updated_before(&jobs, "2026-11-30T11:00:00+01:00"),
            1,
            "a whole second is not rounded"
        );
        assert_eq!(jobs_updated_before(&jobs, "2026-11-30T13:00:00+01:00"), 4);
        assert_eq!(jobs_updated_before(&jobs, "2026-11-30T09:00:00Z"), 0);
    }

    #[test]
    fn the_managers_416_is_explained() {
        let failure = ApiFailure::Manager {
            status: 416,
            error: flamenco_api::ManagerError::from_body(
                416,
                r#"{"code":416,"message":"no jobs modified before timestamp"}"#,
            ),
        };
        assert!(failure_message(&failure).starts_with("No job was last updated before that time"));
    }
}
