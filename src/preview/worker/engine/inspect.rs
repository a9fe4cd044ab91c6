//! The inspector's answers from a session: the header attributes of a tile's file, read from the
//! kept bytes (only the header, none of the pixels).

use tilemerge::analysis::{header_attributes, HeaderAttribute};
use tilemerge::TileId;

use super::Session;

/// The longest attribute name or value sent to the page, in characters: header text is written
/// by whoever made the file, and a panel line is no place for a megabyte of it.
pub const MAX_TEXT_CHARS: usize = 400;
/// The most attributes sent for one file (Blender writes a few dozen per part).
pub const MAX_ATTRIBUTES: usize = 2000;

impl Session {
    /// The header attributes of `tile` or, with `None`, of the tile whose header this session's
    /// merge carries (the canvas' metadata source, else the earliest kept file in grid order).
    /// `Ok(None)` when this session holds no such file (another worker does).
    pub fn metadata(&self, tile: Option<TileId>) -> Result<Option<(TileId, Vec<HeaderAttribute>)>, String> {
        let Some(tile) = tile.or_else(|| self.metadata_source()) else {
            return Ok(None);
        };
        let Some((_, bytes)) = self.files.iter().find(|(t, _)| *t == tile) else {
            return Ok(None);
        };
        Ok(Some((tile, attributes_of(tile, bytes)?)))
    }

    /// The tile whose attributes the merge carries, among this session's.
    fn metadata_source(&self) -> Option<TileId> {
        let from_canvas = self.canvas.as_ref().and_then(|(_, canvas)| canvas.metadata_source());
        from_canvas.or_else(|| {
            let order = self.grid.tiles();
            self.files.iter().map(|(t, _)| *t).min_by_key(|t| order.iter().position(|o| o == t))
        })
    }
}

/// The header attributes of `tile`'s file, as many and as long as a panel shows.
pub fn attributes_of(tile: TileId, bytes: &[u8]) -> Result<Vec<HeaderAttribute>, String> {
    let attributes =
        header_attributes(bytes).map_err(|e| format!("cannot read the header of {tile}: {e}"))?;
    Ok(attributes.into_iter().take(MAX_ATTRIBUTES).map(bounded).collect())
}

/// The attribute with its name and value cut to [`MAX_TEXT_CHARS`] (marked with an ellipsis).
pub fn bounded(attribute: HeaderAttribute) -> HeaderAttribute {
    HeaderAttribute { name: cut(attribute.name), text: cut(attribute.text), ..attribute }
}

fn cut(text: String) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}
