//! What the Manager's variables and shared storage come to for one platform and audience, as its
//! API answers (`getVariables`, `getSharedStorage`): the running configuration, which a saved file
//! changes only after a restart.

use flamenco_api::{ManagerVariableAudience, ManagerVariables, SharedStorageLocation};
use leptos::prelude::*;

use crate::api::ApiFailure;
use crate::live::use_live;
use crate::manager::use_manager;

/// Platforms a browser or Worker runs on.
const PLATFORMS: [&str; 3] = ["linux", "windows", "darwin"];

type Resolved = Result<(ManagerVariables, SharedStorageLocation), ApiFailure>;

#[component]
pub fn ResolvedVariables(saves: RwSignal<u32>) -> impl IntoView {
    let client = use_manager().client;
    let live = use_live();
    let platform = RwSignal::new("linux".to_owned());
    let audience = RwSignal::new(ManagerVariableAudience::Users);
    let resolved = LocalResource::new(move || {
        let (platform, audience) = (platform.get(), audience.get());
        live.epoch().track();
        saves.track();
        let client = client.clone();
        async move {
            let variables = client.fetch_variables(audience, &platform).await?;
            let storage = client.fetch_shared_storage(audience, &platform).await?;
            Ok::<_, ApiFailure>((variables, storage))
        }
    });
    let choose_audience = move |text: String| {
        if let Some(found) = ManagerVariableAudience::ALL.into_iter().find(|a| a.as_str() == text) {
            audience.set(found);
        }
    };
    view! {
        <section class="resolved-variables">
            <h2>"Variables as the Manager applies them"</h2>
            <div class="toolbar">
                <label for="resolved-platform">"Platform"</label>
                <select id="resolved-platform" on:change:target=move |ev| platform.set(ev.target().value())>
                    {PLATFORMS.map(|p| view! { <option value=p selected=move || platform.get() == p>{p}</option> }).into_iter().collect_view()}
                </select>
                <label for="resolved-audience">"For"</label>
                <select id="resolved-audience" on:change:target=move |ev| choose_audience(ev.target().value())>
                    {ManagerVariableAudience::ALL.map(|a| view! { <option value=a.as_str() selected=move || audience.get() == a>{a.as_str()}</option> }).into_iter().collect_view()}
                </select>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || resolved.get().map(|answer: Resolved| match answer {
                    Ok((variables, storage)) => view! { <ResolvedTable variables storage /> }.into_any(),
                    Err(failure) => view! { <p role="alert" class="field-error">{format!("Could not get the variables: {failure}")}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ResolvedTable(variables: ManagerVariables, storage: SharedStorageLocation) -> impl IntoView {
    view! {
        <p>"Shared storage: "<code>{storage.location}</code>{storage.shaman_enabled.then_some(" (Shaman enabled)")}</p>
        <table class="data-table resolved-table">
            <thead><tr><th scope="col">"Variable"</th><th scope="col">"Value"</th><th scope="col">"Two-way"</th></tr></thead>
            <tbody>
                {variables.into_iter().map(|(name, variable)| view! {
                    <tr><td class="mono">{name}</td><td class="mono">{variable.value}</td><td>{if variable.is_twoway { "yes" } else { "no" }}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
