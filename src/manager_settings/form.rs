//! The settings form: one input per field of the file, grouped as Flamenco documents them, the
//! variables editor, and what became of the last save.

use leptos::prelude::*;

use super::fields::{FieldKind, Section, FIELDS};
use super::model::{FieldRef, FieldValue};
use super::page::{FormState, Outcome};
use super::variables::VariablesEditor;

/// The whole form.
#[component]
pub fn ConfigForm(
    state: FormState,
    submit: Callback<()>,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit.run(());
    };
    let edited = move || state.draft.get() != state.base.get();
    view! {
        <form class="config-form" on:submit=on_submit novalidate=true>
            <RemoteChangeNotice state />
            {Section::ALL.into_iter().map(|section| view! { <ConfigSection state section /> }).collect_view()}
            <VariablesEditor state />
            <div class="toolbar config-actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save settings" }}
                </button>
                <button type="button" disabled=move || !edited() on:click=move |_| {
                    let base = state.base.get_untracked();
                    state.draft.set(base);
                    state.outcome.set(None);
                }>"Undo changes"</button>
                <span class="muted">{move || if edited() { "Unsaved changes." } else { "" }}</span>
            </div>
            <SaveOutcome state />
        </form>
    }
}

/// A new version of the file arrived while the form held edits: the edits stay, and the person
/// chooses.
#[component]
fn RemoteChangeNotice(state: FormState) -> impl IntoView {
    move || {
        state.remote.with(Option::is_some).then(|| view! {
            <div class="notice warning" role="status">
                "The settings file on the Manager changed while you were editing. Your edits are kept. "
                <button type="button" class="small" on:click=move |_| state.take_remote()>"Load the Manager's version"</button>
            </div>
        })
    }
}

#[component]
fn SaveOutcome(state: FormState) -> impl IntoView {
    move || {
        match state.outcome.get() {
        None => ().into_any(),
        Some(Outcome::Saved) => view! {
            <p role="status" class="save-ok">"Saved. The Manager applies the new settings when it is restarted."</p>
        }.into_any(),
        Some(Outcome::Refused(message)) => view! { <p role="alert" class="field-error">{message}</p> }.into_any(),
        Some(Outcome::Invalid(problems)) => {
            let first = problems.first().map(|p| p.message.clone()).unwrap_or_default();
            let count = problems.len();
            let text = if count == 1 {
                format!("Not saved: {first}")
            } else {
                format!("Not saved: {count} fields need fixing. First: {first}")
            };
            view! { <p role="alert" class="field-error">{text}</p> }.into_any()
        }
    }
    }
}

#[component]
fn ConfigSection(state: FormState, section: Section) -> impl IntoView {
    view! {
        <fieldset class="form-section">
            <legend>{section.title()}</legend>
            {FIELDS
                .iter()
                .enumerate()
                .filter(|(_, spec)| spec.section == section)
                .map(|(index, _)| view! { <ConfigField state index /> })
                .collect_view()}
        </fieldset>
    }
}

/// One field: its label, input, explanation and problem.
#[component]
fn ConfigField(state: FormState, index: usize) -> impl IntoView {
    let spec = FIELDS[index];
    let id = spec.input_id();
    let error_id = format!("{id}-error");
    let problem = Memo::new(move |_| {
        state.problems().into_iter().find(|p| p.at == FieldRef::Field(index)).map(|p| p.message)
    });
    let value = move || state.draft.with(|d| d.as_ref().and_then(|d| d.values.get(index).cloned()));
    let set = move |new: FieldValue| {
        state.edit(|d| {
            if let Some(slot) = d.values.get_mut(index) {
                *slot = new;
            }
        })
    };
    let input = match spec.kind {
        FieldKind::Toggle => view! {
            <input id=id.clone() type="checkbox" aria-describedby=error_id.clone()
                prop:checked=move || matches!(value(), Some(FieldValue::Toggle(true)))
                on:change:target=move |ev| set(FieldValue::Toggle(ev.target().checked())) />
        }.into_any(),
        kind => view! {
            <input id=id.clone() class="mono" type=if kind == FieldKind::Secret { "password" } else { "text" }
                aria-describedby=error_id.clone() aria-invalid=move || problem.with(Option::is_some).to_string()
                prop:value=move || match value() { Some(FieldValue::Text(text)) => text, _ => String::new() }
                on:input:target=move |ev| set(FieldValue::Text(ev.target().value())) />
        }.into_any(),
    };
    let checkbox = if spec.kind == FieldKind::Toggle { " checkbox" } else { "" };
    view! {
        <div class=format!("form-field{checkbox}")>
            <label for=id>{spec.label}</label>
            {input}
            <p class="hint">{spec.help}</p>
            <p id=error_id class="field-error">{move || problem.get()}</p>
        </div>
    }
}
