//! The Measure panels on real Blender tiles: the histogram's counts equal tilemerge's own over the
//! merged fixture (whole image, log bins, and following a rectangle), and a rectangle typed or
//! dragged on the image has tilemerge's min, max and mean.

use std::path::Path;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use tilemerge::analysis::{
    histogram, region_stats, Histogram, HistogramOptions, HistogramScale, PassView, Series,
};
use tilemerge::view::Channel;
use tilemerge::{Canvas, CanvasOptions, LayoutReport, PassInfo, Rect, TileId, DEFAULT_OVERSCAN};

use crate::preview::{fixture_named, open_with, tile_files, tiles_in_state};
use crate::support::{Browser, Simfarm};

const B42: &str = "b42-singlepart-256x160-t100x70";
/// The bins the panel shows.
const BINS: usize = 64;

/// The fixture's tiles merged natively with tilemerge, every pass.
fn merged(tiles: &Path) -> Canvas {
    let files = tile_files(tiles);
    let names: Vec<String> =
        files.iter().map(|f| f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned()).collect();
    let report = LayoutReport::infer(names.iter().map(String::as_str), DEFAULT_OVERSCAN).expect("a layout");
    let mut canvas = Canvas::new(report.grid, CanvasOptions::default());
    for (file, name) in files.iter().zip(&names) {
        let tile = TileId::from_file_name(name).expect("a tile name");
        canvas.add(tile, &std::fs::read(file).expect("tile bytes")).expect("the tile is placed");
    }
    canvas
}

/// What the panel shows: per series, its name, bar counts and the counts below, above and not
/// finite; empty while it counts.
async fn shown_histogram(browser: &Browser) -> Vec<(String, Vec<u64>, [u64; 3])> {
    let script = "const svg = document.querySelector('svg.histogram-bars');
        if (!svg) return [];
        return [...svg.querySelectorAll('g[data-series]')].map(g => {
            const name = g.dataset.series;
            const counts = [...g.querySelectorAll('rect')].map(r => Number(r.dataset.count));
            const row = document.querySelector(`table.histogram-clipped tr[data-series=\"${name}\"]`);
            const apart = row ? [...row.querySelectorAll('td')].map(td => Number(td.textContent)) : [];
            return [name, counts, apart];
        });";
    let value = browser.client.execute(script, vec![]).await.expect("the script runs");
    serde_json::from_value(value).unwrap_or_default()
}

/// tilemerge's histogram in the panel's form.
fn expected(h: &Histogram) -> Vec<(String, Vec<u64>, [u64; 3])> {
    h.channels
        .iter()
        .map(|c| {
            let name = match &c.series {
                Series::Luminance => "Luminance".to_owned(),
                Series::Component(name) => name.clone(),
            };
            (name, c.counts.clone(), [c.below, c.above, c.non_finite])
        })
        .collect()
}

