//! The comparison's figures: per channel and for all channels the largest and mean absolute
//! difference, RMSE, PSNR and the pixels over the threshold; then the tiles that differ most,
//! each a button that moves the probe to it.

use leptos::prelude::*;
use tilemerge::analysis::{ChannelDifference, Comparison, TileRank};

use crate::preview::controller::{decibels, figure, Figures, Preview};

/// How many of the worst tiles are listed.
const WORST_TILES: usize = 5;

/// The figures, or why there are none.
#[component]
pub fn FiguresView(preview: Preview) -> impl IntoView {
    let figures = preview.compare.figures;
    let body = move || match figures.get() {
        Figures::Idle => view! { <p class="muted">"Pick B to compare the merge with."</p> }.into_any(),
        Figures::Working => view! { <p class="muted">"Comparing…"</p> }.into_any(),
        Figures::Failed(reason) => {
            view! { <p role="alert" class="field-error">"Cannot compare: " {reason}</p> }.into_any()
        }
        Figures::Ready { a, b, comparison } => view! {
            <FigureTable a b comparison=comparison.clone() />
            <WorstTiles preview comparison />
        }
        .into_any(),
    };
    view! { <div class="compare-figures-box" aria-live="polite">{body}</div> }
}

/// One row per channel and one for all of them.
#[component]
fn FigureTable(
    /// A's pass.
    a: String,
    /// B, in words.
    b: String,
    /// The merged figures.
    comparison: Comparison,
) -> impl IntoView {
    let row = |d: ChannelDifference| {
        let channel = d.component.clone();
        view! {
            <tr data-channel=channel>
                <th scope="row">{d.component}</th>
                <td class="num">{figure(d.max_abs)}</td>
                <td class="num">{figure(d.mean_abs)}</td>
                <td class="num">{figure(d.rmse)}</td>
                <td class="num">{decibels(d.psnr)}</td>
                <td class="num">{d.over_threshold}</td>
            </tr>
        }
    };
    let threshold = figure(f64::from(comparison.options.threshold));
    let rows = comparison.channels.into_iter().chain([comparison.overall]).map(row).collect_view();
    view! {
        <table class="data-table compare-figures" data-pass=a.clone()>
            <caption>{format!("A: {a} against B: {b}")}</caption>
            <thead>
                <tr>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Max abs"</th>
                    <th scope="col">"Mean abs"</th>
                    <th scope="col">"RMSE"</th>
                    <th scope="col">"PSNR"</th>
                    <th scope="col">{format!("Pixels over {threshold}")}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The tiles differing most, largest difference first; a click moves the probe to one.
#[component]
fn WorstTiles(
    /// The page's state.
    preview: Preview,
    /// The merged figures.
    comparison: Comparison,
) -> impl IntoView {
    let worst = comparison.worst_tiles(TileRank::Max, WORST_TILES);
    if worst.is_empty() {
        return view! { <p class="muted">"No tile differs."</p> }.into_any();
    }
    let items = worst
        .into_iter()
        .map(|t| {
            let (x, y) = (t.rect.x + t.rect.width / 2, t.rect.y + t.rect.height / 2);
            let label =
                format!("{}: max {}, mean {}", t.tile.file_name(), figure(t.max_abs), figure(t.mean_abs));
            view! {
                <li>
                    <button type="button" class="small" on:click=move |_| preview.probe_at(x, y, true)>
                        {label}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <h4 class="compare-worst-heading">"Tiles that differ most"</h4>
        <ol class="compare-worst">{items}</ol>
    }
    .into_any()
}
