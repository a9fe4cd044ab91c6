//! The handlers that want live events, by id, so that each one's guard can remove exactly it.

use std::rc::Rc;

use super::events::LiveEvent;

/// A registered event handler.
pub type Handler = Rc<dyn Fn(&LiveEvent)>;

/// The current handlers.
#[derive(Default)]
pub struct Listeners {
    next_id: u64,
    handlers: Vec<(u64, Handler)>,
}

impl Listeners {
    /// Adds a handler; the id removes it again.
    pub fn add(&mut self, handler: Handler) -> u64 {
        self.next_id += 1;
        self.handlers.push((self.next_id, handler));
        self.next_id
    }

    /// Removes the handler with this id, if it is still there.
    pub fn remove(&mut self, id: u64) {
        self.handlers.retain(|(existing, _)| *existing != id);
    }

    /// The handlers now, in the order they were added. Events are dispatched to a snapshot, so a
    /// handler may add or remove handlers (a page unmounting in reaction to an event) safely.
    pub fn snapshot(&self) -> Vec<Handler> {
        self.handlers.iter().map(|(_, handler)| Rc::clone(handler)).collect()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.handlers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flamenco_api::{FarmStatus, FarmStatusReport};
    use std::cell::RefCell;

    #[test]
    fn handlers_are_removed_by_their_own_id_only() {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut listeners = Listeners::default();
        let ids: Vec<u64> = (0..3)
            .map(|n| {
                let seen = Rc::clone(&seen);
                listeners.add(Rc::new(move |_: &LiveEvent| seen.borrow_mut().push(n)))
            })
            .collect();
        listeners.remove(ids[1]);
        listeners.remove(ids[1]);
        let event = LiveEvent::FarmStatus(FarmStatusReport { status: FarmStatus::Idle });
        for handler in listeners.snapshot() {
            handler(&event);
        }
        assert_eq!(*seen.borrow(), [0, 2]);
        assert_eq!(listeners.len(), 2);
    }
}
