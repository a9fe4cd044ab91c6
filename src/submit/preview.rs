//! For single-image job types: the tile grid the settings give, its cost, and known problems.

use leptos::prelude::*;

use super::form::FormContext;
use super::tiles::{warnings, TilePlan, KEYS};

/// Facts about a plan, in words.
fn describe(plan: &TilePlan) -> Vec<(&'static str, String)> {
    vec![
        (
            "Image",
            match plan.scale {
                100 => format!("{} × {} px", plan.width, plan.height),
                scale => format!("{} × {} px (render scale {scale} %)", plan.width, plan.height),
            },
        ),
        (
            "Tiles",
            format!(
                "{} ({} columns × {} rows of {} × {} px)",
                plan.tile_count(),
                plan.columns(),
                plan.rows(),
                plan.tile_width,
                plan.tile_height
            ),
        ),
        (
            "Overscan cost",
            format!(
                "{:.1} % more pixels rendered ({} px around each tile)",
                plan.overscan_share() * 100.0,
                plan.overscan
            ),
        ),
    ]
}

#[component]
pub fn TilePreview(context: FormContext) -> impl IntoView {
    let applies = Memo::new(move |_| {
        context.job_type.with(|job_type| {
            KEYS.iter().all(|key| job_type.settings.iter().any(|setting| setting.key == *key))
        })
    });
    let plan = Memo::new(move |_| context.form.with(TilePlan::from_form));
    let warnings = Memo::new(move |_| {
        let name = context.job_type.with(|job_type| job_type.name.clone());
        context.form.with(|form| plan.with(|plan| warnings(&name, form, plan.as_ref())))
    });
    let body = move || match plan.get() {
        Some(plan) => {
            let facts = describe(&plan)
                .into_iter()
                .map(|(term, text)| view! { <dt>{term}</dt><dd>{text}</dd> })
                .collect_view();
            view! { <dl class="facts">{facts}</dl><TileGrid plan /> }.into_any()
        }
        None => view! { <p class="muted">"Fill in the resolution and tile sizes to see the tiles."</p> }
            .into_any(),
    };
    let warning_list = move || {
        warnings
            .get()
            .into_iter()
            .map(|text| view! { <p class="notice warning" role="note">{text}</p> })
            .collect_view()
    };
    move || {
        applies.get().then(|| {
            view! {
                <section class="form-section tile-preview" aria-label="Tile preview">
                    <h3>"What these settings give"</h3>
                    {body}
                    {warning_list}
                </section>
            }
        })
    }
}

/// The grid drawn over the image; Blender counts y from the bottom, so the last, shorter row is at the
/// top, and rows cut short by the portrait problem are marked.
#[component]
fn TileGrid(plan: TilePlan) -> impl IntoView {
    let (width, height) = (plan.width, plan.height);
    let Some((xs, ys)) = plan.inner_edges() else {
        return view! { <p class="muted">"Too many tiles to draw."</p> }.into_any();
    };
    let cut = plan.cut_from().map(|from| {
        let top = height - from;
        view! { <rect class="cut" x="0" y="0" width=width height=top /> }
    });
    let columns = xs.into_iter().map(|x| view! { <line x1=x y1="0" x2=x y2=height /> }).collect_view();
    let rows =
        ys.into_iter().map(|y| view! { <line x1="0" y1=height - y x2=width y2=height - y /> }).collect_view();
    view! {
        <svg class="tile-grid" viewBox=format!("0 0 {width} {height}") preserveAspectRatio="xMidYMid meet" role="img"
            aria-label=format!("{} tiles over the image", plan.tile_count())>
            <rect class="image" x="0" y="0" width=width height=height />
            {cut}
            <g class="edges">{columns}{rows}</g>
        </svg>
    }
    .into_any()
}
