//! Deleting a worker. The Manager deletes any worker it is asked to; like Flamenco's web app, Farmdeck
//! offers it only for an offline worker (one that is running would sign on again as a new worker, or
//! lose its task), and says why otherwise, also when the worker comes online during the confirmation.

use flamenco_api::WorkerStatus;
use leptos::prelude::*;

use crate::manager::use_manager;

/// Why the worker cannot be deleted now; `None` when it can.
pub fn deletion_refusal(name: &str, status: &WorkerStatus) -> Option<String> {
    (*status != WorkerStatus::Offline).then(|| {
        format!(
            "{name} is {status}: only an offline worker can be deleted. Shut it down first, then delete it."
        )
    })
}

#[component]
pub fn DeleteWorker(
    id: String,
    name: Memo<String>,
    status: Memo<Option<WorkerStatus>>,
    /// Called with the worker's name once the Manager deleted it.
    on_deleted: impl Fn(String) + 'static,
) -> impl IntoView {
    let client = use_manager().client;
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let refusal = Memo::new(move |_| status.get().and_then(|status| deletion_refusal(&name.get(), &status)));
    let delete = Action::new_local(move |_: &()| {
        let client = client.clone();
        let id = id.clone();
        async move { client.delete_worker(&id).await }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => on_deleted(name.get_untracked()),
        Some(Err(problem)) => {
            failure.set(Some(format!("{} was not deleted: {problem}", name.get_untracked())))
        }
        None => {}
    });
    let confirmation = move || {
        confirming.get().then(|| {
            view! {
                <div class="confirmation" role="alertdialog" aria-label="Delete worker">
                    <p>{move || format!("Delete worker {}? The Manager forgets it; if it signs on again it comes back as a new worker.", name.get())}</p>
                    {move || refusal.get().map(|text| view! { <p class="field-error" role="alert">{format!("Cannot delete now: {text}")}</p> })}
                    <button type="button" class="danger" disabled=move || refusal.with(Option::is_some) || delete.pending().get()
                        on:click=move |_| { delete.dispatch(()); }>"Delete worker"</button>
                    <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            }
        })
    };
    view! {
        <div class="worker-delete">
            {move || (!confirming.get()).then(|| view! {
                <button type="button" class="danger" disabled=move || refusal.with(Option::is_some)
                    on:click=move |_| { failure.set(None); confirming.set(true); }>"Delete…"</button>
                {move || refusal.get().map(|text| view! { <span class="muted delete-reason">{text}</span> })}
            })}
            {confirmation}
            <p class="action-report problem" role="status">{move || failure.get()}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_offline_worker_may_be_deleted() {
        assert_eq!(deletion_refusal("otter", &WorkerStatus::Offline), None);
        let refusal = deletion_refusal("otter", &WorkerStatus::Awake).expect("refused");
        assert!(refusal.starts_with("otter is awake: only an offline worker can be deleted"), "{refusal}");
        assert!(deletion_refusal("otter", &WorkerStatus::Asleep).is_some());
    }
}
