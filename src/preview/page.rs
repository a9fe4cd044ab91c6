//! `/preview`: pick a single-image job's tiles, see them merged, export the EXR.

use leptos::prelude::*;

use super::controller::Preview;
use super::parts::{FilePicker, FolderUrl, InspectorSection, LayoutFields, MergeView};

/// The standalone merge preview.
#[component]
pub fn PreviewPage() -> impl IntoView {
    let preview = Preview::new();
    preview.warm_up();
    let plan_error =
        move || preview.plan.with(|p| p.as_ref().and_then(|p| p.as_ref().err()).map(ToString::to_string));
    let problem = move || preview.problem.get().or_else(plan_error);
    let source = move || {
        view! {
            // Folded once tiles are picked, so the panels about the image come first.
            <InspectorSection title="Tile files" class="source-section" open=Signal::derive(move || preview.files.with(Vec::is_empty))>
                <FilePicker preview />
                <FolderUrl preview />
                <LayoutFields preview />
            </InspectorSection>
        }
    };
    view! {
        <section class="page preview-page">
            <header class="preview-head">
                <h1>"Merge preview"</h1>
                <p class="muted">"Stitch a single-image job's EXR tiles in the browser; nothing is uploaded."</p>
            </header>
            {move || problem().map(|p| view! { <p role="alert" class="notice">{p}</p> })}
            <MergeView preview source=source />
        </section>
    }
}
