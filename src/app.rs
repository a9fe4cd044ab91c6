//! The app's frame: header, navigation and the routes of every page.

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::config::Settings;
use crate::manager::provide_manager;
use crate::pages::{JobsPage, NotFound, PreviewPage, SubmitPage, WorkersPage};
use crate::shell::{AppHeader, ManagerBanner};

/// The whole app. `settings` says where the Manager is.
#[component]
pub fn App(settings: Settings) -> impl IntoView {
    provide_manager(settings);
    view! {
        <Router>
            <AppHeader />
            <ManagerBanner />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=|| view! { <Redirect path="/jobs" /> } />
                    <Route path=path!("/jobs") view=JobsPage />
                    <Route path=path!("/workers") view=WorkersPage />
                    <Route path=path!("/submit") view=SubmitPage />
                    <Route path=path!("/preview") view=PreviewPage />
                </Routes>
            </main>
        </Router>
    }
}
