//! The image size and overscan: inferred from the file names unless typed.

use leptos::prelude::*;

use crate::preview::controller::Preview;

/// Width, height and overscan fields, and a button to merge again with them.
#[component]
pub fn LayoutFields(preview: Preview) -> impl IntoView {
    let inferred = move || {
        preview.plan.with(|plan| match plan {
            Some(Ok(plan)) if plan.inferred => Some(plan.grid.image),
            _ => None,
        })
    };
    let width_hint = move || inferred().map(|s| s.width.to_string()).unwrap_or_default();
    let height_hint = move || inferred().map(|s| s.height.to_string()).unwrap_or_default();
    view! {
        <fieldset class="preview-layout">
            <legend>"Layout"</legend>
            <p class="muted">
                "The image size comes from the file names; give it when the last row or column is missing."
            </p>
            <PixelField id="preview-width" label="Image width (px)" min=1 hint=Signal::derive(width_hint) value=preview.width />
            <PixelField id="preview-height" label="Image height (px)" min=1 hint=Signal::derive(height_hint) value=preview.height />
            <PixelField id="preview-overscan" label="Overscan (px)" min=0 hint=Signal::derive(String::new) value=preview.overscan />
            <super::levels::LevelsChoice preview />
            <button
                type="button"
                disabled=move || preview.files.with(Vec::is_empty)
                on:click=move |_| preview.start()
            >
                "Merge again"
            </button>
        </fieldset>
    }
}

/// A labelled whole-number field bound to a text signal (typed text is kept as it is, checked later).
#[component]
fn PixelField(
    /// The input's id, for its label.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The smallest value the browser offers.
    min: u32,
    /// Shown while the field is empty (e.g. the inferred size).
    hint: Signal<String>,
    /// The field's text.
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input
            id=id
            type="number"
            min=min.to_string()
            placeholder=hint
            prop:value=move || value.get()
            on:input:target=move |ev| value.set(ev.target().value())
        />
    }
}
