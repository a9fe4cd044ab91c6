//! Untrusted text everywhere: what Workers, submitters, other clients and files put on the farm is
//! shown as bounded text and never runs. Each test brings hostile text in the way it really arrives
//! (a submission, a Worker registering and logging through the Worker API, a tag made by another
//! client, files in a render folder, an EXR's header) and checks what a person would see: the text,
//! literally; nothing made from it; a page no wider than the window; a tab that still answers.
//! `jobs::html_in_names_and_metadata_is_shown_as_text_and_never_runs` covers markup in a job's name
//! and metadata; these add settings, `javascript:` links, right-to-left overrides, long names,
//! workers, tags, file names, EXR headers and task logs.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{json, Value};
use tilemerge::decode::Metadata;
use tilemerge::export::{encode_exr, ExrOptions, ImageData};
use tilemerge::layout::{Grid, Size};
use tilemerge::synth::{pass, Frame};
use tilemerge::{SampleType, DEFAULT_OVERSCAN};

use crate::preview::tiles_in_state;
use crate::support::{xpath_literal, Browser, FarmApi, Simfarm};

/// Markup that would set `window.__pwned` if it ever became part of the page.
const IMG: &str = r#"<img src=x onerror="window.__pwned=1">"#;
const SCRIPT: &str = "<script>window.__pwned=2</script>";
const JS_URL: &str = "javascript:window.__pwned=3";
/// Right-to-left override: what follows it is drawn reversed.
const RLO: &str = "\u{202e}gpj.exe";

/// A name of `n` characters with no place to break it.
fn unbroken(n: usize) -> String {
    "W".repeat(n)
}

/// Fails when any hostile text ran or became an element or a link.
async fn assert_nothing_ran(browser: &Browser, what: &str) {
    let pwned = browser
        .client
        .execute("return window.__pwned === undefined ? null : window.__pwned;", vec![])
        .await
        .expect("script");
    assert_eq!(pwned, Value::Null, "{what}: no markup from the farm ran");
    let injected = browser
        .client
        .find_all(Locator::Css(
            "img[src='x'], main script, [href^='javascript:'], [src^='javascript:'], [onerror], [onload], [onmouseover]",
        ))
        .await
        .expect("lookup");
    assert!(injected.is_empty(), "{what}: no element or link was made from the farm's text");
}

