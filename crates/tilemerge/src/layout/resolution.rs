//! How a tile file's size is resolved against the grid: exactly what Blender renders, explained by
//! one known cause, or unplaceable, with the difference for the report.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Rect, Size};

/// A known reason for a tile file to have another size than Blender's geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MismatchCause {
    /// The published job type clamps the top overscan with `resolution_x` instead of
    /// `resolution_y`, so tiles near the top of a portrait image are cut short.
    PortraitClamp,
    /// The file matches integer edges without Blender's float32 border rounding.
    NaiveRounding,
}

impl fmt::Display for MismatchCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MismatchCause::PortraitClamp => {
                "it matches the published job type's portrait bug (top overscan clamped at resolution_x)"
            }
            MismatchCause::NaiveRounding => {
                "it matches integer border edges, without Blender's float32 rounding"
            }
        })
    }
}

/// A tile file whose size is not what Blender renders for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeMismatch {
    /// What Blender renders for the tile (`None` when Blender cannot render it at all).
    pub expected: Option<Size>,
    /// The file's real size.
    pub actual: Size,
    /// The one known cause the size matches, if any.
    pub cause: Option<MismatchCause>,
}

impl fmt::Display for SizeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expected {
            Some(expected) => {
                write!(f, "the file is {} pixels but Blender renders this tile as {}", self.actual, expected)?
            }
            None => write!(
                f,
                "the file is {} pixels but Blender cannot render this tile (empty border)",
                self.actual
            )?,
        }
        match self.cause {
            Some(cause) => write!(f, "; {cause}"),
            None => write!(f, "; no known cause explains that size, so nothing of it is placed"),
        }
    }
}

/// The outcome of [`Grid::resolve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resolution {
    /// The file is exactly what Blender renders: its core is placed (whole, unless a grid
    /// without overscan lost a row to Blender's rounding).
    Exact {
        /// Where the file lies in the image.
        rendered: Rect,
        /// The part of the core the file holds.
        placed: Rect,
    },
    /// The size differs, but one known cause explains it: `placed` is the part of the core the
    /// file holds.
    Explained {
        /// Where the file lies in the image.
        rendered: Rect,
        /// The part of the core the file holds.
        placed: Rect,
        /// The difference, for the report.
        mismatch: SizeMismatch,
    },
    /// The size differs and no single known cause explains it.
    Unplaceable(SizeMismatch),
}
