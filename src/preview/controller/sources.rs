//! What is merged: picked or dropped files, the EXRs of a folder, a folder URL's listing, a job's
//! tiles as they render.

use web_sys::{DataTransfer, File, FileList, FileSystemEntry};

use super::{Preview, TileSource};
use crate::preview::browser;
use crate::preview::listing::{exr_links, Listed};
use crate::preview::model::{requested_overscan, requested_size, PickedFile, Plan};
use leptos::prelude::*;
use tilemerge::TileId;

/// Whether a file found in a folder is an EXR (by its name, as Blender writes them).
fn is_exr(file: &File) -> bool {
    file.name().to_ascii_lowercase().ends_with(".exr")
}

impl Preview {
    /// Takes the files picked or dropped, and merges them.
    pub fn pick(self, list: Option<FileList>) {
        let Some(list) = list else { return };
        self.pick_files((0..list.length()).filter_map(|i| list.item(i)).collect());
    }

    /// Takes the files of a picked folder: its EXRs (a job's folder also holds other files).
    pub fn pick_folder(self, list: Option<FileList>) {
        let Some(list) = list else { return };
        self.pick_files((0..list.length()).filter_map(|i| list.item(i)).filter(is_exr).collect());
    }

    /// Takes what was dropped: files as they are, and the EXRs inside dropped folders.
    pub fn drop_transfer(self, transfer: DataTransfer) {
        let entries = browser::dropped_entries(&transfer);
        if !entries.iter().any(FileSystemEntry::is_directory) {
            return self.pick(transfer.files());
        }
        leptos::task::spawn_local(async move {
            match browser::files_under(entries).await {
                Ok(files) => self.pick_files(files.into_iter().filter(is_exr).collect()),
                Err(e) => self.problem.set(Some(format!("The dropped folder could not be read: {e}"))),
            }
        });
    }

    pub(super) fn pick_files(self, files: Vec<File>) {
        self.levels.forced.set_value(false);
        self.files.set(files.iter().map(|f| PickedFile { name: f.name(), bytes: f.size() as u64 }).collect());
        self.sources.set_value(files.into_iter().map(TileSource::File).collect());
        self.start();
    }

    /// Takes the files a folder URL's listing names, and merges them.
    pub fn pick_urls(self, listed: Vec<Listed>) {
        self.levels.forced.set_value(false);
        self.files.set(listed.iter().map(|l| PickedFile { name: l.name.clone(), bytes: 0 }).collect());
        self.sources.set_value(listed.into_iter().map(|l| TileSource::Url(l.url)).collect());
        self.start();
    }

    /// Reads a folder URL's listing and merges the `.exr` files it links to.
    pub fn load_folder(self, url: String) {
        let url = url.trim().to_string();
        if url.is_empty() {
            return self.problem.set(Some("Give the URL of a folder of tiles.".into()));
        }
        self.problem.set(None);
        leptos::task::spawn_local(async move {
            let listed = match browser::fetch_text(&url).await {
                Ok(body) => exr_links(&url, &body),
                Err(e) => Err(format!("The folder listing could not be loaded: {e}")),
            };
            // The page was left while the listing was fetched.
            if self.live.try_get_untracked().is_none() {
                return;
            }
            match listed {
                Ok(listed) => self.pick_urls(listed),
                Err(e) => self.problem.set(Some(e)),
            }
        });
    }

    /// (Re)starts the merge of the picked files with the layout as typed.
    pub fn start(self) {
        self.stop();
        self.problem.set(None);
        let (size, overscan) = match (
            requested_size(&self.width.get_untracked(), &self.height.get_untracked()),
            requested_overscan(&self.overscan.get_untracked()),
        ) {
            (Ok(size), Ok(overscan)) => (size, overscan),
            (Err(e), _) | (_, Err(e)) => return self.problem.set(Some(e)),
        };
        self.begin(Plan::new(&self.files.get_untracked(), size, overscan));
    }

    /// Starts the merge of a job's tiles: `plan` says which are ready, `urls` where each is.
    pub fn start_job(self, plan: Plan, urls: Vec<String>) {
        self.levels.forced.set_value(false);
        self.stop();
        self.problem.set(None);
        self.files.set(plan.rows.iter().map(|r| PickedFile { name: r.name.clone(), bytes: 0 }).collect());
        self.sources.set_value(urls.into_iter().map(TileSource::Url).collect());
        self.begin(Ok(plan));
    }

    /// A job's render task for `tile` is now `status`: a tile just rendered is fetched and merged.
    pub fn task_status(self, tile: TileId, status: &str) {
        // After Cancel the merge is over: a tile rendered now would stay queued for ever.
        if !self.live.get_untracked() {
            return;
        }
        let mut fetch = None;
        self.plan.update(|plan| {
            if let Some(Ok(plan)) = plan {
                fetch = plan.task_status(tile, status);
            }
        });
        if let Some(file) = fetch {
            self.send_tiles(self.session.get_value(), vec![(tile, file)]);
        }
    }
}
