//! A/B comparison in the merge preview on a real Blender render: the b42 tiles merged and
//! compared with Blender's own `full.exr` (exactly equal on Noisy Image and Depth, off by the
//! known maximum on the denoised Combined), the wipe's divider following the pointer, the toggle
//! key switching between A and B, side by side fitting both halves with the probe linked, and the
//! difference picture.

use std::path::PathBuf;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};

use crate::preview::{fixture_named, open_with, tile_files, tiles_in_state};
use crate::support::{xpath_literal, Browser, Simfarm};

const B42: &str = "b42-singlepart-256x160-t100x70";

/// The largest difference between the merged, per-tile denoised Combined of b42 and Blender's
/// whole-frame render, as the fixtures' README states it.
const B42_COMBINED_MAX: &str = "0.875";

const SLIDER: &str = "//*[@role='slider'][@aria-label='Wipe position']";

/// Opens the preview with the b42 tiles, waits for the 9 to be placed and picks `reference` as
/// the file to compare with.
async fn open_compared(browser: &Browser, farm: &Simfarm, reference: PathBuf) {
    let fixture = fixture_named(B42);
    open_with(browser, farm, &tile_files(&fixture.join("tiles"))).await;
    browser.wait_xpath(&tiles_in_state("placed", 9), "9 tiles placed").await;
    browser.heading("Compare").await;
    browser.field("Compare with").await.select_by_value("reference").await.expect("a source can be picked");
    let path = reference.display().to_string();
    browser.field("Reference EXR").await.send_keys(&path).await.expect("the reference can be picked");
}

