//! The workers' answers gathered, by merge and by ticket: the reference's checks, and the shares
//! of a comparison merged into the figures of the whole image.

use tilemerge::analysis::DifferencePartial;

use super::{Figures, ReferenceState};
use crate::preview::worker::protocol::{Other, SessionId};

/// The answers to a reference sent.
#[derive(Debug, Default)]
pub struct ReferenceGather {
    session: SessionId,
    name: String,
    answers: usize,
    passes: Vec<String>,
    refused: Option<String>,
}

impl ReferenceGather {
    /// Waiting for the workers of `session` to check the file `name`.
    pub fn new(session: SessionId, name: String) -> ReferenceGather {
        ReferenceGather { session, name, ..ReferenceGather::default() }
    }

    /// Takes one worker's answer; once all `workers` answered, what to show: the file's passes,
    /// or the first reason given against it.
    pub fn take(
        &mut self,
        session: SessionId,
        outcome: Result<Vec<String>, String>,
        workers: usize,
    ) -> Option<ReferenceState> {
        if session != self.session || self.answers >= workers {
            return None;
        }
        self.answers += 1;
        match outcome {
            Ok(passes) => self.passes = passes,
            Err(reason) => {
                self.refused.get_or_insert(reason);
            }
        }
        if self.answers < workers {
            return None;
        }
        Some(match self.refused.take() {
            Some(reason) => ReferenceState::Failed(format!("{} cannot be compared: {reason}", self.name)),
            None => {
                ReferenceState::Ready { name: self.name.clone(), passes: std::mem::take(&mut self.passes) }
            }
        })
    }
}

/// The shares of one comparison.
#[derive(Debug, Default)]
pub struct CompareGather {
    ticket: u32,
    a: String,
    b: String,
    answers: usize,
    merged: Option<DifferencePartial>,
    failed: Option<String>,
}

impl CompareGather {
    /// Waiting for the shares of comparison `ticket` of pass `a` with `other`.
    pub fn new(ticket: u32, a: String, other: &Other) -> CompareGather {
        let b = match other {
            Other::Reference(pass) => format!("{pass} of the reference"),
            Other::Pass(pass) => pass.clone(),
        };
        CompareGather { ticket, a, b, ..CompareGather::default() }
    }

    /// The latest ticket.
    pub fn ticket(&self) -> u32 {
        self.ticket
    }

    /// Whether an answer to `ticket` is awaited.
    pub fn wants(&self, ticket: u32) -> bool {
        ticket == self.ticket && !self.a.is_empty()
    }

    /// Shares taken so far.
    pub fn answers(&self) -> usize {
        self.answers
    }

    /// Takes one worker's share (of the ticket [`CompareGather::wants`]); once all `workers`
    /// answered, the figures over every worker's tiles.
    pub fn take(
        &mut self,
        outcome: Result<Option<Box<DifferencePartial>>, String>,
        workers: usize,
    ) -> Option<Figures> {
        if self.answers >= workers {
            return None;
        }
        self.answers += 1;
        match outcome {
            Ok(Some(share)) => match &mut self.merged {
                Some(merged) => merged.merge(&share),
                None => self.merged = Some(*share),
            },
            Ok(None) => {}
            Err(reason) => {
                self.failed.get_or_insert(reason);
            }
        }
        if self.answers < workers {
            return None;
        }
        Some(match (self.failed.take(), self.merged.take()) {
            (Some(reason), _) => Figures::Failed(reason),
            (None, Some(merged)) => {
                Figures::Ready { a: self.a.clone(), b: self.b.clone(), comparison: merged.finish() }
            }
            (None, None) => Figures::Failed("no tile is placed".to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_ready_once_every_worker_took_it_and_refused_if_one_did_not() {
        let mut gather = ReferenceGather::new(2, "full.exr".into());
        assert_eq!(gather.take(1, Ok(vec!["old".into()]), 2), None, "another merge's answer");
        assert_eq!(gather.take(2, Ok(vec!["ViewLayer.Depth".into()]), 2), None);
        let ready = gather.take(2, Ok(vec!["ViewLayer.Depth".into()]), 2);
        assert_eq!(
            ready,
            Some(ReferenceState::Ready { name: "full.exr".into(), passes: vec!["ViewLayer.Depth".into()] })
        );
        let mut gather = ReferenceGather::new(3, "small.exr".into());
        assert_eq!(gather.take(3, Err("it is 10x10".into()), 2), None);
        let Some(ReferenceState::Failed(reason)) = gather.take(3, Ok(vec![]), 2) else { panic!("accepted") };
        assert_eq!(reason, "small.exr cannot be compared: it is 10x10");
    }

    #[test]
    fn shares_without_tiles_or_with_an_error_are_counted() {
        let other = Other::Reference("ViewLayer.Depth".into());
        let mut gather = CompareGather::new(4, "ViewLayer.Depth".into(), &other);
        assert!(gather.wants(4) && !gather.wants(3));
        assert_eq!(gather.take(Ok(None), 2), None);
        assert_eq!(gather.take(Ok(None), 2), Some(Figures::Failed("no tile is placed".into())));
        let mut gather = CompareGather::new(5, "ViewLayer.Depth".into(), &other);
        assert_eq!(gather.take(Err("no pass".into()), 2), None);
        assert_eq!(gather.take(Ok(None), 2), Some(Figures::Failed("no pass".into())));
        assert_eq!(gather.take(Ok(None), 2), None, "no more than every worker");
    }
}
