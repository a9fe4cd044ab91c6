//! The variables editor: each variable's name, whether it is two-way, and its value per platform
//! (and optionally per audience). Rows are drawn again only when one is added or removed, so typing
//! keeps its place.

use flamenco_api::VARIABLE_PLATFORMS;
use leptos::prelude::*;

use super::fields::VARIABLE_AUDIENCES;
use super::model::{ConfigDraft, FieldRef, ValueDraft, VariableDraft};
use super::page::FormState;

fn variable<T>(state: FormState, v: usize, read: impl Fn(&VariableDraft) -> T) -> Option<T> {
    state.draft.with(|d| d.as_ref().and_then(|d| d.variables.get(v)).map(read))
}

fn edit_variable(state: FormState, v: usize, change: impl FnOnce(&mut VariableDraft)) {
    state.edit(|d: &mut ConfigDraft| {
        if let Some(variable) = d.variables.get_mut(v) {
            change(variable);
        }
    });
}

fn problem_at(state: FormState, at: FieldRef) -> Option<String> {
    state.problems().into_iter().find(|p| p.at == at).map(|p| p.message)
}

#[component]
pub fn VariablesEditor(state: FormState) -> impl IntoView {
    let count = Memo::new(move |_| state.draft.with(|d| d.as_ref().map_or(0, |d| d.variables.len())));
    let add = move |_| {
        state.edit(|d| {
            d.variables.push(VariableDraft {
                values: vec![ValueDraft { platform: "all".into(), ..ValueDraft::default() }],
                ..VariableDraft::default()
            })
        })
    };
    view! {
        <fieldset class="form-section variables-editor">
            <legend>"Variables"</legend>
            <p class="hint">
                "Written as {name} in job settings and replaced by the value for the Worker's platform when a task is handed out. Two-way variables are also replaced the other way when a job is submitted."
            </p>
            {move || (0..count.get()).map(|v| view! { <VariableBlock state v /> }).collect_view()}
            <button type="button" on:click=add>"Add variable"</button>
        </fieldset>
    }
}

#[component]
fn VariableBlock(state: FormState, v: usize) -> impl IntoView {
    let n = v + 1;
    let values = Memo::new(move |_| variable(state, v, |var| var.values.len()).unwrap_or(0));
    let (name_id, twoway_id) = (format!("var-{n}-name"), format!("var-{n}-twoway"));
    let name_error = format!("{name_id}-error");
    let twoway_for = twoway_id.clone();
    let name_problem = Memo::new(move |_| problem_at(state, FieldRef::VariableName(v)));
    let remove = move |_| {
        state.edit(|d| {
            if v < d.variables.len() {
                d.variables.remove(v);
            }
        })
    };
    let add_value = move |_| {
        edit_variable(state, v, |var| {
            var.values.push(ValueDraft { platform: "linux".into(), ..ValueDraft::default() })
        })
    };
    view! {
        <div class="variable-block">
            <div class="variable-head">
                <label for=name_id.clone()>{format!("Variable {n} name")}</label>
                <input id=name_id class="mono" type="text" aria-describedby=name_error.clone()
                    prop:value=move || variable(state, v, |var| var.name.clone()).unwrap_or_default()
                    on:input:target=move |ev| edit_variable(state, v, |var| var.name = ev.target().value()) />
                <label class="inline" for=twoway_for>
                    <input id=twoway_id type="checkbox" prop:checked=move || variable(state, v, |var| var.is_twoway).unwrap_or(false)
                        on:change:target=move |ev| edit_variable(state, v, |var| var.is_twoway = ev.target().checked()) />
                    {format!(" Variable {n} is two-way")}
                </label>
                <button type="button" class="small danger" on:click=remove>{format!("Remove variable {n}")}</button>
            </div>
            <p id=name_error class="field-error">{move || name_problem.get()}</p>
            {move || (0..values.get()).map(|i| view! { <ValueRow state v i /> }).collect_view()}
            <button type="button" class="small" on:click=add_value>{format!("Add a value to variable {n}")}</button>
        </div>
    }
}

#[component]
fn ValueRow(state: FormState, v: usize, i: usize) -> impl IntoView {
    let label = format!("Variable {} value {}", v + 1, i + 1);
    let ids =
        (format!("var-{v}-{i}-platform"), format!("var-{v}-{i}-audience"), format!("var-{v}-{i}-value"));
    let error_id = format!("var-{v}-{i}-error");
    let read = move |pick: fn(&ValueDraft) -> String| {
        variable(state, v, |var| var.values.get(i).map(pick)).flatten().unwrap_or_default()
    };
    let write = move |change: Box<dyn FnOnce(&mut ValueDraft)>| {
        edit_variable(state, v, |var| {
            if let Some(value) = var.values.get_mut(i) {
                change(value);
            }
        })
    };
    let problem = Memo::new(move |_| {
        problem_at(state, FieldRef::ValuePlatform(v, i))
            .or_else(|| problem_at(state, FieldRef::ValueAudience(v, i)))
    });
    // A platform the file has but the form does not know still shows, so its problem can be seen.
    let platform_now = read(|value| value.platform.clone());
    let mut platforms: Vec<String> = VARIABLE_PLATFORMS.iter().map(|p| p.to_string()).collect();
    if !platforms.contains(&platform_now) {
        platforms.push(platform_now);
    }
    let remove = move |_| {
        edit_variable(state, v, |var| {
            if i < var.values.len() {
                var.values.remove(i);
            }
        })
    };
    view! {
        <div class="variable-value">
            <label for=ids.0.clone()>{format!("{label} platform")}</label>
            <select id=ids.0 aria-describedby=error_id.clone() on:change:target=move |ev| { let p = ev.target().value(); write(Box::new(move |value| value.platform = p)) }>
                {platforms.into_iter().map(|p| view! { <option value=p.clone() selected=move || read(|value| value.platform.clone()) == p>{p.clone()}</option> }).collect_view()}
            </select>
            <label for=ids.1.clone()>{format!("{label} audience")}</label>
            <select id=ids.1 on:change:target=move |ev| { let a = ev.target().value(); write(Box::new(move |value| value.audience = a)) }>
                {VARIABLE_AUDIENCES.iter().map(|(wire, text)| view! { <option value=*wire selected=move || read(|value| value.audience.clone()) == *wire>{*text}</option> }).collect_view()}
            </select>
            <label for=ids.2.clone()>{label.clone()}</label>
            <input id=ids.2 class="mono" type="text"
                prop:value=move || read(|value| value.value.clone())
                on:input:target=move |ev| { let text = ev.target().value(); write(Box::new(move |value| value.value = text)) } />
            <button type="button" class="small" on:click=remove>{format!("Remove {}", label.to_lowercase())}</button>
            <p id=error_id class="field-error">{move || problem.get()}</p>
        </div>
    }
}
