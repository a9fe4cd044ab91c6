use super::*;
use crate::layout::Size;
use crate::passes::{PassInfo, SampleType, Samples};
use crate::synth::pass;

fn rgb() -> PassInfo {
    pass("ViewLayer", "Combined", &[("R", SampleType::F32), ("G", SampleType::F32), ("B", SampleType::F16)])
}

fn buffers(values: [[f32; 6]; 3]) -> Vec<Samples> {
    let [r, g, b] = values;
    vec![
        Samples::F32(r.to_vec()),
        Samples::F32(g.to_vec()),
        Samples::F16(b.map(half::f16::from_f32).to_vec()),
    ]
}

const SIZE: Size = Size { width: 3, height: 2 };

#[test]
fn metrics_are_exact_for_known_differences_and_non_finite_values_are_apart() {
    let info = rgb();
    let a = buffers([[0.0, 0.5, 1.0, 0.25, f32::NAN, 2.0], [0.0; 6], [1.0; 6]]);
    let b = buffers([[0.0, 0.25, 1.0, 0.5, f32::NAN, f32::INFINITY], [0.0; 6], [1.0; 6]]);
    let (va, vb) = (PassView::new(SIZE, &info, &a).unwrap(), PassView::new(SIZE, &info, &b).unwrap());
    let options = CompareOptions { threshold: 0.2, ..CompareOptions::default() };
    let c = compare(&va, &vb, options, &[]).unwrap();
    let r = &c.channels[0];
    assert_eq!((r.component.as_str(), r.samples, r.non_finite, r.non_finite_mismatched), ("R", 4, 2, 1));
    assert_eq!((r.max_abs, r.mean_abs, r.over_threshold), (0.25, 0.125, 2));
    assert_eq!(r.rmse, (0.125f64 / 4.0).sqrt());
    assert_eq!(r.psnr, 10.0 * (1.0 / (0.125 / 4.0f64)).log10());
    assert!(!r.is_equal());
    let g = &c.channels[1];
    assert!(g.is_equal() && g.psnr == f64::INFINITY && g.rmse == 0.0 && g.samples == 6);
    // All channels: 16 finite samples, two pixels over, two with a non-finite value.
    let all = &c.overall;
    assert_eq!((all.samples, all.over_threshold, all.non_finite, all.non_finite_mismatched), (16, 2, 2, 1));
    assert_eq!((all.max_abs, all.mean_abs), (0.25, 0.5 / 16.0));
    assert!(all.psnr.is_finite() && all.psnr > 0.0);
}

#[test]
fn floats_too_far_apart_for_f32_are_measured_in_f64() {
    let info = pass("", "Depth", &[("Z", SampleType::F32)]);
    let size = Size { width: 2, height: 1 };
    let (a, b) = ([Samples::F32(vec![3e38, 1.0])], [Samples::F32(vec![-3e38, 1.0])]);
    let (va, vb) = (PassView::new(size, &info, &a).unwrap(), PassView::new(size, &info, &b).unwrap());
    let c = compare(&va, &vb, CompareOptions::default(), &[]).unwrap();
    assert_eq!(
        (c.overall.max_abs, c.overall.over_threshold, c.overall.non_finite),
        (2.0 * f64::from(3e38f32), 1, 0)
    );
}

#[test]
fn tiles_are_ranked_and_bands_of_rows_add_up_to_the_whole() {
    let info = rgb();
    let a = buffers([[0.0; 6], [0.0; 6], [0.0; 6]]);
    let b = buffers([[0.125, 0.0, 0.0, 0.375, 0.375, 0.375], [0.0; 6], [0.0, 0.0, 0.0, 0.0, 0.0, 0.5]]);
    let (va, vb) = (PassView::new(SIZE, &info, &a).unwrap(), PassView::new(SIZE, &info, &b).unwrap());
    let t = |x0, y0| TileId { x0, y0, x1: x0 + 1, y1: y0 + 1 };
    // A left column, the rest of the top row, and a tile over the bottom right pair.
    let tiles = [
        (t(0, 0), Rect { x: 0, y: 0, width: 1, height: 2 }),
        (t(1, 1), Rect { x: 1, y: 0, width: 2, height: 1 }),
        (t(1, 0), Rect { x: 1, y: 1, width: 2, height: 1 }),
    ];
    let options = CompareOptions::default();
    let c = compare(&va, &vb, options, &tiles).unwrap();
    let by_max: Vec<TileId> = c.worst_tiles(TileRank::Max, 3).iter().map(|d| d.tile).collect();
    assert_eq!(by_max, [t(1, 0), t(0, 0)], "the top right tile does not differ");
    let worst = c.worst_tiles(TileRank::Mean, 1)[0];
    assert_eq!((worst.tile, worst.rect.width), (t(1, 0), 2));
    assert_eq!(worst.mean_abs, 1.25 / 6.0);
    assert_eq!(worst.over_threshold, 2);
    let left = c.tiles[0];
    assert_eq!((left.mean_abs, left.max_abs, left.over_threshold), (0.5 / 6.0, 0.375, 2));

    let mut map = [0f32; 6];
    let (upper, lower) = map.split_at_mut(3);
    let mut top = DifferencePartial::rows_with_map(&va, &vb, options, &tiles, 0..1, upper).unwrap();
    let bottom = DifferencePartial::rows_with_map(&va, &vb, options, &tiles, 1..9, lower).unwrap();
    top.merge(&bottom);
    assert_eq!(top.finish(), c);
    let (whole, whole_map) = compare_with_map(&va, &vb, options, &tiles).unwrap();
    assert_eq!(whole, c);
    assert_eq!(whole_map.values, map);
    assert_eq!(map, [0.125, 0.0, 0.0, 0.375, 0.375, 0.5]);
}

