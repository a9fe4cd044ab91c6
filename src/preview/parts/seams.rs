//! The seam check of the pass on screen: a button, the verdict, the worst tile edges, and the
//! seam map laid over the image.

use leptos::prelude::*;

use crate::preview::controller::{Preview, SeamState};
use crate::preview::seams::{figure, kind_label, SeamCheck, SeamEdge};

/// "Check seams", "Show seams", the verdict and the table of the worst edges.
#[component]
pub fn SeamPanel(preview: Preview) -> impl IntoView {
    // A result belongs to its pass: another pass on screen clears it.
    Effect::new(move |_| {
        let pass = preview.pass.get();
        let stale = preview.seams.with_untracked(|s| match s {
            SeamState::Ready(check) => Some(&check.pass) != pass.as_ref(),
            SeamState::Working(checked) => Some(checked) != pass.as_ref(),
            _ => false,
        });
        if stale {
            preview.clear_seams();
        }
    });
    let can_check = move || {
        preview.live.get()
            && preview.pass.with(Option::is_some)
            && !preview.files_busy()
            && preview
                .plan
                .with(|p| matches!(p, Some(Ok(p)) if p.progress().is_finished() && p.placed().count() > 0))
    };
    let status = move || match preview.seams.get() {
        SeamState::Idle => None,
        SeamState::Working(pass) => {
            Some(view! { <p class="muted">"Comparing the tiles' overscan in " {pass} "…"</p> }.into_any())
        }
        SeamState::Ready(check) => Some(view! { <SeamResult check /> }.into_any()),
        SeamState::Failed(reason) => {
            Some(view! { <p role="alert" class="field-error">"Seam check failed: " {reason}</p> }.into_any())
        }
    };
    view! {
        <div class="seam-check">
            <div class="toolbar">
                <button type="button" disabled=move || !can_check() on:click=move |_| preview.check_seams()>
                    "Check seams"
                </button>
                <input
                    id="preview-show-seams"
                    type="checkbox"
                    prop:checked=move || preview.show_seams.get()
                    on:change:target=move |ev| preview.show_seams.set(ev.target().checked())
                />
                <label for="preview-show-seams">"Show seams"</label>
            </div>
            <div aria-live="polite">{status}</div>
        </div>
    }
}

/// The verdict and the worst edges of one check.
#[component]
fn SeamResult(
    /// The check to show.
    check: SeamCheck,
) -> impl IntoView {
    let class = if check.is_clean() { "seam-verdict seam-clean" } else { "seam-verdict seam-found" };
    let edges = check.worst().to_vec();
    view! {
        <p class=class data-pass=check.pass.clone()>{check.verdict()}</p>
        <table class="data-table seam-edges">
            <caption>"Worst tile edges"</caption>
            <thead>
                <tr>
                    <th scope="col">"Tiles"</th>
                    <th scope="col">"Edge"</th>
                    <th scope="col">"Max difference"</th>
                    <th scope="col">"Mean difference"</th>
                    <th scope="col">"Channel"</th>
                </tr>
            </thead>
            <tbody>{edges.into_iter().map(|edge| view! { <EdgeLine edge /> }).collect_view()}</tbody>
        </table>
    }
}

/// One edge's line.
#[component]
fn EdgeLine(
    /// The edge.
    edge: SeamEdge,
) -> impl IntoView {
    view! {
        <tr>
            <td class="mono">{format!("{} / {}", edge.a, edge.b)}</td>
            <td>{kind_label(edge.kind)}</td>
            <td class="num">{figure(edge.max_abs)}</td>
            <td class="num">{figure(edge.mean_abs)}</td>
            <td class="mono">{edge.channel}</td>
        </tr>
    }
}

/// The seam map over the image: fills its parent, which holds the image canvas.
#[component]
pub fn SeamOverlay(preview: Preview) -> impl IntoView {
    let shown = move || preview.show_seams.get() && preview.seams.with(|s| matches!(s, SeamState::Ready(_)));
    view! {
        <canvas
            class="seam-overlay"
            class:hidden=move || !shown()
            node_ref=preview.seam_canvas
            aria-label="Seam map"
        ></canvas>
    }
}
