//! The preview is viewer-first: the image takes the room on a desktop screen with the panels
//! beside it, and on a phone it takes the width with the panels below, where two fingers zoom.

use serde_json::{json, Value};

use crate::preview::{fixture_named, open_with, tile_files, tiles_in_state};
use crate::support::{Browser, Simfarm};

const B42: &str = "b42-singlepart-256x160-t100x70";

/// The page's boxes, in CSS pixels: the window, the image's viewport and the side panel.
const BOXES: &str = r#"
const box = (selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
};
return {
  window: { width: window.innerWidth, height: window.innerHeight },
  page_width: document.scrollingElement.scrollWidth,
  viewport: box('.preview-viewport'),
  side: box('.preview-side'),
  tiles_open: document.querySelector('.tile-section').open,
};
"#;

async fn boxes(browser: &Browser) -> Value {
    browser.client.execute(BOXES, vec![]).await.expect("the page answers")
}

fn figure(value: &Value, path: &[&str]) -> f64 {
    let found = path.iter().fold(value, |v, key| &v[*key]);
    found.as_f64().unwrap_or_else(|| panic!("no {path:?} in {value}"))
}

async fn merged_b42(browser: &Browser, farm: &Simfarm) {
    let fixture = fixture_named(B42);
    open_with(browser, farm, &tile_files(&fixture.join("tiles"))).await;
    browser.wait_xpath(&tiles_in_state("placed", 9), "9 tiles placed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_desktop_screen_the_image_takes_the_room_and_the_panels_sit_beside_it() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    let metrics = json!({"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": false});
    browser.cdp("Emulation.setDeviceMetricsOverride", metrics).await;
    merged_b42(&browser, &farm).await;
    browser.save_screenshot("preview-1440x900").await;
    let b = boxes(&browser).await;
    let (width, height) = (figure(&b, &["window", "width"]), figure(&b, &["window", "height"]));
    let viewport_area = figure(&b, &["viewport", "width"]) * figure(&b, &["viewport", "height"]);
    assert!(viewport_area >= 0.55 * width * height, "the image gets most of the screen: {b}");
    assert!(
        figure(&b, &["side", "left"]) >= figure(&b, &["viewport", "right"]),
        "the panels are beside it: {b}"
    );
    assert!(figure(&b, &["viewport", "bottom"]) <= height, "the whole image view is on screen: {b}");
    assert_eq!(b["tiles_open"], json!(false), "the tile list is folded away");
    // Folded, it still says how the tiles stand.
    browser
        .wait_xpath(
            "//details[contains(@class,'tile-section')]/summary[contains(normalize-space(), '9 placed')]",
            "the tile counts",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_image_takes_the_width_the_panels_follow_and_two_fingers_zoom() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    let metrics = json!({"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": true});
    browser.cdp("Emulation.setDeviceMetricsOverride", metrics).await;
    browser.cdp("Emulation.setTouchEmulationEnabled", json!({"enabled": true, "maxTouchPoints": 5})).await;
    merged_b42(&browser, &farm).await;
    browser.save_screenshot("preview-390x844").await;
    let b = boxes(&browser).await;
    let (width, height) = (figure(&b, &["window", "width"]), figure(&b, &["window", "height"]));
    assert!(figure(&b, &["page_width"]) <= width, "nothing scrolls sideways: {b}");
    assert!(figure(&b, &["viewport", "width"]) >= 0.9 * width, "the image takes the width: {b}");
    assert!(figure(&b, &["viewport", "height"]) >= 0.5 * height, "and half the height at least: {b}");
    assert!(
        figure(&b, &["side", "top"]) >= figure(&b, &["viewport", "bottom"]),
        "the panels are below it: {b}"
    );

    // Two fingers spread apart over the image zoom in.
    let zoom = || async {
        let readout =
            browser.wait_xpath("//*[@role='status'][@aria-label='Zoom']", "the zoom read-out").await;
        let text = readout.text().await.expect("its text");
        text.trim().trim_end_matches('%').trim().parse::<f64>().unwrap_or_else(|e| panic!("{text:?}: {e}"))
    };
    let before = zoom().await;
    let (cx, cy) = (
        (figure(&b, &["viewport", "left"]) + figure(&b, &["viewport", "right"])) / 2.0,
        (figure(&b, &["viewport", "top"]) + figure(&b, &["viewport", "bottom"])) / 2.0,
    );
    let touch = |kind: &str, spread: f64| {
        let points = if kind == "touchEnd" {
            json!([])
        } else {
            json!([{"x": cx - spread, "y": cy, "id": 1}, {"x": cx + spread, "y": cy, "id": 2}])
        };
        json!({"type": kind, "touchPoints": points})
    };
    browser.cdp("Input.dispatchTouchEvent", touch("touchStart", 20.0)).await;
    for step in 1..=8 {
        browser.cdp("Input.dispatchTouchEvent", touch("touchMove", 20.0 + 10.0 * f64::from(step))).await;
    }
    browser.cdp("Input.dispatchTouchEvent", touch("touchEnd", 0.0)).await;
    let after = zoom().await;
    assert!(after > before * 2.5, "the pinch zoomed in: {before}% -> {after}%");
    browser.close().await;
}
