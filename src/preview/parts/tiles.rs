//! Every tile's state: placed, missing, failed with why, unused or cancelled.

use leptos::prelude::*;

use crate::preview::controller::Preview;
use crate::preview::model::TileRow;

/// The list of tiles and files.
#[component]
pub fn TileList(preview: Preview) -> impl IntoView {
    let rows = move || {
        preview.plan.with(|plan| match plan {
            Some(Ok(plan)) => plan.rows.clone(),
            _ => Vec::new(),
        })
    };
    view! {
        <table class="data-table tile-list">
            <caption>"Tiles"</caption>
            <thead>
                <tr>
                    <th scope="col">"File"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Reason"</th>
                </tr>
            </thead>
            <tbody>
                <For each=rows key=|row| (row.name.clone(), row.status.clone()) children=|row| view! { <TileLine row /> } />
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
