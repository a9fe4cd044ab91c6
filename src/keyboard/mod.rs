//! Keyboard use: a small key listener in the main module turns presses into [`keys::Shortcut`]s;
//! the help dialog, the command palette and the job action confirmation are in a chunk loaded on
//! their first use (`crate::pages::lazy::KeyboardOverlayChunk`), since the first rows need none of them.

pub mod dom;
pub mod keys;
pub mod overlay;
pub mod palette;

use flamenco_api::JobAction;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use keys::{job_in_path, parent_path, KeyPress, Shortcut};

/// What the keyboard has opened over the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Palette,
    /// A job action asked for by key, waiting for its confirmation.
    Confirm {
        action: JobAction,
        job_id: String,
    },
}

/// The open overlay, shared by the listener and the lazily loaded dialogs.
#[derive(Clone, Copy)]
pub struct Keyboard {
    pub open: RwSignal<Option<Overlay>>,
    /// True from the first overlay on: the chunk is then loaded.
    wanted: RwSignal<bool>,
    /// Where the focus was before the overlay opened, to give it back.
    return_focus: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
}

impl Keyboard {
    pub fn show(self, overlay: Overlay) {
        if self.open.with_untracked(Option::is_none) {
            self.return_focus.set_value(dom::focused_element());
        }
        self.wanted.set(true);
        self.open.set(Some(overlay));
    }

    /// Closes the overlay and gives the focus back to where it was.
    pub fn close(self) {
        self.open.set(None);
        // Once the dialog is gone: until then the page under it is inert and takes no focus.
        if let Some(element) = self.return_focus.get_value() {
            set_timeout(
                move || {
                    if element.is_connected() {
                        let _ = element.focus();
                    }
                },
                std::time::Duration::ZERO,
            );
        }
    }
}

/// The keyboard context; panics only outside [`KeyboardShortcuts`], a bug.
pub fn use_keyboard() -> Keyboard {
    expect_context::<Keyboard>()
}

/// Listens for shortcuts on the whole page and shows what they open. Inside the router.
#[component]
pub fn KeyboardShortcuts() -> impl IntoView {
    let keyboard = Keyboard {
        open: RwSignal::new(None),
        wanted: RwSignal::new(false),
        return_focus: StoredValue::new_local(None),
    };
    provide_context(keyboard);
    let navigate = use_navigate();
    let read_only = crate::read_only::use_read_only();
    let listener = window_event_listener(leptos::ev::keydown, move |event| {
        let key = event.key();
        let press =
            KeyPress { key: &key, ctrl: event.ctrl_key(), meta: event.meta_key(), alt: event.alt_key() };
        let Some(shortcut) = press.shortcut(dom::focus_kind()) else { return };
        if keyboard.open.with_untracked(Option::is_some) {
            return;
        }
        let handled = match shortcut {
            Shortcut::Help | Shortcut::Palette => {
                keyboard.show(if shortcut == Shortcut::Help { Overlay::Help } else { Overlay::Palette });
                true
            }
            Shortcut::Next | Shortcut::Previous => {
                dom::move_row(if shortcut == Shortcut::Next { 1 } else { -1 });
                true
            }
            Shortcut::Select => {
                dom::toggle_row();
                true
            }
            Shortcut::Search => dom::focus_search(),
            Shortcut::Back => {
                parent_path(&dom::path()).map(|to| navigate(&to, NavigateOptions::default())).is_some()
            }
            Shortcut::Job(_) if read_only => false,
            Shortcut::Job(action) => {
                current_job().map(|job_id| keyboard.show(Overlay::Confirm { action, job_id })).is_some()
            }
        };
        if handled {
            event.prevent_default();
        }
    });
    on_cleanup(move || listener.remove());
    move || keyboard.wanted.get().then(|| view! { <crate::pages::lazy::KeyboardOverlayChunk /> })
}

/// The job the shortcuts act on: the one open in the pane, else the focused row's.
pub fn current_job() -> Option<String> {
    let path = dom::path();
    job_in_path(&path)
        .map(str::to_owned)
        .or_else(|| dom::focused_job_link().and_then(|href| job_in_path(&href).map(str::to_owned)))
}
