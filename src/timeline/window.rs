//! The stretch of time the page shows, where runs fall in it (as fractions, so the view sets CSS
//! percentages and never measures pixels), and how busy workers were in it.

use super::model::TaskRun;

const MINUTE_MS: f64 = 60_000.0;
const HOUR_MS: f64 = 60.0 * MINUTE_MS;

/// How far back the page looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Span {
    FifteenMinutes,
    #[default]
    OneHour,
    FourHours,
    TwelveHours,
}

impl Span {
    pub const ALL: [Span; 4] = [Span::FifteenMinutes, Span::OneHour, Span::FourHours, Span::TwelveHours];

    pub fn ms(self) -> f64 {
        match self {
            Span::FifteenMinutes => 15.0 * MINUTE_MS,
            Span::OneHour => HOUR_MS,
            Span::FourHours => 4.0 * HOUR_MS,
            Span::TwelveHours => 12.0 * HOUR_MS,
        }
    }

    /// The window's end moves in steps of this, so that bars stay put between steps and only the
    /// "now" line and running bars move.
    fn step_ms(self) -> f64 {
        match self {
            Span::FifteenMinutes => MINUTE_MS,
            Span::OneHour => 5.0 * MINUTE_MS,
            Span::FourHours => 15.0 * MINUTE_MS,
            Span::TwelveHours => HOUR_MS,
        }
    }

    /// The distance between the axis' labels.
    fn tick_ms(self) -> f64 {
        match self {
            Span::FifteenMinutes => 2.0 * MINUTE_MS,
            Span::OneHour => 10.0 * MINUTE_MS,
            Span::FourHours => 30.0 * MINUTE_MS,
            Span::TwelveHours => 2.0 * HOUR_MS,
        }
    }

    /// The `<option>` value.
    pub fn value(self) -> &'static str {
        match self {
            Span::FifteenMinutes => "15m",
            Span::OneHour => "1h",
            Span::FourHours => "4h",
            Span::TwelveHours => "12h",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Span::FifteenMinutes => "Last 15 minutes",
            Span::OneHour => "Last hour",
            Span::FourHours => "Last 4 hours",
            Span::TwelveHours => "Last 12 hours",
        }
    }

    pub fn parse(value: &str) -> Option<Span> {
        Span::ALL.into_iter().find(|span| span.value() == value)
    }
}

/// A bar's place: both in percent of the window's width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    pub left: f64,
    pub width: f64,
}

/// The times shown, `start_ms..end_ms`, with "now" somewhere in the last step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub start_ms: f64,
    pub end_ms: f64,
    pub span: Span,
}

impl Window {
    /// The window of `span` that ends at the first step boundary after `now_ms`.
    pub fn at(now_ms: f64, span: Span) -> Window {
        let step = span.step_ms();
        let end_ms = ((now_ms / step).floor() + 1.0) * step;
        Window { start_ms: end_ms - span.ms(), end_ms, span }
    }

    /// Where `at_ms` is, as a fraction of the width (clamped to the window).
    pub fn fraction(&self, at_ms: f64) -> f64 {
        self.percent(at_ms) / 100.0
    }

    /// Where `at_ms` is, in percent of the width (clamped to the window).
    pub fn percent(&self, at_ms: f64) -> f64 {
        ((at_ms - self.start_ms) / (self.end_ms - self.start_ms) * 100.0).clamp(0.0, 100.0)
    }

    /// The part of `start_ms..end_ms` inside the window, `None` when it is outside.
    pub fn bar(&self, start_ms: f64, end_ms: f64) -> Option<Bar> {
        if end_ms < self.start_ms || start_ms > self.end_ms {
            return None;
        }
        let left = self.percent(start_ms);
        Some(Bar { left, width: self.percent(end_ms) - left })
    }

    /// Whether a run shows in this window (running ones end at `now_ms`).
    pub fn shows(&self, run: &TaskRun, now_ms: f64) -> bool {
        run.end_or(now_ms) >= self.start_ms && run.start_ms <= self.end_ms
    }

