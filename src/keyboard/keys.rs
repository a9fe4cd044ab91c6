//! Which shortcut a key press is, decided from the press alone, so that it is tested natively.

use flamenco_api::JobAction;

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    /// `?`: the dialog listing the shortcuts.
    Help,
    /// Ctrl-K or Cmd-K: the command palette.
    Palette,
    /// `j` or ↓: the next row of the list.
    Next,
    /// `k` or ↑: the previous row.
    Previous,
    /// Escape: back to the page above (a pane closes).
    Back,
    /// `/`: the page's search field.
    Search,
    /// `x` or space: select or unselect the row.
    Select,
    /// `p`, `r`, `c`: pause, resume or cancel the current job, after a confirmation.
    Job(JobAction),
}

/// Where the focus was when the key went down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FocusOn {
    /// Typing: an input, textarea, select or editable text. No shortcut fires.
    Typing,
    /// Inside a dialog, which handles its own keys.
    Dialog,
    /// A row of a list (its link).
    Row,
    /// Any other button or link: Space and the arrows keep their usual meaning there.
    Control,
    /// Nothing in particular (the page itself).
    Page,
}

/// One key press: `key` as `KeyboardEvent.key` names it, and the modifiers held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct KeyPress<'a> {
    pub key: &'a str,
    pub ctrl: bool,
    pub meta: bool,
    pub alt: bool,
}

impl KeyPress<'_> {
    /// The shortcut this press is, if any. Shift is part of the key (`?` is Shift-/), so only Ctrl,
    /// Cmd and Alt count as modifiers, and a shortcut fires only with exactly the ones it uses.
    pub fn shortcut(self, focus: FocusOn) -> Option<Shortcut> {
        if matches!(focus, FocusOn::Typing | FocusOn::Dialog) || self.alt {
            return None;
        }
        if self.ctrl || self.meta {
            let only_one = self.ctrl != self.meta;
            return (only_one && self.key.eq_ignore_ascii_case("k")).then_some(Shortcut::Palette);
        }
        let in_list = matches!(focus, FocusOn::Row | FocusOn::Page);
        match self.key {
            "?" => Some(Shortcut::Help),
            "j" => Some(Shortcut::Next),
            "k" => Some(Shortcut::Previous),
            "ArrowDown" if in_list => Some(Shortcut::Next),
            "ArrowUp" if in_list => Some(Shortcut::Previous),
            "Escape" => Some(Shortcut::Back),
            "/" => Some(Shortcut::Search),
            "x" => Some(Shortcut::Select),
            " " if focus == FocusOn::Row => Some(Shortcut::Select),
            "p" => Some(Shortcut::Job(JobAction::Pause)),
            "r" => Some(Shortcut::Job(JobAction::Resume)),
            "c" => Some(Shortcut::Job(JobAction::Cancel)),
            _ => None,
        }
    }
}

/// Where Escape goes from `path`: the page above an open pane, or nowhere.
pub fn parent_path(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').filter(|part| !part.is_empty()).collect();
    match parts.as_slice() {
        ["jobs", _] | ["workers", _] => Some(format!("/{}", parts[0])),
        ["jobs", job, "tasks", _] | ["jobs", job, "preview"] => Some(format!("/jobs/{job}")),
        ["submit", _] => Some("/submit".to_owned()),
        _ => None,
    }
}

/// The job a path shows (`/jobs/<id>` and below).
pub fn job_in_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/jobs/")?;
    let id = rest.split('/').next().unwrap_or_default();
    (!id.is_empty()).then_some(id)
}

