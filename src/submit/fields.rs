//! The form's fields: the job's own (name, priority, worker tag, paused, metadata) and one per setting.

use flamenco_api::WorkerTag;
use leptos::prelude::*;

use super::form::FormContext;
use super::model::{section_of, MetadataPart, MetadataRow, Section};
use super::setting_field::SettingField;
use super::validate::FieldId;

/// A field's error line, shown next to it; `id` is what the input's `aria-describedby` names.
#[component]
pub fn FieldError(context: FormContext, field: FieldId, id: String) -> impl IntoView {
    let message =
        move || context.problems.with(|problems| problems.message_for(&field, context.attempted.get()));
    view! { <p class="field-error" id=id>{message}</p> }
}

/// Whether a field currently shows an error (for `aria-invalid`).
pub fn invalid(context: FormContext, field: FieldId) -> impl Fn() -> &'static str + Send + Sync + 'static {
    move || {
        let shown =
            context.problems.with(|problems| problems.message_for(&field, context.attempted.get()).is_some());
        if shown {
            "true"
        } else {
            "false"
        }
    }
}

#[component]
pub fn JobFields(context: FormContext, tags: Vec<WorkerTag>, tags_problem: Option<String>) -> impl IntoView {
    let form = context.form;
    let options = tags
        .into_iter()
        .filter_map(|tag| {
            let id = tag.id?;
            let value = id.clone();
            let selected = move || form.with(|form| form.worker_tag.as_deref() == Some(id.as_str()));
            Some(view! { <option value=value selected=selected>{tag.name}</option> })
        })
        .collect_view();
    view! {
        <fieldset class="form-section">
            <legend>"Job"</legend>
            <div class="form-field">
                <span class="field-label"><label for="job-name">"Name"</label><span class="required-mark">" (required)"</span></span>
                <input id="job-name" type="text" aria-describedby="job-name-error" aria-required="true"
                    aria-invalid=invalid(context, FieldId::Name)
                    prop:value=move || form.with(|form| form.name.clone())
                    on:input:target=move |event| form.update(|form| form.name = event.target().value()) />
                <FieldError context field=FieldId::Name id="job-name-error".into() />
            </div>
            <div class="form-field">
                <label for="job-priority">"Priority"</label>
                <input id="job-priority" type="text" inputmode="numeric" aria-describedby="job-priority-error"
                    aria-invalid=invalid(context, FieldId::Priority)
                    prop:value=move || form.with(|form| form.priority.clone())
                    on:input:target=move |event| form.update(|form| form.priority = event.target().value()) />
                <p class="hint muted">"0 to 100; higher goes first."</p>
                <FieldError context field=FieldId::Priority id="job-priority-error".into() />
            </div>
            <div class="form-field">
                <label for="job-worker-tag">"Worker tag"</label>
                <select id="job-worker-tag"
                    on:change:target=move |event| {
                        let value = event.target().value();
                        form.update(|form| form.worker_tag = (!value.is_empty()).then_some(value));
                    }>
                    <option value="" selected=move || form.with(|form| form.worker_tag.is_none())>"Any worker"</option>
                    {options}
                </select>
                {tags_problem.map(|problem| view! { <p class="hint muted">{problem}</p> })}
            </div>
            <div class="form-field checkbox">
                <label for="job-paused">"Submit as paused"</label>
                <input id="job-paused" type="checkbox"
                    prop:checked=move || form.with(|form| form.paused)
                    on:change:target=move |event| form.update(|form| form.paused = event.target().checked()) />
                <p class="hint muted">"The job waits, with none of its tasks running, until it is resumed."</p>
            </div>
            <MetadataRows context />
        </fieldset>
    }
}

#[component]
fn MetadataRows(context: FormContext) -> impl IntoView {
    let form = context.form;
    let count = Memo::new(move |_| form.with(|form| form.metadata.len()));
    let text = move |row: usize, part: MetadataPart| {
        move || {
            form.with(|form| {
                form.metadata.get(row).map(|entry| match part {
                    MetadataPart::Key => entry.key.clone(),
                    MetadataPart::Value => entry.value.clone(),
                })
            })
        }
    };
    let rows = move || {
        (0..count.get())
            .map(|row| {
                let set = move |part: MetadataPart| move |value: String| form.update(|form| form.set_metadata(row, part, value));
                let (set_key, set_value) = (set(MetadataPart::Key), set(MetadataPart::Value));
                let error_id = format!("metadata-{row}-error");
                view! {
                    <div class="metadata-row form-field">
                        <label>"Key" <input type="text" aria-describedby=error_id.clone() prop:value=text(row, MetadataPart::Key)
                            on:input:target=move |event| set_key(event.target().value()) /></label>
                        <label>"Value" <input type="text" prop:value=text(row, MetadataPart::Value)
                            on:input:target=move |event| set_value(event.target().value()) /></label>
                        <button type="button" class="small" on:click=move |_| form.update(|form| form.remove_metadata(row))>"Remove"</button>
                        <FieldError context field=FieldId::MetadataKey(row) id=error_id />
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <div class="metadata-rows">
            <h3>"Metadata"</h3>
            {rows}
            <button type="button" class="small" on:click=move |_| form.update(|form| form.metadata.push(MetadataRow::default()))>"Add metadata"</button>
        </div>
    }
}

/// The settings of one section, rebuilt when the job type is reloaded.
#[component]
pub fn SettingsSection(
    context: FormContext,
    section: Section,
    title: &'static str,
    intro: &'static str,
) -> impl IntoView {
    let settings = Memo::new(move |_| {
        context.job_type.with(|job_type| {
            job_type
                .settings
                .iter()
                .filter(|setting| section_of(setting, job_type) == Some(section))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    move || {
        let settings = settings.get();
        (!settings.is_empty()).then(|| {
            let fields =
                settings.into_iter().map(|setting| view! { <SettingField context setting /> }).collect_view();
            view! {
                <fieldset class="form-section">
                    <legend>{title}</legend>
                    {(!intro.is_empty()).then(|| view! { <p class="muted">{intro}</p> })}
                    {fields}
                </fieldset>
            }
        })
    }
}
