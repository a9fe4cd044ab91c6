//! B as another job's merge, in workers: the b42 merge against "another job" whose grid is other
//! than A's (Blender's whole-frame `full.exr` as its one tile, no overscan), against the b42 tiles
//! with one missing, and a job of another size refused.

use tilemerge::analysis::{compare, CompareOptions, Comparison, DifferencePartial, DifferenceView, PassView};
use tilemerge::{decode, Canvas, CanvasOptions, DecodeOptions, Grid, LayoutReport, Size, TileId};

use super::super::tests::{begin, fixture, send_all, tiles, B42};
use super::super::{Engine, Holding, Request, Response};
use crate::preview::worker::protocol::{parse, Other};

const IMAGE: Size = Size { width: 256, height: 160 };

/// Engines (workers) holding the b42 tiles dealt out in turn.
fn workers(count: usize) -> Vec<Engine> {
    let files = tiles(B42);
    let mut engines: Vec<Engine> = (0..count).map(|_| Engine::default()).collect();
    for (i, engine) in engines.iter_mut().enumerate() {
        begin(engine, &files, Holding::Picture);
        let share: Vec<_> = files.iter().skip(i).step_by(count).cloned().collect();
        assert!(send_all(engine, &share).iter().all(|r| matches!(r, Response::Placed { .. })));
    }
    engines
}

/// Sends every engine the tiles of job `job` laid out by `grid`; returns the first engine's answers.
fn send_job(
    engines: &mut [Engine],
    job: &str,
    grid: Grid,
    files: &[(TileId, Vec<u8>)],
) -> Vec<Result<(), String>> {
    let mut first = Vec::new();
    for (i, engine) in engines.iter_mut().enumerate() {
        for (tile, bytes) in files {
            let request = Request::OtherJobTile { session: 1, job: job.into(), grid, tile: *tile };
            let answer = engine.handle(request, Some(bytes.clone()));
            let Some((Response::OtherJobTile { outcome, tile: answered, .. }, None)) = answer else {
                panic!("{answer:?}")
            };
            assert_eq!(answered, *tile);
            if i == 0 {
                first.push(outcome);
            }
        }
    }
    first
}

/// Every worker's share of comparing `pass` with `other`, merged after a trip through JSON.
fn compared(engines: &mut [Engine], pass: &str, other: &Other) -> Comparison {
    let mut merged: Option<DifferencePartial> = None;
    for engine in engines {
        let request = Request::Compare {
            session: 1,
            ticket: 1,
            pass: pass.into(),
            other: other.clone(),
            threshold: 0.01,
            view: DifferenceView::Heat { gain: 1.0 },
        };
        let (response, _) = engine.handle(request, None).expect("an answer");
        let json = serde_json::to_string(&response).expect("encodes");
        let Ok(Response::Compared { outcome: Ok(Some(partial)), .. }) = parse::<Response>(&json) else {
            panic!("{response:?}")
        };
        match &mut merged {
            Some(m) => m.merge(&partial),
            None => merged = Some(*partial),
        }
    }
    merged.expect("answers").finish()
}

/// The b42 merge made natively, every pass.
fn merged_b42() -> Canvas {
    let files = tiles(B42);
    let report = LayoutReport::infer(files.iter().map(|(n, _)| n.as_str()), 16).expect("inferred");
    let mut canvas = Canvas::new(report.grid, CanvasOptions::default());
    for (name, bytes) in &files {
        let tile = TileId::from_file_name(name).expect("a tile name");
        canvas.add(tile, bytes).expect("placed");
    }
    canvas
}

