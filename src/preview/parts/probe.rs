//! The pixel probe: the values under the pointer (or at the pixel typed, clicked or moved to with
//! the arrow keys) and the tile they came from.

use leptos::prelude::*;
use tilemerge::Size;

use crate::preview::controller::{Preview, ProbeShown};

/// The probe's position fields and what it reads.
#[component]
pub fn ProbePanel(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    let coordinate = move |pick: fn((u32, u32)) -> u32| {
        move || viewing.probe.get().map(|p| pick(p).to_string()).unwrap_or_default()
    };
    let last = move |pick: fn(Size) -> u32| {
        move || {
            preview.plan.with(|p| match p {
                Some(Ok(plan)) => pick(plan.grid.image).saturating_sub(1).to_string(),
                _ => String::new(),
            })
        }
    };
    let set = move |x: Option<u32>, y: Option<u32>| {
        let (old_x, old_y) = viewing.probe.get_untracked().unwrap_or((0, 0));
        preview.probe_at(x.unwrap_or(old_x), y.unwrap_or(old_y), true);
    };
    view! {
        <section class="probe-panel" aria-label="Pixel probe">
            <h2 class="probe-title">"Pixel probe"</h2>
            <div class="probe-fields">
                <label for="probe-x">"Probe x"</label>
                <input
                    id="probe-x"
                    type="number"
                    min="0"
                    max=last(|s| s.width)
                    prop:value=coordinate(|p| p.0)
                    on:input:target=move |ev| {
                        if let Ok(x) = ev.target().value().trim().parse() {
                            set(Some(x), None);
                        }
                    }
                />
                <label for="probe-y">"Probe y"</label>
                <input
                    id="probe-y"
                    type="number"
                    min="0"
                    max=last(|s| s.height)
                    prop:value=coordinate(|p| p.1)
                    on:input:target=move |ev| {
                        if let Ok(y) = ev.target().value().trim().parse() {
                            set(None, Some(y));
                        }
                    }
                />
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || viewing.pinned.get()
                        on:change:target=move |ev| viewing.pinned.set(ev.target().checked())
                    />
                    "Pinned"
                </label>
            </div>
            <div aria-live="polite">
                {move || match viewing.shown.get() {
                    None => view! { <p class="muted">"Point at the image, or type a pixel."</p> }.into_any(),
                    Some(shown) => view! { <ProbeValues shown /> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// The pixel, its tile and every channel's value.
#[component]
fn ProbeValues(
    /// The reading to show.
    shown: ProbeShown,
) -> impl IntoView {
    let ProbeShown { x, y, reading } = shown;
    let tile = reading.as_ref().map_or_else(|| "none placed here".to_string(), |r| r.tile_name());
    let rows = reading.map(|r| r.rows()).unwrap_or_default();
    view! {
        <dl class="probe-values">
            <dt>"Pixel"</dt>
            <dd class="mono">{format!("{x}, {y}")}</dd>
            <dt>"Tile"</dt>
            <dd class="mono">{tile}</dd>
            {rows
                .into_iter()
                .map(|(component, value)| view! {
                    <dt>{component}</dt>
                    <dd class="mono">{value}</dd>
                })
                .collect_view()}
        </dl>
    }
}
