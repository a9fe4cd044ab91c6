//! "Metadata": the EXR header attributes of the merge or of a tile picked, as the file says them
//! (name, type, value), in a folding section of the side panel.

use leptos::prelude::*;
use tilemerge::analysis::HeaderAttribute;

use super::section::InspectorSection;
use crate::preview::controller::{MetadataState, Preview, Subject};

/// The section: a choice of whose header, and its attributes.
#[component]
pub fn MetadataPanel(preview: Preview) -> impl IntoView {
    let inspector = preview.inspector;
    // Tiles placed so far: the merge's source may change while earlier tiles arrive.
    let placed = Memo::new(move |_| {
        preview.plan.with(|p| p.as_ref().map_or(0, |p| p.as_ref().map_or(0, |p| p.placed().count())))
    });
    Effect::new(move |_| {
        inspector.subject.track();
        placed.track();
        // A new merge, and its first full frame: the workers hold other files then.
        preview.live.track();
        preview.frame.track();
        preview.request_metadata();
    });
    view! {
        <InspectorSection title="Metadata" class="metadata-panel">
            <SubjectField preview />
            <div aria-live="polite">{move || view! { <MetadataBody state=inspector.metadata.get() /> }}</div>
        </InspectorSection>
    }
}

/// "Header of": the merge, or one of the placed tiles.
#[component]
fn SubjectField(preview: Preview) -> impl IntoView {
    let subject = preview.inspector.subject;
    let tiles = move || {
        preview.plan.with(|p| match p {
            Some(Ok(plan)) => plan.placed().filter_map(|row| row.tile).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    view! {
        <div class="field-row">
            <label for="metadata-subject">"Header of"</label>
            <select
                id="metadata-subject"
                prop:value=move || subject.get().value()
                on:change:target=move |ev| {
                    if let Some(chosen) = Subject::from_value(&ev.target().value()) {
                        subject.set(chosen);
                    }
                }
            >
                <option value="merge">"The merge"</option>
                <For each=tiles key=|tile| *tile let:tile>
                    <option value=tile.to_string()>{format!("Tile {}", tile.file_name())}</option>
                </For>
            </select>
        </div>
    }
}

/// The attributes, or why there are none.
#[component]
fn MetadataBody(state: MetadataState) -> impl IntoView {
    match state {
        MetadataState::Idle => view! { <p class="muted">"Merge tiles to see their headers."</p> }.into_any(),
        MetadataState::Working => view! { <p class="muted">"Reading the header…"</p> }.into_any(),
        MetadataState::Missing(Subject::Merge) => {
            view! { <p class="muted">"No tile is placed yet."</p> }.into_any()
        }
        MetadataState::Missing(Subject::Tile(tile)) => {
            view! { <p class="muted">"No worker holds " {tile.file_name()} "."</p> }.into_any()
        }
        MetadataState::Ready { subject, tile, attributes } => {
            view! { <AttributeTable subject tile=tile.file_name() attributes /> }.into_any()
        }
    }
}

/// One line per attribute; values are the file's text, shown as text.
#[component]
fn AttributeTable(subject: Subject, tile: String, attributes: Vec<HeaderAttribute>) -> impl IntoView {
    let caption = match subject {
        Subject::Merge => format!("The merge's header (from {tile})"),
        Subject::Tile(_) => format!("Header of {tile}"),
    };
    let multi_part = attributes.iter().any(|a| a.part > 0);
    let rows = attributes
        .into_iter()
        .map(|a| {
            let name = if multi_part { format!("{}: {}", a.part, a.name) } else { a.name };
            view! {
                <tr>
                    <th scope="row" class="mono">{name}</th>
                    <td class="muted">{a.type_name}</td>
                    <td class="mono metadata-value">{a.text}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table metadata-table">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Value"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
