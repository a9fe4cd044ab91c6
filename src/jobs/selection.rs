//! Multi-selection in a list: click, shift-click for a range, ctrl/cmd-click to toggle.

use std::collections::HashSet;

/// Which keys were held during a click.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClickModifiers {
    pub shift: bool,
    /// Ctrl on Linux and Windows, Cmd on macOS.
    pub toggle: bool,
}

/// The selected ids, and the anchor that shift-click ranges start from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    selected: HashSet<String>,
    anchor: Option<String>,
}

impl Selection {
    pub fn contains(&self, id: &str) -> bool {
        self.selected.contains(id)
    }

    pub fn len(&self) -> usize {
        self.selected.len()
    }

    pub fn is_empty(&self) -> bool {
        self.selected.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.selected.iter()
    }

    /// Applies a click on `id`; `order` is the list as shown, for ranges.
    pub fn click(&mut self, id: &str, modifiers: ClickModifiers, order: &[String]) {
        let range = match (&self.anchor, modifiers.shift) {
            (Some(anchor), true) => range_between(order, anchor, id),
            _ => None,
        };
        match (range, modifiers.toggle) {
            (Some(range), true) => self.selected.extend(range),
            (Some(range), false) => self.selected = range.into_iter().collect(),
            (None, true) => {
                if !self.selected.remove(id) {
                    self.selected.insert(id.to_owned());
                }
                self.anchor = Some(id.to_owned());
            }
            (None, false) => {
                self.selected = HashSet::from([id.to_owned()]);
                self.anchor = Some(id.to_owned());
            }
        }
    }

    /// Selects or unselects one id, as its checkbox does.
    pub fn set(&mut self, id: &str, selected: bool) {
        if selected {
            self.selected.insert(id.to_owned());
        } else {
            self.selected.remove(id);
        }
        self.anchor = Some(id.to_owned());
    }

    /// Selects exactly `ids` (select-all of the filtered list).
    pub fn select_all(&mut self, ids: &[String]) {
        self.selected = ids.iter().cloned().collect();
    }

    pub fn clear(&mut self) {
        self.selected.clear();
        self.anchor = None;
    }

    /// Whether every one of `ids` is selected (and there is at least one).
    pub fn covers(&self, ids: &[String]) -> bool {
        !ids.is_empty() && ids.iter().all(|id| self.selected.contains(id))
    }

    /// The selected ids that are not among `shown` (empty when none is selected, without looking).
    pub fn hidden_from(&self, shown: &[String]) -> HashSet<String> {
        if self.selected.is_empty() {
            return HashSet::new();
        }
        let shown: HashSet<&str> = shown.iter().map(String::as_str).collect();
        self.selected.iter().filter(|id| !shown.contains(id.as_str())).cloned().collect()
    }

    /// Forgets ids that are no longer in the list (deleted jobs).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.selected.retain(|id| keep(id));
    }
}

fn range_between(order: &[String], from: &str, to: &str) -> Option<Vec<String>> {
    let start = order.iter().position(|id| id == from)?;
    let end = order.iter().position(|id| id == to)?;
    let (low, high) = if start <= end { (start, end) } else { (end, start) };
    Some(order[low..=high].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Vec<String> {
        ["a", "b", "c", "d", "e"].map(String::from).to_vec()
    }

    fn sorted(selection: &Selection) -> Vec<String> {
        let mut ids: Vec<String> = selection.ids().cloned().collect();
        ids.sort();
        ids
    }

    const PLAIN: ClickModifiers = ClickModifiers { shift: false, toggle: false };
    const SHIFT: ClickModifiers = ClickModifiers { shift: true, toggle: false };
    const TOGGLE: ClickModifiers = ClickModifiers { shift: false, toggle: true };

    #[test]
    fn a_plain_click_selects_only_that_row() {
        let mut selection = Selection::default();
        selection.click("b", PLAIN, &order());
        selection.click("d", PLAIN, &order());
        assert_eq!(sorted(&selection), ["d"]);
    }

    #[test]
    fn shift_click_selects_the_range_from_the_anchor_either_way() {
        let mut selection = Selection::default();
        selection.click("d", PLAIN, &order());
        selection.click("b", SHIFT, &order());
        assert_eq!(sorted(&selection), ["b", "c", "d"]);
        selection.click("e", SHIFT, &order());
        assert_eq!(sorted(&selection), ["d", "e"], "the anchor stays where the range started");
    }

    #[test]
    fn ctrl_click_toggles_and_ctrl_shift_adds_a_range() {
        let mut selection = Selection::default();
        selection.click("a", PLAIN, &order());
        selection.click("c", TOGGLE, &order());
        assert_eq!(sorted(&selection), ["a", "c"]);
        selection.click("a", TOGGLE, &order());
        assert_eq!(sorted(&selection), ["c"]);
        selection.click("d", TOGGLE, &order());
        selection.click("b", ClickModifiers { shift: true, toggle: true }, &order());
        assert_eq!(sorted(&selection), ["b", "c", "d"], "the range from the last clicked row is added");
    }

    #[test]
    fn select_all_and_covers_work_on_the_filtered_list() {
        let mut selection = Selection::default();
        let filtered = order()[1..3].to_vec();
        selection.select_all(&filtered);
        assert!(selection.covers(&filtered));
        assert!(!selection.covers(&order()));
        assert!(!selection.covers(&[]));
        selection.retain(|id| id != "b");
        assert_eq!(sorted(&selection), ["c"]);
    }

    #[test]
    fn the_selected_ids_a_list_no_longer_shows_are_named() {
        let mut selection = Selection::default();
        assert!(selection.hidden_from(&[]).is_empty());
        selection.select_all(&order()[..3]);
        let hidden = selection.hidden_from(&order()[1..]);
        assert_eq!(hidden, HashSet::from(["a".to_owned()]));
        assert!(selection.hidden_from(&order()).is_empty());
    }
}