    /// The axis' labelled times, each with its place in percent (none at the very start or end,
    /// where its label would be cut in half).
    pub fn ticks(&self) -> Vec<(f64, f64)> {
        let tick = self.span.tick_ms();
        let first = ((self.start_ms / tick).floor() + 1.0) * tick;
        (0..)
            .map(|n| first + n as f64 * tick)
            .take_while(|&at| at < self.end_ms)
            .map(|at| (at, self.percent(at)))
            .collect()
    }

    /// How much of the window has passed at `now_ms`.
    pub fn elapsed_ms(&self, now_ms: f64) -> f64 {
        (now_ms.min(self.end_ms) - self.start_ms).max(0.0)
    }
}

/// Busy time against the time that passed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Utilisation {
    pub busy_ms: f64,
    pub elapsed_ms: f64,
}

impl Utilisation {
    /// Busy time of one worker's runs within the window, running ones up to `now_ms`; runs that overlap (a
    /// task taken over while the Manager still counted the old one) count once.
    pub fn of_runs<'a>(runs: impl Iterator<Item = &'a TaskRun>, window: &Window, now_ms: f64) -> Utilisation {
        // Ended runs count in full even when they ended after the last clock tick.
        let mut spans: Vec<(f64, f64)> = runs
            .map(|run| (run.start_ms.max(window.start_ms), run.end_or(now_ms).min(window.end_ms)))
            .filter(|(start, end)| end > start)
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut busy_ms = 0.0;
        let mut reached = f64::NEG_INFINITY;
        for (start, end) in spans {
            let from = start.max(reached);
            if end > from {
                busy_ms += end - from;
            }
            reached = reached.max(end);
        }
        Utilisation { busy_ms, elapsed_ms: window.elapsed_ms(now_ms) }
    }

    /// The farm's: every worker's busy time against the time that passed for all of them.
    pub fn farm(workers: impl Iterator<Item = Utilisation>) -> Utilisation {
        workers.fold(Utilisation::default(), |total, worker| Utilisation {
            busy_ms: total.busy_ms + worker.busy_ms,
            elapsed_ms: total.elapsed_ms + worker.elapsed_ms,
        })
    }

    /// In percent, `None` before any time passed.
    pub fn percent(&self) -> Option<f64> {
        (self.elapsed_ms > 0.0).then(|| (self.busy_ms / self.elapsed_ms * 100.0).clamp(0.0, 100.0))
    }

    /// "37 %", with a decimal below 10 % so that a short run on a long window is not "0 %".
    pub fn text(&self) -> String {
        match self.percent() {
            None => "–".to_owned(),
            Some(percent) if percent < 10.0 => format!("{percent:.1} %"),
            Some(percent) => format!("{percent:.0} %"),
        }
    }

    /// The figures behind the percentage, e.g. "busy 2 min 5 s of 57 min 3 s".
    pub fn detail(&self) -> String {
        format!("busy {} of {}", duration_text(self.busy_ms), duration_text(self.elapsed_ms))
    }
}

