//! "Rectangle": min, max and mean of every channel of the pass on screen over a rectangle, dragged
//! on the image once "Measure a rectangle" is pressed, or typed in its four fields.

use leptos::prelude::*;
use tilemerge::analysis::ChannelStats;

use crate::preview::controller::{Preview, RectField, StatsShown, StatsState};
use crate::preview::view::format_value;

/// The section: the switch, the fields and the statistics.
#[component]
pub fn RectPanel(preview: Preview) -> impl IntoView {
    let measure = preview.measure;
    let placed = Memo::new(move |_| {
        preview.plan.with(|p| p.as_ref().map_or(0, |p| p.as_ref().map_or(0, |p| p.placed().count())))
    });
    Effect::new(move |_| {
        measure.rect.track();
        preview.pass.track();
        placed.track();
        preview.request_stats();
    });
    let pressed = move || measure.measuring.get().to_string();
    view! {
        <details class="inspector-section rect-panel" open>
            <summary>
                <h3>"Rectangle"</h3>
            </summary>
            <div class="field-row">
                <button type="button" aria-pressed=pressed on:click=move |_| preview.toggle_measuring()>
                    "Measure a rectangle"
                </button>
                <button
                    type="button"
                    disabled=move || measure.rect.with(Option::is_none)
                    on:click=move |_| preview.set_rect(None)
                >
                    "Clear rectangle"
                </button>
            </div>
            <p class="muted rect-hint">
                {move || {
                    if measure.measuring.get() {
                        "Drag on the image to measure a rectangle; press the button again to pan."
                    } else {
                        "Or type the rectangle in image pixels:"
                    }
                }}
            </p>
            <div class="rect-fields">
                {RectField::ALL.into_iter().map(|field| view! { <RectInput preview field /> }).collect_view()}
            </div>
            <p id="rect-problem" class="field-error" role="alert">
                {move || measure.rect_problem.get()}
            </p>
            <div aria-live="polite">{move || view! { <StatsBody state=measure.stats.get() /> }}</div>
        </details>
    }
}

/// One labelled number field of the rectangle.
#[component]
fn RectInput(
    /// The merge whose rectangle it sets.
    preview: Preview,
    /// Which side.
    field: RectField,
) -> impl IntoView {
    let id = format!("rect-{}", field.as_str().to_ascii_lowercase());
    let value = move || preview.measure.rect.get().map(|r| field.of(r).to_string()).unwrap_or_default();
    view! {
        <label for=id.clone()>{field.as_str()}</label>
        <input
            id=id
            type="number"
            min="0"
            step="1"
            inputmode="numeric"
            aria-describedby="rect-problem"
            prop:value=value
            on:input:target=move |ev| preview.type_rect(field, &ev.target().value())
        />
    }
}

/// The statistics, or why there are none.
#[component]
fn StatsBody(state: StatsState) -> impl IntoView {
    match state {
        StatsState::Idle => view! { <p class="muted">"No rectangle measured."</p> }.into_any(),
        StatsState::Working => view! { <p class="muted">"Measuring…"</p> }.into_any(),
        StatsState::Failed(reason) => {
            view! { <p role="alert" class="field-error">"Cannot measure: " {reason}</p> }.into_any()
        }
        StatsState::Ready(shown) => view! { <StatsTable shown /> }.into_any(),
    }
}

/// A value cell: shown rounded as the probe shows values, exact in `data-value`.
fn cell(value: Option<String>, shown: Option<String>) -> impl IntoView {
    view! { <td class="mono" data-value=value>{shown.unwrap_or_else(|| "–".to_string())}</td> }
}

/// One line per channel.
#[component]
fn StatsTable(shown: StatsShown) -> impl IntoView {
    let r = shown.region;
    let caption = format!("{} × {} at {}, {} in {}", r.width, r.height, r.x, r.y, shown.pass);
    let rows = shown
        .channels
        .into_iter()
        .map(|c: ChannelStats| {
            let (mean, component) = (c.mean, c.component);
            let name = component.clone();
            view! {
                <tr data-channel=component>
                    <th scope="row">{name}</th>
                    {cell(c.min.map(|v| v.to_string()), c.min.map(format_value))}
                    {cell(c.max.map(|v| v.to_string()), c.max.map(format_value))}
                    {cell(mean.map(|v| v.to_string()), mean.map(|v| format!("{v:.6}")))}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table rect-stats">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Min"</th>
                    <th scope="col">"Max"</th>
                    <th scope="col">"Mean"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The rectangle (or the one being dragged) over the image, in image pixels.
#[component]
pub fn RectMark(preview: Preview) -> impl IntoView {
    let measure = preview.measure;
    let view_box = move || preview.image_view_box();
    let shown = move || measure.dragged.get().or_else(|| measure.rect.get());
    view! {
        <svg class="rect-overlay" viewBox=view_box preserveAspectRatio="none" aria-hidden="true">
            {move || {
                shown().map(|r| view! {
                    <rect
                        class="rect-mark"
                        class:dragging=move || measure.dragged.with(Option::is_some)
                        x=r.x
                        y=r.y
                        width=r.width
                        height=r.height
                        vector-effect="non-scaling-stroke"
                    ></rect>
                })
            }}
        </svg>
    }
}
