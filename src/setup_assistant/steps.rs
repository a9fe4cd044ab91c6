//! The assistant's two checked steps: the shared storage folder, and Blender.

use leptos::prelude::*;

use super::model::{BlenderChoice, Checked, SetupDraft};
use super::page::{found_now, FoundBlenders};
use crate::manager::use_manager;

/// A check's answer as a line: usable or not, and the Manager's reason.
#[component]
fn CheckLine(
    /// Whether the Manager could use it.
    usable: bool,
    /// The Manager's words.
    cause: String,
) -> impl IntoView {
    let (class, verdict) = if usable { ("check-ok", "Usable: ") } else { ("check-bad", "Not usable: ") };
    view! { <p class=format!("check-line {class}") role="status">{verdict}{cause}</p> }
}

/// What a check shows: the Manager's answer (usable, why) for the text as it is typed now, that the
/// check is running, or why the Manager could not be asked.
fn check_view<T>(checked: &Checked<T>, answer: Option<(bool, String)>) -> AnyView {
    match (checked, answer) {
        (_, Some((usable, cause))) => view! { <CheckLine usable cause /> }.into_any(),
        (Checked::Running, None) => view! { <p class="muted" role="status">"Checking…"</p> }.into_any(),
        (Checked::Failed(why), None) => {
            view! { <p role="alert" class="field-error">{why.clone()}</p> }.into_any()
        }
        _ => ().into_any(),
    }
}

/// Step 1: the folder all Workers share, checked by the Manager.
#[component]
pub fn StorageStep(
    /// The assistant's state.
    draft: RwSignal<SetupDraft>,
) -> impl IntoView {
    let client = use_manager().client;
    let check = Action::new_local(move |path: &String| {
        let client = client.clone();
        let path = path.clone();
        async move {
            let outcome = client.check_shared_storage(&path).await;
            draft.update(|draft| draft.storage_check = Checked::from_answer(outcome));
        }
    });
    let on_check = move |_| {
        let path = draft.with_untracked(|draft| draft.storage_path.trim().to_owned());
        draft.update(|draft| draft.storage_check = Checked::Running);
        check.dispatch(path);
    };
    let result = move || {
        draft.with(|draft| {
            let answer = draft.current_storage_check().map(|result| (result.is_usable, result.cause.clone()));
            check_view(&draft.storage_check, answer)
        })
    };
    view! {
        <section class="setup-step" aria-labelledby="setup-storage">
            <h2 id="setup-storage">"1. Shared storage"</h2>
            <p class="muted">
                "A folder that the Manager and every Worker can reach, where job files and renders are kept. Give the path as the Manager's machine sees it."
            </p>
            <label class="field">
                <span>"Shared storage folder"</span>
                <input
                    type="text"
                    spellcheck="false"
                    prop:value=move || draft.with(|draft| draft.storage_path.clone())
                    on:input:target=move |ev| draft.update(|draft| draft.storage_path = ev.target().value())
                />
            </label>
            <button type="button" on:click=on_check disabled=move || check.pending().get()>"Check folder"</button>
            {result}
        </section>
    }
}

/// Step 2: how Workers start Blender: one the Manager found, or one typed and checked.
#[component]
pub fn BlenderStep(
    /// The assistant's state.
    draft: RwSignal<SetupDraft>,
    /// The Blenders the Manager found by itself.
    found: FoundBlenders,
) -> impl IntoView {
    let found_list = move || {
        let found_blenders = found_now(found);
        let failure = found.get().and_then(|result| result.err());
        if let Some(failure) = failure {
            return view! { <p role="alert" class="field-error">{format!("The Manager could not look for Blender: {failure}")}</p> }.into_any();
        }
        if found.get().is_some() && found_blenders.is_empty() {
            return view! { <p class="muted">"The Manager found no Blender by itself: type where it is below."</p> }.into_any();
        }
        found_blenders
            .into_iter()
            .enumerate()
            .map(|(index, blender)| view! { <FoundBlender draft index blender /> })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="setup-step" aria-labelledby="setup-blender">
            <h2 id="setup-blender">"2. Blender"</h2>
            <p class="muted">"How the Workers start Blender. The Manager runs it once with --version to check it."</p>
            <div class="blender-choices" role="radiogroup" aria-labelledby="setup-blender">
                <Transition fallback=|| view! { <p class="muted">"Looking for Blender…"</p> }>{found_list}</Transition>
                <TypedBlender draft />
            </div>
        </section>
    }
}

/// One Blender the Manager found, as a choice.
#[component]
fn FoundBlender(
    /// The assistant's state.
    draft: RwSignal<SetupDraft>,
    /// Its place in the found list.
    index: usize,
    /// What the Manager found.
    blender: flamenco_api::BlenderPathCheckResult,
) -> impl IntoView {
    let label = format!("{} ({})", blender.path, blender.cause);
    view! {
        <label class="choice">
            <input
                type="radio"
                name="blender"
                prop:checked=move || draft.with(|draft| draft.blender == BlenderChoice::Found(index))
                on:change=move |_| draft.update(|draft| draft.blender = BlenderChoice::Found(index))
            />
            <span>{label}</span>
        </label>
    }
}

/// A Blender the person types, with its check.
#[component]
fn TypedBlender(
    /// The assistant's state.
    draft: RwSignal<SetupDraft>,
) -> impl IntoView {
    let client = use_manager().client;
    let check = Action::new_local(move |path: &String| {
        let client = client.clone();
        let path = path.clone();
        async move {
            let outcome = client.check_blender(&path).await;
            draft.update(|draft| draft.typed_check = Checked::from_answer(outcome));
        }
    });
    let on_check = move |_| {
        let path = draft.with_untracked(|draft| draft.typed_blender.trim().to_owned());
        draft.update(|draft| {
            draft.blender = BlenderChoice::Typed;
            draft.typed_check = Checked::Running;
        });
        check.dispatch(path);
    };
    let result = move || {
        draft.with(|draft| {
            let answer = draft.current_typed_check().map(|result| (result.is_usable, result.cause.clone()));
            check_view(&draft.typed_check, answer)
        })
    };
    view! {
        <label class="choice">
            <input
                type="radio"
                name="blender"
                prop:checked=move || draft.with(|draft| draft.blender == BlenderChoice::Typed)
                on:change=move |_| draft.update(|draft| draft.blender = BlenderChoice::Typed)
            />
            <span>"Another Blender"</span>
        </label>
        <label class="field">
            <span>"Blender command or path"</span>
            <input
                type="text"
                spellcheck="false"
                placeholder="/opt/blender/blender"
                prop:value=move || draft.with(|draft| draft.typed_blender.clone())
                on:input:target=move |ev| {
                    draft.update(|draft| {
                        draft.typed_blender = ev.target().value();
                        draft.blender = BlenderChoice::Typed;
                    })
                }
            />
        </label>
        <button type="button" on:click=on_check disabled=move || check.pending().get()>"Check Blender"</button>
        {result}
    }
}