#[test]
fn shares_compare_only_their_own_tiles_and_add_up_to_the_whole() {
    let info = rgb();
    let a = buffers([[0.0; 6], [0.0; 6], [0.0; 6]]);
    let b = buffers([[0.125, 0.0, 0.0, 0.375, 0.375, 0.375], [0.0; 6], [0.0, 0.0, 0.0, 0.0, 0.0, 0.5]]);
    let (va, vb) = (PassView::new(SIZE, &info, &a).unwrap(), PassView::new(SIZE, &info, &b).unwrap());
    let t = |x0, y0| TileId { x0, y0, x1: x0 + 1, y1: y0 + 1 };
    // Two tiles covering the image: the left column and the right two columns.
    let tiles = [
        (t(0, 0), Rect { x: 0, y: 0, width: 1, height: 2 }),
        (t(1, 0), Rect { x: 1, y: 0, width: 2, height: 2 }),
    ];
    let options = CompareOptions::default();
    let whole = compare(&va, &vb, options, &tiles).unwrap();
    let mut left = DifferencePartial::share(&va, &vb, options, &tiles, &[true, false]).unwrap();
    let right = DifferencePartial::share(&va, &vb, options, &tiles, &[false, true]).unwrap();
    // One share alone holds only its own tile's pixels.
    let alone = left.clone().finish();
    assert_eq!((alone.overall.samples, alone.overall.max_abs), (6, 0.375));
    assert_eq!(alone.tiles[1].max_abs, 0.0, "the other worker's tile is not measured here");
    left.merge(&right);
    assert_eq!(left.finish(), whole);
}

#[test]
fn different_sizes_and_channels_are_named_not_panicked_on() {
    let info = rgb();
    let a = buffers([[0.0; 6]; 3]);
    let va = PassView::new(SIZE, &info, &a).unwrap();
    let wide = Size { width: 6, height: 1 };
    let vw = PassView::new(wide, &info, &a).unwrap();
    let err = compare(&va, &vw, CompareOptions::default(), &[]).unwrap_err();
    assert_eq!(err.to_string(), "the images differ in size: A is 3x2, B is 6x1");

    let rgba = pass(
        "ViewLayer",
        "Combined",
        &[("R", SampleType::F32), ("G", SampleType::F32), ("B", SampleType::F16), ("A", SampleType::F32)],
    );
    let mut b = buffers([[0.5; 6]; 3]);
    b.push(Samples::F32(vec![1.0; 6]));
    let vb = PassView::new(SIZE, &rgba, &b).unwrap();
    let err = compare(&va, &vb, CompareOptions::default(), &[]).unwrap_err();
    assert_eq!(err, AnalysisError::ChannelsDiffer { only_a: vec![], only_b: vec!["A".into()] });
    let shared = CompareOptions { pairing: ChannelPairing::Shared, ..CompareOptions::default() };
    let c = compare(&va, &vb, shared, &[]).unwrap();
    assert_eq!(c.channels.len(), 3);
    assert_eq!(c.overall.max_abs, 0.5);
    let depth = pass("ViewLayer", "Depth", &[("Z", SampleType::F32)]);
    let z = [Samples::F32(vec![0.0; 6])];
    let vz = PassView::new(SIZE, &depth, &z).unwrap();
    let err = compare(&va, &vz, shared, &[]).unwrap_err();
    assert!(matches!(err, AnalysisError::NoSharedChannel { .. }), "{err}");
}
