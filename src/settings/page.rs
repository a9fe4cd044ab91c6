//! `/settings`: the storage mappings, edited as a list of pairs and saved in the browser.

use leptos::prelude::*;
use leptos_router::components::A;

use super::mapping::{validate, StorageMapping};
use super::store;
use crate::config::FileState;

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let defaults = store::default_mappings();
    let defaults_text = defaults_origin(store::config_file(), defaults.is_empty());
    let rows = RwSignal::new(store::storage_mappings());
    // Only adding or removing a row draws the rows again: typing must keep the field focused.
    let count = Memo::new(move |_| rows.with(Vec::len));
    let customised = RwSignal::new(store::saved_mappings().is_some());
    let message = RwSignal::new(None::<Result<String, String>>);
    let save = move |_| {
        let mappings = rows.get_untracked();
        let outcome = validate(&mappings).and_then(|()| store::save(&mappings));
        if outcome.is_ok() {
            customised.set(true);
        }
        message.set(Some(outcome.map(|()| "Saved.".to_string())));
    };
    let reset = move |_| {
        store::clear();
        rows.set(defaults.clone());
        customised.set(false);
        message.set(Some(Ok("The defaults apply again.".into())));
    };
    view! {
        <section class="page settings-page">
            <h1>"Settings"</h1>
            <p class="muted">
                "These settings are Farmdeck's own, kept in this browser. The Manager's settings are on the "
                <A href="/manager">"Manager"</A>" page."
            </p>
            <h2>"Storage mappings"</h2>
            <p class="muted">
                "Where the farm's storage is served over HTTP: a job's tiles under a storage path prefix are fetched from the URL prefix. The longest matching prefix wins."
            </p>
            <p class="muted">
                {move || if customised.get() { "Your own mappings, kept in this browser." } else { defaults_text }}
            </p>
            <div class="mapping-list">
                {move || (0..count.get()).map(|index| view! { <MappingRow rows index /> }).collect_view()}
            </div>
            <div class="toolbar">
                <button type="button" on:click=move |_| rows.update(|r| r.push(StorageMapping::default()))>"Add mapping"</button>
                <button type="button" class="primary" on:click=save>"Save"</button>
                <button type="button" on:click=reset>"Reset to defaults"</button>
            </div>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p role="alert" class="field-error">{text}</p> }.into_any(),
            })}
        </section>
    }
}

/// Where the mappings in effect come from when the user saved none of their own.
fn defaults_origin(file: FileState, empty: bool) -> &'static str {
    match (file, empty) {
        (FileState::Found, false) => "The defaults from farmdeck.json.",
        (FileState::Found, true) => "farmdeck.json sets no storage mappings: add your own below.",
        (FileState::Absent, _) => {
            "No farmdeck.json was found next to the dashboard, so there are no default mappings: add your own below."
        }
        (FileState::Invalid, _) => {
            "farmdeck.json could not be used (the warning at the top says why), so there are no default mappings."
        }
    }
}

/// One mapping's two fields and its Remove button.
#[component]
fn MappingRow(
    /// All mappings being edited.
    rows: RwSignal<Vec<StorageMapping>>,
    /// Which one this row edits.
    index: usize,
) -> impl IntoView {
    let n = index + 1;
    let (path_id, url_id) = (format!("mapping-path-{n}"), format!("mapping-url-{n}"));
    let value = move |url: bool| {
        rows.with(|r| {
            r.get(index).map(|m| if url { m.url.clone() } else { m.path.clone() }).unwrap_or_default()
        })
    };
    let set = move |url: bool, text: String| {
        rows.update(|r| {
            if let Some(m) = r.get_mut(index) {
                if url {
                    m.url = text;
                } else {
                    m.path = text;
                }
            }
        })
    };
    view! {
        <fieldset class="mapping-row">
            <legend>{format!("Mapping {n}")}</legend>
            <label for=path_id.clone()>{format!("Storage path prefix {n}")}</label>
            <input id=path_id class="mono" type="text" placeholder="/render/" prop:value=move || value(false)
                on:input:target=move |ev| set(false, ev.target().value()) />
            <label for=url_id.clone()>{format!("URL prefix {n}")}</label>
            <input id=url_id class="mono" type="text" placeholder="https://files.example/render/" prop:value=move || value(true)
                on:input:target=move |ev| set(true, ev.target().value()) />
            <button type="button" class="small danger" on:click=move |_| rows.update(|r| { if index < r.len() { r.remove(index); } })>
                {format!("Remove mapping {n}")}
            </button>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_credited_to_farmdeck_json_only_when_it_gave_some() {
        assert_eq!(defaults_origin(FileState::Found, false), "The defaults from farmdeck.json.");
        assert!(defaults_origin(FileState::Absent, true).starts_with("No farmdeck.json was found"));
        assert!(defaults_origin(FileState::Found, true).contains("sets no storage mappings"));
        assert!(defaults_origin(FileState::Invalid, true).contains("could not be used"));
    }
}
