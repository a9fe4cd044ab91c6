//! The inspector's measurements on real Blender renders: a merge compared with Blender's own
//! full frame, histograms and rectangle statistics against values counted here the simple
//! way, and the header attributes Blender writes.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use tilemerge::analysis::{
    compare, header_attributes, histogram, placed_tiles, region_stats, ChannelPairing, CompareOptions,
    HistogramOptions, HistogramScale, PassView, Series, TileRank,
};
use tilemerge::view::NO_HIT;
use tilemerge::{
    decode, export_exr, Canvas, CanvasOptions, DecodeOptions, DecodedTile, ExrOptions, Rect, DEFAULT_OVERSCAN,
};

/// The largest difference between the merged, per-tile denoised Combined of the b42 fixture
/// and Blender's whole-frame render, as the fixtures' README states it ("up to 0.875 off").
const B42_COMBINED_MAX: f64 = 0.875;

fn merge(fixture: &str) -> Canvas {
    let grid = job(fixture).grid(DEFAULT_OVERSCAN).expect("grid");
    let mut canvas = Canvas::new(grid, CanvasOptions { seams: false, ..CanvasOptions::default() });
    for (id, bytes) in tiles(fixture) {
        canvas.add(id, &bytes).unwrap_or_else(|p| panic!("{p}"));
    }
    assert!(canvas.coverage().is_complete());
    canvas
}

fn reference(fixture: &str) -> DecodedTile {
    decode(&full(fixture), &DecodeOptions::default()).expect("full.exr decodes")
}

/// The largest |a - b| over the finite samples of `rect`, counted one sample at a time.
fn simple_max(a: &PassView<'_>, b: &PassView<'_>, rect: Rect) -> f64 {
    let mut max = 0f64;
    for (ca, cb) in a.channels.iter().zip(b.channels) {
        for y in rect.y..rect.bottom() {
            for x in rect.x..rect.right() {
                let i = (y * a.size.width + x) as usize;
                let (va, vb) = (ca.get_f32(i).unwrap(), cb.get_f32(i).unwrap());
                if va.is_finite() && vb.is_finite() {
                    max = max.max((f64::from(va) - f64::from(vb)).abs());
                }
            }
        }
    }
    max
}

#[test]
fn b42_merge_equals_its_full_render_on_noisy_image_and_depth_and_is_off_by_the_known_maximum_on_combined() {
    let canvas = merge(B42);
    let full = reference(B42);
    let tiles = placed_tiles(&canvas);
    assert_eq!(tiles.len(), 9);
    let pixels = 256 * 160;
    for pass in ["Noisy Image", "Depth"] {
        let (a, b) =
            (PassView::of_canvas(&canvas, pass).unwrap(), PassView::of_decoded(&full, pass).unwrap());
        let c = compare(&a, &b, CompareOptions::default(), &tiles).unwrap();
        for d in c.channels.iter().chain([&c.overall]) {
            assert!(d.is_equal(), "{pass} {d:?}");
            assert_eq!((d.max_abs, d.mean_abs, d.rmse, d.over_threshold), (0.0, 0.0, 0.0, 0), "{pass} {d:?}");
            assert_eq!(d.psnr, f64::INFINITY, "{pass}");
        }
        assert_eq!(c.overall.samples, (pixels * a.channels.len()) as u64, "{pass}: every sample compared");
        assert!(c.worst_tiles(TileRank::Max, 9).is_empty(), "{pass}");
    }

    let (a, b) =
        (PassView::of_canvas(&canvas, "Combined").unwrap(), PassView::of_decoded(&full, "Combined").unwrap());
    let c = compare(&a, &b, CompareOptions::default(), &tiles).unwrap();
    assert_eq!(c.overall.max_abs, B42_COMBINED_MAX, "{:?}", c.overall);
    assert_eq!(c.overall.max_abs, simple_max(&a, &b, a.bounds()));
    assert!(c.overall.mean_abs > 0.0 && c.overall.psnr.is_finite() && c.overall.over_threshold > 0);
    assert_eq!(c.overall.non_finite, 0);
    // Each tile's figure is that of its own rectangle; the worst one holds the maximum.
    for t in &c.tiles {
        assert_eq!(t.max_abs, simple_max(&a, &b, t.rect), "{}", t.tile);
    }
    let worst = c.worst_tiles(TileRank::Max, 3);
    assert_eq!(worst[0].max_abs, B42_COMBINED_MAX);
    assert!(worst.windows(2).all(|w| w[0].max_abs >= w[1].max_abs));
    let by_mean = c.worst_tiles(TileRank::Mean, 9);
    assert!(by_mean.windows(2).all(|w| w[0].mean_abs >= w[1].mean_abs));
}

