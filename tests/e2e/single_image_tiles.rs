//! The repository's own job type, `jobtypes/single_image_tiles.js`, installed in simfarm as a
//! Manager installs a script: submitted from the Submit page, rendered, merged on the farm by the
//! real `tilemerge`, equal to simfarm's picture in every pass, and previewed with every tile whole,
//! on a portrait image at half render scale (the published job type cuts such tiles short).

use flamenco_api::JobStatus;
use simfarm::render::exr_out;
use simfarm::render::procedural::Picture;

use crate::preview::tiles_in_state;
use crate::support::submit_form::{open_form, submit_button, wait_for_job_page};
use crate::support::{workspace_root, Browser, FarmApi, Simfarm, PATIENCE};

#[tokio::test(flavor = "multi_thread")]
async fn a_single_image_tiles_job_from_the_submit_page_merges_on_the_farm_into_the_picture() {
    let scripts = workspace_root().join("jobtypes");
    let scripts = scripts.to_str().expect("a UTF-8 path");
    let farm = Simfarm::start(&[
        "--scripts",
        scripts,
        "--workers",
        "4",
        "--task-seconds",
        "0.3",
        "--failure-rate",
        "0",
    ])
    .await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    open_form(&browser, &farm, "Single Image Tiles").await;
    for (label, value) in [
        ("Name", "Poster"),
        ("Frame", "1"),
        ("Render Output Root", "/render/e2e"),
        ("Blendfile", "/render/scenes/poster.blend"),
        ("Resolution X", "360"),
        ("Resolution Y", "640"),
        ("Resolution Scale", "50"),
        ("Tile Size X", "64"),
        ("Tile Size Y", "64"),
    ] {
        browser.fill(label, value).await;
    }
    // The form plans the tiles at the render scale, with the job type's overscan, and without the
    // published job type's portrait warning.
    browser.text("180 × 320 px (render scale 50 %)").await;
    browser.text("3 columns × 5 rows of 64 × 64 px").await;
    browser.text("(16 px around each tile)").await;
    let portrait_warning = "//*[@role='note'][contains(., 'Portrait image')]";
    assert!(!browser.shown_now(portrait_warning).await, "no portrait warning for this job type");
    submit_button(&browser).await.click().await.expect("submitting");

    let id = wait_for_job_page(&browser).await;
    api.wait_for_status(&id, JobStatus::Completed, PATIENCE).await;
    assert_eq!(api.tasks(&id).await.len(), 15 + 1, "15 tiles and the merge");

    // The farm's merge (the real tilemerge, run by the merge task) is the picture, in every pass.
    let job = api.job(&id).await;
    let tiles =
        job.settings.as_ref().and_then(|s| s["render_output_path"].as_str()).expect("the tiles folder");
    let folder = tiles.strip_suffix("/tiles").expect("tiles sit in the job's folder").trim_start_matches('/');
    let merged = exr_out::read(&farm.render_root().join(folder).join("merged.exr")).expect("merged.exr");
    assert_eq!((merged.width, merged.height), (180, 320));
    let picture = Picture { width: 180, height: 320, seed: simfarm::jobtypes::fnv1a(id.as_bytes()) };
    for y in 0..320 {
        for x in 0..180 {
            let (expected, index) = (picture.sample(x, y), (y * 180 + x) as usize);
            assert_eq!(merged.rgba[index], expected.rgba, "Combined at {x},{y}");
            assert_eq!(merged.depth[index], expected.depth, "Depth at {x},{y}");
        }
    }

    // In the browser's preview, every tile is whole: placed, none cut short.
    browser.link("Preview merge").await.click().await.expect("the preview opens");
    browser.heading("Merge preview").await;
    browser.wait_xpath(&tiles_in_state("placed", 15), "all 15 tiles placed").await;
    browser.close().await;
}

/// The README's command for trying job types without a farm, run exactly as printed from the
/// checkout: the Submit page offers the job type of `jobtypes/`.
#[tokio::test(flavor = "multi_thread")]
async fn the_readmes_command_offers_the_job_types_of_the_jobtypes_folder() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("the README");
    let line = readme
        .lines()
        .find(|line| line.starts_with("target/debug/simfarm --scripts"))
        .expect("the README prints the command");
    let words: Vec<&str> = line.split_whitespace().collect();
    let listen = words.windows(2).find(|pair| pair[0] == "--listen").map(|pair| pair[1]).expect("--listen");
    let mut command = tokio::process::Command::new(workspace_root().join(words[0]));
    command.args(&words[1..]).current_dir(workspace_root());
    let log = tempfile::NamedTempFile::new().expect("a log file");
    let url = format!("http://{listen}");
    let _simfarm = crate::support::Server::start(command, url.clone(), log.path().to_path_buf()).await;

    let browser = Browser::start().await;
    browser.open(&format!("{url}/submit")).await;
    browser.link("Single Image Tiles").await.click().await.expect("the job type opens");
    browser.heading("Submit: Single Image Tiles").await;
    browser.field("Denoise").await;
    browser.close().await;
}
