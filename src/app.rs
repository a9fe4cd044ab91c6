//! The app's frame: header, navigation and the routes of every page.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::config::Settings;
use crate::jobs::{provide_jobs_store, JobPane, JobsLayout, NoJobOpen, NoTaskOpen};
use crate::last_rendered::LastRenderedPage;
use crate::live::provide_live;
use crate::manager::provide_manager;
use crate::manager_settings::ManagerSettingsPage;
use crate::notifications::{provide_notifications, NotificationsPage};
use crate::pages::NotFound;
use crate::preview::{JobPreviewPage, PreviewPage};
use crate::settings::SettingsPage;
use crate::setup_assistant::{provide_first_run, FirstRunBanner, SetupPage};
use crate::shell::{AppHeader, ManagerBanner};
use crate::submit::{SubmitPage, SubmitTypePage};
use crate::tags::{provide_worker_tags, TagsPage};
use crate::tasks::TaskPane;
use crate::workers::{NoWorkerOpen, WorkerPane, WorkersLayout};

/// The whole app. `settings` says where the Manager is.
#[component]
pub fn App(settings: Settings) -> impl IntoView {
    crate::ui::first_rows::provide_first_rows();
    let manager = provide_manager(settings);
    provide_live(manager.client.base_url());
    provide_jobs_store();
    provide_worker_tags();
    provide_first_run();
    provide_notifications();
    view! {
        <Router>
            <AppHeader />
            <ManagerBanner />
            <FirstRunBanner />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Redirect path="/jobs" /> } />
                    <ParentRoute path=path!("/jobs") view=JobsLayout>
                        <Route path=path!("") view=NoJobOpen />
                        <ParentRoute path=path!(":job_id") view=JobPane>
                            <Route path=path!("") view=NoTaskOpen />
                            <Route path=path!("tasks/:task_id") view=TaskPane />
                        </ParentRoute>
                    </ParentRoute>
                    <ParentRoute path=path!("/workers") view=WorkersLayout>
                        <Route path=path!("") view=NoWorkerOpen />
                        <Route path=path!(":worker_id") view=WorkerPane />
                    </ParentRoute>
                    <Route path=path!("/tags") view=TagsPage />
                    <Route path=path!("/submit") view=SubmitPage />
                    <Route path=path!("/submit/:job_type") view=SubmitTypePage />
                    <Route path=path!("/preview") view=PreviewPage />
                    <Route path=path!("/jobs/:job_id/preview") view=JobPreviewPage />
                    <Route path=path!("/settings") view=SettingsPage />
                    <Route path=path!("/setup") view=SetupPage />
                    <Route path=path!("/last-rendered") view=LastRenderedPage />
                    <Route path=path!("/notifications") view=NotificationsPage />
                    <Route path=path!("/manager") view=ManagerSettingsPage />
                </Routes>
            </main>
        </Router>
    }
}
