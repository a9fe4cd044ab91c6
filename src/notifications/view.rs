//! The notifications page (the whole history, newest first, filterable) and the header's parts: a
//! link with the unread count and the latest notice in one line.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::ui::following_link::FollowingLink;

use super::history::{Notice, NoticeFilter, DEFAULT_CAPACITY};
use super::store::use_notifications;

/// The local time of day a notice arrived, e.g. `14:03:27`.
fn clock_time(at_ms: f64) -> String {
    js_sys::Date::new(&at_ms.into()).to_locale_time_string("default").into()
}

/// `/notifications`.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let store = use_notifications();
    let history = store.history;
    let filter = RwSignal::new(NoticeFilter::All);
    // Being on the page is reading it: new notices count as read while it is open.
    let newest = Memo::new(move |_| history.with(|h| h.latest().map(|notice| notice.id)));
    Effect::new(move |_| {
        newest.track();
        if history.with_untracked(|h| h.unread() > 0) {
            history.update(|h| h.mark_all_read());
        }
    });
    let shown = Memo::new(move |_| history.with(|h| h.newest_first(filter.get())));
    let kept = move || history.with(|h| h.len());
    view! {
        <section class="page notifications-page">
            <h1>"Notifications"</h1>
            <p class="muted">
                {move || format!("What happened on the farm since this page was opened: {} kept, at most {DEFAULT_CAPACITY}.", kept())}
            </p>
            <super::settings::NotifySettings />
            <h2>"History"</h2>
            <div class="toolbar">
                <NoticeFilterSelect filter />
                <button type="button" on:click=move |_| history.update(|h| h.clear())>"Clear list"</button>
            </div>
            <Show
                when=move || shown.with(|list| !list.is_empty())
                fallback=|| view! { <p class="muted empty-notices">"Nothing has happened yet. Job and worker changes show here as they happen."</p> }
            >
                <ol class="notice-list">
                    <For each=move || shown.get() key=|notice| notice.id let:notice>
                        <NoticeItem notice />
                    </For>
                </ol>
            </Show>
        </section>
    }
}

#[component]
fn NoticeFilterSelect(filter: RwSignal<NoticeFilter>) -> impl IntoView {
    let choose = move |label: String| {
        if let Some(chosen) = NoticeFilter::ALL.into_iter().find(|f| f.label() == label) {
            filter.set(chosen);
        }
    };
    view! {
        <label for="notice-filter">"Show"</label>
        <select id="notice-filter" on:change:target=move |ev| choose(ev.target().value())>
            {NoticeFilter::ALL
                .into_iter()
                .map(|f| view! { <option value=f.label() selected=move || filter.get() == f>{f.label()}</option> })
                .collect_view()}
        </select>
    }
}

/// One notice: when, what kind, the job or worker (linked), what happened and why.
#[component]
fn NoticeItem(notice: Notice) -> impl IntoView {
    let noun = match notice.kind {
        super::history::NoticeKind::Job => "Job",
        super::history::NoticeKind::Worker => "Worker",
        super::history::NoticeKind::Tag => "Tag",
    };
    let subject = match notice.href.clone() {
        Some(href) => view! { <A href=href>{notice.subject.clone()}</A> }.into_any(),
        None => view! { <span class="notice-subject">{notice.subject.clone()}</span> }.into_any(),
    };
    let status_class =
        notice.status.as_deref().map(|s| format!("status-{}", crate::ui::status::css_token(s)));
    view! {
        <li class=format!("notice-item {} {}", notice.tone.css_class(), status_class.unwrap_or_default())>
            <time class="notice-time">{clock_time(notice.at_ms)}</time>
            <span class="notice-kind">{noun}</span>
            {subject}
            <span class="notice-what">{notice.what.clone()}</span>
            {notice.detail.clone().map(|detail| view! { <span class="notice-detail">{detail}</span> })}
        </li>
    }
}

/// The header's link to the list, with how many notices are unread.
#[component]
pub fn NotificationsLink() -> impl IntoView {
    let unread = use_notifications().unread();
    view! {
        <A href="/notifications" attr:class="notifications-link">
            "Notifications"
            <Show when=move || { unread.get() > 0 }>
                " "
                <span class="unread-count">{move || unread.get().to_string()}</span>
                <span class="visually-hidden">" unread"</span>
            </Show>
        </A>
    }
}

/// The latest notice in one line, like Flamenco's notification bar; hidden on narrow screens. One
/// link follows the notices ([`FollowingLink`]): several come a second on a busy farm.
#[component]
pub fn LatestNotice() -> impl IntoView {
    let history = use_notifications().history;
    let latest = Memo::new(move |_| history.with(|h| h.latest().cloned()));
    let shown = move || latest.with(Option::is_some);
    let field = move |part: fn(&Notice) -> String| {
        Signal::derive(move || latest.with(|notice| notice.as_ref().map(part).unwrap_or_default()))
    };
    let href = field(|notice| notice.href.clone().unwrap_or_else(|| "/notifications".into()));
    let class = field(|notice| format!("latest-notice {}", notice.tone.css_class()));
    let (time, summary) = (field(|notice| clock_time(notice.at_ms)), field(Notice::summary));
    view! {
        <Show when=shown>
            <FollowingLink href class title=summary>
                <time>{time}</time>
                " "
                {summary}
            </FollowingLink>
        </Show>
    }
}
