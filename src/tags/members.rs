//! Which workers are in each tag. The workers list has no tags, so each worker's details are fetched:
//! a few at a time, all of them once per connection, then one again whenever its `/workers` event
//! arrives (a tag change on a worker sends one).

use std::collections::HashMap;

use flamenco_api::{SubscriptionType, Worker};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ManagerClient;
use crate::live::{use_live, use_live_event, use_subscription, LiveEvent};
use crate::manager::use_manager;

/// How many worker details are asked for at once: a farm of hundreds must not flood the Manager.
const FETCH_AT_ONCE: usize = 6;

/// A worker as a tag lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub name: String,
}

/// The tags of every worker known so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    workers: HashMap<String, (String, Vec<String>)>,
}

impl Membership {
    /// Records a worker's name and tags from its details.
    pub fn set(&mut self, worker: &Worker) {
        let tag_ids = worker.tags.iter().flatten().filter_map(|tag| tag.id.clone()).collect();
        self.workers.insert(worker.id.clone(), (worker.name.clone(), tag_ids));
    }

    pub fn remove(&mut self, worker_id: &str) {
        self.workers.remove(worker_id);
    }

    /// Keeps only the workers in `ids` (a fresh list of the farm's workers).
    pub fn retain(&mut self, ids: &[String]) {
        self.workers.retain(|id, _| ids.contains(id));
    }

    /// The workers in tag `tag_id`, by name.
    pub fn members(&self, tag_id: &str) -> Vec<Member> {
        let mut members: Vec<Member> = self
            .workers
            .iter()
            .filter(|(_, (_, tags))| tags.iter().any(|id| id == tag_id))
            .map(|(id, (name, _))| Member { id: id.clone(), name: name.clone() })
            .collect();
        members
            .sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.id.cmp(&b.id)));
        members
    }
}

/// Fetches the details of `ids`, a few at a time, into `membership`.
async fn fetch_details(client: ManagerClient, ids: Vec<String>, membership: RwSignal<Membership>) {
    for chunk in ids.chunks(FETCH_AT_ONCE) {
        let fetched = futures::future::join_all(chunk.iter().map(|id| client.fetch_worker(id))).await;
        membership.update(|membership| {
            for worker in fetched.iter().flatten() {
                membership.set(worker);
            }
        });
    }
}

/// The membership of every tag, kept current while the calling page is open. A failure to list the
/// workers is reported in the returned error signal.
pub fn use_membership() -> (RwSignal<Membership>, RwSignal<Option<String>>) {
    let client = use_manager().client;
    let live = use_live();
    let membership = RwSignal::new(Membership::default());
    let problem = RwSignal::new(None::<String>);
    use_subscription(SubscriptionType::AllWorkers, || None);
    {
        let client = client.clone();
        use_live_event(move |event| {
            if let LiveEvent::WorkerUpdate(update) = event {
                if update.deleted_at.is_some() {
                    membership.update(|membership| membership.remove(&update.id));
                } else {
                    spawn_local(fetch_details(client.clone(), vec![update.id.clone()], membership));
                }
            }
        });
    }
    Effect::new(move |_| {
        live.epoch().track();
        let client = client.clone();
        spawn_local(async move {
            match client.fetch_workers().await {
                Ok(workers) => {
                    problem.set(None);
                    let ids: Vec<String> = workers.into_iter().map(|worker| worker.id).collect();
                    membership.update(|membership| membership.retain(&ids));
                    fetch_details(client, ids, membership).await;
                }
                Err(failure) => problem.set(Some(format!("Workers unavailable: {failure}"))),
            }
        });
    });
    (membership, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(id: &str, name: &str, tags: &[&str]) -> Worker {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "status": "awake", "version": "3.9", "can_restart": true,
            "ip_address": "10.0.0.2", "platform": "linux", "supported_task_types": ["blender"],
            "tags": tags.iter().map(|tag| serde_json::json!({"id": tag, "name": tag})).collect::<Vec<_>>()
        }))
        .expect("a worker")
    }

    #[test]
    fn members_follow_each_workers_details() {
        let mut membership = Membership::default();
        membership.set(&worker("2", "otter", &["gpu"]));
        membership.set(&worker("1", "Badger", &["gpu", "cpu"]));
        let names = |membership: &Membership, tag: &str| {
            membership.members(tag).into_iter().map(|member| member.name).collect::<Vec<_>>()
        };
        assert_eq!(names(&membership, "gpu"), ["Badger", "otter"]);
        membership.set(&worker("1", "Badger", &["cpu"]));
        assert_eq!(names(&membership, "gpu"), ["otter"], "untagged");
        membership.retain(&["1".to_owned()]);
        assert!(membership.members("gpu").is_empty(), "a worker that is gone");
        membership.remove("1");
        assert!(membership.members("cpu").is_empty());
    }
}
