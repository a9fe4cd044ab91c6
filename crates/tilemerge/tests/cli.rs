//! The `tilemerge` binary, run as a farm would run it.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

fn tilemerge(args: &[&str]) -> Output {
    let output =
        Command::new(env!("CARGO_BIN_EXE_tilemerge")).args(args).arg("--quiet").output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    output
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh scratch folder outside the repository.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tilemerge-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixture_dir(fixture: &str) -> PathBuf {
    fixtures().join(fixture)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of a fixture's tiles (in the scratch folder) to break.
fn copy_tiles(fixture: &str, name: &str) -> PathBuf {
    let dir = scratch(name);
    for (id, bytes) in tiles(fixture) {
        std::fs::write(dir.join(id.file_name()), bytes).unwrap();
    }
    dir
}

#[test]
fn merge_b5_writes_every_channel_of_full_exr_bit_for_bit() {
    let out = scratch("b5").join("merged.exr");
    let png = out.with_extension("png");
    let tiles = fixture_dir(B5).join("tiles");
    let job = fixture_dir(B5).join("job.json");
    let o = tilemerge(&["merge", s(&tiles), "--job", s(&job), "-o", s(&out), "--png", s(&png)]);
    assert!(o.status.success(), "{}", stdout(&o));
    let merged = channels(&std::fs::read(&out).unwrap());
    let full = channels(&full(B5));
    assert_eq!(merged.len(), full.len());
    for (name, reference) in &full {
        assert!(bit_equal(&merged[name], reference), "{name}");
    }
    assert_eq!(
        tilemerge::read_info(&std::fs::read(&out).unwrap()).unwrap().layout,
        tilemerge::ExrLayout::MultiPart
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn merge_b42_noisy_and_depth_bit_for_bit_and_check_reports_the_seams() {
    let out = scratch("b42").join("merged.exr");
    let tiles = fixture_dir(B42).join("tiles");
    let job = fixture_dir(B42).join("job.json");
    let o = tilemerge(&["merge", s(&tiles), "--job", s(&job), "-o", s(&out), "--layout", "singlepart"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let merged = channels(&std::fs::read(&out).unwrap());
    for (name, reference) in channels(&full(B42)) {
        if name.contains(".Noisy Image.") || name.contains(".Depth.") {
            assert!(bit_equal(&merged[&name], &reference), "{name}");
        }
    }

    let o = tilemerge(&["check", s(&tiles), "--job", s(&job)]);
    let text = stdout(&o);
    assert!(o.status.success(), "{text}");
    let line = |pass: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(pass))
            .unwrap_or_else(|| panic!("{pass}: {text}"))
            .to_string()
    };
    assert!(line("ViewLayer.Combined ").ends_with("differs"), "{text}");
    assert!(line("ViewLayer.Noisy Image").ends_with("exact"), "{text}");
    assert!(line("ViewLayer.Depth").ends_with("exact"), "{text}");

    let o = tilemerge(&["check", s(&tiles), "--job", s(&job), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let max = |pass: &str| {
        report["seams"]["passes"].as_array().unwrap().iter().find(|p| p["pass"] == pass).unwrap()["max_abs"]
            .as_f64()
            .unwrap()
    };
    assert!(max("ViewLayer.Combined") > 0.5);
    assert_eq!(max("ViewLayer.Noisy Image"), 0.0);
    assert_eq!(max("ViewLayer.Depth"), 0.0);
    // A threshold turns seams into a failure.
    let o = tilemerge(&["check", s(&tiles), "--job", s(&job), "--max-seam", "0.1"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn missing_and_broken_tiles_fail_the_merge_unless_allowed() {
    let dir = copy_tiles(B5, "broken");
    std::fs::remove_file(dir.join("64-64-128-128.exr")).unwrap();
    let truncated = std::fs::read(dir.join("0-0-64-64.exr")).unwrap();
    std::fs::write(dir.join("0-0-64-64.exr"), &truncated[..truncated.len() / 3]).unwrap();
    std::fs::write(dir.join("128-0-192-64.exr"), b"Error 404: not found").unwrap();
    std::fs::write(dir.join("notes.txt"), b"render log").unwrap();
    let job = fixture_dir(B5).join("job.json");
    let out = scratch("broken-out").join("merged.exr");

    let o = tilemerge(&["merge", s(&dir), "--job", s(&job), "-o", s(&out)]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(!out.exists());
    assert!(text.contains("error: tile 64-64-128-128 is missing"), "{text}");
    assert!(text.contains("error: tile 0-0-64-64: the file is truncated"), "{text}");
    assert!(text.contains("error: tile 128-0-192-64: not an OpenEXR file"), "{text}");
    assert!(text.contains("warning: unexpected file notes.txt"), "{text}");
    assert!(text.contains("not writing") && text.contains("3 tile(s) missing or wrong"), "{text}");

    let o = tilemerge(&["merge", s(&dir), "--job", s(&job), "-o", s(&out), "--allow-missing"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let merged = channels(&std::fs::read(&out).unwrap());
    let full = channels(&full(B5));
    // What was placed is exact; the holes are empty.
    let w = 320;
    let at = |x: usize, y: usize| y * w + x;
    let z = "ViewLayer.Depth.Z";
    assert_eq!(merged[z].get_bits(at(300, 10)), full[z].get_bits(at(300, 10)));
    assert_eq!(merged[z].get_f32(at(100, 90)), Some(0.0), "inside the missing 64-64-128-128");

    let o = tilemerge(&["check", s(&dir), "--job", s(&job)]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn bad_arguments_are_reported_without_a_panic() {
    let tiles = fixture_dir(B5).join("tiles");
    let out = scratch("args").join("x.exr");
    let o = tilemerge(&["merge", s(&tiles), "-o", s(&out), "--passes", "Mist"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Mist") && err.contains("ViewLayer.Depth"), "{err}");
    let o = tilemerge(&["merge", "/nonexistent/tiles", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    let bad_job = scratch("args-job").join("job.json");
    std::fs::write(&bad_job, r#"{"settings": {"resolution_x": 320}}"#).unwrap();
    let o = tilemerge(&["check", s(&tiles), "--job", s(&bad_job)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("resolution_y"));
    let o = tilemerge(&["merge", s(&tiles), "-o", s(&out), "--compression", "htj2k32"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn generated_tile_sets_merge_back_into_their_full_frame() {
    let dir = scratch("gen");
    let o = tilemerge(&[
        "gen-bench",
        s(&dir),
        "--size",
        "600x340",
        "--tile",
        "128",
        "--full",
        "--layout",
        "singlepart",
        "--compression",
        "piz",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let job = dir.join("job.json");
    let settings = tilemerge::JobSettings::from_json(&std::fs::read_to_string(&job).unwrap()).unwrap();
    assert_eq!((settings.resolution_x, settings.tile_size_y), (600, 128));
    let out = dir.join("merged.exr");
    let o = tilemerge(&[
        "merge",
        s(&dir.join("tiles")),
        "--job",
        s(&job),
        "-o",
        s(&out),
        "--passes",
        "Combined,ViewLayer.Depth",
    ]);
    assert!(o.status.success(), "{}", stdout(&o));
    let merged = channels(&std::fs::read(&out).unwrap());
    let full = channels(&std::fs::read(dir.join("full.exr")).unwrap());
    assert_eq!(merged.len(), 5);
    for (name, reference) in &full {
        assert!(bit_equal(&merged[name], reference), "{name}");
    }

    // The published job type's portrait bug: reported, and the merge refuses.
    let portrait = scratch("gen-portrait");
    let o = tilemerge(&["gen-bench", s(&portrait), "--size", "180x320", "--tile", "64", "--portrait-bug"]);
    assert!(o.status.success());
    let o = tilemerge(&["check", s(&portrait.join("tiles")), "--job", s(&portrait.join("job.json"))]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(text.contains("error: tile 0-128-64-192: the file is 80x68 pixels but Blender renders this tile as 80x96; it matches the published job type's portrait bug"), "{text}");
    assert!(text.contains("error: tile 0-256-64-320 is missing"), "{text}");
}

#[test]
fn merging_lossy_tiles_warns_that_writing_them_again_changes_the_pixels() {
    for (compression, lossy) in [("b44", &["R", "G", "B", "A"][..]), ("dwaa", &["R", "G", "B"][..])] {
        let dir = scratch(&format!("lossy-{compression}"));
        // Tiles of 130x70 (Blender's tiles need not be multiples of 4): B44's 4x4 blocks of the
        // merge do not line up with the tiles', so B44 too quantises again. (With 128 px tiles
        // they line up, and B44 happens to give back the very same pixels; DWAA never does.)
        let o = tilemerge(&[
            "gen-bench",
            s(&dir),
            "--size",
            "300x200",
            "--tile",
            "130x70",
            "--compression",
            compression,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let (tiles, job) = (dir.join("tiles"), dir.join("job.json"));
        let again = dir.join("again.exr");
        let o = tilemerge(&["merge", s(&tiles), "--job", s(&job), "-o", s(&again)]);
        let text = stdout(&o);
        assert!(o.status.success(), "{text}");
        let upper = compression.to_uppercase();
        let names: Vec<String> = lossy.iter().map(|c| format!("ViewLayer.Combined.{c}")).collect();
        let expected = format!(
            "warning: {upper} is lossy: writing the merge with it can change the pixels of {} (the tiles are {upper} too, so their pixels are quantised again); ZIP or PIZ keep them exact",
            names.join(", ")
        );
        assert!(text.contains(&expected), "{text}");
        assert!(text.find("warning: ") < text.find("wrote "), "warned before writing: {text}");

        // A lossless export keeps the tiles' pixels, says nothing, and shows the warning true.
        let exact = dir.join("exact.exr");
        let o = tilemerge(&["merge", s(&tiles), "--job", s(&job), "-o", s(&exact), "--compression", "zip"]);
        assert!(o.status.success() && !stdout(&o).contains("warning:"), "{}", stdout(&o));
        let (again, exact) =
            (channels(&std::fs::read(&again).unwrap()), channels(&std::fs::read(&exact).unwrap()));
        let changed: Vec<&String> =
            exact.keys().filter(|name| !bit_equal(&again[*name], &exact[*name])).collect();
        // Colour with per-pixel noise changes; an all-opaque alpha may survive B44 exactly.
        assert!(changed.iter().all(|name| names.contains(name)), "{compression}: {changed:?}");
        for c in ["R", "G", "B"] {
            assert!(changed.contains(&&format!("ViewLayer.Combined.{c}")), "{compression}: {changed:?}");
        }
    }
}

#[test]
fn bench_compare_prints_the_difference_time_beside_the_merge_time() {
    let dir = scratch("bench-compare");
    for seed in ["1", "2"] {
        let set = dir.join(seed);
        let o = tilemerge(&["gen-bench", s(&set), "--size", "320x200", "--tile", "64", "--seed", seed]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o =
        tilemerge(&["bench-compare", s(&dir.join("1")), s(&dir.join("2")), "--runs", "1", "--threads", "2"]);
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", String::from_utf8_lossy(&o.stderr));
    let figure = |prefix: &str, after: &str| -> f64 {
        let line = text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{prefix}: {text}"));
        let rest = &line[line.find(after).unwrap_or_else(|| panic!("{after}: {line}")) + after.len()..];
        let number: String =
            rest.trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        number.parse().unwrap_or_else(|_| panic!("{line}"))
    };
    for (prefix, after) in [
        ("merge, decode and place", ":"),
        ("merge, decode, place and encode EXR", ":"),
        ("difference metrics, 1 thread", ":"),
        ("difference metrics, 1 thread", "="),
        ("difference metrics, 2 threads in bands", ":"),
        ("difference with heat map, 1 thread", ":"),
        ("difference with heat map, 1 thread", "="),
    ] {
        let v = figure(prefix, after);
        assert!(v.is_finite() && v >= 0.0, "{prefix} {after} {v}: {text}");
    }
    assert!(text.contains("bench-compare: 320x200 image, 20 tiles, 2 passes (5 channels)"), "{text}");
    // Two seeds of noise: the difference is there and measured.
    let max = figure("  ViewLayer.Combined", "max");
    assert!(max > 0.0 && max < 0.1, "{text}");
}

#[test]
fn merge_streams_the_librarys_bytes_with_miniz_and_full_exrs_pixels_with_libdeflate() {
    let dir = scratch("deflate");
    let tiles_dir = fixture_dir(B5).join("tiles");
    let job_file = fixture_dir(B5).join("job.json");
    let merge = |out: &Path, extra: &[&str]| {
        let mut args = vec!["merge", s(&tiles_dir), "--job", s(&job_file), "-o", s(out), "--threads", "3"];
        args.extend_from_slice(extra);
        let o = tilemerge(&args);
        assert!(o.status.success(), "{}", stdout(&o));
        std::fs::read(out).unwrap()
    };

    // Blocks compressed on 3 threads and written as they finish: the blocks the library writes
    // compressing one after another, in the same order.
    let miniz = merge(&dir.join("miniz.exr"), &["--deflate", "miniz"]);
    let mut canvas = tilemerge::Canvas::new(
        job(B5).grid(tilemerge::DEFAULT_OVERSCAN).unwrap(),
        tilemerge::CanvasOptions::default(),
    );
    for (id, bytes) in tiles(B5) {
        canvas.add(id, &bytes).unwrap();
    }
    let options = tilemerge::ExrOptions { compression: tilemerge::Compression::Zip, ..Default::default() };
    let library = tilemerge::export_exr(&canvas, &options).unwrap();
    assert_eq!(miniz.len(), library.len());
    assert!(blocks(&miniz) == blocks(&library), "the blocks or their order differ");

    // libdeflate (the default) writes other streams of the same pixels.
    let fast = merge(&dir.join("libdeflate.exr"), &[]);
    assert_ne!(fast, miniz);
    let merged = channels(&fast);
    for (name, reference) in &channels(&full(B5)) {
        assert!(bit_equal(&merged[name], reference), "{name}");
    }
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "nothing but the two files: {names:?}");

    // A file that cannot take the output's place (a folder is there) leaves nothing behind.
    let taken = dir.join("taken.exr");
    std::fs::create_dir(&taken).unwrap();
    let o = tilemerge(&["merge", s(&tiles_dir), "--job", s(&job_file), "-o", s(&taken)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"), "{o:?}");
    assert!(taken.is_dir() && !dir.join("taken.exr.partial").exists());
}

/// A file's blocks in file order as (part, first row, compressed bytes): all of the file but its
/// headers, whose attributes exr keeps in a hash map and so writes in another order each run.
fn blocks(bytes: &[u8]) -> Vec<(usize, i32, Vec<u8>)> {
    let reader = exr::block::read(std::io::Cursor::new(bytes), true).unwrap();
    reader
        .all_chunks(true)
        .unwrap()
        .map(|chunk| {
            let chunk = chunk.unwrap();
            match chunk.compressed_block {
                exr::block::chunk::CompressedBlock::ScanLine(b) => {
                    (chunk.layer_index, b.y_coordinate, b.compressed_pixels_le)
                }
                other => panic!("scan line blocks only: {other:?}"),
            }
        })
        .collect()
}

#[test]
fn merge_streams_the_bytes_of_the_whole_frame_merge_and_honours_a_memory_limit() {
    let dir = scratch("streamed");
    let o = tilemerge(&["gen-bench", s(&dir), "--size", "1000x700", "--tile", "128", "--seed", "4"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (tiles, job) = (dir.join("tiles"), dir.join("job.json"));
    let sets =
        [(tiles.clone(), job.clone()), (fixture_dir(B5).join("tiles"), fixture_dir(B5).join("job.json"))];
    let sets = sets.into_iter().chain([(fixture_dir(B42).join("tiles"), fixture_dir(B42).join("job.json"))]);
    for (index, (tiles, job)) in sets.enumerate() {
        let merged = |name: &str, extra: &[&str]| {
            let out = dir.join(format!("{index}-{name}.exr"));
            let mut args =
                vec!["merge", s(&tiles), "--job", s(&job), "-o", s(&out), "--seams", "--threads", "3"];
            args.extend_from_slice(extra);
            let o = tilemerge(&args);
            assert!(o.status.success(), "{}", stdout(&o));
            (std::fs::read(&out).unwrap(), stdout(&o))
        };
        let (streamed, said) = merged("streamed", &[]);
        assert!(said.contains("streamed (peak planned"), "{said}");
        let (whole, whole_said) = merged("whole", &["--in-memory"]);
        assert!(streamed == whole, "set {index}: the streamed file differs from the whole-frame merge's");
        // The same report, seams included, but for the line saying how the file was written.
        let report =
            |text: &str| text.lines().filter(|l| !l.starts_with("wrote")).collect::<Vec<_>>().join("\n");
        assert_eq!(report(&said), report(&whole_said));
    }
    // Nothing but the outputs: the later parts' blocks kept aside are gone.
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // A limit below what the band needs is refused before anything is decoded, with the figures.
    let out = dir.join("limited.exr");
    let limited = |limit: &str, extra: &[&str]| {
        let mut args = vec![
            "merge",
            s(&tiles),
            "--job",
            s(&job),
            "-o",
            s(&out),
            "--threads",
            "2",
            "--max-memory",
            limit,
        ];
        args.extend_from_slice(extra);
        tilemerge(&args)
    };
    let o = limited("2M", &[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("not merging: the streamed merge of this 1000x700 frame needs about"), "{text}");
    assert!(text.contains("a band of rows") && text.contains("--max-memory is 2 MB"), "{text}");
    assert!(!out.exists());
    let o = limited("5M", &["--in-memory"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(
        text.contains("holding the whole 1000x700 frame takes 8 MB, more than --max-memory 5 MB"),
        "{text}"
    );
    let o = limited("8M", &[]);
    assert!(o.status.success(), "the streamed merge fits in 8 MB: {}", stdout(&o));
}