/// Fails when the page is wider than the window, or a part of it that holds the long name
/// (`unbroken(10)` is in every test's long text) scrolls sideways: the text pushed it out instead of
/// wrapping or ending in an ellipsis. (Tables in narrow panes may scroll sideways by design.)
async fn assert_fits_the_window(browser: &Browser, what: &str) {
    let script = "const [needle] = arguments; const wide = [];
        for (const el of [document.documentElement, ...document.querySelectorAll('body *')]) {
            const x = getComputedStyle(el).overflowX;
            const scrolls = el === document.documentElement
                || ((x === 'auto' || x === 'scroll') && el.textContent.includes(needle));
            if (scrolls && el.scrollWidth > el.clientWidth + 1) {
                wide.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth} px in ${el.clientWidth} px`);
            }
        }
        return wide;";
    let wide = browser.client.execute(script, vec![json!(unbroken(10))]).await.expect("script");
    if wide.as_array().is_some_and(|wide| !wide.is_empty()) {
        let shot = browser.screenshot(what).await;
        panic!("{what}: text is wider than its place: {wide} (screenshot: {shot})");
    }
}

/// Both: nothing ran or was made from the farm's text, and no long text pushed anything out.
async fn assert_text_only_and_bounded(browser: &Browser, what: &str) {
    assert_nothing_ran(browser, what).await;
    assert_fits_the_window(browser, what).await;
}

/// Waits until `text` is on the page, character for character, in one element's own text.
async fn shown_literally(browser: &Browser, text: &str) {
    browser.text(text).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn job_settings_links_and_long_or_reversed_names_are_bounded_text() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let name = format!("{RLO} {}", unbroken(600));
    let mut job = FarmApi::frames_job(&name, 1);
    let settings = job.settings.get_or_insert_default();
    settings.insert("scene".into(), json!(format!("{IMG}{SCRIPT}")));
    settings.insert(format!("{IMG}key"), json!(JS_URL));
    job.metadata =
        Some([("homepage".to_owned(), JS_URL.to_owned()), ("note".to_owned(), unbroken(700))].into());
    let job = api.submit(&job).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
    browser.heading(&unbroken(600)).await;
    shown_literally(&browser, &name).await;
    shown_literally(&browser, &format!("{IMG}{SCRIPT}")).await;
    shown_literally(&browser, JS_URL).await;
    shown_literally(&browser, &unbroken(700)).await;
    assert_text_only_and_bounded(&browser, "the job's pane").await;

    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link(&name).await;
    assert_text_only_and_bounded(&browser, "the jobs list").await;
    browser.close().await;
}

/// A Worker on the Manager's Worker API: registered and signed on with `name`, awake.
struct ApiWorker {
    base: String,
    id: String,
    secret: String,
    http: reqwest::Client,
}

impl ApiWorker {
    async fn sign_on(farm: &Simfarm, name: &str) -> ApiWorker {
        let http = reqwest::Client::new();
        let secret = "do-not-tell-anyone".to_owned();
        let types = ["blender", "ffmpeg", "file-management", "misc"];
        let registered: Value = http
            .post(format!("{}/api/v3/worker/register-worker", farm.url))
            .json(
                &json!({"secret": secret, "platform": "linux", "supported_task_types": types, "name": name}),
            )
            .send()
            .await
            .expect("simfarm answers")
            .json()
            .await
            .expect("a RegisteredWorker");
        let id = registered["uuid"].as_str().expect("the worker's id").to_owned();
        let worker = ApiWorker { base: farm.url.clone(), id, secret, http };
        let body = json!({"name": name, "supported_task_types": types, "software_version": "3.9"});
        worker.post("/api/v3/worker/sign-on", body.to_string().into_bytes()).await;
        worker
            .post("/api/v3/worker/state-changed", json!({"status": "awake"}).to_string().into_bytes())
            .await;
        worker
    }

    /// Posts a JSON body given as bytes (a Worker's log may hold bytes that are not UTF-8).
    async fn post(&self, path: &str, body: Vec<u8>) -> reqwest::Response {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .basic_auth(&self.id, Some(&self.secret))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("simfarm answers");
        assert!(response.status().is_success(), "POST {path}: {}", response.status());
        response
    }

    /// Asks for a task and returns its id.
    async fn take_task(&self) -> String {
        let task: Value =
            self.post("/api/v3/worker/task", Vec::new()).await.json().await.expect("an AssignedTask");
        task["uuid"].as_str().expect("a task id").to_owned()
    }

    /// Sends log text for the task, as raw bytes in the JSON string where `\u{fffe}` marks stand.
    async fn log(&self, task_id: &str, text: &str) {
        let body = json!({"log": text}).to_string();
        let bytes = body.replace('\u{fffe}', "\u{1}").into_bytes();
        // Each `\u{1}` becomes the two bytes 0xFF 0xFE, which are not UTF-8.
        let bytes: Vec<u8> =
            bytes.into_iter().flat_map(|b| if b == 1 { vec![0xff, 0xfe] } else { vec![b] }).collect();
        self.post(&format!("/api/v3/worker/task/{task_id}"), bytes).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workers_own_name_is_shown_as_bounded_text() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let name = format!("{IMG}{SCRIPT}{RLO}{}", unbroken(520));
    let worker = ApiWorker::sign_on(&farm, &name).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/workers", farm.url)).await;
    browser.link(&name).await;
    assert_text_only_and_bounded(&browser, "the workers list").await;
    browser.open(&format!("{}/workers/{}", farm.url, worker.id)).await;
    browser.heading(&unbroken(520)).await;
    shown_literally(&browser, &name).await;
    assert_text_only_and_bounded(&browser, "the worker's pane").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tag_names_and_descriptions_from_another_client_are_bounded_text() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let name = format!("{IMG}{RLO}{}", unbroken(510));
    let description = format!("{SCRIPT} {JS_URL} {}", unbroken(800));
    let response = reqwest::Client::new()
        .post(format!("{}/api/v3/worker-mgt/tags", farm.url))
        .json(&json!({"name": name, "description": description}))
        .send()
        .await
        .expect("simfarm answers");
    assert!(response.status().is_success(), "the tag is made: {}", response.status());

    let browser = Browser::start().await;
    browser.open(&format!("{}/tags", farm.url)).await;
    browser.heading(&unbroken(510)).await;
    shown_literally(&browser, &name).await;
    shown_literally(&browser, &description).await;
    assert_text_only_and_bounded(&browser, "the tags page").await;
    browser.close().await;
}

/// Synthetic tiles of a 128×96 frame in 64×48 tiles (with the overscan the preview assumes), with `layer` as the view layer's name and
/// `metadata` in every header, written into `folder` under their tile names.
fn write_tiles(folder: &Path, layer: &str, metadata: &Metadata) -> usize {
    std::fs::create_dir_all(folder).expect("a tile folder");
    let mut frame = Frame::blender_like(Size { width: 128, height: 96 }, 7);
    let rgba =
        [("R", SampleType::F16), ("G", SampleType::F16), ("B", SampleType::F16), ("A", SampleType::F16)];
    frame.passes[0].0 = pass(layer, "Combined", &rgba);
    frame.passes[1].0 = pass(layer, "Depth", &[("Z", SampleType::F32)]);
    let grid = Grid::new(frame.size, Size { width: 64, height: 48 }, DEFAULT_OVERSCAN).expect("a grid");
    let tiles = grid.tiles();
    for id in &tiles {
        let rect = grid.rendered(*id).expect("a tile to render");
        let tile = frame.crop(rect).expect("inside the frame");
        let mut image: ImageData<'_> = tile.image_data();
        image.metadata = Some(metadata);
        let bytes = encode_exr(&image, &ExrOptions::DEFAULT).expect("an EXR");
        std::fs::write(folder.join(id.file_name()), bytes).expect("a tile written");
    }
    tiles.len()
}

#[tokio::test(flavor = "multi_thread")]
async fn file_names_in_a_tile_folder_are_bounded_text() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let folder = farm.render_root().join("hostile-names");
    let count = write_tiles(&folder, "ViewLayer", &Metadata::blender_multilayer("Blender"));
    let first = std::fs::read(folder.join("0-0-64-48.exr")).expect("a tile");
    // File names are bytes on disk: markup (no `/`), an override, and the longest name Linux allows.
    let names = [format!("{IMG}.exr"), format!("{RLO}.exr"), format!("{}.exr", unbroken(250))];
    for name in &names {
        std::fs::write(folder.join(name), &first).expect("a hostile file name");
    }

    let browser = Browser::start().await;
    browser.open(&format!("{}/preview", farm.url)).await;
    browser.fill("Folder URL", &format!("{}/renders/hostile-names/", farm.url)).await;
    browser.button("Load").await.click().await.expect("the folder loads");
    browser.wait_xpath(&tiles_in_state("placed", count), "the real tiles placed").await;
    for name in &names {
        let row =
            format!("//tr[@data-tile={}]/td[normalize-space()={}]", xpath_literal(name), xpath_literal(name));
        browser.wait_xpath(&row, &format!("the file {name:?} listed by its name")).await;
    }
    assert_nothing_ran(&browser, "the tile list").await;
    browser.unfold("Tiles").await;
    assert_fits_the_window(&browser, "the tile list").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn exr_header_strings_and_layer_names_are_bounded_text() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let folder = farm.render_root().join("hostile-header");
    let layer = "<b onmouseover=__pwned=4>Layer</b>";
    let attribute = "<img src=x onerror=__pwned=5>";
    let value = format!("{SCRIPT} {JS_URL} {RLO} {}", unbroken(600));
    let metadata = Metadata::blender_multilayer(&format!("{IMG} Blender")).with_text(attribute, &value);
    let count = write_tiles(&folder, layer, &metadata);

    let browser = Browser::start().await;
    browser.open(&format!("{}/preview", farm.url)).await;
    browser.fill("Folder URL", &format!("{}/renders/hostile-header/", farm.url)).await;
    browser.button("Load").await.click().await.expect("the folder loads");
    browser.wait_xpath(&tiles_in_state("placed", count), "the tiles placed").await;
    browser.heading("Metadata").await;
    browser.unfold("Metadata").await;
    let row = format!(
        "//table[contains(@class,'metadata-table')]//tr[th[normalize-space()={}]]/td[2]",
        xpath_literal(&format!("0: {attribute}"))
    );
    let cell = browser.wait_xpath(&row, "the hostile attribute of the first part, by its name").await;
    let shown = cell.prop("textContent").await.ok().flatten().unwrap_or_default();
    // Header text is cut at 400 characters in the panel (preview::worker::engine::inspect).
    let expected = format!("{}…", value.chars().take(400).collect::<String>());
    assert_eq!(shown, expected, "the attribute's value, as text, cut short");
    shown_literally(&browser, &format!("{IMG} Blender")).await;
    shown_literally(&browser, layer).await;
    assert_text_only_and_bounded(&browser, "the metadata panel").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_log_with_terminal_codes_markup_a_1_mb_line_and_bad_bytes_is_readable_text() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let job = FarmApi::new(&farm.url).submit(&FarmApi::frames_job("Log job", 1)).await;
    let worker = ApiWorker::sign_on(&farm, "log-worker").await;
    let task_id = worker.take_task().await;
    let long_line = unbroken(1024 * 1024);
    worker.log(&task_id, &format!("before the long line\n{long_line}\n")).await;
    let hostile = format!(
        "\u{1b}[31mred alert\u{1b}[0m and\u{1b}[2J\u{1b}[1;1H cleared\n{IMG}{SCRIPT}\n\
         bytes \u{fffe} in the middle, the rest intact\nthe last line\n"
    );
    worker.log(&task_id, &hostile).await;

    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs/{}/tasks/{task_id}", farm.url, job.id)).await;
    let log = browser
        .wait_xpath("//pre[contains(@class,'log')][contains(., 'the last line')]", "the log tail")
        .await;
    let text = log.text().await.expect("the log's text");
    assert!(text.contains("red alert and cleared"), "colour and cursor codes are taken out: {text:?}");
    assert!(
        !text.contains('\u{1b}') && !text.contains("[31m") && !text.contains("[2J"),
        "no raw codes: {text:?}"
    );
    assert!(text.contains(&format!("{IMG}{SCRIPT}")), "markup shown as text: {text:?}");
    assert!(
        text.contains("bytes \u{fffd}\u{fffd} in the middle, the rest intact"),
        "bad bytes as U+FFFD: {text:?}"
    );
    assert_nothing_ran(&browser, "the log tail").await;

    browser.button("Show full log").await.click().await.expect("the full log can be asked for");
    browser.heading("Full log").await;
    let length = browser
        .client
        .execute("return document.querySelector('pre.log').textContent.length;", vec![])
        .await
        .expect("script");
    assert!(length.as_u64().unwrap_or(0) > 1024 * 1024, "the whole 1 MB line is there: {length}");
    assert_text_only_and_bounded(&browser, "the full log").await;
    // The page still answers a person: a click lands and the next frame is drawn within seconds.
    let started = Instant::now();
    browser.heading("Full log").await.click().await.expect("the page takes a click");
    let frame =
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(1)));";
    browser.client.execute_async(frame, vec![]).await.expect("a frame is drawn");
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(3), "the page answered a click after {waited:?}");
    browser.close().await;
}
