//! "Histogram": the values of the pass and channel on screen (over the measured rectangle when
//! one is set), one series of bars per channel shown, on linear or log bins, with the values
//! outside the range and the non-finite ones counted in a table.

use leptos::prelude::*;
use tilemerge::analysis::{ChannelHistogram, HistogramScale, Series};

use crate::preview::controller::{HistogramShown, HistogramState, Preview};
use crate::preview::view::format_value;

/// The height of the bars' drawing, in its own units.
const HEIGHT: f64 = 100.0;

/// The section; it asks again when the pass, channel, scale or rectangle change, or tiles arrive.
#[component]
pub fn HistogramPanel(preview: Preview) -> impl IntoView {
    let measure = preview.measure;
    // Whether every tile sent has been answered, and how many: a merge in progress asks once
    // its tiles so far are placed, not for every tile.
    let settled = Memo::new(move |_| {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => {
                let progress = plan.progress();
                (progress.tiles_done, progress.is_finished())
            }
            _ => (0, false),
        })
    });
    // A new merge (or a cancelled one) forgets the old measurements.
    Effect::new(move |first: Option<()>| {
        preview.live.track();
        if first.is_some() {
            measure.restart();
        }
    });
    Effect::new(move |_| {
        preview.pass.track();
        preview.viewing.channel.track();
        measure.scale.track();
        measure.rect.track();
        if settled.get().1 {
            preview.request_histogram();
        }
    });
    view! {
        <details class="inspector-section histogram-panel" open>
            <summary>
                <h3>"Histogram"</h3>
            </summary>
            <ScaleField preview />
            <div aria-live="polite">{move || view! { <HistogramBody state=measure.histogram.get() /> }}</div>
        </details>
    }
}

/// "Scale": linear or logarithmic bins.
#[component]
fn ScaleField(preview: Preview) -> impl IntoView {
    let scale = preview.measure.scale;
    let value = |s: HistogramScale| match s {
        HistogramScale::Linear => "linear",
        HistogramScale::Log => "log",
    };
    view! {
        <div class="field-row">
            <label for="histogram-scale">"Scale"</label>
            <select
                id="histogram-scale"
                prop:value=move || value(scale.get())
                on:change:target=move |ev| {
                    let chosen = if ev.target().value() == "log" { HistogramScale::Log } else { HistogramScale::Linear };
                    scale.set(chosen);
                }
            >
                <option value="linear">"Linear"</option>
                <option value="log">"Log"</option>
            </select>
        </div>
    }
}

/// The bars and the counts apart, or why there are none.
#[component]
fn HistogramBody(state: HistogramState) -> impl IntoView {
    match state {
        HistogramState::Idle => {
            view! { <p class="muted">"Merge tiles to see their histogram."</p> }.into_any()
        }
        HistogramState::Working => view! { <p class="muted">"Counting…"</p> }.into_any(),
        HistogramState::Failed(reason) => {
            view! { <p role="alert" class="field-error">"Cannot count: " {reason}</p> }.into_any()
        }
        HistogramState::Ready(shown) if shown.channels.is_empty() => {
            view! { <p class="muted">"The channel shown has no values to count here."</p> }.into_any()
        }
        HistogramState::Ready(shown) => view! { <Bars shown /> }.into_any(),
    }
}

/// The name of a series and its CSS class.
fn series_name(series: &Series) -> (String, &'static str) {
    match series {
        Series::Luminance => ("Luminance".to_string(), "hist-luminance"),
        Series::Component(c) => {
            let class = match c.as_str() {
                "R" | "X" => "hist-r",
                "G" | "Y" => "hist-g",
                "B" => "hist-b",
                "A" => "hist-a",
                _ => "hist-data",
            };
            (c.clone(), class)
        }
    }
}

/// One series' bars, scaled to the tallest bin of all series.
fn bars(channel: &ChannelHistogram, tallest: u64) -> impl IntoView {
    let (name, class) = series_name(&channel.series);
    let rects = channel
        .counts
        .iter()
        .enumerate()
        .map(|(bin, count)| {
            let height = *count as f64 / tallest.max(1) as f64 * HEIGHT;
            view! {
                <rect x=bin y={HEIGHT - height} width="1" height=height data-bin=bin data-count={*count}></rect>
            }
        })
        .collect_view();
    view! { <g class=format!("hist-series {class}") data-series=name>{rects}</g> }
}

/// The bars of every series over each other, the range's ends, and the table of counts apart.
#[component]
fn Bars(shown: HistogramShown) -> impl IntoView {
    let tallest = shown.channels.iter().flat_map(|c| c.counts.iter().copied()).max().unwrap_or(0);
    let bins = shown.channels.first().map_or(1, |c| c.counts.len().max(1));
    let names: Vec<String> = shown.channels.iter().map(|c| series_name(&c.series).0).collect();
    let (low, high) = match shown.range {
        Some(r) => (format_value(r.min), format_value(r.max)),
        None => ("–".to_string(), "–".to_string()),
    };
    let scale = match shown.scale {
        HistogramScale::Linear => "linear",
        HistogramScale::Log => "log",
    };
    let region = match shown.region {
        Some(r) => format!("rectangle {}, {}, {} × {}", r.x, r.y, r.width, r.height),
        None => "whole image".to_string(),
    };
    let label = format!(
        "Histogram of {} in {} ({region}), {bins} {scale} bins from {low} to {high}",
        names.join(", "),
        shown.pass
    );
    let series = shown.channels.iter().map(|c| bars(c, tallest)).collect_view();
    let rows = shown
        .channels
        .iter()
        .map(|c| {
            view! {
                <tr data-series=series_name(&c.series).0>
                    <th scope="row">{series_name(&c.series).0}</th>
                    <td class="mono">{c.below}</td>
                    <td class="mono">{c.above}</td>
                    <td class="mono">{c.non_finite}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted histogram-subject">{format!("{} · {region}", shown.pass)}</p>
        <svg
            class="histogram-bars"
            viewBox=format!("0 0 {bins} {HEIGHT}")
            preserveAspectRatio="none"
            role="img"
            aria-label=label
        >
            {series}
        </svg>
        <div class="histogram-ends mono">
            <span data-end="low">{low}</span>
            <span data-end="high">{high}</span>
        </div>
        <table class="data-table histogram-clipped">
            <caption>"Values outside the bins"</caption>
            <thead>
                <tr>
                    <th scope="col">"Series"</th>
                    <th scope="col">"Below"</th>
                    <th scope="col">"Above"</th>
                    <th scope="col">"Not finite"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
