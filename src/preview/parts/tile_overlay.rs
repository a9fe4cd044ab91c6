//! Drawn over the image, in image pixels: every tile of the grid with its name and state (a tile
//! not placed is an empty checkerboard), and the probed pixel.

use leptos::prelude::*;

use crate::preview::controller::{Preview, Viewing};
use crate::preview::view::TileCell;

/// The tile grid; pointing at a tile shows its name, state and reason.
#[component]
pub fn TileOverlay(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    let cells = move || {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => TileCell::of_plan(plan),
            _ => Vec::new(),
        })
    };
    let view_box = move || preview.image_view_box();
    view! {
        <svg class="tile-overlay" viewBox=view_box preserveAspectRatio="none" role="group" aria-label="Tile grid">
            <defs>
                <pattern id="tile-checker" width="8" height="8" patternUnits="userSpaceOnUse">
                    <rect class="checker-dark" width="8" height="8"></rect>
                    <rect class="checker-light" width="4" height="4"></rect>
                    <rect class="checker-light" x="4" y="4" width="4" height="4"></rect>
                </pattern>
            </defs>
            <For
                each=cells
                key=|cell| (cell.name.clone(), cell.status.clone())
                children=move |cell| view! { <TileShape cell viewing /> }
            />
        </svg>
    }
}

/// One tile: outline, name, and a `<title>` that is both its tooltip and its accessible name.
#[component]
fn TileShape(
    /// The tile and its state.
    cell: TileCell,
    /// Where the hovered tile's description goes.
    viewing: Viewing,
) -> impl IntoView {
    let description = cell.description();
    let hover = description.clone();
    let label = cell.status.label();
    let r = cell.rect;
    let font = cell.font_size();
    let fill = if cell.is_placed() { "none" } else { "url(#tile-checker)" };
    view! {
        <g
            role="img"
            class=format!("tile-cell tile-{label}")
            data-tile=cell.name.clone()
            data-state=label
            on:pointerenter=move |_| viewing.hovered.set(Some(hover.clone()))
            on:pointerleave=move |_| viewing.hovered.set(None)
        >
            <title>{description}</title>
            <rect class="tile-fill" x=r.x y=r.y width=r.width height=r.height fill=fill></rect>
            <rect
                class="tile-outline"
                x=r.x
                y=r.y
                width=r.width
                height=r.height
                vector-effect="non-scaling-stroke"
            ></rect>
            <text class="tile-name" x=f64::from(r.x) + font * 0.3 y=f64::from(r.y) + font * 1.2 font-size=font>
                {cell.name.clone()}
            </text>
            <text class="tile-state" x=f64::from(r.x) + font * 0.3 y=f64::from(r.y) + font * 2.4 font-size=font>
                {label}
            </text>
        </g>
    }
}

/// A square around the probed pixel.
#[component]
pub fn ProbeMark(preview: Preview) -> impl IntoView {
    let viewing = preview.viewing;
    let view_box = move || preview.image_view_box();
    view! {
        <svg class="probe-overlay" viewBox=view_box preserveAspectRatio="none" aria-hidden="true">
            {move || {
                viewing.probe.get().map(|(x, y)| view! {
                    <rect
                        class="probe-mark"
                        class:pinned=move || viewing.pinned.get()
                        x=x
                        y=y
                        width="1"
                        height="1"
                        vector-effect="non-scaling-stroke"
                    ></rect>
                })
            }}
        </svg>
    }
}
