//! The job's last-rendered image, replaced live as renders finish, in the size that fits the pane.

use flamenco_api::{JobLastRenderedImageInfo, SubscriptionType};
use leptos::prelude::*;

use crate::api::ApiFailure;
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;
use crate::ui::image_sources::ImageSources;

/// The image of the job `job_id`: fetched once, then taken from `/last-rendered` events, which carry
/// where it is.
#[component]
pub fn LastRendered(job_id: String) -> impl IntoView {
    let client = use_manager().client;
    let live = use_live();
    let info = RwSignal::new(None::<Result<Option<JobLastRenderedImageInfo>, ApiFailure>>);
    let version = RwSignal::new(0_u32);
    use_subscription(SubscriptionType::AllLastRendered, || None);
    {
        let job_id = job_id.clone();
        use_live_event(move |event| {
            if let LiveEvent::LastRendered(update) = event {
                if update.job_id == job_id {
                    version.update(|version| *version += 1);
                    info.set(Some(Ok(Some(update.thumbnail.clone()))));
                }
            }
        });
    }
    // Events sent while disconnected are lost: ask again on every (re)connection.
    Effect::new(move |_| {
        live.epoch().track();
        let client = client.clone();
        let job_id = job_id.clone();
        leptos::task::spawn_local(async move {
            let fetched = client.fetch_last_rendered(&job_id).await;
            info.try_set(Some(fetched));
        });
    });
    let base = use_manager().client;
    let sources = Memo::new(move |_| {
        info.with(|info| match info {
            Some(Ok(Some(info))) => Some(ImageSources::of(info, base.base_url(), version.get())),
            _ => None,
        })
    });
    let shape = Memo::new(move |_| {
        info.with(|info| match info {
            None => Shape::Waiting,
            Some(Ok(Some(_))) => Shape::Image,
            Some(Ok(None)) => Shape::Nothing,
            Some(Err(failure)) => Shape::Failed(failure.to_string()),
        })
    });
    // The image element stays while renders come in: only its sources change.
    move || match shape.get() {
        Shape::Waiting => ().into_any(),
        Shape::Image => view! { <SizedImage sources /> }.into_any(),
        Shape::Nothing => view! { <p class="muted">"Nothing rendered yet."</p> }.into_any(),
        Shape::Failed(message) => {
            view! { <p class="field-error">{format!("Last-rendered image unavailable: {message}")}</p> }
                .into_any()
        }
    }
}

/// The image at the pane's width: the browser picks the file from `srcset` by the width given in
/// `sizes` and the screen's pixel density. The width is measured before any source is set, so the
/// browser never starts on a file chosen for another width, and again when the window is resized.
#[component]
fn SizedImage(sources: Memo<Option<Option<ImageSources>>>) -> impl IntoView {
    let figure = NodeRef::<leptos::html::Figure>::new();
    let width = RwSignal::new(None::<i32>);
    let measure = move || {
        if let Some(figure) = figure.get_untracked() {
            let measured = figure.client_width();
            if measured > 0 {
                width.set(Some(measured));
            }
        }
    };
    Effect::new(move |_| {
        figure.track();
        measure();
    });
    let resizing = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resizing.remove());
    let chosen =
        move || width.get().and_then(|width| sources.get().flatten().map(|sources| (width, sources)));
    view! {
        <figure class="last-rendered" node_ref=figure>
            <img
                sizes=move || chosen().map(|(width, _)| format!("{width}px"))
                srcset=move || chosen().map(|(_, sources)| sources.srcset)
                src=move || chosen().map(|(_, sources)| sources.src)
                alt="Last rendered image"
            />
        </figure>
    }
}

/// What the image's place shows.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    Waiting,
    Image,
    Nothing,
    Failed(String),
}
