//! The measurements a worker makes over its share of the merge: a histogram in two rounds (the
//! range of its pixels, then the counts with the range the page combined from every worker) and
//! the sums behind a rectangle's statistics. A worker's canvas is the whole image, but only its
//! placed tiles hold pixels: everything here reads those rectangles alone (inside the region
//! asked for), so the shares of all workers add up to the whole merge without overlap.

use tilemerge::analysis::{
    count_rects, header_attributes, region_sums, series_range, HistogramOptions, HistogramScale, PassView,
    Series,
};
use tilemerge::view::Channel;
use tilemerge::{Canvas, Rect};

use super::placed_regions;
use crate::preview::worker::protocol::{Response, SessionId};

/// This canvas' placed rectangles inside `region` (all of them with `None`).
fn share(canvas: &Canvas, region: Option<Rect>) -> Vec<Rect> {
    placed_regions(canvas)
        .into_iter()
        .map(|placed| region.map_or(placed, |r| placed.intersect(&r)))
        .filter(|r| !r.is_empty())
        .collect()
}

/// The answer naming what went wrong.
fn error(session: SessionId, reason: impl ToString) -> Response {
    Response::Error { session: Some(session), reason: reason.to_string() }
}

/// The series the view of `channel` shows of `pass`, with the pass, or why not.
fn view_of<'a>(
    canvas: &'a Canvas,
    pass: &str,
    channel: Channel,
) -> Result<(PassView<'a>, Vec<Series>), String> {
    let view = PassView::of_canvas(canvas, pass).map_err(|e| e.to_string())?;
    let series = Series::for_view(view.info, channel);
    Ok((view, series))
}

/// The first round of a histogram: the series shown and their range over this worker's share.
pub fn histogram_range(
    canvas: &Canvas,
    session: SessionId,
    ticket: u32,
    (pass, channel): (&str, Channel),
    region: Option<Rect>,
    scale: HistogramScale,
) -> Response {
    let rects = share(canvas, region);
    if rects.is_empty() {
        // No tile here (yet), or none in the region: nothing to add, which is no error.
        return Response::HistogramRanged { session, ticket, series: Vec::new(), range: None };
    }
    let found = view_of(canvas, pass, channel).and_then(|(view, series)| {
        let range = series_range(&view, &series, &rects, scale).map_err(|e| e.to_string())?;
        Ok((series, range))
    });
    match found {
        Ok((series, range)) => Response::HistogramRanged { session, ticket, series, range },
        Err(reason) => error(session, reason),
    }
}

/// The second round: the counts of this worker's share with the page's common range.
pub fn histogram_counts(
    canvas: &Canvas,
    session: SessionId,
    ticket: u32,
    (pass, channel): (&str, Channel),
    region: Option<Rect>,
    options: HistogramOptions,
) -> Response {
    let rects = share(canvas, region);
    if rects.is_empty() {
        return Response::HistogramCounted { session, ticket, channels: Vec::new() };
    }
    let counted = view_of(canvas, pass, channel)
        .and_then(|(view, series)| count_rects(&view, &series, &rects, options).map_err(|e| e.to_string()));
    match counted {
        Ok(channels) => Response::HistogramCounted { session, ticket, channels },
        Err(reason) => error(session, reason),
    }
}

/// The sums of every channel of `pass` over this worker's share of `region`.
pub fn region_sums_of(
    canvas: &Canvas,
    session: SessionId,
    ticket: u32,
    pass: &str,
    region: Rect,
) -> Response {
    let rects = share(canvas, Some(region));
    if rects.is_empty() {
        return Response::RegionSummed { session, ticket, channels: Vec::new() };
    }
    match PassView::of_canvas(canvas, pass) {
        Ok(view) => Response::RegionSummed { session, ticket, channels: region_sums(&view, &rects) },
        Err(e) => error(session, e),
    }
}

/// The render time Blender wrote in a file's header (`RenderTime`, as `MM:SS.cc` or
/// `HH:MM:SS.cc`), in seconds; `None` when the header has none or it cannot be read.
pub fn render_seconds(bytes: &[u8]) -> Option<f64> {
    let attributes = header_attributes(bytes).ok()?;
    let text = attributes.iter().find(|a| a.name == "RenderTime")?.text.clone();
    parse_render_time(&text)
}