/// Histogram counts of one channel over `rect`, computed the simple way: the range from the
/// finite values nearer zero than NO_HIT, bins of equal width, the last one closed.
fn simple_histogram(
    view: &PassView<'_>,
    component: &str,
    rect: Rect,
    bins: usize,
) -> (Vec<u64>, u64, u64, u64) {
    let samples = &view.channels[view.channel_index(component).unwrap()];
    let mut values = Vec::new();
    for y in rect.y..rect.bottom() {
        for x in rect.x..rect.right() {
            values.push(samples.get_f32((y * view.size.width + x) as usize).unwrap());
        }
    }
    let kept: Vec<f64> =
        values.iter().filter(|v| v.is_finite() && v.abs() < NO_HIT).map(|v| f64::from(*v)).collect();
    let lo = kept.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = kept.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let (mut counts, mut below, mut above, mut non_finite) = (vec![0u64; bins], 0, 0, 0);
    for v in values {
        let v64 = f64::from(v);
        if !v.is_finite() {
            non_finite += 1;
        } else if v64 < lo {
            below += 1;
        } else if v64 > hi {
            above += 1;
        } else {
            let bin = ((v64 - lo) / (hi - lo) * bins as f64) as usize;
            counts[bin.min(bins - 1)] += 1;
        }
    }
    (counts, below, above, non_finite)
}

#[test]
fn histograms_of_the_fixture_count_what_a_simple_count_finds() {
    let canvas = merge(B42);
    let combined = PassView::of_canvas(&canvas, "Combined").unwrap();
    let rgb = ["R", "G", "B"].map(|c| Series::Component(c.into()));
    let whole = combined.bounds();
    for (rect, bins) in [(whole, 64), (Rect { x: 40, y: 30, width: 120, height: 90 }, 17)] {
        // Each channel alone, so each gets its own range as the simple count does.
        for (series, component) in rgb.iter().zip(["R", "G", "B"]) {
            let h = histogram(
                &combined,
                std::slice::from_ref(series),
                Some(rect),
                HistogramOptions { bins, ..Default::default() },
            )
            .unwrap();
            let c = &h.channels[0];
            assert_eq!(
                (c.counts.clone(), c.below, c.above, c.non_finite),
                simple_histogram(&combined, component, rect, bins),
                "{component} {rect}"
            );
            assert_eq!(c.counts.iter().sum::<u64>() + c.below + c.above + c.non_finite, rect.area());
        }
    }
    // R, G and B together share one range; on a log scale the zeros fall below it.
    let h = histogram(
        &combined,
        &rgb,
        None,
        HistogramOptions { bins: 32, scale: HistogramScale::Log, range: None },
    )
    .unwrap();
    let range = h.range.expect("a range");
    assert!(range.min > 0.0 && range.max > range.min);
    for (c, component) in h.channels.iter().zip(["R", "G", "B"]) {
        let samples = &combined.channels[combined.channel_index(component).unwrap()];
        let at_or_below_zero =
            (0..samples.len()).filter(|i| samples.get_f32(*i).unwrap() <= 0.0).count() as u64;
        assert_eq!(c.below, at_or_below_zero, "{component}");
        assert_eq!(c.counts.iter().sum::<u64>() + c.below + c.above + c.non_finite, whole.area());
    }

    // Depth: the background's 1e10, if the frame shows any, is counted above the range.
    let depth = PassView::of_canvas(&canvas, "Depth").unwrap();
    let h = histogram(&depth, &[Series::Component("Z".into())], None, HistogramOptions::default()).unwrap();
    let c = &h.channels[0];
    assert_eq!((c.counts.clone(), c.below, c.above, c.non_finite), simple_histogram(&depth, "Z", whole, 256));
    let stats = region_stats(&depth, whole).unwrap();
    assert!(f64::from(h.range.unwrap().max) <= f64::from(stats.channels[0].max.unwrap()));
}

#[test]
fn rectangle_statistics_of_the_fixture_match_a_simple_pass_over_its_pixels() {
    let canvas = merge(B42);
    let noisy = PassView::of_canvas(&canvas, "Noisy Image").unwrap();
    // Reaches past the bottom right corner: clipped to 56x30.
    let stats = region_stats(&noisy, Rect { x: 200, y: 130, width: 100, height: 100 }).unwrap();
    assert_eq!(stats.region, Rect { x: 200, y: 130, width: 56, height: 30 });
    for (s, samples) in stats.channels.iter().zip(noisy.channels) {
        let values: Vec<f32> = (130..160)
            .flat_map(|y| (200..256).map(move |x| y * 256 + x))
            .map(|i| samples.get_f32(i).unwrap())
            .collect();
        let min = values.iter().cloned().fold(f32::INFINITY, f32::min);
        let max = values.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let mean = values.iter().map(|v| f64::from(*v)).sum::<f64>() / values.len() as f64;
        assert_eq!((s.min, s.max, s.finite), (Some(min), Some(max), 56 * 30), "{}", s.component);
        assert!((s.mean.unwrap() - mean).abs() < 1e-9, "{}", s.component);
    }
    assert!(region_stats(&noisy, Rect { x: 256, y: 0, width: 5, height: 5 }).is_err());
}

