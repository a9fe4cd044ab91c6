//! Pages that fill the screen (the job and worker lists) end at the window's bottom edge only if
//! they know how tall the header above them is, and the header wraps onto two or three rows on
//! narrower screens and as its contents change. A fixed guess left a phone's job list either
//! cut off or followed by empty space, so the header's height is measured and published to CSS.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The CSS custom property on the root element that holds the header's height (`41px`).
pub const HEADER_HEIGHT_PROPERTY: &str = "--header-height";

/// Keeps [`HEADER_HEIGHT_PROPERTY`] equal to the height of the element bound to `header`, from
/// its first layout on, whenever it changes size.
pub fn use_header_height(header: NodeRef<html::Header>) {
    let observer = StoredValue::new_local(None::<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>);
    header.on_load(move |element| {
        let target: web_sys::Element = element.clone().into();
        let measured = target.clone();
        let on_resize =
            Closure::<dyn FnMut()>::new(move || publish(measured.get_bounding_client_rect().height()));
        // Without ResizeObserver (very old browsers) the CSS fallback height applies.
        let Ok(resize) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) else { return };
        resize.observe(&target);
        observer.set_value(Some((resize, on_resize)));
    });
    on_cleanup(move || {
        if let Some((resize, _closure)) = observer.try_update_value(Option::take).flatten() {
            resize.disconnect();
        }
    });
}

fn publish(height: f64) {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element());
    if let Some(style) =
        root.and_then(|root| root.dyn_into::<web_sys::HtmlElement>().ok()).map(|root| root.style())
    {
        // Whole pixels: a fraction would make the list's height, and its last row, shimmer.
        let _ = style.set_property(HEADER_HEIGHT_PROPERTY, &format!("{}px", height.ceil()));
    }
}
