//! The `/timeline` page: the header with the farm's utilisation and the window picker, the time
//! axis, and one row per worker (see `rows`).

use std::time::Duration;

use leptos::prelude::*;

use super::data::{use_timeline_data, History, TimelineData};
use super::model::KEEP_MS;
use super::rows::WorkerRows;
use super::window::{Span, Utilisation, Window};
use crate::ui::time::use_now;

/// How often the "now" line and running bars move. The rows themselves stay.
const CLOCK_TICK: Duration = Duration::from_secs(2);

/// What the page body shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Loading,
    NoWorkers,
    Rows,
}

/// What the rows and bars read: the data, the window and the clock.
#[derive(Clone, Copy)]
pub struct View {
    pub data: TimelineData,
    pub window: Memo<Window>,
    pub now: ReadSignal<f64>,
    /// The workers' ids, ordered by name.
    pub rows: Memo<Vec<String>>,
}

impl View {
    fn new(data: TimelineData, span: RwSignal<Span>) -> View {
        let now = use_now(CLOCK_TICK);
        let window = Memo::new(move |_| Window::at(now.get(), span.get()));
        let rows = Memo::new(move |_| {
            let mut named = data.timeline.with(|timeline| timeline.workers());
            data.workers.with(|workers| {
                named.extend(workers.iter().map(|(id, worker)| (id.clone(), worker.name.clone())));
            });
            let mut rows: Vec<(String, String)> = named.into_iter().collect();
            rows.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then_with(|| a.0.cmp(&b.0)));
            rows.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
        });
        View { data, window, now, rows }
    }

    /// One worker's busy time in the window.
    pub fn utilisation(self, worker_id: &str) -> Utilisation {
        let (window, now) = (self.window.get(), self.now.get());
        self.data.timeline.with(|timeline| Utilisation::of_runs(timeline.runs_of(worker_id), &window, now))
    }
}

/// `/timeline`.
#[component]
pub fn TimelinePage() -> impl IntoView {
    let data = use_timeline_data();
    let span = RwSignal::new(Span::default());
    let view = View::new(data, span);
    let phase = Memo::new(move |_| {
        let rows = view.rows.with(Vec::len);
        match (rows, data.workers_loaded.get()) {
            (0, false) => Phase::Loading,
            (0, true) => Phase::NoWorkers,
            _ => Phase::Rows,
        }
    });
    view! {
        <section class="page timeline-page">
            <header class="timeline-head">
                <h1>"Timeline"</h1>
                <FarmUtilisation view />
                <SpanPicker span />
            </header>
            <HistoryNotice history=data.history />
            {move || data.failure.get().map(|failure| view! { <p class="stale-notice" role="status">{failure}</p> })}
            {move || match phase.get() {
                Phase::Loading => view! { <p class="muted" role="status">"Loading the farm's workers…"</p> }.into_any(),
                Phase::NoWorkers => view! { <p class="muted" role="status">"No workers have signed on to this Manager yet, and this browser kept no runs."</p> }.into_any(),
                Phase::Rows => view! { <TimelineBody view /> }.into_any(),
            }}
        </section>
    }
}

/// The window picker.
#[component]
fn SpanPicker(span: RwSignal<Span>) -> impl IntoView {
    let options = Span::ALL.map(|option| {
        view! { <option value=option.value() selected=move || span.get() == option>{option.label()}</option> }
    });
    view! {
        <span class="timeline-span">
            <label for="timeline-span">"Show"</label>
            <select id="timeline-span" on:change:target=move |event| {
                if let Some(picked) = Span::parse(&event.target().value()) {
                    span.set(picked);
                }
            }>{options}</select>
        </span>
    }
}

/// The farm's utilisation in the window: all workers' busy time against theirs.
#[component]
fn FarmUtilisation(view: View) -> impl IntoView {
    let farm = Memo::new(move |_| {
        view.rows.with(|rows| Utilisation::farm(rows.iter().map(|id| view.utilisation(id))))
    });
    let workers = move || view.rows.with(Vec::len);
    view! {
        <p class="farm-utilisation" title=move || farm.with(Utilisation::detail)>
            "Farm utilisation "
            <strong aria-label=move || format!("Farm utilisation {}", farm.with(Utilisation::text))>{move || farm.with(Utilisation::text)}</strong>
            <span class="muted">{move || format!(" of {} workers", workers())}</span>
        </p>
    }
}

/// Whether the timeline survives a reload here, in words.
#[component]
fn HistoryNotice(history: RwSignal<History>) -> impl IntoView {
    let kept = format!(
        "Runs are kept in this browser for {} hours, also over a reload. Dim, hatched bars have an inferred start.",
        KEEP_MS / 3_600_000.0
    );
    move || {
        match history.get() {
        History::Opening => ().into_any(),
        History::Kept => view! { <p class="muted timeline-note">{kept.clone()}</p> }.into_any(),
        History::NotKept(reason) => view! {
            <p class="stale-notice" role="status">
                {format!("This browser cannot keep the timeline ({reason}). It shows what happens while the page is open and what the Manager still knows; after a reload, earlier runs of deleted jobs are gone.")}
            </p>
        }
        .into_any(),
    }
    }
}

/// The axis and the rows, scrolling sideways together on a narrow screen.
#[component]
fn TimelineBody(view: View) -> impl IntoView {
    let ticks = Memo::new(move |_| view.window.with(Window::ticks));
    let now_at = move || format!("{:.5}", view.window.with(|window| window.fraction(view.now.get())));
    let idle = Memo::new(move |_| {
        let (window, now) = (view.window.get(), view.now.get());
        view.rows.with(|rows| {
            view.data.timeline.with(|timeline| {
                rows.iter().all(|id| timeline.runs_of(id).all(|run| !window.shows(run, now)))
            })
        })
    });
    view! {
        <Show when=move || idle.get()>
            <p class="muted" role="status">{move || format!("No task ran in the window ({}).", view.window.get().span.label().to_lowercase())}</p>
        </Show>
        <div class="timeline-scroll">
            <div class="timeline-grid">
                <div class="timeline-axis" aria-hidden="true">
                    <span class="timeline-corner"></span>
                    <div class="timeline-ticks">
                        // Keyed by place too: the same time sits elsewhere in another window.
                        <For each=move || ticks.get() key=|(at, percent)| (*at as i64, (*percent * 1000.0) as i64) let:tick>
                            <span class="timeline-tick" style:left=format!("{}%", tick.1)>{clock_minutes(tick.0)}</span>
                        </For>
                    </div>
                </div>
                <WorkerRows view />
                <span class="timeline-now" aria-hidden="true" style=("--now", now_at)></span>
            </div>
        </div>
    }
}

/// `10:05`, in the browser's time zone.
fn clock_minutes(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// `10:05:07`, in the browser's time zone.
pub fn clock_seconds(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    format!("{:02}:{:02}:{:02}", date.get_hours(), date.get_minutes(), date.get_seconds())
}
