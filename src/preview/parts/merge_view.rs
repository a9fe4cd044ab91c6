//! Everything about a merge once its tiles are chosen, the same for both ways in (files or a
//! job): the image takes the room, the panels sit beside it (below it on a phone).

use leptos::prelude::*;

use super::compare::ComparePanel;
use super::histogram::HistogramPanel;
use super::metadata::MetadataPanel;
use super::probe::ProbePanel;
use super::rect_stats::RectPanel;
use super::render_time::RenderTimePanel;
use super::section::InspectorSection;
use super::view_png::ViewPng;
use super::{ExportPanel, MergeProgress, SeamPanel, TileList, Viewer};
use crate::preview::controller::Preview;

/// Progress, the image, and the side panel: what the page puts first (the files to merge on
/// `/preview`), the probe, the A/B comparison, the measurements, the exports, the seam check, the metadata and the
/// folded tile list.
#[component]
pub fn MergeView(
    /// The merge to show.
    preview: Preview,
    /// The side panel's first section, if the page has one.
    #[prop(optional, into)]
    source: Option<ViewFn>,
) -> impl IntoView {
    view! {
        <MergeProgress preview />
        <div class="preview-body">
            <Viewer preview />
            <aside class="preview-side" aria-label="Inspector">
                {source.map(|source| source.run())}
                <ProbePanel preview />
                <ComparePanel preview />
                <HistogramPanel preview />
                <RectPanel preview />
                <RenderTimePanel preview />
                <InspectorSection title="Export" class="export-section">
                    <ExportPanel preview />
                    <ViewPng preview />
                </InspectorSection>
                <InspectorSection title="Seam check" class="seam-section">
                    <SeamPanel preview />
                </InspectorSection>
                <MetadataPanel preview />
                <TileList preview />
            </aside>
        </div>
    }
}
