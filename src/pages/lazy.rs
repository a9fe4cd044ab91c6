//! Pages whose code is downloaded when they are first opened, so that a phone opening the jobs list
//! loads only the code of the jobs list.
//!
//! With the `lazy-pages` feature (Trunk's build turns it on in `index.html`; tests and native builds
//! leave it off and get one module), each `#[wasm_split(chunk, ..)]` function below is a split
//! point: after Trunk's build, `crates/wasm-chunks` moves everything only it reaches into
//! `<chunk>-<hash>.wasm`, loaded on the first call. What it returns is the page's constructor, so the page is built synchronously in the
//! route's own reactive scope, like any other view.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
#[cfg(feature = "lazy-pages")]
use leptos::wasm_split::{wasm_split, SplitLoaderError};

/// Builds a page whose code has been loaded.
pub type PageView = fn() -> AnyView;

/// A page's code that could not be downloaded (the connection dropped, the Manager's host restarted
/// with another build): the page says so and offers to try again.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("the code of this page could not be downloaded ({0})")]
pub struct ChunkLoadError(String);

#[cfg(feature = "lazy-pages")]
impl From<SplitLoaderError> for ChunkLoadError {
    fn from(error: SplitLoaderError) -> Self {
        ChunkLoadError(error.to_string())
    }
}

/// Loads one page's code; a later call after a failure tries the download again.
pub type PageLoader = fn() -> Pin<Box<dyn Future<Output = Result<PageView, ChunkLoadError>>>>;

/// Declares, for each page, a split function returning its constructor (in the chunk named after
/// `in`) and the route component that shows it once loaded.
macro_rules! lazy_pages {
    ($( $(#[$doc:meta])* $route:ident: $loader:ident in $chunk:ident => $page:path; )*) => {
        $(
            #[cfg(feature = "lazy-pages")]
            #[wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
            fn $loader() -> Result<PageView, ChunkLoadError> {
                Ok(|| view! { <$page /> }.into_any())
            }

            #[cfg(not(feature = "lazy-pages"))]
            async fn $loader() -> Result<PageView, ChunkLoadError> {
                Ok(|| view! { <$page /> }.into_any())
            }

            $(#[$doc])*
            #[component]
            pub fn $route() -> impl IntoView {
                view! { <LazyPage load=|| Box::pin($loader()) /> }
            }
        )*
    };
}

lazy_pages! {
    /// One job: its details, tasks and actions (`/jobs/:job_id`).
    JobPaneRoute: load_job_pane in job_pane => crate::jobs::JobPane;
    /// The hint under an open job when no task is open.
    NoTaskOpenRoute: load_no_task_open in job_pane => crate::jobs::NoTaskOpen;
    /// One task with its log (`/jobs/:job_id/tasks/:task_id`).
    TaskPaneRoute: load_task_pane in job_pane => crate::tasks::TaskPane;
    /// The workers list (`/workers`).
    WorkersRoute: load_workers in workers => crate::workers::WorkersLayout;
    /// The hint beside the workers list when no worker is open.
    NoWorkerOpenRoute: load_no_worker_open in workers => crate::workers::NoWorkerOpen;
    /// One worker (`/workers/:worker_id`).
    WorkerPaneRoute: load_worker_pane in workers => crate::workers::WorkerPane;
    /// The worker tags (`/tags`).
    TagsRoute: load_tags in farm => crate::tags::TagsPage;
    /// The job types to submit (`/submit`).
    SubmitRoute: load_submit in submit => crate::submit::SubmitPage;
    /// The submit form of one job type (`/submit/:job_type`).
    SubmitTypeRoute: load_submit_type in submit => crate::submit::SubmitTypePage;
    /// The merge preview of tiles on disk (`/preview`).
    PreviewRoute: load_preview in preview => crate::preview::PreviewPage;
    /// The merge preview of one job's tiles (`/jobs/:job_id/preview`).
    JobPreviewRoute: load_job_preview in preview => crate::preview::JobPreviewPage;
    /// This browser's settings (`/settings`).
    SettingsRoute: load_settings in farm => crate::settings::SettingsPage;
    /// The Manager's Setup Assistant (`/setup`).
    SetupRoute: load_setup in farm => crate::setup_assistant::SetupPage;
    /// The farm's last rendered images (`/last-rendered`).
    LastRenderedRoute: load_last_rendered in farm => crate::last_rendered::LastRenderedPage;
    /// The notification history (`/notifications`).
    NotificationsRoute: load_notifications in farm => crate::notifications::NotificationsPage;
    /// The Manager's configuration (`/manager`).
    ManagerRoute: load_manager in farm => crate::manager_settings::ManagerSettingsPage;
    /// What is wrong on the farm (`/problems`).
    ProblemsRoute: load_problems in problems => crate::problems::ProblemsPage;
    /// The keyboard's dialogs (shortcuts, command palette, job action confirmation), loaded on the
    /// first `?`, Ctrl-K or job shortcut.
    KeyboardOverlayChunk: load_keyboard_overlay in keyboard => crate::keyboard::overlay::KeyboardOverlay;
    /// Which task ran on which worker when (`/timeline`).
    TimelineRoute: load_timeline in timeline => crate::timeline::TimelinePage;
}

/// Shows a page once its code is loaded: nothing while loading (a chunk is a few tens of KB, and a
/// message that flashes for 50 ms reads as a glitch), a named failure with a retry otherwise.
#[component]
fn LazyPage(
    /// Downloads the page's code and gives its constructor.
    load: PageLoader,
) -> impl IntoView {
    let attempt = RwSignal::new(0u32);
    let page = LocalResource::new(move || {
        attempt.track();
        load()
    });
    move || match page.get() {
        None => ().into_any(),
        Some(Ok(build)) => untrack(build),
        Some(Err(error)) => {
            view! { <ChunkFailed error retry=move || attempt.update(|n| *n += 1) /> }.into_any()
        }
    }
}

/// The page's code could not be downloaded: says why, and tries again on request.
#[component]
fn ChunkFailed(
    /// What went wrong.
    error: ChunkLoadError,
    /// Starts another download.
    retry: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <section class="page chunk-failed" role="alert">
            <h1>"This page could not be opened"</h1>
            <p>{format!("{error}. Check the connection to the farm's server and try again.")}</p>
            <button type="button" on:click=move |_| retry()>"Try again"</button>
        </section>
    }
}

/// Once the job list has painted its first rows, downloads the job pane's code in the background,
/// so that opening a job does not wait for it (a failure here is retried when a job is opened).
pub fn prefetch_job_pane_after_first_rows() {
    let first_rows = crate::ui::first_rows::use_first_rows();
    // The gate opens once and never closes: this effect sees it open once.
    Effect::new(move |_| {
        if first_rows.is_open() {
            leptos::task::spawn_local(async {
                let _ = load_job_pane().await;
            });
        }
    });
}