/// The figures' cells (max abs, mean abs, RMSE, PSNR, over) of every row, once A's `pass` has them.
async fn figures(browser: &Browser, pass: &str) -> Vec<(String, Vec<String>)> {
    let table = format!("//table[contains(@class,'compare-figures')][@data-pass={}]", xpath_literal(pass));
    let table = browser.wait_xpath(&table, &format!("the figures of {pass}")).await;
    let mut rows = Vec::new();
    for row in table.find_all(fantoccini::Locator::Css("tbody tr")).await.expect("rows") {
        let channel = row.attr("data-channel").await.ok().flatten().unwrap_or_default();
        let mut cells = Vec::new();
        for cell in row.find_all(fantoccini::Locator::Css("td")).await.expect("cells") {
            cells.push(cell.text().await.expect("a cell's text").trim().to_string());
        }
        rows.push((channel, cells));
    }
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn the_b42_merge_against_its_full_exr_reads_0_on_noisy_image_and_depth_and_the_known_maximum_on_combined(
) {
    let fixture = fixture_named(B42);
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_compared(&browser, &farm, fixture.join("full.exr")).await;

    for pass in ["ViewLayer.Noisy Image", "ViewLayer.Depth"] {
        browser.field("View layer / pass").await.select_by_value(pass).await.expect("a pass can be picked");
        let rows = figures(&browser, pass).await;
        assert!(rows.iter().any(|(c, _)| c == "all") && rows.len() > 1, "{pass}: {rows:?}");
        for (channel, cells) in &rows {
            assert_eq!(cells[0], "0", "{pass} {channel}: max abs {cells:?}");
            assert_eq!(cells[1], "0", "{pass} {channel}: mean abs {cells:?}");
            assert_eq!(cells[4], "0", "{pass} {channel}: pixels over the threshold {cells:?}");
        }
    }
    let pass = "ViewLayer.Combined";
    browser.field("View layer / pass").await.select_by_value(pass).await.expect("a pass can be picked");
    let rows = figures(&browser, pass).await;
    let all = rows.iter().find(|(c, _)| c == "all").map(|(_, cells)| cells.clone()).expect("the row of all");
    assert_eq!(all[0], B42_COMBINED_MAX, "{rows:?}");
    assert_ne!(all[4], "0", "denoised per tile, some pixels are over the threshold: {rows:?}");
    // The worst tile holds that maximum.
    browser
        .wait_xpath(
            &format!(
                "//ol[contains(@class,'compare-worst')]/li[1]/button[contains(., 'max {B42_COMBINED_MAX},')]"
            ),
            "the worst tile",
        )
        .await;

    // A file of another size is refused, naming both sizes.
    let tile = fixture.join("tiles/0-0-100-70.exr");
    browser.field("Reference EXR").await.send_keys(&tile.display().to_string()).await.expect("picked");
    let alert = browser.alert("cannot be compared").await.text().await.expect("the alert's text");
    assert!(alert.contains("256x160") && alert.contains("0-0-100-70.exr"), "{alert}");
    browser.close().await;
}

/// A number from a script.
async fn number(browser: &Browser, script: &str, args: Vec<serde_json::Value>) -> f64 {
    let value = browser.client.execute(script, args).await.expect("the script runs");
    value.as_f64().unwrap_or_else(|| panic!("no number: {value}"))
}

/// The divider's value (image pixels), once it says one.
async fn slider_value(browser: &Browser) -> f64 {
    let slider = browser.wait_xpath(SLIDER, "the wipe's divider").await;
    let now = slider.attr("aria-valuenow").await.ok().flatten().unwrap_or_default();
    now.parse().unwrap_or_else(|e| panic!("{now:?} is no value: {e}"))
}

/// The left edge of B's clip, in image pixels, as the browser computes it.
async fn clip_left(browser: &Browser) -> f64 {
    let script = "const c = document.querySelector('canvas[aria-label=\"Compared image (B)\"]');
        const m = getComputedStyle(c).clipPath.match(/inset\\(0px 0px 0px ([0-9.]+)px\\)/);
        return m ? Number(m[1]) : -1;";
    number(browser, script, vec![]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wipe_follows_the_pointer_and_the_arrow_keys() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_compared(&browser, &farm, fixture_named(B42).join("full.exr")).await;
    let view = browser.wait_xpath("//*[@role='group'][@aria-label='Image view']", "the image view").await;
    browser.centre(&view).await;
    assert_eq!(slider_value(&browser).await, 128.0, "the divider starts in the middle");

    // Dragged by its handle to a quarter of the image: it follows the pointer.
    let slider = browser.wait_xpath(SLIDER, "the wipe's divider").await;
    let el = vec![serde_json::to_value(&slider).expect("an element")];
    let rect = "const r = arguments[0].getBoundingClientRect(); return ";
    let handle_x = number(&browser, &format!("{rect} r.left + r.width / 2;"), el.clone()).await;
    let handle_y = number(&browser, &format!("{rect} r.top + r.height / 2;"), el.clone()).await;
    let canvas = "const r = document.querySelector('canvas[aria-label=\"Merged image\"]').getBoundingClientRect(); return ";
    let left = number(&browser, &format!("{canvas} r.left;"), vec![]).await;
    let width = number(&browser, &format!("{canvas} r.width;"), vec![]).await;
    let target = (left + width / 4.0 + 0.3).round();
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo { duration: None, x: handle_x.round(), y: handle_y.round() })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveTo { duration: None, x: target, y: handle_y.round() })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    browser.client.perform_actions(drag).await.expect("the drag");
    let expected = (target - left) * 256.0 / width;
    let value = slider_value(&browser).await;
    assert!((value - expected).abs() <= 1.0, "the divider is at {value}, the pointer at image x {expected}");
    let clip = clip_left(&browser).await;
    assert!((clip - value).abs() <= 1.0, "B is cut at {clip}, the divider says {value}");
    assert!(
        !browser.field("Pinned").await.is_selected().await.expect("a checkbox"),
        "the drag pinned no probe"
    );

    // The arrow keys move it one pixel at a time.
    slider.send_keys("\u{E014}").await.expect("ArrowRight");
    assert_eq!(slider_value(&browser).await, value + 1.0);

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_toggle_key_on_the_image_switches_between_a_and_b() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_compared(&browser, &farm, fixture_named(B42).join("full.exr")).await;
    browser.wait_xpath(SLIDER, "the comparison shown").await;
    let view = browser.wait_xpath("//*[@role='group'][@aria-label='Image view']", "the image view").await;
    // `t` on the focused image shows B, and again A.
    let b_visible = "return getComputedStyle(document.querySelector('canvas[aria-label=\"Compared image (B)\"]')).visibility === 'visible' ? 1 : 0;";
    view.send_keys("t").await.expect("t");
    browser.text("Showing B").await;
    assert_eq!(browser.field_value("Mode").await, "toggle");
    assert_eq!(number(&browser, b_visible, vec![]).await, 1.0, "B is shown");
    view.send_keys("t").await.expect("t");
    browser.text("Showing A").await;
    assert_eq!(number(&browser, b_visible, vec![]).await, 0.0, "A is shown");
    browser.close().await;
}

/// The bounding box (left, top, width, height) of the element `selector` finds, on screen.
async fn bounds(browser: &Browser, selector: &str) -> (f64, f64, f64, f64) {
    let script = format!(
        "const r = document.querySelector({}).getBoundingClientRect(); return [r.left, r.top, r.width, r.height];",
        serde_json::to_string(selector).expect("a string")
    );
    let value = browser.client.execute(&script, vec![]).await.expect("the script runs");
    let number = |i: usize| value[i].as_f64().unwrap_or_else(|| panic!("no box for {selector}: {value}"));
    (number(0), number(1), number(2), number(3))
}