#[test]
fn another_jobs_merge_in_its_own_grid_compares_as_a_direct_computation_says() {
    let full = std::fs::read(fixture(B42).join("full.exr")).expect("full.exr");
    // The other job: one whole-frame tile, no overscan; A's tiles are 100x70 with 16 px overscan.
    let grid = Grid::new(IMAGE, IMAGE, 0).expect("a grid");
    let whole = TileId { x0: 0, y0: 0, x1: 256, y1: 160 };
    let mut engines = workers(2);
    assert_eq!(send_job(&mut engines, "v1", grid, &[(whole, full.clone())]), [Ok(())]);
    let a = merged_b42();
    let b = decode(&full, &DecodeOptions::default()).expect("full.exr decodes");
    for pass in ["ViewLayer.Noisy Image", "ViewLayer.Combined"] {
        let got = compared(&mut engines, pass, &Other::Job { job: "v1".into(), pass: pass.into() });
        let view_a = PassView::of_canvas(&a, pass).expect("A's pass");
        let view_b = PassView::of_decoded(&b, pass).expect("B's pass");
        let options = CompareOptions { threshold: 0.01, ..CompareOptions::default() };
        let want = compare(&view_a, &view_b, options, &[]).expect("compared");
        for (g, w) in
            got.channels.iter().chain([&got.overall]).zip(want.channels.iter().chain([&want.overall]))
        {
            assert_eq!(
                (&g.component, g.max_abs, g.samples, g.over_threshold),
                (&w.component, w.max_abs, w.samples, w.over_threshold),
                "{pass}"
            );
            assert!((g.mean_abs - w.mean_abs).abs() <= 1e-12 * w.mean_abs.max(1e-300), "{pass}");
        }
        assert_eq!(got.overall.samples, u64::from(IMAGE.width * IMAGE.height) * got.channels.len() as u64);
    }
}

#[test]
fn a_tile_the_other_job_lacks_is_left_out_and_a_job_of_another_size_is_refused() {
    let named = tiles(B42);
    let report = LayoutReport::infer(named.iter().map(|(n, _)| n.as_str()), 16).expect("inferred");
    let files: Vec<(TileId, Vec<u8>)> = named
        .into_iter()
        .map(|(name, bytes)| (TileId::from_file_name(&name).expect("a tile name"), bytes))
        .collect();
    let mut engines = workers(2);
    // The same tiles but the middle one, as from a job one of whose tasks has not completed.
    let missing = files[4].0;
    let sent: Vec<_> = files.iter().filter(|(t, _)| *t != missing).cloned().collect();
    assert!(send_job(&mut engines, "v0", report.grid, &sent).iter().all(Result::is_ok));
    let pass = "ViewLayer.Noisy Image";
    let got = compared(&mut engines, pass, &Other::Job { job: "v0".into(), pass: pass.into() });
    let core = report.grid.core(missing).area();
    let channels = got.channels.len() as u64;
    assert_eq!(got.overall.samples, (u64::from(IMAGE.width * IMAGE.height) - core) * channels);
    assert!(got.overall.is_equal(), "the same tiles are equal where both have them");

    // A job of another size: refused naming both sizes, and nothing kept from it.
    let other =
        Grid::new(Size { width: 320, height: 180 }, Size { width: 64, height: 64 }, 16).expect("a grid");
    let tile = TileId { x0: 0, y0: 0, x1: 64, y1: 64 };
    let answers = send_job(&mut engines[..1], "big", other, &[(tile, files[0].1.clone())]);
    let [Err(reason)] = &answers[..] else { panic!("{answers:?}") };
    assert!(reason.contains("320x180") && reason.contains("256x160"), "{reason}");
    // A file that is no EXR, and one cut short.
    let bad =
        [(files[0].0, b"not an exr".to_vec()), (files[0].0, files[0].1[..files[0].1.len() / 2].to_vec())];
    let answers = send_job(&mut engines[..1], "v0", report.grid, &bad);
    assert!(answers.iter().all(Result::is_err), "{answers:?}");
    // Comparing with a job whose tiles were never sent says so.
    let request = Request::Compare {
        session: 1,
        ticket: 2,
        pass: pass.into(),
        other: Other::Job { job: "never".into(), pass: pass.into() },
        threshold: 0.0,
        view: DifferenceView::Absolute { gain: 1.0 },
    };
    let answer = engines[0].handle(request, None);
    let Some((Response::Compared { outcome: Err(reason), .. }, None)) = answer else { panic!("{answer:?}") };
    assert!(reason.contains("have not been sent"), "{reason}");
}