/// Blender's time code (`BLI_timecode_string_from_time_simple`) in seconds.
pub fn parse_render_time(text: &str) -> Option<f64> {
    let mut parts = text.trim().rsplit(':');
    let seconds: f64 = parts.next()?.trim().parse().ok()?;
    let mut total = seconds;
    let mut unit = 60.0;
    for part in parts {
        let value: u32 = part.trim().parse().ok()?;
        total += f64::from(value) * unit;
        unit *= 60.0;
        if unit > 3600.0 * 60.0 {
            return None;
        }
    }
    (total.is_finite() && total >= 0.0).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::worker::engine::Engine;
    use crate::preview::worker::protocol::{Holding, Request};
    use std::path::PathBuf;
    use tilemerge::analysis::{histogram, region_stats, ChannelHistogram, ChannelSums};
    use tilemerge::view::ValueRange;
    use tilemerge::{CanvasOptions, LayoutReport, TileId, DEFAULT_OVERSCAN};

    const PASS: &str = "ViewLayer.Combined";

    /// The b42 fixture's tiles, by name, in name order.
    fn b42() -> Vec<(TileId, Vec<u8>)> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/b42-singlepart-256x160-t100x70/tiles");
        let mut files: Vec<(TileId, Vec<u8>)> = std::fs::read_dir(&dir)
            .expect("the fixture's tiles")
            .filter_map(|e| {
                let path = e.expect("an entry").path();
                let tile = TileId::from_file_name(path.file_name()?.to_str()?)?;
                Some((tile, std::fs::read(&path).expect("tile bytes")))
            })
            .collect();
        files.sort_by_key(|(t, _)| (t.y0, t.x0));
        files
    }

    /// Two workers' engines, the tiles dealt between them in turn, as the pool spreads them.
    fn two_workers(files: &[(TileId, Vec<u8>)]) -> [Engine; 2] {
        let names = files.iter().map(|(t, _)| t.file_name());
        let grid =
            LayoutReport::infer(names.collect::<Vec<_>>().iter().map(String::as_str), DEFAULT_OVERSCAN)
                .expect("a layout")
                .grid;
        let mut engines = [Engine::default(), Engine::default()];
        for engine in &mut engines {
            engine.handle(Request::Begin { session: 1, grid, holding: Holding::Picture }, None);
        }
        for (i, (tile, bytes)) in files.iter().enumerate() {
            let answer = engines[i % 2]
                .handle(Request::Tile { session: 1, tile: *tile, draw: None }, Some(bytes.clone()));
            assert!(matches!(answer, Some((Response::Placed { .. }, _))), "{answer:?}");
        }
        engines
    }

    fn ask(engine: &mut Engine, request: Request) -> Response {
        engine.handle(request, None).expect("an answer").0
    }

    /// The whole merge on one canvas, natively.
    fn whole(files: &[(TileId, Vec<u8>)]) -> Canvas {
        let grid = two_workers(files)[0].session(1).map(|s| s.grid).expect("a session");
        let mut canvas = Canvas::new(grid, CanvasOptions::default());
        for (tile, bytes) in files {
            canvas.add(*tile, bytes).expect("placed");
        }
        canvas
    }

    #[test]
    fn two_workers_histograms_add_up_to_the_whole_merges() {
        let files = b42();
        let mut engines = two_workers(&files);
        let canvas = whole(&files);
        let view = PassView::of_canvas(&canvas, PASS).expect("the pass");
        for (channel, scale, region) in [
            (Channel::Rgb, HistogramScale::Linear, None),
            (Channel::Luminance, HistogramScale::Log, None),
            (Channel::G, HistogramScale::Linear, Some(Rect { x: 90, y: 60, width: 40, height: 30 })),
        ] {
            let mut range = None;
            let mut series = Vec::new();
            for engine in &mut engines {
                let request = Request::HistogramRange {
                    session: 1,
                    ticket: 1,
                    pass: PASS.into(),
                    channel,
                    region,
                    scale,
                };
                let Response::HistogramRanged { series: s, range: r, .. } = ask(engine, request) else {
                    panic!("a range")
                };
                range = ValueRange::merge_all([range, r]);
                if !s.is_empty() {
                    series = s;
                }
            }
            let options = HistogramOptions { bins: 64, scale, range };
            let mut sum: Vec<ChannelHistogram> =
                series.iter().map(|s| ChannelHistogram::empty(s.clone(), 64)).collect();
            for engine in &mut engines {
                let request = Request::HistogramCounts {
                    session: 1,
                    ticket: 2,
                    pass: PASS.into(),
                    channel,
                    region,
                    options,
                };
                let Response::HistogramCounted { channels, .. } = ask(engine, request) else {
                    panic!("counts")
                };
                for (total, share) in sum.iter_mut().zip(&channels) {
                    total.add(share);
                }
            }
            let expected = histogram(&view, &series, region, HistogramOptions { range: None, ..options })
                .expect("the whole merge's histogram");
            assert_eq!(expected.range, range, "{channel:?}");
            assert_eq!(sum, expected.channels, "{channel:?} {scale:?}");
            assert!(sum[0].counts.iter().sum::<u64>() > 0);
        }
    }

    #[test]
    fn two_workers_sums_make_the_rectangles_statistics() {
        let files = b42();
        let mut engines = two_workers(&files);
        let canvas = whole(&files);
        let view = PassView::of_canvas(&canvas, PASS).expect("the pass");
        let rect = Rect { x: 37, y: 21, width: 150, height: 100 };
        let mut sums: Option<Vec<ChannelSums>> = None;
        for engine in &mut engines {
            let request = Request::RegionSums { session: 1, ticket: 3, pass: PASS.into(), region: rect };
            let Response::RegionSummed { channels, .. } = ask(engine, request) else { panic!("sums") };
            match &mut sums {
                Some(total) => total.iter_mut().zip(&channels).for_each(|(t, c)| t.add(c)),
                None => sums = Some(channels),
            }
        }
        let expected = region_stats(&view, rect).expect("stats");
        let shown: Vec<_> = sums.expect("sums").iter().map(ChannelSums::stats).collect();
        for (got, want) in shown.iter().zip(&expected.channels) {
            assert_eq!((got.min, got.max, got.finite), (want.min, want.max, want.finite));
            let (a, b) = (got.mean.expect("a mean"), want.mean.expect("a mean"));
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn blenders_render_time_is_read_from_the_header() {
        assert_eq!(parse_render_time("00:00.73"), Some(0.73));
        assert_eq!(parse_render_time("01:02.50"), Some(62.5));
        assert_eq!(parse_render_time("1:00:00.00"), Some(3600.0));
        assert_eq!(parse_render_time("soon"), None);
        assert_eq!(parse_render_time("-1:00.00"), None);
        let files = b42();
        let corner = files.iter().find(|(t, _)| t.file_name() == "200-140-256-160.exr").expect("the corner");
        assert_eq!(render_seconds(&corner.1), Some(0.18));
        assert_eq!(render_seconds(b"not an exr"), None);
    }
}
