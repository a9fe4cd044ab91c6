//! Comparisons in workers on a real Blender render: the b42 merge against its `full.exr`, in one
//! worker and shared between two as the page shares the tiles.

use tilemerge::analysis::{Comparison, DifferencePartial, DifferenceView};
use tilemerge::view::{Channel, Mapping};

use super::super::tests::{begin, fixture, send_all, tiles, B42};
use super::super::{Engine, Holding, Request, Response};
use crate::preview::worker::protocol::{parse, Other};

/// The largest difference between the merged, per-tile denoised Combined of b42 and Blender's
/// whole-frame render, as the fixtures' README states it.
const B42_COMBINED_MAX: f64 = 0.875;

fn full() -> Vec<u8> {
    std::fs::read(fixture(B42).join("full.exr")).expect("full.exr")
}

/// Engines (workers) holding the b42 tiles dealt out in turn, each with the reference.
fn workers(count: usize) -> Vec<Engine> {
    let files = tiles(B42);
    let mut engines: Vec<Engine> = (0..count).map(|_| Engine::default()).collect();
    for (i, engine) in engines.iter_mut().enumerate() {
        begin(engine, &files, Holding::Picture);
        let share: Vec<_> = files.iter().skip(i).step_by(count).cloned().collect();
        assert!(send_all(engine, &share).iter().all(|r| matches!(r, Response::Placed { .. })));
        let answer = engine.handle(Request::Reference { session: 1 }, Some(full()));
        let Some((Response::Referenced { outcome: Ok(passes), .. }, None)) = answer else {
            panic!("{answer:?}")
        };
        assert!(passes.contains(&"ViewLayer.Noisy Image".to_string()), "{passes:?}");
    }
    engines
}

/// Every worker's answer to a comparison of `pass` with `other`, merged (after a trip through
/// JSON, as the answers travel) and finished; and the picture's bytes each worker sent.
fn compared(engines: &mut [Engine], pass: &str, other: Other) -> (Comparison, Vec<Vec<u8>>) {
    let mut merged: Option<DifferencePartial> = None;
    let mut pictures = Vec::new();
    for engine in engines {
        let request = Request::Compare {
            session: 1,
            ticket: 1,
            pass: pass.into(),
            other: other.clone(),
            threshold: 0.01,
            view: DifferenceView::Heat { gain: 1.0 },
        };
        let (response, rgba) = engine.handle(request, None).expect("an answer");
        let json = serde_json::to_string(&response).expect("encodes");
        let Ok(Response::Compared { outcome: Ok(Some(partial)), width: 256, height: 160, regions, .. }) =
            parse::<Response>(&json)
        else {
            panic!("{response:?}")
        };
        assert!(!regions.is_empty());
        pictures.push(rgba.expect("a difference picture"));
        match &mut merged {
            Some(m) => m.merge(&partial),
            None => merged = Some(*partial),
        }
    }
    (merged.expect("answers").finish(), pictures)
}

#[test]
fn the_b42_merge_equals_full_exr_on_noisy_image_and_depth_and_is_off_by_the_known_maximum_on_combined() {
    let mut one = workers(1);
    let mut two = workers(2);
    for pass in ["ViewLayer.Noisy Image", "ViewLayer.Depth", "ViewLayer.Combined"] {
        let other = Other::Reference(pass.into());
        let (whole, _) = compared(&mut one, pass, other.clone());
        let (shared, _) = compared(&mut two, pass, other);
        let expected = if pass.ends_with("Combined") { B42_COMBINED_MAX } else { 0.0 };
        assert_eq!(whole.overall.max_abs, expected, "{pass}");
        assert_eq!(whole.overall.samples, shared.overall.samples, "{pass}");
        assert_eq!(whole.overall.samples % (256 * 160), 0, "{pass}: every pixel compared once");
        // Two workers' shares make the same figures as one worker's whole.
        for (a, b) in
            whole.channels.iter().chain([&whole.overall]).zip(shared.channels.iter().chain([&shared.overall]))
        {
            assert_eq!(
                (a.max_abs, a.samples, a.over_threshold, a.non_finite),
                (b.max_abs, b.samples, b.over_threshold, b.non_finite),
                "{pass}"
            );
            // Sums added in another order may differ in their last bits.
            assert!((a.mean_abs - b.mean_abs).abs() <= 1e-12 * a.mean_abs.max(1e-300), "{pass}");
        }
        assert_eq!(whole.tiles.len(), 9);
        let maxes = |c: &Comparison| c.tiles.iter().map(|t| (t.tile, t.max_abs)).collect::<Vec<_>>();
        assert_eq!(maxes(&whole), maxes(&shared), "{pass}: each tile's figure comes from its worker");
        if expected > 0.0 {
            assert!(whole.overall.over_threshold > 0 && whole.overall.psnr.is_finite());
        } else {
            assert!(whole.overall.is_equal() && whole.overall.psnr == f64::INFINITY, "{pass}");
        }
    }
}

