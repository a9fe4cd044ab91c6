//! A frame previewed in levels: the detail canvas over the image, what the levels mean for the
//! user, and the choice to preview in levels when the frame would fit whole.

use leptos::prelude::*;
use tilemerge::pyramid::level_size;

use crate::preview::controller::Preview;

/// The canvas the detail of a zoomed-in view is drawn on, laid over the image where its region
/// lies (in image pixels, inside the zoomed stack); hidden while there is no detail.
#[component]
pub fn DetailLayer(
    /// The preview whose detail is drawn.
    preview: Preview,
) -> impl IntoView {
    let levels = preview.levels;
    let region = move || levels.shown.get().map(|d| d.region);
    let px = move |pick: fn(&tilemerge::Rect) -> u32| move || region().map(|r| format!("{}px", pick(&r)));
    view! {
        <canvas
            class="preview-detail"
            node_ref=levels.canvas
            aria-hidden="true"
            hidden=move || region().is_none()
            style:left=px(|r| r.x)
            style:top=px(|r| r.y)
            style:width=px(|r| r.width)
            style:height=px(|r| r.height)
            data-detail-level=move || levels.shown.get().map(|d| d.level.to_string())
            data-detail-ms=move || levels.detail_ms.get().map(|ms| format!("{ms:.0}"))
            data-worker-peak-bytes=move || levels.peak_bytes.get().map(|b| format!("{b:.0}"))
        ></canvas>
    }
}

/// What a levels preview shows and does not do, while the frame on screen is held so.
#[component]
pub fn LevelsNote(
    /// The preview, held as levels or not.
    preview: Preview,
) -> impl IntoView {
    let text = move || {
        let base = preview.levels.base.get()?;
        let image = preview.plan.with(|p| p.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.grid.image))?;
        let held = level_size(image, base);
        Some(format!(
            "Previewed in levels: the whole {}x{} frame is held at {}x{} and tiles are decoded at full size \
             where you zoom in; the probe reads full-size values, Export writes the file a band at a time \
             through the browser's storage, and the seam check reads the tiles a band at a time (its \
             table, without a map). Comparisons and histograms need the whole frame: use the tilemerge \
             command line for those.",
            image.width, image.height, held.width, held.height
        ))
    };
    move || text().map(|text| view! { <p class="levels-note muted" role="status">{text}</p> })
}

/// The choice to preview in levels even when the frame would fit whole (a phone, a quick look);
/// changing it merges the picked files again.
#[component]
pub fn LevelsChoice(
    /// The preview the choice applies to.
    preview: Preview,
) -> impl IntoView {
    let preferred = preview.levels.preferred;
    view! {
        <label class="check">
            <input
                type="checkbox"
                prop:checked=move || preferred.get()
                on:change:target=move |ev| {
                    preferred.set(ev.target().checked());
                    if !preview.files.with_untracked(Vec::is_empty) {
                        preview.start();
                    }
                }
            />
            "Preview in levels"
        </label>
        <p class="muted">
            "Holds the frame reduced and decodes tiles at full size only where you zoom in. Frames too large to hold whole are always previewed so."
        </p>
    }
}
