//! Read-only screens: with `"read_only": true` in `farmdeck.json` the app shows the whole farm, live,
//! and leaves out every control that would change it (a wall screen, a client's view of their jobs).
//! The controls are gated where they are built, by wrapping them in [`Writable`]; the proxy in
//! `docs/hosting/nginx-read-only.conf` refuses the Manager's writes as well.

use leptos::either::Either;
use leptos::prelude::*;

/// Whether this app may change the farm; decided once, from `farmdeck.json`, before the app starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

impl Access {
    pub fn from_read_only(read_only: bool) -> Access {
        if read_only {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        }
    }
}

/// Makes `access` known to every component below.
pub fn provide_read_only(read_only: bool) {
    provide_context(Access::from_read_only(read_only));
}

/// Whether the app is read-only (false outside the app, e.g. in a component test).
pub fn use_read_only() -> bool {
    use_context::<Access>() == Some(Access::ReadOnly)
}

/// Shows its children only when the app may change the farm.
#[component]
pub fn Writable<T: IntoView + 'static>(children: TypedChildren<T>) -> impl IntoView {
    (!use_read_only()).then(|| children.into_inner()())
}

/// Shows its children, and in a read-only app disables every control among them: for forms whose
/// fields show the farm's state (a worker's tags, its sleep schedule, the Manager's settings).
#[component]
pub fn Frozen<T: IntoView + 'static>(children: TypedChildren<T>) -> impl IntoView {
    let children = children.into_inner()();
    if use_read_only() {
        Either::Left(view! { <fieldset class="frozen" disabled>{children}</fieldset> })
    } else {
        Either::Right(children)
    }
}

/// Stands in for a page that exists only to change the farm (submitting a job, the Setup Assistant).
#[component]
pub fn ReadOnlyPage(
    /// The page's title.
    title: &'static str,
) -> impl IntoView {
    view! {
        <section class="page read-only-page">
            <h1>{title}</h1>
            <p>"This screen is read-only: it shows the farm and cannot change it."</p>
            <leptos_router::components::A href="/jobs">"Go to the jobs"</leptos_router::components::A>
        </section>
    }
}

/// The banner under the header that says this screen cannot change the farm.
#[component]
pub fn ReadOnlyBanner() -> impl IntoView {
    use_read_only().then(|| {
        view! {
            <p class="read-only-banner" role="note">
                "Read-only: this screen shows the farm and cannot change it."
            </p>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::Access;

    #[test]
    fn the_file_flag_decides_the_access() {
        assert_eq!(Access::from_read_only(true), Access::ReadOnly);
        assert_eq!(Access::from_read_only(false), Access::ReadWrite);
    }
}