/// Waits until the panel shows `want` (the workers answer in two rounds); fails with what it shows.
async fn wait_for_histogram(browser: &Browser, want: &[(String, Vec<u64>, [u64; 3])], what: &str) {
    let started = std::time::Instant::now();
    loop {
        let shown = shown_histogram(browser).await;
        if shown == want {
            return;
        }
        if started.elapsed() > std::time::Duration::from_secs(15) {
            panic!("{what}: the panel shows {shown:?}\nbut tilemerge counts {want:?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The exact values of the statistics table's row for `component`: min, max, mean.
async fn shown_stats(browser: &Browser, caption: &str, component: &str) -> (f32, f32, f64) {
    let row = format!(
        "//table[contains(@class,'rect-stats')][caption[normalize-space()='{caption}']]//tr[@data-channel='{component}']"
    );
    let row = browser.wait_xpath(&row, &format!("the {component} row of {caption:?}")).await;
    let cells = row.find_all(fantoccini::Locator::Css("td")).await.expect("cells");
    let mut values = Vec::new();
    for cell in cells {
        values.push(cell.attr("data-value").await.expect("an attribute").expect("an exact value"));
    }
    let [min, max, mean] = &values[..] else { panic!("three values: {values:?}") };
    (min.parse().expect("min"), max.parse().expect("max"), mean.parse().expect("mean"))
}

/// Checks every channel of the table captioned `caption` against tilemerge's statistics of `rect`.
async fn assert_stats(browser: &Browser, view: &PassView<'_>, rect: Rect, caption: &str) {
    let stats = region_stats(view, rect).expect("tilemerge measures the rectangle");
    for channel in &stats.channels {
        let (min, max, mean) = shown_stats(browser, caption, &channel.component).await;
        let want = channel.mean.expect("a mean");
        assert_eq!((Some(min), Some(max)), (channel.min, channel.max), "{} min and max", channel.component);
        // Summed in another order (per worker, then combined): equal to rounding.
        assert!(
            (mean - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{} mean {mean} vs {want}",
            channel.component
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_histogram_and_a_rectangles_statistics_equal_tilemerges_on_the_fixture() {
    let fixture = fixture_named(B42);
    let canvas = merged(&fixture.join("tiles"));
    let pass =
        canvas.passes().iter().map(PassInfo::full_name).find(|p| p.ends_with("Combined")).expect("Combined");
    let view = PassView::of_canvas(&canvas, &pass).expect("the pass");
    let series = Series::for_view(view.info, Channel::Rgb);
    let linear = HistogramOptions { bins: BINS, scale: HistogramScale::Linear, range: None };

    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_with(&browser, &farm, &tile_files(&fixture.join("tiles"))).await;
    browser.wait_xpath(&tiles_in_state("placed", 9), "9 tiles placed").await;
    browser.heading("Histogram").await;

    // The whole image, R G B over one range, counted by the workers over their own tiles.
    let whole = histogram(&view, &series, None, linear).expect("tilemerge's histogram");
    wait_for_histogram(&browser, &expected(&whole), "the whole image, linear").await;

    // Log bins: the same values spread otherwise (values at or below zero would count below).
    browser.field("Scale").await.select_by_value("log").await.expect("the scale can be chosen");
    let log = HistogramOptions { scale: HistogramScale::Log, ..linear };
    let whole_log = histogram(&view, &series, None, log).expect("tilemerge's log histogram");
    assert_ne!(expected(&whole_log), expected(&whole), "log bins count otherwise");
    wait_for_histogram(&browser, &expected(&whole_log), "the whole image, log").await;
    browser.field("Scale").await.select_by_value("linear").await.expect("the scale can be chosen");

    // A rectangle typed in its fields: its statistics, and the histogram follows it.
    let rect = Rect { x: 37, y: 21, width: 150, height: 100 };
    for (label, value) in [("X", "37"), ("Y", "21"), ("Width", "150"), ("Height", "100")] {
        browser.fill(label, value).await;
    }
    assert_stats(&browser, &view, rect, &format!("150 × 100 at 37, 21 in {pass}")).await;
    let inside = histogram(&view, &series, Some(rect), linear).expect("the rectangle's histogram");
    wait_for_histogram(&browser, &expected(&inside), "the rectangle, linear").await;

    // Dragged on the image once the pointer measures: from pixel (10, 12) to (99, 70).
    let button = browser.button("Measure a rectangle").await;
    button.click().await.expect("measuring can be switched on");
    assert_eq!(button.attr("aria-pressed").await.expect("an attribute").as_deref(), Some("true"));
    // Scrolled so the whole image view is in the window, then the image's place on screen.
    let script = "document.querySelector('[aria-label=\"Image view\"]').scrollIntoView({block: 'center'});
        const c = document.querySelector('canvas.preview-canvas').getBoundingClientRect();
        return [c.left, c.top, c.width / 256, c.height / 160];";
    let value = browser.client.execute(script, vec![]).await.expect("the script runs");
    let g: Vec<f64> =
        value.as_array().expect("numbers").iter().map(|v| v.as_f64().expect("a number")).collect();
    let at = |x: f64, y: f64| PointerAction::MoveTo {
        duration: None,
        x: (g[0] + (x + 0.5) * g[2]).round(),
        y: (g[1] + (y + 0.5) * g[3]).round(),
    };
    let drag = MouseActions::new("mouse".into())
        .then(at(10.0, 12.0))
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(at(50.0, 40.0))
        .then(at(99.0, 70.0))
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    browser.client.perform_actions(drag).await.expect("the drag");
    let dragged = Rect { x: 10, y: 12, width: 90, height: 59 };
    assert_stats(&browser, &view, dragged, &format!("90 × 59 at 10, 12 in {pass}")).await;
    assert_eq!(
        [browser.field_value("X").await, browser.field_value("Width").await],
        ["10".to_owned(), "90".to_owned()],
        "the fields show the dragged rectangle"
    );
    browser.close().await;
}