#[test]
fn b_is_drawn_like_a_and_another_pass_compares_the_channels_both_have() {
    let mut engines = workers(2);
    let mapping = Mapping::Srgb { exposure: 0.0 };
    for engine in &mut engines {
        let pass = "ViewLayer.Noisy Image";
        let request = Request::Render { session: 1, pass: pass.into(), channel: Channel::Rgb, mapping };
        let (a, a_rgba) = engine.handle(request, None).expect("an answer");
        let other = Other::Reference(pass.into());
        let request = Request::RenderOther { session: 1, ticket: 2, other, channel: Channel::Rgb, mapping };
        let (b, b_rgba) = engine.handle(request, None).expect("an answer");
        let (Response::Rendered { regions: ra, .. }, Response::RenderedOther { regions: rb, ticket: 2, .. }) =
            (a, b)
        else {
            panic!("no pictures")
        };
        assert_eq!(ra, rb, "B is drawn where this worker's tiles are");
        assert_eq!(a_rgba, b_rgba, "equal pixels, drawn the same way");
    }
    // The denoised Combined against the Noisy Image of the same merge: every channel both have.
    let (c, _) = compared(&mut engines, "ViewLayer.Combined", Other::Pass("ViewLayer.Noisy Image".into()));
    let components: Vec<&str> = c.channels.iter().map(|d| d.component.as_str()).collect();
    assert_eq!(components, ["R", "G", "B", "A"]);
    assert!(c.overall.max_abs > 0.0);
    // Depth shares no channel with Combined: said, not panicked on.
    let request = Request::Compare {
        session: 1,
        ticket: 9,
        pass: "ViewLayer.Combined".into(),
        other: Other::Pass("ViewLayer.Depth".into()),
        threshold: 0.01,
        view: DifferenceView::Absolute { gain: 1.0 },
    };
    let answer = engines[0].handle(request, None);
    let Some((Response::Compared { outcome: Err(reason), .. }, None)) = answer else { panic!("{answer:?}") };
    assert!(reason.contains("share no channel"), "{reason}");
}

#[test]
fn a_reference_of_another_size_or_no_exr_is_refused_with_the_reason() {
    let files = tiles(B42);
    let mut engine = Engine::default();
    begin(&mut engine, &files, Holding::Picture);
    send_all(&mut engine, &files);
    let refuse = |engine: &mut Engine, bytes: Vec<u8>| match engine
        .handle(Request::Reference { session: 1 }, Some(bytes))
    {
        Some((Response::Referenced { outcome: Err(reason), .. }, None)) => reason,
        other => panic!("accepted: {other:?}"),
    };
    let tile = files.first().map(|(_, b)| b.clone()).expect("a tile");
    let size = tilemerge::read_info(&tile).expect("a header").size;
    let reason = refuse(&mut engine, tile);
    assert!(reason.contains(&size.to_string()) && reason.contains("256x160"), "{reason}");
    let reason = refuse(&mut engine, b"not an exr at all".to_vec());
    assert!(reason.contains("cannot be read as an EXR"), "{reason}");
    let full = full();
    let reason = refuse(&mut engine, full[..full.len() / 2].to_vec());
    assert!(reason.contains("damaged"), "{reason}");
    // Comparing with no reference says so, and the worker goes on.
    let request = Request::Compare {
        session: 1,
        ticket: 3,
        pass: "ViewLayer.Depth".into(),
        other: Other::Reference("ViewLayer.Depth".into()),
        threshold: 0.0,
        view: DifferenceView::Absolute { gain: 1.0 },
    };
    let answer = engine.handle(request, None);
    let Some((Response::Compared { outcome: Err(reason), .. }, None)) = answer else { panic!("{answer:?}") };
    assert!(reason.contains("no reference"), "{reason}");
}
