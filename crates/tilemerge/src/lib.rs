//! Stitches the overscanned EXR tiles of a Flamenco "Single Image Render" job into one image,
//! exactly as Blender would have rendered it whole.
//!
//! Everything works on bytes, so it runs the same natively and in a browser's Web Worker:
//!
//! 1. [`layout`]: the tile grid from a job's settings ([`job`]) or from file names, each tile's
//!    rendered rectangle as Blender computes it; [`folder`] checks a folder's files against it.
//! 2. [`decode`]: EXR tiles in Blender 5's multi-part or Blender 4's single-part layout, limited
//!    to chosen passes.
//! 3. [`stitch`]: the [`Canvas`], filled one tile at a time in any order.
//! 4. [`seams`]: differences between neighbouring tiles' shared overscan.
//! 5. [`export`]: the merged image as EXR or PNG bytes; [`view`]: a pass as display pixels (a
//!    channel, sRGB or false colour) and the values under a pixel.
//!
//! 6. [`analysis`]: the inspector's measurements: A/B comparison with metrics and worst tiles,
//!    difference pictures, histograms, rectangle statistics, a file's header attributes.
//!
//! 7. [`stream`]: the merge of a frame too big to hold, a band of tile rows at a time, its file
//!    the same bytes as a whole-frame merge's.
//!
//! [`synth`] makes synthetic tile sets with Blender's geometry, for tests and benchmarks.

#![warn(missing_docs)]

pub mod analysis;
pub mod decode;
pub mod export;
pub mod folder;
pub mod job;
pub mod layout;
pub mod passes;
pub mod pyramid;
pub mod seams;
pub mod stitch;
pub mod stream;
pub mod synth;
pub mod view;

pub use decode::{
    check_blocks, decode, read_info, Compression, DecodeError, DecodeOptions, DecodedPass, DecodedTile,
    ExrInfo, ExrLayout, Metadata,
};
pub use export::{
    encode_exr, export_exr, export_exr_from_files, export_png, lossy_export, preview_rgba8, Deflate,
    EncodedBlock, ExportError, ExrEncoder, ExrOptions, ImageData, LossyExport, Miniz,
};
pub use folder::{LayoutProblem, LayoutReport};
pub use job::{tile_path, JobSettings};
pub use layout::{
    blender_border_rect, Grid, LayoutError, MismatchCause, Rect, Resolution, Size, SizeMismatch,
    TileGeometry, TileId, DEFAULT_OVERSCAN,
};
pub use passes::{ChannelInfo, PassInfo, PassKind, PassSelection, SampleType, Samples};
pub use seams::{ChannelSeams, EdgeKind, EdgeSeams, PassSeams, SeamReport};
pub use stitch::{
    decode_for_grid, Canvas, CanvasOptions, Coverage, PassImage, Placement, TileCoverage, TileError,
    TileProblem, TileState,
};
pub use stream::written::{check_seams_streamed, write_streamed, MemorySpool, Spool};
pub use stream::{Band, MemoryPlan, StreamMerge};
