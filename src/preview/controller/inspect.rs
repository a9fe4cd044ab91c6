//! The inspector's requests and answers: the EXR header attributes of the merge (from the tile
//! whose header the merge carries) or of a tile picked, read by the workers from the files they
//! keep. Every worker answers; the one holding the file has the attributes.

use leptos::prelude::*;
use tilemerge::analysis::HeaderAttribute;
use tilemerge::{Grid, TileId};

use super::Preview;
use crate::preview::worker::protocol::Request;

/// Whose header the metadata panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Subject {
    /// The merge's: the attributes it carries (and an export writes).
    #[default]
    Merge,
    /// One tile's file.
    Tile(TileId),
}

impl Subject {
    /// The value of this choice in the panel's select.
    pub fn value(self) -> String {
        match self {
            Subject::Merge => "merge".to_string(),
            Subject::Tile(tile) => tile.to_string(),
        }
    }

    /// The choice a select value names (a tile as `x0-y0-x1-y1`).
    pub fn from_value(value: &str) -> Option<Subject> {
        if value == "merge" {
            return Some(Subject::Merge);
        }
        TileId::from_file_name(&format!("{value}.exr")).map(Subject::Tile)
    }
}

/// What the metadata panel shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum MetadataState {
    /// Nothing asked yet (no merge).
    #[default]
    Idle,
    /// The workers are reading the header.
    Working,
    /// The attributes of `tile`'s header.
    Ready { subject: Subject, tile: TileId, attributes: Vec<HeaderAttribute> },
    /// No worker holds such a file (no tile placed yet, or the tile failed).
    Missing(Subject),
}

/// The answers gathered for one request.
#[derive(Debug, Default)]
pub struct MetadataGather {
    ticket: u32,
    subject: Subject,
    answers: usize,
    /// The earliest tile in grid order answered so far, with its attributes.
    best: Option<(usize, TileId, Vec<HeaderAttribute>)>,
}

impl MetadataGather {
    /// A gather for a new request.
    pub fn new(ticket: u32, subject: Subject) -> MetadataGather {
        MetadataGather { ticket, subject, ..MetadataGather::default() }
    }

    /// Takes one worker's answer; once all `workers` answered, the state to show. Each worker
    /// offers its own earliest tile for the merge: the merge's is the earliest of those, as
    /// [`tilemerge::Canvas::metadata_source`] chooses over the whole grid.
    pub fn take(
        &mut self,
        ticket: u32,
        found: Option<(TileId, Vec<HeaderAttribute>)>,
        grid: &Grid,
        workers: usize,
    ) -> Option<MetadataState> {
        if ticket != self.ticket {
            return None;
        }
        self.answers += 1;
        if let Some((tile, attributes)) = found {
            let order = grid.tiles().iter().position(|t| *t == tile).unwrap_or(usize::MAX);
            if self.best.as_ref().is_none_or(|(best, ..)| order < *best) {
                self.best = Some((order, tile, attributes));
            }
        }
        if self.answers < workers {
            return None;
        }
        Some(match self.best.take() {
            Some((_, tile, attributes)) => MetadataState::Ready { subject: self.subject, tile, attributes },
            None => MetadataState::Missing(self.subject),
        })
    }
}

/// The inspector's state.
#[derive(Clone, Copy)]
pub struct Inspector {
    /// Whose header the metadata panel shows.
    pub subject: RwSignal<Subject>,
    pub metadata: RwSignal<MetadataState>,
    gather: StoredValue<MetadataGather>,
}

impl Inspector {
    /// Nothing asked: the merge's attributes are the first shown.
    pub fn new() -> Inspector {
        Inspector {
            subject: RwSignal::new(Subject::Merge),
            metadata: RwSignal::new(MetadataState::Idle),
            gather: StoredValue::new(MetadataGather::default()),
        }
    }

    /// A new merge: its own header first (a tile picked before may not be part of it).
    pub fn restart(self) {
        self.subject.set(Subject::Merge);
        self.metadata.set(MetadataState::Idle);
    }
}

impl Preview {
    /// Asks every worker for the header attributes of the chosen subject.
    pub fn request_metadata(self) {
        if !self.live.get_untracked() || self.workers() == 0 {
            return;
        }
        let subject = self.inspector.subject.get_untracked();
        let ticket = self.inspector.gather.with_value(|g| g.ticket).wrapping_add(1);
        self.inspector.gather.set_value(MetadataGather::new(ticket, subject));
        if !matches!(self.inspector.metadata.get_untracked(), MetadataState::Ready { subject: s, .. } if s == subject)
        {
            // A refresh of the attributes shown keeps them until the new ones come.
            self.inspector.metadata.set(MetadataState::Working);
        }
        let session = self.session.get_value();
        let tile = match subject {
            Subject::Merge => None,
            Subject::Tile(tile) => Some(tile),
        };
        self.with_pool(|pool| pool.broadcast(&Request::Metadata { session, ticket, tile }));
    }

    /// A worker's answer to [`Preview::request_metadata`].
    pub(super) fn metadata_answered(self, ticket: u32, found: Option<(TileId, Vec<HeaderAttribute>)>) {
        let grid = self.plan.try_with_untracked(|p| match p {
            Some(Ok(plan)) => Some(plan.grid),
            _ => None,
        });
        let Some(Some(grid)) = grid else {
            return;
        };
        let workers = self.workers();
        let shown = self.inspector.gather.try_update_value(|g| g.take(ticket, found, &grid, workers));
        if let Some(Some(state)) = shown {
            self.inspector.metadata.set(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tilemerge::Size;

    fn attribute(text: &str) -> Vec<HeaderAttribute> {
        vec![HeaderAttribute {
            part: 0,
            name: "RenderTime".into(),
            type_name: "string".into(),
            text: text.into(),
        }]
    }

    #[test]
    fn the_merge_shows_the_earliest_tile_of_all_workers_once_all_answered() {
        let grid =
            Grid::new(Size { width: 256, height: 160 }, Size { width: 100, height: 70 }, 0).expect("grid");
        let tiles = grid.tiles();
        let mut gather = MetadataGather::new(3, Subject::Merge);
        assert_eq!(gather.take(2, Some((tiles[0], attribute("stale"))), &grid, 3), None);
        assert_eq!(gather.take(3, Some((tiles[4], attribute("late"))), &grid, 3), None);
        assert_eq!(gather.take(3, Some((tiles[1], attribute("early"))), &grid, 3), None);
        let shown = gather.take(3, None, &grid, 3);
        assert_eq!(
            shown,
            Some(MetadataState::Ready {
                subject: Subject::Merge,
                tile: tiles[1],
                attributes: attribute("early")
            })
        );
    }

    #[test]
    fn a_tile_no_worker_holds_is_missing_and_choices_round_trip() {
        let grid =
            Grid::new(Size { width: 256, height: 160 }, Size { width: 100, height: 70 }, 0).expect("grid");
        let tile = grid.tiles()[2];
        let mut gather = MetadataGather::new(1, Subject::Tile(tile));
        assert_eq!(gather.take(1, None, &grid, 2), None);
        assert_eq!(gather.take(1, None, &grid, 2), Some(MetadataState::Missing(Subject::Tile(tile))));
        for subject in [Subject::Merge, Subject::Tile(tile)] {
            assert_eq!(Subject::from_value(&subject.value()), Some(subject));
        }
        assert_eq!(Subject::from_value("merge.exr"), None);
    }
}
