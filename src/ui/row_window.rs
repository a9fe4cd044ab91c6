//! Long tables render only the rows in view: a job list of ten thousand jobs, a job of thousands of
//! tasks. Every row in the page costs layout on each change, and a busy farm changes some row many
//! times a second, so a table of all its rows falls behind on a phone.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;

/// Height of one row in pixels (`.data-table td` in `style/main.css`): rows are fixed-height, so
/// the visible slice is a division away.
pub const ROW_HEIGHT: f64 = 28.0;
/// Rows rendered beyond the visible ones on each side, so fast scrolling shows no gaps.
pub const OVERSCAN_ROWS: usize = 10;

/// Which rows are in view, from the scroll position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowWindow {
    pub start: usize,
    pub end: usize,
}

impl RowWindow {
    /// The rows to render for a viewport of `height` px scrolled to `scroll_top`, out of `total`.
    pub fn compute(scroll_top: f64, height: f64, total: usize) -> RowWindow {
        let first_visible = (scroll_top.max(0.0) / ROW_HEIGHT).floor() as usize;
        let visible = (height.max(ROW_HEIGHT) / ROW_HEIGHT).ceil() as usize + 1;
        let start = first_visible.saturating_sub(OVERSCAN_ROWS).min(total);
        let end = (first_visible + visible + OVERSCAN_ROWS).min(total);
        RowWindow { start, end }
    }

    /// The items of `all` in the window (none if the list shrank under it).
    pub fn rows_of<T: Clone>(&self, all: &[T]) -> Vec<T> {
        all.get(self.start..self.end).map(<[T]>::to_vec).unwrap_or_default()
    }

    /// The height of the rows above the window, which a spacer row stands in for.
    pub fn space_above(&self) -> String {
        format!("{}px", self.start as f64 * ROW_HEIGHT)
    }

    /// The height of the rows below the window, out of `total`.
    pub fn space_below(&self, total: usize) -> String {
        format!("{}px", total.saturating_sub(self.end) as f64 * ROW_HEIGHT)
    }
}

/// The rows of a scrolling table to render, from [`use_row_window`].
#[derive(Clone, Copy)]
pub struct UseRowWindowReturn {
    /// The scrolling element around the table.
    pub scroller: NodeRef<html::Div>,
    /// The rows in view, plus overscan.
    pub window: Memo<RowWindow>,
    /// Reads the scroll position and height again: call it on the scroller's `scroll` event.
    pub measure: Callback<()>,
}

/// Follows which of `total` rows are in view in the element bound to `scroller`, as it scrolls,
/// as the window resizes, and as rows come and go (a table that grows changes its own height when
/// its height is capped by CSS, as the job pane's task table is).
pub fn use_row_window(total: Signal<usize>) -> UseRowWindowReturn {
    let scroller = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0);
    let viewport_height = RwSignal::new(800.0);
    let measure = Callback::new(move |()| {
        if let Some(element) = scroller.get_untracked() {
            scroll_top.set(f64::from(element.scroll_top()));
            viewport_height.set(f64::from(element.client_height()));
        }
    });
    // Effects run after the page is updated, so this reads the height the new rows gave it.
    Effect::new(move |_| {
        total.track();
        if scroller.get().is_some() {
            measure.run(());
        }
    });
    let window_listener = window_event_listener(ev::resize, move |_| measure.run(()));
    on_cleanup(move || window_listener.remove());
    let window = Memo::new(move |_| RowWindow::compute(scroll_top.get(), viewport_height.get(), total.get()));
    UseRowWindowReturn { scroller, window, measure }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_covers_the_visible_rows_plus_overscan() {
        let window = RowWindow::compute(0.0, 280.0, 10_000);
        assert_eq!(window.start, 0);
        assert_eq!(window.end, 11 + OVERSCAN_ROWS);
        let scrolled = RowWindow::compute(ROW_HEIGHT * 5000.0, 280.0, 10_000);
        assert_eq!(scrolled.start, 5000 - OVERSCAN_ROWS);
        assert!(scrolled.end - scrolled.start < 40, "only a screenful of rows exists");
    }

    #[test]
    fn the_window_never_passes_the_end_of_the_list() {
        let window = RowWindow::compute(ROW_HEIGHT * 100.0, 600.0, 50);
        assert!(window.start <= window.end && window.end == 50);
        assert_eq!(RowWindow::compute(0.0, 600.0, 0), RowWindow { start: 0, end: 0 });
    }

    #[test]
    fn the_spacers_stand_in_for_the_rows_outside_the_window() {
        let window = RowWindow::compute(ROW_HEIGHT * 100.0, 280.0, 1000);
        assert_eq!(window.space_above(), format!("{}px", (100 - OVERSCAN_ROWS) as f64 * ROW_HEIGHT));
        let below = 1000 - window.end;
        assert_eq!(window.space_below(1000), format!("{}px", below as f64 * ROW_HEIGHT));
        assert_eq!(RowWindow::compute(0.0, 280.0, 5).space_below(5), "0px");
    }

    #[test]
    fn the_rows_are_the_windows_slice_and_none_when_the_list_shrank() {
        let ids: Vec<u32> = (0..100).collect();
        let window = RowWindow { start: 40, end: 43 };
        assert_eq!(window.rows_of(&ids), [40, 41, 42]);
        assert!(window.rows_of(&ids[..10]).is_empty());
    }
}
