//! `/last-rendered`: the farm's newest render filling the screen, with the job it came from,
//! replaced live (the new image loads behind the shown one, so nothing flashes).

use std::time::Duration;

use flamenco_api::SubscriptionType;
use leptos::prelude::*;
use leptos_router::components::A;

use super::model::{Render, Swap};
use crate::jobs::use_jobs;
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
use crate::ui::time::{relative, use_now};

/// Where the page stands before any image is shown.
#[derive(Clone, Debug, PartialEq)]
enum Loading {
    Waiting,
    NothingYet,
    Failed(String),
    Done,
}

/// The page.
#[component]
pub fn LastRenderedPage() -> impl IntoView {
    let client = use_manager().client;
    let base = client.base_url().to_owned();
    let live = use_live();
    let swap = RwSignal::new(Swap::<Render>::default());
    let loading = RwSignal::new(Loading::Waiting);
    let version = StoredValue::new(0_u32);
    let next_version = move || {
        version.try_update_value(|v| {
            *v += 1;
            *v
        })
    };
    use_subscription(SubscriptionType::AllLastRendered, || None);
    {
        let base = base.clone();
        use_live_event(move |event| {
            if let LiveEvent::LastRendered(update) = event {
                let version = next_version().unwrap_or_default();
                let at = Some(js_sys::Date::now());
                if let Some(render) =
                    Render::of(&update.thumbnail, Some(update.job_id.clone()), &base, version, at)
                {
                    swap.update(|swap| swap.offer(render));
                    loading.set(Loading::Done);
                }
            }
        });
    }
    // Events sent while disconnected are lost: ask again on every (re)connection.
    Effect::new(move |_| {
        live.epoch().track();
        let client = client.clone();
        let base = base.clone();
        leptos::task::spawn_local(async move {
            let fetched = client.fetch_global_last_rendered().await;
            let version = next_version().unwrap_or_default();
            match fetched {
                Ok(Some(info)) => match Render::of(&info, None, &base, version, None) {
                    Some(render) => {
                        swap.try_update(|swap| swap.offer(render));
                        loading.try_set(Loading::Done);
                    }
                    None => _ = loading.try_set(Loading::NothingYet),
                },
                Ok(None) if swap.with_untracked(|s| s.shown.is_none() && s.pending.is_none()) => {
                    loading.try_set(Loading::NothingYet);
                }
                Ok(None) => {}
                Err(failure) => _ = loading.try_set(Loading::Failed(failure.to_string())),
            }
        });
    });
    view! {
        <section class="page last-rendered-page">
            <header class="last-rendered-head">
                <h1>"Last rendered"</h1>
                <RenderCaption swap />
            </header>
            {move || match loading.get() {
                Loading::Waiting => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Loading::NothingYet => view! { <p class="muted empty-render">"Nothing has been rendered yet. The newest render shows here as soon as a worker finishes one."</p> }.into_any(),
                Loading::Failed(message) => view! { <p role="alert" class="field-error">{format!("The last-rendered image is unavailable: {message}")}</p> }.into_any(),
                Loading::Done => ().into_any(),
            }}
            <RenderImage swap />
        </section>
    }
}

/// Which job the shown render came from (linked) and when it arrived.
#[component]
fn RenderCaption(swap: RwSignal<Swap<Render>>) -> impl IntoView {
    let jobs = use_jobs();
    let now = use_now(Duration::from_secs(1));
    let shown = Memo::new(move |_| swap.with(|s| s.shown.as_ref().map(|r| (r.job_id.clone(), r.at_ms))));
    let failed = move || swap.with(|s| s.failed);
    move || {
        shown.get().map(|(job_id, at_ms)| {
            let job = job_id.map(|id| {
                let name = jobs.table.with(|t| t.get(&id).map(|job| job.name.clone())).unwrap_or_else(|| format!("job {id}"));
                view! { <A href=format!("/jobs/{id}")>{name}</A> }
            });
            let when = match at_ms {
                Some(at) => format!("rendered {}", relative(at, now.get())),
                None => "rendered before this page was opened".to_owned(),
            };
            view! {
                <p class="render-caption">
                    "From "{job}" · "<span class="render-time">{when}</span>
                    {move || failed().then(|| view! { <span class="field-error">" · the newest image could not be loaded"</span> })}
                </p>
            }
        })
    }
}

/// The shown image, and the next one loading invisibly behind it with the same `sizes`, so the
/// browser picks the same file for both and the swap shows it from the cache.
#[component]
fn RenderImage(swap: RwSignal<Swap<Render>>) -> impl IntoView {
    let shown = Memo::new(move |_| swap.with(|s| s.shown.clone()));
    let pending = Memo::new(move |_| swap.with(|s| s.pending.clone()));
    view! {
        <figure class="last-rendered-figure">
            // One element whose sources change: replacing the element could blank it for a frame.
            <img class="last-rendered-image" sizes="100vw" alt="The farm's last rendered image"
                hidden=move || shown.with(Option::is_none)
                srcset=move || shown.with(|r| r.as_ref().map(|r| r.srcset.clone()))
                src=move || shown.with(|r| r.as_ref().map(|r| r.src.clone())) />
            {move || pending.get().map(|render| view! {
                <img class="last-rendered-preload" aria-hidden="true" alt="" sizes="100vw" srcset=render.srcset src=render.src
                    on:load=move |_| swap.update(Swap::loaded)
                    on:error=move |_| swap.update(Swap::failed) />
            })}
        </figure>
    }
}
