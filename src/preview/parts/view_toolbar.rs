//! What is shown (pass, channel, exposure or false-colour range) and how large (Fit, 1:1, zoom,
//! tile grid).

use leptos::prelude::*;
use tilemerge::PassKind;

use crate::preview::controller::Preview;
use crate::preview::view::{format_value, Channel};

/// Pass, channel and exposure; for data passes, the range the false colour spans instead.
#[component]
pub fn ViewToolbar(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    let passes = move || preview.passes.get().0;
    let is_data = move || viewing.kind.get() == Some(PassKind::Data);
    let range = move || {
        viewing.range.get().map_or_else(
            || "no values".to_string(),
            |r| format!("{} to {}", format_value(r.min), format_value(r.max)),
        )
    };
    view! {
        <div class="toolbar view-toolbar">
            <label for="preview-pass">"View layer / pass"</label>
            <select
                id="preview-pass"
                disabled=move || preview.passes.with(|p| p.0.is_empty())
                prop:value=move || preview.pass.get().unwrap_or_default()
                on:change:target=move |ev| preview.pass.set(Some(ev.target().value()))
            >
                <For each=passes key=|p| p.clone() let(pass)>
                    <option value=pass.clone()>{pass.clone()}</option>
                </For>
            </select>
            <label for="preview-channel">"Channel"</label>
            <select
                id="preview-channel"
                prop:value=move || viewing.channel.get().as_str()
                on:change:target=move |ev| {
                    if let Some(channel) = Channel::from_word(&ev.target().value()) {
                        viewing.channel.set(channel);
                    }
                }
            >
                {Channel::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> })}
            </select>
            <label for="preview-exposure">"Exposure (stops)"</label>
            <input
                id="preview-exposure"
                type="number"
                step="0.5"
                disabled=is_data
                title=move || is_data().then_some("Data passes are shown in false colour, without exposure")
                prop:value=move || preview.exposure.get().to_string()
                on:change:target=move |ev| {
                    if let Ok(stops) = ev.target().value().parse::<f32>() {
                        preview.exposure.set(stops);
                    }
                }
            />
            <span class="view-mapping" class:hidden=move || !is_data()>
                "False colour: " <span class="mono">{range}</span>
            </span>
        </div>
    }
}

/// Fit, 1:1, the zoom read-out and the tile grid switch.
#[component]
pub fn ZoomBar(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    view! {
        <div class="toolbar zoom-bar">
            <button type="button" class="small" on:click=move |_| preview.fit()>"Fit"</button>
            <button type="button" class="small" on:click=move |_| preview.one_to_one()>"1:1"</button>
            <span class="zoom-readout mono" role="status" aria-label="Zoom">
                {move || viewing.transform.get().percent()}
            </span>
            <label class="check">
                <input
                    type="checkbox"
                    prop:checked=move || viewing.show_grid.get()
                    on:change:target=move |ev| viewing.show_grid.set(ev.target().checked())
                />
                "Tile grid"
            </label>
        </div>
    }
}
