//! The pixel probe: the values under the pointer (or at the pixel typed, clicked or moved to with
//! the arrow keys) and the tile they came from.

use leptos::prelude::*;
use tilemerge::Size;

use super::section::InspectorSection;
use crate::preview::controller::{Preview, ProbeShown};

/// One of the probe's two coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Axis {
    X,
    Y,
}

impl Axis {
    fn as_str(self) -> &'static str {
        match self {
            Axis::X => "x",
            Axis::Y => "y",
        }
    }

    /// This axis of a pixel position.
    fn of(self, (x, y): (u32, u32)) -> u32 {
        match self {
            Axis::X => x,
            Axis::Y => y,
        }
    }

    /// The pixel position with this axis set to `value`.
    fn with(self, (x, y): (u32, u32), value: u32) -> (u32, u32) {
        match self {
            Axis::X => (value, y),
            Axis::Y => (x, value),
        }
    }

    /// The image's extent along this axis.
    fn extent(self, image: Size) -> u32 {
        match self {
            Axis::X => image.width,
            Axis::Y => image.height,
        }
    }
}

/// A labelled field for one coordinate of the probe ("Probe x", "Probe y").
#[component]
fn CoordinateField(
    /// The merge whose probe it moves.
    preview: Preview,
    /// Which coordinate.
    axis: Axis,
) -> impl IntoView {
    let viewing = preview.viewing;
    let id = format!("probe-{}", axis.as_str());
    let last = move || {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => axis.extent(plan.grid.image).saturating_sub(1).to_string(),
            _ => String::new(),
        })
    };
    let value = move || viewing.probe.get().map(|p| axis.of(p).to_string()).unwrap_or_default();
    let set = move |value: u32| {
        let (x, y) = axis.with(viewing.probe.get_untracked().unwrap_or((0, 0)), value);
        preview.probe_at(x, y, true);
    };
    view! {
        <label for=id.clone()>{format!("Probe {}", axis.as_str())}</label>
        <input
            id=id
            type="number"
            min="0"
            max=last
            prop:value=value
            on:input:target=move |ev| {
                if let Ok(value) = ev.target().value().trim().parse() {
                    set(value);
                }
            }
        />
    }
}

/// The probe's position fields and what it reads.
#[component]
pub fn ProbePanel(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    view! {
        <InspectorSection title="Pixel probe" class="probe-panel">
            <div class="probe-fields">
                <CoordinateField preview axis=Axis::X />
                <CoordinateField preview axis=Axis::Y />
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
        </InspectorSection>
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
