//! Export of the merged multilayer EXR as a download.

use leptos::prelude::*;

use crate::preview::controller::{ExportState, Preview};
use crate::preview::model::{
    export_compression, export_layout, export_layout_value, EXPORT_COMPRESSIONS, EXPORT_LAYOUTS,
};

/// The layout choice, the Export button and the download link.
#[component]
pub fn ExportPanel(preview: Preview) -> impl IntoView {
    let can_export = move || {
        preview.live.get()
            && !preview.files_busy()
            && preview
                .plan
                .with(|p| matches!(p, Some(Ok(p)) if p.progress().is_finished() && p.placed().count() > 0))
    };
    let status = move || match preview.export.get() {
        ExportState::Idle => None,
        ExportState::Working => Some(view! { <p class="muted">"Writing the EXR…"</p> }.into_any()),
        ExportState::Ready(url) => Some(
            view! {
                <a class="export-link" href=url.clone() download="merged.exr" data-export-url=url>
                    "Download merged.exr"
                </a>
            }
            .into_any(),
        ),
        ExportState::Failed(reason) => {
            Some(view! { <p role="alert" class="field-error">"Export failed: " {reason}</p> }.into_any())
        }
    };
    view! {
        <div class="toolbar preview-export">
            <label for="preview-export-layout">"EXR layout"</label>
            <select
                id="preview-export-layout"
                prop:value=move || export_layout_value(preview.layout.get())
                on:change:target=move |ev| {
                    if let Some(layout) = export_layout(&ev.target().value()) {
                        preview.layout.set(layout);
                    }
                }
            >
                {EXPORT_LAYOUTS.map(|(_, value, label)| view! { <option value=value>{label}</option> })}
            </select>
            <label for="preview-export-compression">"EXR compression"</label>
            <select
                id="preview-export-compression"
                prop:value=move || preview.compression.get().name()
                on:change:target=move |ev| {
                    if let Some(compression) = export_compression(&ev.target().value()) {
                        preview.compression.set(compression);
                    }
                }
            >
                {EXPORT_COMPRESSIONS.map(|(c, label)| view! { <option value=c.name()>{label}</option> })}
            </select>
            <button type="button" disabled=move || !can_export() on:click=move |_| preview.export()>
                "Export EXR"
            </button>
            <span aria-live="polite">{status}</span>
        </div>
    }
}
