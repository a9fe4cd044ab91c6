//! What the last-rendered page shows: the farm's newest render, which job it came from, and the
//! swap that keeps the old image on screen until the new one has loaded.

use flamenco_api::JobLastRenderedImageInfo;

use crate::ui::image_sources::ImageSources;

/// One render to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Render {
    /// The job it came from: the event names it; the global fetch only says where the files are,
    /// which is the job's folder (`/job-files/job-<4>/<job id>`).
    pub job_id: Option<String>,
    pub src: String,
    pub srcset: String,
    /// When it arrived; `None` for the one that was there before the page opened.
    pub at_ms: Option<f64>,
}

impl Render {
    /// The render under `base_url`; `version` goes into the query because the files keep their
    /// names while their content changes. `None` when the Manager lists no file.
    pub fn of(
        info: &JobLastRenderedImageInfo,
        job_id: Option<String>,
        base_url: &str,
        version: u32,
        at_ms: Option<f64>,
    ) -> Option<Render> {
        let ImageSources { src, srcset } = ImageSources::of(info, base_url, version)?;
        let job_id = job_id.or_else(|| job_of_base(&info.base));
        Some(Render { job_id, src, srcset, at_ms })
    }
}

/// The job id in a job-files base path: its last segment.
pub fn job_of_base(base: &str) -> Option<String> {
    base.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty() && !id.starts_with("job-files"))
        .map(str::to_owned)
}

/// The image on screen and the one loading behind it: a new render replaces the shown one only
/// once it has loaded, so the page never goes blank between two renders.
#[derive(Clone, Debug, PartialEq)]
pub struct Swap<T> {
    pub shown: Option<T>,
    pub pending: Option<T>,
    /// The newest render failed to load; the one before stays.
    pub failed: bool,
}

impl<T> Default for Swap<T> {
    fn default() -> Self {
        Swap { shown: None, pending: None, failed: false }
    }
}

impl<T> Swap<T> {
    /// A newer render arrived: it loads behind the shown one (replacing one still loading).
    pub fn offer(&mut self, next: T) {
        self.pending = Some(next);
    }

    /// The pending render has loaded: it is shown now.
    pub fn loaded(&mut self) {
        if let Some(next) = self.pending.take() {
            self.shown = Some(next);
            self.failed = false;
        }
    }

    /// The pending render could not be loaded: the shown one stays.
    pub fn failed(&mut self) {
        if self.pending.take().is_some() {
            self.failed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(base: &str, suffixes: &[&str]) -> JobLastRenderedImageInfo {
        JobLastRenderedImageInfo {
            base: base.into(),
            suffixes: suffixes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_largest_image_is_the_source_and_every_size_is_offered() {
        let render = Render::of(
            &info(
                "/job-files/job-ab12/ab12cd",
                &["last-rendered-tiny.jpg", "last-rendered.jpg", "last-rendered-small.jpg"],
            ),
            None,
            "http://farm",
            2,
            None,
        )
        .expect("a render");
        assert_eq!(render.src, "http://farm/job-files/job-ab12/ab12cd/last-rendered.jpg?v=2");
        assert!(render
            .srcset
            .starts_with("http://farm/job-files/job-ab12/ab12cd/last-rendered-tiny.jpg?v=2 200w, "));
        assert!(render.srcset.ends_with("last-rendered.jpg?v=2 1920w"));
        assert_eq!(render.job_id.as_deref(), Some("ab12cd"), "the job is the folder the files are in");
    }

    #[test]
    fn the_event_names_the_job_and_unknown_files_still_show() {
        let render = Render::of(&info("/x/y/", &["/preview.png"]), Some("j".into()), "", 0, Some(5.0))
            .expect("a render");
        assert_eq!(render.src, "/x/y/preview.png?v=0");
        assert_eq!(render.srcset, "");
        assert_eq!(render.job_id.as_deref(), Some("j"));
        assert_eq!(Render::of(&info("/x", &[]), None, "", 0, None), None);
        assert_eq!(job_of_base("/job-files/"), None);
    }

    #[test]
    fn a_new_render_replaces_the_old_only_once_loaded() {
        let mut swap = Swap::default();
        swap.offer(1);
        assert_eq!((swap.shown, swap.pending), (None, Some(1)));
        swap.loaded();
        assert_eq!((swap.shown, swap.pending), (Some(1), None));
        swap.offer(2);
        swap.offer(3);
        assert_eq!((swap.shown, swap.pending), (Some(1), Some(3)), "the old stays while the newest loads");
        swap.failed();
        assert_eq!((swap.shown, swap.pending, swap.failed), (Some(1), None, true));
        swap.offer(4);
        swap.loaded();
        assert_eq!((swap.shown, swap.failed), (Some(4), false));
        swap.loaded();
        assert_eq!(swap.shown, Some(4), "a stray load event changes nothing");
    }
}
