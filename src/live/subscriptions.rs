//! The subscriptions the pages want, counted, so that two components following the same job share
//! one subscription and the last one to go unsubscribes.

use std::collections::BTreeMap;

use flamenco_api::{SocketIOSubscription, SubscriptionType};

/// One subscription as the Manager knows it: a kind, and a job or task id for `job` and `tasklog`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionKey {
    pub kind: SubscriptionType,
    pub uuid: Option<String>,
}

impl SubscriptionKey {
    /// The key for `kind`. A uuid given to a kind that takes none is dropped: the Manager ignores
    /// it, and keeping it would make `allJobs` with and without one count as two subscriptions.
    pub fn new(kind: SubscriptionType, uuid: Option<String>) -> Self {
        let uuid = if takes_uuid(&kind) { uuid } else { None };
        SubscriptionKey { kind, uuid }
    }

    /// The `/subscription` payload that subscribes to this.
    pub fn subscribe_message(&self) -> SocketIOSubscription {
        SocketIOSubscription::subscribe(self.kind.clone(), self.uuid.clone())
    }

    /// The `/subscription` payload that unsubscribes from this.
    pub fn unsubscribe_message(&self) -> SocketIOSubscription {
        SocketIOSubscription::unsubscribe(self.kind.clone(), self.uuid.clone())
    }

    /// For log messages, e.g. `job 1b2c…` or `allJobs`.
    pub fn describe(&self) -> String {
        match &self.uuid {
            Some(uuid) => format!("{} {uuid}", self.kind),
            None => self.kind.to_string(),
        }
    }
}

/// Whether subscriptions of this kind name a job or task. Kinds this version does not know keep
/// their uuid, in case a newer Manager needs it.
pub fn takes_uuid(kind: &SubscriptionType) -> bool {
    matches!(kind, SubscriptionType::Job | SubscriptionType::TaskLog | SubscriptionType::Unknown(_))
}

/// How many holders want each subscription.
#[derive(Clone, Debug, Default)]
pub struct SubscriptionSet {
    holders: BTreeMap<SubscriptionKey, u32>,
}

impl SubscriptionSet {
    /// Adds a holder; true when it is the first, i.e. the Manager must be told.
    pub fn acquire(&mut self, key: SubscriptionKey) -> bool {
        let count = self.holders.entry(key).or_insert(0);
        *count = count.saturating_add(1);
        *count == 1
    }

    /// Removes a holder; true when it was the last, i.e. the Manager must be told. Releasing a
    /// key nobody holds does nothing.
    pub fn release(&mut self, key: &SubscriptionKey) -> bool {
        match self.holders.get_mut(key) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            Some(_) => {
                self.holders.remove(key);
                true
            }
            None => false,
        }
    }

    /// Every subscription wanted now, in a stable order: what to send again after a reconnect.
    pub fn keys(&self) -> impl Iterator<Item = &SubscriptionKey> {
        self.holders.keys()
    }

    /// How many holders want `key`.
    pub fn holders(&self, key: &SubscriptionKey) -> u32 {
        self.holders.get(key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamenco_api::SubscriptionOperation;

    fn job(uuid: &str) -> SubscriptionKey {
        SubscriptionKey::new(SubscriptionType::Job, Some(uuid.into()))
    }

    #[test]
    fn only_the_first_holder_subscribes_and_the_last_unsubscribes() {
        let mut set = SubscriptionSet::default();
        assert!(set.acquire(job("a")));
        assert!(!set.acquire(job("a")));
        assert!(set.acquire(job("b")));
        assert_eq!(set.holders(&job("a")), 2);
        assert!(!set.release(&job("a")));
        assert!(set.release(&job("a")));
        assert!(!set.release(&job("a")), "a key nobody holds is no change");
        assert_eq!(set.keys().cloned().collect::<Vec<_>>(), [job("b")]);
    }

    #[test]
    fn kinds_without_an_id_ignore_one() {
        let with = SubscriptionKey::new(SubscriptionType::AllJobs, Some("x".into()));
        assert_eq!(with, SubscriptionKey::new(SubscriptionType::AllJobs, None));
        assert_eq!(with.describe(), "allJobs");
        assert_eq!(job("j1").describe(), "job j1");
    }

    #[test]
    fn messages_carry_the_operation_kind_and_id() {
        let message = job("j1").subscribe_message();
        assert_eq!(message.op, SubscriptionOperation::Subscribe);
        assert_eq!(
            serde_json::to_value(job("j1").unsubscribe_message()).unwrap(),
            serde_json::json!({"op": "unsubscribe", "type": "job", "uuid": "j1"})
        );
        assert_eq!(
            serde_json::to_value(
                SubscriptionKey::new(SubscriptionType::AllWorkers, None).subscribe_message()
            )
            .unwrap(),
            serde_json::json!({"op": "subscribe", "type": "allWorkers"})
        );
    }
}
