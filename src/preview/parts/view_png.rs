//! A PNG of the view: exactly the canvas' pixels (pass, channel, exposure or false colour) at
//! image resolution, whatever the zoom.

use leptos::prelude::*;

use super::export::{link_text, started_text};
use crate::preview::controller::{png_file_name, ExportState, Preview};

/// The Export PNG button and the download link.
#[component]
pub fn ViewPng(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    let can_export = move || {
        preview.live.get()
            && viewing.png.with(|e| *e != ExportState::Working)
            && preview
                .plan
                .with(|p| matches!(p, Some(Ok(p)) if p.progress().is_finished() && p.placed().count() > 0))
    };
    let file_name = move || png_file_name(preview.pass.get().as_deref());
    let status = move || match viewing.png.get() {
        ExportState::Idle => None,
        ExportState::Working => Some(view! { <span class="muted">"Making the PNG…"</span> }.into_any()),
        ExportState::Ready { url, started } => Some(
            view! {
                <span class="muted">{move || started_text(started, &file_name())}</span>
                <a class="export-link" href=url.clone() download=file_name data-png-url=url>
                    {move || link_text(started, &file_name())}
                </a>
            }
            .into_any(),
        ),
        ExportState::Failed(reason) => {
            Some(view! { <span role="alert" class="field-error">"PNG failed: " {reason}</span> }.into_any())
        }
    };
    view! {
        <div class="toolbar view-png">
            <button type="button" disabled=move || !can_export() on:click=move |_| preview.export_view_png()>
                "Export PNG of view"
            </button>
            <span aria-live="polite">{status}</span>
        </div>
    }
}
