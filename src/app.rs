//! The app's frame: header, navigation and the routes of every page.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::config::Settings;
use crate::jobs::{provide_jobs_store, JobsLayout, NoJobOpen};
use crate::live::provide_live;
use crate::manager::provide_manager;
use crate::notifications::{provide_notifications, provide_notifier};
use crate::pages::lazy::{
    prefetch_job_pane_after_first_rows, JobPaneRoute, JobPreviewRoute, LastRenderedRoute, ManagerRoute,
    NoTaskOpenRoute, NoWorkerOpenRoute, NotificationsRoute, PreviewRoute, ProblemsRoute, SettingsRoute,
    SetupRoute, SubmitRoute, SubmitTypeRoute, TagsRoute, TaskPaneRoute, TimelineRoute, WorkerPaneRoute,
    WorkersRoute,
};
use crate::pages::NotFound;
use crate::setup_assistant::{provide_first_run, FirstRunBanner};
use crate::shell::{AppHeader, ManagerBanner};
use crate::tags::provide_worker_tags;

/// The whole app. `settings` says where the Manager is.
#[component]
pub fn App(settings: Settings) -> impl IntoView {
    crate::ui::first_rows::provide_first_rows();
    crate::read_only::provide_read_only(settings.read_only);
    let manager = provide_manager(settings);
    provide_live(manager.client.base_url());
    provide_jobs_store();
    provide_worker_tags();
    provide_first_run();
    provide_notifications();
    provide_notifier();
    prefetch_job_pane_after_first_rows();
    view! {
        <Router>
            <AppHeader />
            <crate::keyboard::KeyboardShortcuts />
            <ManagerBanner />
            <crate::live::LiveGlitchNotice />
            <crate::read_only::ReadOnlyBanner />
            <crate::read_only::Writable><FirstRunBanner /></crate::read_only::Writable>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Redirect path="/jobs" /> } />
                    <ParentRoute path=path!("/jobs") view=JobsLayout>
                        <Route path=path!("") view=NoJobOpen />
                        <ParentRoute path=path!(":job_id") view=JobPaneRoute>
                            <Route path=path!("") view=NoTaskOpenRoute />
                            <Route path=path!("tasks/:task_id") view=TaskPaneRoute />
                        </ParentRoute>
                    </ParentRoute>
                    <ParentRoute path=path!("/workers") view=WorkersRoute>
                        <Route path=path!("") view=NoWorkerOpenRoute />
                        <Route path=path!(":worker_id") view=WorkerPaneRoute />
                    </ParentRoute>
                    <Route path=path!("/tags") view=TagsRoute />
                    <Route path=path!("/submit") view=SubmitRoute />
                    <Route path=path!("/submit/:job_type") view=SubmitTypeRoute />
                    <Route path=path!("/preview") view=PreviewRoute />
                    <Route path=path!("/jobs/:job_id/preview") view=JobPreviewRoute />
                    <Route path=path!("/settings") view=SettingsRoute />
                    <Route path=path!("/setup") view=SetupRoute />
                    <Route path=path!("/last-rendered") view=LastRenderedRoute />
                    <Route path=path!("/notifications") view=NotificationsRoute />
                    <Route path=path!("/manager") view=ManagerRoute />
                    <Route path=path!("/problems") view=ProblemsRoute />
                    <Route path=path!("/timeline") view=TimelineRoute />
                </Routes>
            </main>
        </Router>
    }
}
