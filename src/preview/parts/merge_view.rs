//! Everything about a merge once its tiles are chosen, the same for both ways in (files or a job).

use leptos::prelude::*;

use super::{ExportPanel, MergeProgress, SeamPanel, TileList, Viewer};
use crate::preview::controller::Preview;

/// Progress, the image, the seam check, the export and the tile list.
#[component]
pub fn MergeView(
    /// The merge to show.
    preview: Preview,
) -> impl IntoView {
    view! {
        <MergeProgress preview />
        <Viewer preview />
        <SeamPanel preview />
        <ExportPanel preview />
        <TileList preview />
    }
}
