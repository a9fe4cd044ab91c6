//! Export of the merged multilayer EXR as a download.

use leptos::prelude::*;

use crate::preview::controller::{ExportState, Preview, EXR_FILE_NAME};
use crate::preview::model::{
    export_compression, export_layout, export_layout_value, EXPORT_COMPRESSIONS, EXPORT_LAYOUTS,
};

/// What the export line says once the file is ready: the download started with the click, and the
/// link saves it again (or, when the browser did not start it, is the way to it).
pub fn started_text(started: bool, file_name: &str) -> String {
    if started {
        format!("Saving {file_name} · ")
    } else {
        String::new()
    }
}

/// The download link's name.
pub fn link_text(started: bool, file_name: &str) -> String {
    if started {
        "Download again".to_owned()
    } else {
        format!("Download {file_name}")
    }
}

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
        ExportState::Working => {
            let progress = move || match preview.levels.export_progress.get() {
                Some((placed, total)) => format!("Writing the EXR… {placed} of {total} tiles merged"),
                None => "Writing the EXR…".to_string(),
            };
            Some(view! { <p class="muted">{progress}</p> }.into_any())
        }
        ExportState::Ready { url, started } => Some(
            view! {
                <span class="muted">{started_text(started, EXR_FILE_NAME)}</span>
                <a class="export-link" href=url.clone() download=EXR_FILE_NAME data-export-url=url>
                    {link_text(started, EXR_FILE_NAME)}
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
