//! The preview page's pieces; each shows part of the [`Preview`](super::controller::Preview) state.

mod compare;
mod compare_figures;
mod compare_job;
mod export;
mod folder;
mod histogram;
mod layout;
mod levels;
mod merge_view;
mod metadata;
mod picker;
mod probe;
mod progress;
mod rect_stats;
mod render_time;
mod seams;
mod section;
mod tile_overlay;
mod tiles;
mod view_png;
mod view_toolbar;
mod viewer;
mod viewport;
mod wipe;

use export::ExportPanel;
pub use folder::FolderUrl;
pub use layout::LayoutFields;
pub use merge_view::MergeView;
pub use picker::FilePicker;
use progress::MergeProgress;
use seams::{SeamOverlay, SeamPanel};
pub use section::InspectorSection;
use tiles::TileList;
use viewer::Viewer;
