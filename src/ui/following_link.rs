//! A router link made once, whose target and text follow a value that live updates change often.
//!
//! A router link (`<A>`) subscribes to the router's location to mark the current page. Made
//! afresh each time a value changes, every old link left that subscription behind until the next
//! navigation: one link in the header, remade for each notice, grew the heap by some 0.9 MB a
//! minute under a busy farm (the soak, `scripts/soak`). A link made once and updated in place does
//! not.

use leptos::prelude::*;
use leptos_router::components::A;

/// A link to `href`, kept as one element while its target changes; its content is made once too
/// (give it reactive text).
#[component]
pub fn FollowingLink(
    /// Where the link goes.
    #[prop(into)]
    href: Signal<String>,
    /// Its CSS classes.
    #[prop(into, optional)]
    class: Signal<String>,
    /// Its tooltip.
    #[prop(into, optional)]
    title: Signal<String>,
    /// What the link says.
    children: Children,
) -> impl IntoView {
    view! {
        <A href=move || href.get() attr:class=move || class.get() attr:title=move || title.get()>
            {children()}
        </A>
    }
}
