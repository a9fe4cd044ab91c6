//! The preview page's pieces; each shows part of the [`Preview`](super::controller::Preview) state.

mod export;
mod folder;
mod layout;
mod picker;
mod probe;
mod progress;
mod seams;
mod tile_overlay;
mod tiles;
mod view_png;
mod view_toolbar;
mod viewer;
mod viewport;

pub use export::ExportPanel;
pub use folder::FolderUrl;
pub use layout::LayoutFields;
pub use picker::FilePicker;
pub use progress::MergeProgress;
pub use seams::{SeamOverlay, SeamPanel};
pub use tiles::TileList;
pub use viewer::Viewer;
