//! The notifications page's settings: desktop notifications (asked for with a click, the browser's
//! answer shown with what to do when it refused) and the farm-wide rules.

use leptos::prelude::*;
use leptos_router::components::A;

use super::desktop::{use_notifier, Permission};
use super::rules::FarmRule;

impl Permission {
    /// The permission in words, with what to do about it.
    fn explained(self, desktop: bool) -> &'static str {
        match (self, desktop) {
            (Permission::Unsupported, _) => "This browser cannot show desktop notifications for this page: browsers allow them only over https or on localhost.",
            (Permission::Denied, _) => "This browser blocks desktop notifications from Farmdeck. To allow them, open the site's settings (the icon left of the address), allow Notifications, and reload the page.",
            (Permission::Granted, true) => "Desktop notifications are on. Only one Farmdeck tab in this browser shows them.",
            (Permission::Granted, false) => "Desktop notifications are allowed by the browser but turned off here.",
            (Permission::Ask, _) => "Desktop notifications are off. The browser asks for permission when you allow them.",
        }
    }
}

/// Desktop notifications and farm rules, above the history.
#[component]
pub fn NotifySettings() -> impl IntoView {
    let notifier = use_notifier();
    // The browser's setting may have changed since the app started.
    notifier.permission.set(Permission::current());
    let desktop = move || notifier.choices.with(|choices| choices.desktop);
    let permission = notifier.permission;
    let state = move || permission.get().explained(desktop());
    let can_allow = move || {
        matches!(permission.get(), Permission::Ask | Permission::Granted)
            && !(desktop() && permission.get() == Permission::Granted)
    };
    let is_on = move || desktop() && permission.get() == Permission::Granted;
    let leader = move || {
        if notifier.leader.get() {
            "This tab is the one that shows them."
        } else {
            "Another Farmdeck tab shows them."
        }
    };
    view! {
        <section class="notify-settings" aria-labelledby="notify-settings-title">
            <h2 id="notify-settings-title">"Desktop notifications"</h2>
            <p class="notify-permission" role="status">{state}" "{move || is_on().then(leader)}</p>
            <div class="toolbar">
                <Show when=can_allow>
                    <button type="button" on:click=move |_| notifier.ask_permission()>"Allow desktop notifications"</button>
                </Show>
                <Show when=is_on>
                    <button type="button" on:click=move |_| notifier.change(|choices| choices.desktop = false)>"Turn off desktop notifications"</button>
                </Show>
            </div>
            <fieldset class="farm-rules">
                <legend>"Also notify me when"</legend>
                {FarmRule::ALL.into_iter().map(|rule| view! { <FarmRuleBox rule /> }).collect_view()}
            </fieldset>
            <BelledJobs />
        </section>
    }
}

#[component]
fn FarmRuleBox(rule: FarmRule) -> impl IntoView {
    let notifier = use_notifier();
    let checked = move || notifier.choices.with(|choices| choices.rule(rule));
    let set = move |on: bool| notifier.change(|choices| choices.set_rule(rule, on));
    view! {
        <label>
            <input type="checkbox" prop:checked=checked on:change:target=move |ev| set(ev.target().checked()) />
            {rule.label()}
        </label>
    }
}

/// The jobs with a bell, each with a way to silence it.
#[component]
fn BelledJobs() -> impl IntoView {
    let notifier = use_notifier();
    let belled = Memo::new(move |_| {
        notifier.choices.with(|choices| choices.jobs.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>())
    });
    view! {
        <Show
            when=move || belled.with(|ids| !ids.is_empty())
            fallback=|| view! { <p class="muted">"No job has a bell. To hear about one job, use \"Notify me about this job\" in its pane."</p> }
        >
            <h3>"Jobs with a bell"</h3>
            <ul class="belled-jobs">
                <For each=move || belled.get() key=|id| id.clone() let:id>
                    <BelledJob id />
                </For>
            </ul>
        </Show>
    }
}

/// One belled job (by name once the job list knows it).
#[component]
fn BelledJob(id: String) -> impl IntoView {
    let notifier = use_notifier();
    let jobs = crate::jobs::use_jobs();
    let href = format!("/jobs/{id}");
    let id = StoredValue::new(id);
    let name = Memo::new(move |_| {
        id.with_value(|id| {
            jobs.table.with(|table| table.get(id).map(|job| job.name.clone())).unwrap_or(id.clone())
        })
    });
    let silence = move |_| id.with_value(|id| notifier.change(|choices| choices.toggle_bell(id)));
    view! {
        <li>
            <A href=href>{name}</A>
            " "
            <button type="button" class="small" on:click=silence>
                "Stop notifying"<span class="visually-hidden">{move || format!(" about {}", name.get())}</span>
            </button>
        </li>
    }
}