#[test]
fn a_tiles_header_shows_blenders_attributes_and_so_does_the_merge() {
    let (_, b42_tile) = &tiles(B42)[0];
    let attributes = header_attributes(b42_tile).unwrap();
    let value = |attributes: &[tilemerge::analysis::HeaderAttribute], name: &str| {
        attributes.iter().find(|a| a.name == name).map(|a| (a.type_name.clone(), a.text.clone()))
    };
    assert_eq!(attributes[0].name, "BlenderMultiChannel", "file order");
    assert_eq!(value(&attributes, "cycles.ViewLayer.samples"), Some(("string".into(), "32".into())));
    assert_eq!(value(&attributes, "Camera"), Some(("string".into(), "Camera".into())));
    assert_eq!(value(&attributes, "compression"), Some(("compression".into(), "PIZ".into())));
    let render_time = value(&attributes, "RenderTime").expect("RenderTime").1;
    assert!(render_time.starts_with("00:"), "{render_time}");
    let window = value(&attributes, "displayWindow").expect("displayWindow").1;
    // Blender crops each tile: its display window is the tile's own size.
    let size = tilemerge::read_info(b42_tile).unwrap().size;
    assert!(window.ends_with(&format!(": {size}")), "{window}");
    let channels = value(&attributes, "channels").expect("channels").1;
    assert!(
        channels.contains("ViewLayer.Depth.Z (float)") && channels.contains("ViewLayer.Noisy Image.R (half)"),
        "{channels}"
    );
    assert!(attributes.iter().all(|a| a.part == 0), "a single-part file");

    // Blender 5: one part per pass, each with its name; the version in the first.
    let (_, b5_tile) = &tiles(B5)[0];
    let attributes = header_attributes(b5_tile).unwrap();
    assert_eq!(value(&attributes, "Software"), Some(("string".into(), "Blender 5.0.1".into())));
    let names: Vec<&str> = attributes.iter().filter(|a| a.name == "name").map(|a| a.text.as_str()).collect();
    assert_eq!(
        names,
        ["ViewLayer.Combined", "ViewLayer.Depth", "ViewLayer.Normal", "ViewLayer.Diffuse Color"]
    );
    assert_eq!(attributes.iter().map(|a| a.part).max(), Some(3));

    // The merge carries one tile's attributes into its own file, and says which tile.
    let canvas = merge(B42);
    let merged = header_attributes(&export_exr(&canvas, &ExrOptions::default()).unwrap()).unwrap();
    assert_eq!(value(&merged, "cycles.ViewLayer.samples"), Some(("string".into(), "32".into())));
    let source = canvas.metadata_source().expect("a placed tile");
    let (_, bytes) = tiles(B42).into_iter().find(|(id, _)| *id == source).expect("the tile");
    let of_source = header_attributes(&bytes).unwrap();
    for name in ["RenderTime", "cycles.ViewLayer.render_time", "Date"] {
        assert_eq!(value(&merged, name), value(&of_source, name), "{name}");
    }
}

#[test]
fn another_pass_or_another_frame_compares_what_they_share_or_says_what_differs() {
    let canvas = merge(B42);
    let combined = PassView::of_canvas(&canvas, "Combined").unwrap();
    // The denoiser's work: the denoised image against the noisy one (both RGBA).
    let noisy = PassView::of_canvas(&canvas, "Noisy Image").unwrap();
    let c = compare(&combined, &noisy, CompareOptions::default(), &placed_tiles(&canvas)).unwrap();
    let components: Vec<&str> = c.channels.iter().map(|d| d.component.as_str()).collect();
    assert_eq!(components, ["R", "G", "B", "A"]);
    assert!(c.channels[0].max_abs > 1.0 && c.channels[3].is_equal(), "{c:?}");
    assert!(c.worst_tiles(TileRank::Mean, 1)[0].mean_abs > c.overall.mean_abs);

    let depth = PassView::of_canvas(&canvas, "Depth").unwrap();
    let err = compare(&combined, &depth, CompareOptions::default(), &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the passes differ in channels: only A has [\"R\", \"G\", \"B\", \"A\"], only B has [\"Z\"]"
    );
    let shared = CompareOptions { pairing: ChannelPairing::Shared, ..CompareOptions::default() };
    let err = compare(&combined, &depth, shared, &[]).unwrap_err().to_string();
    assert!(err.starts_with("the passes share no channel"), "{err}");

    let other = reference(B5);
    let err =
        compare(&combined, &PassView::of_decoded(&other, "Combined").unwrap(), shared, &[]).unwrap_err();
    assert_eq!(err.to_string(), "the images differ in size: A is 256x160, B is 320x180");
    let err = PassView::of_decoded(&other, "Noisy Image").unwrap_err().to_string();
    assert!(err.contains("Noisy Image") && err.contains("ViewLayer.Diffuse Color"), "{err}");
}