/// A duration as "1 h 2 min", "3 min 4 s", "5.2 s".
pub fn duration_text(ms: f64) -> String {
    let seconds = (ms / 1000.0).max(0.0);
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds.round() as u64;
    let (hours, minutes, rest) = (whole / 3600, whole % 3600 / 60, whole % 60);
    if hours > 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{minutes} min {rest} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::model::{RunOutcome, StartSource};

    fn run(worker: &str, start_ms: f64, end_ms: Option<f64>) -> TaskRun {
        TaskRun {
            task_id: format!("t{start_ms}"),
            task_name: "render".into(),
            job_id: "j".into(),
            job_name: "job".into(),
            worker_id: worker.into(),
            worker_name: worker.into(),
            start_ms,
            end_ms,
            outcome: if end_ms.is_some() { RunOutcome::Completed } else { RunOutcome::Running },
            start: StartSource::Seen,
        }
    }

    #[test]
    fn the_window_ends_at_the_next_step_and_moves_only_in_steps() {
        let now = 10.0 * HOUR_MS + 7.0 * MINUTE_MS;
        let window = Window::at(now, Span::OneHour);
        assert_eq!(window.end_ms, 10.0 * HOUR_MS + 10.0 * MINUTE_MS);
        assert_eq!(window.start_ms, 9.0 * HOUR_MS + 10.0 * MINUTE_MS);
        assert_eq!(Window::at(now + 2.0 * MINUTE_MS, Span::OneHour), window, "same step, same window");
        assert_ne!(Window::at(now + 3.0 * MINUTE_MS, Span::OneHour), window);
        assert_eq!(Window::at(now, Span::TwelveHours).end_ms, 11.0 * HOUR_MS);
    }

    #[test]
    fn bars_are_percentages_clipped_to_the_window() {
        let window = Window { start_ms: 0.0, end_ms: 1000.0, span: Span::OneHour };
        assert_eq!(window.bar(100.0, 350.0), Some(Bar { left: 10.0, width: 25.0 }));
        assert_eq!(window.bar(-500.0, 100.0), Some(Bar { left: 0.0, width: 10.0 }));
        assert_eq!(window.bar(900.0, 5000.0), Some(Bar { left: 90.0, width: 10.0 }));
        assert_eq!(window.bar(-500.0, -100.0), None);
        assert_eq!(window.bar(1200.0, 1300.0), None);
    }

    #[test]
    fn ticks_fall_on_round_times_inside_the_window() {
        let window = Window::at(10.0 * HOUR_MS + 7.0 * MINUTE_MS, Span::OneHour);
        let ticks: Vec<f64> =
            window.ticks().into_iter().map(|(at, _)| (at - 9.0 * HOUR_MS) / MINUTE_MS).collect();
        assert_eq!(ticks, vec![20.0, 30.0, 40.0, 50.0, 60.0]);
        assert!(window.ticks().iter().all(|(_, percent)| (0.0..=100.0).contains(percent)));
    }

    #[test]
    fn utilisation_counts_overlaps_once_and_running_tasks_until_now() {
        let window = Window { start_ms: 0.0, end_ms: 10_000.0, span: Span::OneHour };
        let runs = [
            run("w", -2_000.0, Some(1_000.0)), // 1 s inside the window
            run("w", 2_000.0, Some(4_000.0)),
            run("w", 3_000.0, Some(5_000.0)), // overlaps the one before: 1 s more
            run("w", 6_000.0, None),          // running: until now
        ];
        let now = 8_000.0;
        let used = Utilisation::of_runs(runs.iter(), &window, now);
        assert_eq!(used, Utilisation { busy_ms: 1_000.0 + 3_000.0 + 2_000.0, elapsed_ms: 8_000.0 });
        assert_eq!(used.percent(), Some(75.0));
        assert_eq!(used.text(), "75 %");
        let idle = Utilisation::of_runs([].iter(), &window, now);
        let farm = Utilisation::farm([used, idle].into_iter());
        assert_eq!(farm.percent(), Some(37.5));
        assert_eq!(Utilisation { busy_ms: 6.0, elapsed_ms: 1000.0 }.text(), "0.6 %");
        assert_eq!(Utilisation::default().text(), "–");
    }

    #[test]
    fn spans_round_trip_through_their_values_and_durations_read_naturally() {
        for span in Span::ALL {
            assert_eq!(Span::parse(span.value()), Some(span));
        }
        assert_eq!(Span::parse("1d"), None);
        assert_eq!(duration_text(5_240.0), "5.2 s");
        assert_eq!(duration_text(125_000.0), "2 min 5 s");
        assert_eq!(duration_text(3_720_000.0), "1 h 2 min");
    }
}