/// The shortcuts as the help dialog lists them: keys, then what they do.
pub const HELP: &[(&str, &str)] = &[
    ("?", "Show these shortcuts"),
    ("Ctrl K / ⌘ K", "Command palette: go to a page, job or worker, or run an action"),
    ("j / ↓", "Next row of the list"),
    ("k / ↑", "Previous row of the list"),
    ("Enter", "Open the row"),
    ("Escape", "Close the dialog or pane, back to the list"),
    ("/", "Search"),
    ("x / Space", "Select or unselect the row"),
    ("p", "Pause the current job (asks first)"),
    ("r", "Resume the current job (asks first)"),
    ("c", "Cancel the current job (asks first)"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn press(key: &str) -> KeyPress<'_> {
        KeyPress { key, ..KeyPress::default() }
    }

    #[test]
    fn letters_and_symbols_are_shortcuts_on_the_page_and_on_rows() {
        for focus in [FocusOn::Page, FocusOn::Row, FocusOn::Control] {
            assert_eq!(press("?").shortcut(focus), Some(Shortcut::Help));
            assert_eq!(press("j").shortcut(focus), Some(Shortcut::Next));
            assert_eq!(press("k").shortcut(focus), Some(Shortcut::Previous));
            assert_eq!(press("/").shortcut(focus), Some(Shortcut::Search));
            assert_eq!(press("p").shortcut(focus), Some(Shortcut::Job(JobAction::Pause)));
            assert_eq!(press("r").shortcut(focus), Some(Shortcut::Job(JobAction::Resume)));
            assert_eq!(press("c").shortcut(focus), Some(Shortcut::Job(JobAction::Cancel)));
            assert_eq!(press("Escape").shortcut(focus), Some(Shortcut::Back));
        }
        assert_eq!(press("q").shortcut(FocusOn::Page), None);
        assert_eq!(press("Enter").shortcut(FocusOn::Row), None, "Enter follows the focused link itself");
    }

    #[test]
    fn nothing_fires_while_typing_or_in_a_dialog() {
        for focus in [FocusOn::Typing, FocusOn::Dialog] {
            for key in ["?", "j", "/", "x", " ", "p", "Escape", "ArrowDown"] {
                assert_eq!(press(key).shortcut(focus), None, "{key} in {focus:?}");
            }
            assert_eq!(KeyPress { key: "k", ctrl: true, ..KeyPress::default() }.shortcut(focus), None);
        }
    }

    #[test]
    fn modifiers_a_shortcut_does_not_use_stop_it() {
        assert_eq!(KeyPress { key: "p", ctrl: true, ..KeyPress::default() }.shortcut(FocusOn::Page), None);
        assert_eq!(KeyPress { key: "j", meta: true, ..KeyPress::default() }.shortcut(FocusOn::Page), None);
        assert_eq!(KeyPress { key: "j", alt: true, ..KeyPress::default() }.shortcut(FocusOn::Page), None);
        let palette = |ctrl, meta, alt| KeyPress { key: "k", ctrl, meta, alt }.shortcut(FocusOn::Page);
        assert_eq!(palette(true, false, false), Some(Shortcut::Palette));
        assert_eq!(palette(false, true, false), Some(Shortcut::Palette));
        assert_eq!(
            KeyPress { key: "K", ctrl: true, ..KeyPress::default() }.shortcut(FocusOn::Row),
            Some(Shortcut::Palette)
        );
        assert_eq!(palette(true, true, false), None);
        assert_eq!(palette(true, false, true), None);
    }

    #[test]
    fn space_and_arrows_keep_their_meaning_on_buttons() {
        assert_eq!(press(" ").shortcut(FocusOn::Row), Some(Shortcut::Select));
        assert_eq!(press(" ").shortcut(FocusOn::Control), None);
        assert_eq!(press(" ").shortcut(FocusOn::Page), None);
        assert_eq!(press("ArrowDown").shortcut(FocusOn::Row), Some(Shortcut::Next));
        assert_eq!(press("ArrowUp").shortcut(FocusOn::Page), Some(Shortcut::Previous));
        assert_eq!(press("ArrowDown").shortcut(FocusOn::Control), None);
        assert_eq!(press("x").shortcut(FocusOn::Row), Some(Shortcut::Select));
    }

    #[test]
    fn escape_goes_to_the_page_above() {
        assert_eq!(parent_path("/jobs/abc").as_deref(), Some("/jobs"));
        assert_eq!(parent_path("/jobs/abc/tasks/t1").as_deref(), Some("/jobs/abc"));
        assert_eq!(parent_path("/jobs/abc/preview").as_deref(), Some("/jobs/abc"));
        assert_eq!(parent_path("/workers/w1/").as_deref(), Some("/workers"));
        assert_eq!(parent_path("/submit/simple-blender-render").as_deref(), Some("/submit"));
        assert_eq!(parent_path("/jobs"), None);
        assert_eq!(parent_path("/tags"), None);
    }

    #[test]
    fn the_current_job_comes_from_the_path() {
        assert_eq!(job_in_path("/jobs/abc"), Some("abc"));
        assert_eq!(job_in_path("/jobs/abc/tasks/t1"), Some("abc"));
        assert_eq!(job_in_path("/jobs"), None);
        assert_eq!(job_in_path("/jobs/"), None);
        assert_eq!(job_in_path("/workers/abc"), None);
    }
}
