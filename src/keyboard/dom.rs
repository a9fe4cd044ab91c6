//! The page as the shortcuts see it: where the focus is, the rows of the list, the search field.
//! Moving through a list moves the focus between the rows' links, so Enter opens the row by itself
//! and a live update that rebuilds nothing keeps the place.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::keys::FocusOn;

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|window| window.document())
}

fn focused() -> Option<Element> {
    document().and_then(|document| document.active_element())
}

fn within(element: &Element, selector: &str) -> Option<Element> {
    element.closest(selector).ok().flatten()
}

/// What kind of thing has the focus.
pub fn focus_kind() -> FocusOn {
    let Some(element) = focused() else { return FocusOn::Page };
    let tag = element.tag_name().to_ascii_uppercase();
    let editable = element.dyn_ref::<HtmlElement>().is_some_and(HtmlElement::is_content_editable);
    let text_input = tag == "INPUT"
        && !matches!(
            element.get_attribute("type").unwrap_or_default().as_str(),
            "checkbox" | "radio" | "button" | "submit" | "reset"
        );
    if editable || text_input || tag == "TEXTAREA" || tag == "SELECT" {
        FocusOn::Typing
    } else if within(&element, "dialog, [role=dialog], [role=alertdialog]").is_some() {
        FocusOn::Dialog
    } else if tag == "A" && within(&element, "main tbody tr").is_some() {
        FocusOn::Row
    } else if tag == "BODY" || tag == "HTML" {
        FocusOn::Page
    } else {
        FocusOn::Control
    }
}

/// The element focused now, to give the focus back to after a dialog.
pub fn focused_element() -> Option<HtmlElement> {
    focused().and_then(|element| element.dyn_into::<HtmlElement>().ok())
}

/// Each row's first link in `table`.
fn row_links(table: &Element) -> Vec<HtmlElement> {
    let Ok(rows) = table.query_selector_all("tbody > tr") else { return Vec::new() };
    (0..rows.length())
        .filter_map(|index| rows.item(index))
        .filter_map(|row| row.dyn_into::<Element>().ok())
        .filter_map(|row| row.query_selector("a[href]").ok().flatten())
        .filter_map(|link| link.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// Moves the focus `step` rows down (or up) the list holding the focus, else the page's first list.
pub fn move_row(step: i32) {
    let current = focused();
    let table = current.as_ref().and_then(|element| within(element, "main table")).or_else(|| {
        let tables = document()?.query_selector_all("main table").ok()?;
        (0..tables.length())
            .filter_map(|index| tables.item(index)?.dyn_into::<Element>().ok())
            .find(|table| !row_links(table).is_empty())
    });
    let Some(table) = table else { return };
    let links = row_links(&table);
    let here = current.as_ref().and_then(|element| within(element, "tr"));
    let index = links.iter().position(|link| within(link, "tr") == here && here.is_some());
    let next = match (index, step >= 0) {
        (Some(index), true) => (index + 1).min(links.len().saturating_sub(1)),
        (Some(index), false) => index.saturating_sub(1),
        (None, true) => 0,
        (None, false) => links.len().saturating_sub(1),
    };
    if let Some(link) = links.get(next) {
        let _ = link.focus();
    }
}

/// Ticks or unticks the checkbox of the focused row.
pub fn toggle_row() {
    let checkbox = focused()
        .and_then(|element| within(&element, "tr"))
        .and_then(|row| row.query_selector("input[type=checkbox]").ok().flatten())
        .and_then(|checkbox| checkbox.dyn_into::<HtmlElement>().ok());
    if let Some(checkbox) = checkbox {
        checkbox.click();
    }
}

/// Focuses the page's search field; false when it has none.
pub fn focus_search() -> bool {
    let field = document()
        .and_then(|document| document.query_selector("main input[type=search]").ok().flatten())
        .and_then(|field| field.dyn_into::<HtmlElement>().ok());
    field.is_some_and(|field| field.focus().is_ok())
}

/// The job of the focused row, when it is a job's row.
pub fn focused_job_link() -> Option<String> {
    let link =
        focused().and_then(|element| within(&element, "tr"))?.query_selector("a[href^='/jobs/']").ok()??;
    link.get_attribute("href")
}

/// The page's path.
pub fn path() -> String {
    web_sys::window().and_then(|window| window.location().pathname().ok()).unwrap_or_default()
}
