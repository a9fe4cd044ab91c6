//! A foldable section of the preview's side panel: every panel there looks and folds the same.

use leptos::prelude::*;

/// A `<details>` with its title as a heading in the summary line.
#[component]
pub fn InspectorSection(
    /// The heading, which also names the section.
    title: &'static str,
    /// Whether the section is unfolded (it follows the signal; the person can fold it between
    /// changes). Unfolded when not given.
    #[prop(optional, into)]
    open: Option<Signal<bool>>,
    /// A class of its own, for its content's styles.
    #[prop(default = "")]
    class: &'static str,
    /// A short line beside the title, e.g. counts (shown while folded too).
    #[prop(optional, into)]
    summary: Option<Signal<String>>,
    /// The section's content.
    children: Children,
) -> impl IntoView {
    view! {
        <details class=format!("inspector-section {class}") prop:open=move || open.is_none_or(|o| o.get())>
            <summary>
                <h3>{title}</h3>
                {summary.map(|line| view! { <span class="section-summary muted">{line}</span> })}
            </summary>
            {children()}
        </details>
    }
}
