//! The preview page's pieces; each shows part of the [`Preview`](super::controller::Preview) state.

mod export;
mod folder;
mod layout;
mod picker;
mod progress;
mod seams;
mod tiles;
mod viewer;

pub use export::ExportPanel;
pub use folder::FolderUrl;
pub use layout::LayoutFields;
pub use picker::FilePicker;
pub use progress::MergeProgress;
pub use seams::{SeamOverlay, SeamPanel};
pub use tiles::TileList;
pub use viewer::Viewer;