#[tokio::test(flavor = "multi_thread")]
async fn side_by_side_fits_the_image_in_each_half_and_the_pointer_over_b_probes_the_same_pixel() {
    use fantoccini::actions::{InputSource, MouseActions, PointerAction};

    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_compared(&browser, &farm, fixture_named(B42).join("full.exr")).await;
    browser.wait_xpath(SLIDER, "the comparison shown").await;
    browser.field("Mode").await.select_by_value("side-by-side").await.expect("a mode can be picked");
    browser
        .wait_xpath("//*[@aria-label='B, side by side'][not(contains(@class,'hidden'))]", "B's pane")
        .await;
    let view = browser.wait_xpath("//*[@role='group'][@aria-label='Image view']", "the image view").await;
    browser.centre(&view).await;

    // Fitted to its half, A is whole in the left half: as wide as the half, or as tall as the view;
    // so it is again after 1:1 and Fit.
    browser.button("1:1").await.click().await.expect("1:1");
    browser.button("Fit").await.click().await.expect("Fit");
    let (view_left, _, view_width, view_height) =
        bounds(&browser, "[role=group][aria-label='Image view']").await;
    let half = view_width / 2.0;
    let a_canvas = "canvas[aria-label='Merged image']";
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    let a = loop {
        let a = bounds(&browser, a_canvas).await;
        // Within 2 px: the view's box includes its border.
        let fits = (a.2 - half).abs() < 2.0 || (a.3 - view_height).abs() < 2.0;
        if fits && a.0 >= view_left - 0.5 && a.0 + a.2 <= view_left + half + 2.0 {
            break a;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "A is not fitted to the left half: {a:?} in {view_left} + {view_width}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    // B's pane shows the same part of the image, half a view to the right.
    let b = bounds(&browser, ".compare-side-pane canvas").await;
    assert!((b.0 - (a.0 + half)).abs() < 1.0 && (b.1 - a.1).abs() < 1.0, "B at {b:?}, A at {a:?}");
    assert!((b.2 - a.2).abs() < 1.0 && (b.3 - a.3).abs() < 1.0, "B is {b:?}, A {a:?}");

    // The pointer over pixel (200, 40) of B probes that pixel, as it would over A.
    let (x, y) = (b.0 + 200.5 * b.2 / 256.0, b.1 + 40.5 * b.3 / 160.0);
    let hover = MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
        duration: None,
        x: x.round(),
        y: y.round(),
    });
    browser.client.perform_actions(hover).await.expect("the pointer moves");
    let probed = "//details[summary/h3[normalize-space()='Pixel probe']]//dt[normalize-space()='Pixel']/following-sibling::dd[1]";
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    loop {
        let shown = browser.wait_xpath(probed, "the probe").await.text().await.unwrap_or_default();
        let pixel: Option<(u32, u32)> =
            shown.trim().split_once(", ").and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?)));
        // Rounding the pointer to whole screen pixels may land it on a neighbour.
        if pixel.is_some_and(|(px, py)| px.abs_diff(200) <= 1 && py.abs_diff(40) <= 1) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the pointer over B's (200, 40) probes {shown:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.close().await;
}

/// The difference picture's pixels once drawn over the whole image: the largest RGB code and how
/// many pixels have any RGB code above 0.
async fn difference_picture(browser: &Browser) -> (u8, u64) {
    let script = "const c = document.querySelector('canvas[aria-label=\"Difference of A and B\"]');
        if (!c || c.width === 0) return null;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let opaque = 0, top = 0, lit = 0;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] === 255) opaque++;
            const m = Math.max(d[i], d[i + 1], d[i + 2]);
            if (m > 0) lit++;
            if (m > top) top = m;
        }
        return opaque === c.width * c.height ? [top, lit] : null;";
    let deadline = tokio::time::Instant::now() + crate::support::PATIENCE;
    loop {
        let value = browser.client.execute(script, vec![]).await.expect("the script runs");
        if let (Some(top), Some(lit)) = (value[0].as_u64(), value[1].as_u64()) {
            return (u8::try_from(top).expect("a byte"), lit);
        }
        assert!(tokio::time::Instant::now() < deadline, "no difference picture drawn");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_difference_picture_is_black_where_a_equals_b_and_its_brightest_pixel_is_the_largest_difference()
{
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_compared(&browser, &farm, fixture_named(B42).join("full.exr")).await;
    browser.field("Mode").await.select_by_value("difference").await.expect("a mode can be picked");
    browser.field("Difference view").await.select_by_value("absolute").await.expect("a look can be picked");

    let pass = "ViewLayer.Depth";
    browser.field("View layer / pass").await.select_by_value(pass).await.expect("a pass can be picked");
    figures(&browser, pass).await;
    assert_eq!(difference_picture(&browser).await, (0, 0), "Depth equals Blender's: all black");

    // Combined differs by at most 0.875 (the denoiser saw each tile alone): at gain 1 the brightest
    // code is that difference in sRGB.
    let pass = "ViewLayer.Combined";
    browser.field("View layer / pass").await.select_by_value(pass).await.expect("a pass can be picked");
    figures(&browser, pass).await;
    let brightest = tilemerge::export::linear_to_srgb8(B42_COMBINED_MAX.parse().expect("a number"));
    let (top, lit) = difference_picture(&browser).await;
    assert_eq!(top, brightest, "the brightest difference");
    assert!(lit > 0 && lit < 256 * 160, "{lit} pixels differ visibly");
    browser.close().await;
}
