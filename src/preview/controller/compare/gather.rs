//! The workers' answers gathered, by merge and by ticket: the reference's checks, and the shares
//! of a comparison merged into the figures of the whole image.

use tilemerge::analysis::{DifferencePartial, TileDifference};
use tilemerge::Rect;

use super::{Figures, ReferenceState};
use crate::preview::worker::protocol::SessionId;

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
    /// Waiting for the shares of comparison `ticket` of pass `a` with B (`b` in words).
    pub fn new(ticket: u32, a: String, b: String) -> CompareGather {
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
                let mut comparison = merged.finish();
                comparison.tiles = join_pieces(comparison.tiles);
                Figures::Ready { a: self.a.clone(), b: self.b.clone(), comparison }
            }
            (None, None) => Figures::Failed("no tile is placed".to_string()),
        })
    }
}

/// The pieces of a tile as one: another job's merge is compared piece by piece (each of A's
/// tiles cut by B's tiles, see the worker's `pieces`), the figures show A's tiles. The pieces'
/// means are weighed by their areas, which is exact unless some samples were not finite.
fn join_pieces(pieces: Vec<TileDifference>) -> Vec<TileDifference> {
    let mut joined: Vec<(TileDifference, f64)> = Vec::new();
    for piece in pieces {
        let area = piece.rect.area() as f64;
        match joined.iter_mut().find(|(t, _)| t.tile == piece.tile) {
            Some((tile, weight)) => {
                let total = *weight + area;
                if total > 0.0 {
                    tile.mean_abs = (tile.mean_abs * *weight + piece.mean_abs * area) / total;
                }
                *weight = total;
                tile.max_abs = tile.max_abs.max(piece.max_abs);
                tile.over_threshold += piece.over_threshold;
                let (r, p) = (tile.rect, piece.rect);
                let (x0, y0) = (r.x.min(p.x), r.y.min(p.y));
                tile.rect = Rect::from_edges(x0, y0, r.right().max(p.right()), r.bottom().max(p.bottom()));
            }
            None => joined.push((piece, area)),
        }
    }
    joined.into_iter().map(|(t, _)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tilemerge::TileId;

    #[test]
    fn the_pieces_of_a_tile_are_joined_into_it() {
        let tile = TileId { x0: 0, y0: 0, x1: 64, y1: 64 };
        let other = TileId { x0: 64, y0: 0, x1: 128, y1: 64 };
        let piece = |tile, x, width, max_abs, mean_abs, over_threshold| TileDifference {
            tile,
            rect: Rect { x, y: 0, width, height: 64 },
            max_abs,
            mean_abs,
            over_threshold,
        };
        let joined = join_pieces(vec![
            piece(tile, 0, 16, 0.5, 0.5, 3),
            piece(tile, 16, 48, 0.25, 0.0, 2),
            piece(other, 64, 64, 0.0, 0.0, 0),
        ]);
        assert_eq!(joined, [piece(tile, 0, 64, 0.5, 0.125, 5), piece(other, 64, 64, 0.0, 0.0, 0)]);
    }

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
        let other = "ViewLayer.Depth of the reference".to_string();
        let mut gather = CompareGather::new(4, "ViewLayer.Depth".into(), other.clone());
        assert!(gather.wants(4) && !gather.wants(3));
        assert_eq!(gather.take(Ok(None), 2), None);
        assert_eq!(gather.take(Ok(None), 2), Some(Figures::Failed("no tile is placed".into())));
        let mut gather = CompareGather::new(5, "ViewLayer.Depth".into(), other);
        assert_eq!(gather.take(Err("no pass".into()), 2), None);
        assert_eq!(gather.take(Ok(None), 2), Some(Figures::Failed("no pass".into())));
        assert_eq!(gather.take(Ok(None), 2), None, "no more than every worker");
    }
}
