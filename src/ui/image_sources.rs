//! A last-rendered image's sources: Flamenco writes each render in three sizes, and the browser
//! picks the one that fits where it is shown (a job's pane, the full-screen page).

use flamenco_api::JobLastRenderedImageInfo;

/// The widths of Flamenco's thumbnails by file name (1920x1080, 600x338 and 200x112 at most): the
/// API lists only the file names, and `srcset` needs the widths to pick the one that fits.
const KNOWN_WIDTHS: [(&str, u32); 3] =
    [("last-rendered.jpg", 1920), ("last-rendered-small.jpg", 600), ("last-rendered-tiny.jpg", 200)];

/// The image's sources: every known size for the browser to choose from by the displayed width and
/// the screen's pixel density, and one plain source for when it cannot choose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSources {
    pub src: String,
    pub srcset: String,
}

impl ImageSources {
    /// The sources under `base_url`, with `version` appended: the image keeps its URL while its
    /// content changes, so each new render needs a new query to get past the cache.
    pub fn of(info: &JobLastRenderedImageInfo, base_url: &str, version: u32) -> Option<ImageSources> {
        let url = |path: &str| format!("{base_url}{path}?v={version}");
        let mut sized: Vec<(u32, String)> = info
            .urls()
            .filter_map(|path| {
                let file = path.rsplit('/').next().unwrap_or_default().to_owned();
                KNOWN_WIDTHS.iter().find(|(name, _)| *name == file).map(|(_, width)| (*width, path))
            })
            .collect();
        sized.sort_by_key(|(width, _)| *width);
        let src = match sized.last() {
            Some((_, largest)) => url(largest),
            // Sizes this version does not know: no widths to offer, so the first image as it is.
            None => url(&info.urls().next()?),
        };
        let srcset = sized.iter().map(|(width, path)| format!("{} {width}w", url(path))).collect::<Vec<_>>();
        Some(ImageSources { src, srcset: srcset.join(", ") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(suffixes: &[&str]) -> JobLastRenderedImageInfo {
        JobLastRenderedImageInfo {
            base: "/job-files/job-ab/abcd".into(),
            suffixes: suffixes.iter().map(|suffix| suffix.to_string()).collect(),
        }
    }

    #[test]
    fn every_known_size_is_offered_with_its_width() {
        let sources = ImageSources::of(
            &info(&["last-rendered.jpg", "last-rendered-small.jpg", "last-rendered-tiny.jpg"]),
            "http://farm",
            3,
        )
        .expect("sources");
        assert_eq!(sources.src, "http://farm/job-files/job-ab/abcd/last-rendered.jpg?v=3");
        assert_eq!(
            sources.srcset,
            "http://farm/job-files/job-ab/abcd/last-rendered-tiny.jpg?v=3 200w, \
             http://farm/job-files/job-ab/abcd/last-rendered-small.jpg?v=3 600w, \
             http://farm/job-files/job-ab/abcd/last-rendered.jpg?v=3 1920w"
        );
    }

    #[test]
    fn unknown_sizes_fall_back_to_the_first_image() {
        let sources = ImageSources::of(&info(&["/preview.png"]), "", 0).expect("sources");
        assert_eq!(sources.src, "/job-files/job-ab/abcd/preview.png?v=0");
        assert_eq!(sources.srcset, "");
        assert_eq!(ImageSources::of(&info(&[]), "", 0), None);
    }
}
