//! The preview's inspector panels on real Blender tiles: the metadata panel shows the headers
//! Blender wrote, of the merge and of a tile picked.

use tilemerge::analysis::header_attributes;

use crate::preview::{fixture_named, open_with, tile_files, tiles_in_state};
use crate::support::{xpath_literal, Browser, Simfarm};

const B42: &str = "b42-singlepart-256x160-t100x70";

/// XPath of the value cell (after the name and type) of attribute `name` in the metadata table captioned `caption`.
fn attribute_value(caption: &str, name: &str) -> String {
    format!(
        "//table[contains(@class,'metadata-table')][caption[normalize-space()={}]]//tr[th[normalize-space()={}]]/td[2]",
        xpath_literal(caption),
        xpath_literal(name)
    )
}

/// The text of attribute `name` in the table captioned `caption`, once it is shown.
async fn shown_value(browser: &Browser, caption: &str, name: &str) -> String {
    let cell = browser.wait_xpath(&attribute_value(caption, name), &format!("{name} in {caption:?}")).await;
    cell.text().await.unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_metadata_panel_shows_blenders_attributes_of_the_merge_and_of_a_tile() {
    let fixture = fixture_named(B42);
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_with(&browser, &farm, &tile_files(&fixture.join("tiles"))).await;
    browser.wait_xpath(&tiles_in_state("placed", 9), "9 tiles placed").await;
    browser.heading("Metadata").await;

    // The merge carries the header of the grid's first tile, whichever worker placed it.
    let merge = "The merge's header (from 0-0-100-70.exr)";
    assert_eq!(shown_value(&browser, merge, "RenderTime").await, "00:00.73");
    assert_eq!(shown_value(&browser, merge, "cycles.ViewLayer.samples").await, "32");
    assert_eq!(shown_value(&browser, merge, "Camera").await, "Camera");
    assert_eq!(shown_value(&browser, merge, "compression").await, "PIZ");
    // Every attribute of the file, no more.
    let first = std::fs::read(fixture.join("tiles/0-0-100-70.exr")).expect("the first tile");
    let expected = header_attributes(&first).expect("its header").len();
    let rows = format!("//table[caption[normalize-space()={}]]/tbody/tr", xpath_literal(merge));
    let shown = browser.client.find_all(fantoccini::Locator::XPath(&rows)).await.expect("the rows").len();
    assert_eq!(shown, expected, "one row per attribute");

    // A tile picked: its own header, with its own render time.
    let subject = browser.field("Header of").await;
    subject.select_by_value("200-140-256-160").await.expect("a tile can be picked");
    let corner = "Header of 200-140-256-160.exr";
    assert_eq!(shown_value(&browser, corner, "RenderTime").await, "00:00.18");
    assert_eq!(shown_value(&browser, corner, "cycles.ViewLayer.samples").await, "32");
    browser.close().await;
}
