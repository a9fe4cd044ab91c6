//! The merge preview by keyboard, as in tev: with the image focused, `e`/`E` change the exposure,
//! `]`/`[` step through the passes and `c`/`C` through the channels; the page's own shortcuts do
//! not also fire (`c` elsewhere cancels a job), and `?` lists the image's keys too.

use std::time::Duration;

use fantoccini::key::Key;

use super::preview::open_fixture;
use crate::support::{xpath_literal, Browser, Simfarm};

/// Waits until the field `label` holds `value`.
async fn wait_value(browser: &Browser, label: &str, value: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = browser.field_value(label).await;
        if now == value {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{label} is {now:?}, not {value:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_on_the_focused_image_change_exposure_pass_and_channel() {
    let farm = Simfarm::start(&[]).await;
    let browser = Browser::start().await;
    open_fixture(&browser, &farm).await;
    let image = browser.wait_xpath("//*[@role='group'][@aria-label='Image view']", "the image view").await;
    let passes: Vec<String> = {
        let select = browser.field("View layer / pass").await;
        let mut values = Vec::new();
        for option in select.find_all(fantoccini::Locator::Css("option")).await.expect("the passes") {
            values.push(option.attr("value").await.ok().flatten().unwrap_or_default());
        }
        values
    };
    let first = browser.field_value("View layer / pass").await;
    let at = passes.iter().position(|pass| *pass == first).expect("the pass shown is one offered");
    assert!(passes.len() > 1, "the fixture has several passes: {passes:?}");

    image.send_keys("ee").await.expect("keys reach the focused image");
    wait_value(&browser, "Exposure (stops)", "1").await;
    image.send_keys("E").await.expect("Shift-E");
    wait_value(&browser, "Exposure (stops)", "0.5").await;

    image.send_keys("]").await.expect("]");
    wait_value(&browser, "View layer / pass", &passes[(at + 1) % passes.len()]).await;
    image.send_keys("[").await.expect("[");
    wait_value(&browser, "View layer / pass", &first).await;

    image.send_keys("c").await.expect("c");
    wait_value(&browser, "Channel", "r").await;
    image.send_keys("CC").await.expect("Shift-C twice");
    wait_value(&browser, "Channel", "luminance").await;
    assert!(
        !browser.shown_now("//dialog[@open]").await,
        "no dialog of the page's own shortcuts opened while the image took the keys"
    );

    // `?` is not the image's: the shortcuts dialog opens and lists the image's keys too.
    image.send_keys("?").await.expect("?");
    let dialog = browser
        .wait_xpath(
            &format!(
                "//dialog[@open][.//h3[normalize-space()={}]]",
                xpath_literal("In the merge preview, with the image focused")
            ),
            "the shortcuts dialog with the image's keys",
        )
        .await;
    let text = dialog.text().await.expect("the dialog's text");
    assert!(text.contains("Exposure half a stop up, down"), "{text}");
    image.send_keys(&Key::Escape.to_string()).await.ok();
    browser.close().await;
}
