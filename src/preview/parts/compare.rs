//! "Compare": the side panel's A/B section. B is a reference EXR the user picks, another pass
//! of the merge or (on a job's preview) another job's merge; the mode says how the two are shown;
//! the figures are the workers' shares merged.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use super::compare_figures::FiguresView;
use super::compare_job::JobFields;
use crate::preview::controller::{CompareMode, CompareSource, DifferenceLook, Preview, ReferenceState};

/// The section: what B is, how it is shown, and the figures.
#[component]
pub fn ComparePanel(preview: Preview) -> impl IntoView {
    let compare = preview.compare;
    let viewing = preview.viewing;
    let finished =
        Memo::new(move |_| preview.plan.with(|p| matches!(p, Some(Ok(p)) if p.progress().is_finished())));
    // Compared again whenever A, B or the settings change (A's mapping too: B is drawn alike).
    Effect::new(move |_| {
        compare.source.track();
        compare.reference.track();
        compare.other_pass.track();
        compare.look.track();
        compare.gain.track();
        compare.threshold.track();
        preview.pass.track();
        preview.exposure.track();
        viewing.channel.track();
        viewing.kind.track();
        viewing.range.track();
        finished.track();
        preview.live.track();
        preview.request_compare();
    });
    view! {
        <details class="inspector-section compare-panel" open>
            <summary>
                <h3>"Compare"</h3>
            </summary>
            <SourceFields preview />
            <JobFields preview />
            <ShowFields preview />
            <div aria-live="polite">{move || view! { <ReferenceLine state=compare.reference.get() /> }}</div>
            <FiguresView preview />
        </details>
    }
}

/// "Compare with", the reference file and B's pass.
#[component]
fn SourceFields(preview: Preview) -> impl IntoView {
    let compare = preview.compare;
    let passes = move || match compare.source.get() {
        CompareSource::Reference => compare.reference.with(|r| match r {
            ReferenceState::Ready { passes, .. } => passes.clone(),
            _ => Vec::new(),
        }),
        CompareSource::Pass | CompareSource::OtherJob => preview.passes.get().0,
        CompareSource::None => Vec::new(),
    };
    // Another job's merge only on a job's preview.
    let sources = move || {
        let job = compare.page_job.with(Option::is_some);
        CompareSource::ALL.into_iter().filter(move |c| job || *c != CompareSource::OtherJob)
    };
    let first = move || match compare.source.get() {
        CompareSource::Pass => "The next pass",
        _ => "Same as A",
    };
    view! {
        <div class="field-row">
            <label for="compare-source">"Compare with"</label>
            <select
                id="compare-source"
                prop:value=move || compare.source.get().as_str()
                on:change:target=move |ev| {
                    if let Some(source) = CompareSource::from_value(&ev.target().value()) {
                        preview.choose_source(source);
                    }
                }
            >
                {move || sources().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
            </select>
        </div>
        <div class="field-row">
            <label for="compare-reference">"Reference EXR"</label>
            <input
                id="compare-reference"
                type="file"
                accept=".exr,image/x-exr"
                on:change:target=move |ev| {
                    let input: HtmlInputElement = ev.target();
                    preview.pick_reference(input.files().and_then(|f| f.get(0)));
                }
            />
        </div>
        <div class="field-row">
            <label for="compare-other-pass">"Pass of B"</label>
            <select
                id="compare-other-pass"
                disabled=move || compare.source.get() == CompareSource::None
                prop:value=move || compare.other_pass.get().unwrap_or_default()
                on:change:target=move |ev| {
                    let value = ev.target().value();
                    compare.other_pass.set((!value.is_empty()).then_some(value));
                }
            >
                <option value="">{first}</option>
                <For each=passes key=|p| p.clone() let(pass)>
                    <option value=pass.clone()>{pass.clone()}</option>
                </For>
            </select>
        </div>
    }
}

/// Mode, difference view, gain, threshold and the toggle.
#[component]
fn ShowFields(preview: Preview) -> impl IntoView {
    let compare = preview.compare;
    // A number typed: kept when it is one, not negative (else the field shows the old one).
    let set = |signal: RwSignal<f32>, typed: String| match typed.parse::<f32>() {
        Ok(v) if v.is_finite() && v >= 0.0 => signal.set(v),
        _ => signal.notify(),
    };
    let showing = move || match (compare.mode.get(), compare.show_b.get()) {
        (CompareMode::Toggle, true) => "Showing B",
        (CompareMode::Toggle, false) => "Showing A",
        (CompareMode::Wipe, _) => "A left of the divider, B right",
        (CompareMode::SideBySide, _) => "A left, B right, zoomed together",
        (CompareMode::Difference, _) => "The difference of A and B",
    };
    view! {
        <div class="field-row">
            <label for="compare-mode">"Mode"</label>
            <select
                id="compare-mode"
                prop:value=move || compare.mode.get().as_str()
                on:change:target=move |ev| {
                    if let Some(mode) = CompareMode::from_value(&ev.target().value()) {
                        compare.mode.set(mode);
                    }
                }
            >
                {CompareMode::ALL.map(|m| view! { <option value=m.as_str()>{m.label()}</option> })}
            </select>
            <button
                type="button"
                aria-pressed=move || (compare.mode.get() == CompareMode::Toggle && compare.show_b.get()).to_string()
                on:click=move |_| preview.toggle_ab()
            >
                "Toggle A/B"
            </button>
        </div>
        <p class="muted compare-showing" aria-live="polite">{showing}</p>
        <div class="field-row">
            <label for="compare-look">"Difference view"</label>
            <select
                id="compare-look"
                prop:value=move || compare.look.get().as_str()
                on:change:target=move |ev| {
                    if let Some(look) = DifferenceLook::from_value(&ev.target().value()) {
                        compare.look.set(look);
                    }
                }
            >
                {DifferenceLook::ALL.map(|l| view! { <option value=l.as_str()>{l.label()}</option> })}
            </select>
        </div>
        <div class="field-row">
            <label for="compare-gain">"Gain"</label>
            <input
                id="compare-gain"
                type="number"
                min="0"
                step="any"
                prop:value=move || compare.gain.get().to_string()
                on:change:target=move |ev| set(compare.gain, ev.target().value())
            />
            <label for="compare-threshold">"Threshold"</label>
            <input
                id="compare-threshold"
                type="number"
                min="0"
                step="any"
                prop:value=move || compare.threshold.get().to_string()
                on:change:target=move |ev| set(compare.threshold, ev.target().value())
            />
        </div>
    }
}

/// Where the reference file is.
#[component]
fn ReferenceLine(state: ReferenceState) -> impl IntoView {
    match state {
        ReferenceState::None => ().into_any(),
        ReferenceState::Loading(name) => {
            view! { <p class="muted">"Sending " {name} " to the workers…"</p> }.into_any()
        }
        ReferenceState::Ready { name, passes } => view! {
            <p class="muted">"Reference " <span class="mono">{name}</span> ": " {passes.len()} " passes"</p>
        }
        .into_any(),
        ReferenceState::Failed(reason) => {
            view! { <p role="alert" class="field-error">{reason}</p> }.into_any()
        }
    }
}
