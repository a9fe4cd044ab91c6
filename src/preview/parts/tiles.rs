//! Every tile's state: placed, missing, failed with why, unused or cancelled.

use leptos::prelude::*;

use super::section::InspectorSection;
use crate::preview::controller::Preview;
use crate::preview::model::TileRow;

/// The list of tiles and files, folded away under its counts by state (the image's tile grid
/// shows the same states where they are).
#[component]
pub fn TileList(preview: Preview) -> impl IntoView {
    let rows = move || {
        preview.plan.with(|plan| match plan {
            Some(Ok(plan)) => plan.rows.clone(),
            _ => Vec::new(),
        })
    };
    let summary = move || {
        preview.plan.with(|plan| match plan {
            Some(Ok(plan)) => plan.state_summary(),
            _ => String::new(),
        })
    };
    view! {
        <InspectorSection title="Tiles" open=false class="tile-section" summary=Signal::derive(summary)>
            <TileTable rows=Signal::derive(rows) />
        </InspectorSection>
    }
}

/// Every row with its state and reason.
#[component]
fn TileTable(
    /// The plan's rows.
    rows: Signal<Vec<TileRow>>,
) -> impl IntoView {
    view! {
        <table class="data-table tile-list">
            <caption class="visually-hidden">"Tiles"</caption>
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Reason"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=|row| (row.name.clone(), row.status.clone()) children=|row| view! { <TileLine row /> } />
            </tbody>
        </table>
    }
}

/// One tile's line.
#[component]
fn TileLine(row: TileRow) -> impl IntoView {
    let label = row.status.label();
    view! {
        <tr class=format!("tile-{label}") data-tile=row.name.clone() data-state=label>
            <td class="mono">{row.name.clone()}</td>
            <td>{label}</td>
            <td>{row.status.reason().map(str::to_string)}</td>
        </tr>
    }
}
