//! The main pages on the demo farm at a desktop (1440x900) and a phone (390x844) size: screenshots
//! under `target/screenshots/` for a person to look at (the preview's are saved by
//! `preview_layout`), and checks of what a person notices in the first minute.

use serde_json::{json, Value};

use crate::support::observe::script;
use crate::support::{xpath_literal, Browser, FarmApi, Simfarm};

/// A screen size, as Chromium's device emulation takes it.
#[derive(Clone, Copy)]
struct Screen {
    name: &'static str,
    width: u32,
    height: u32,
    phone: bool,
}

const DESKTOP: Screen = Screen { name: "1440x900", width: 1440, height: 900, phone: false };
const PHONE: Screen = Screen { name: "390x844", width: 390, height: 844, phone: true };

impl Screen {
    async fn apply(self, browser: &Browser) {
        let scale = if self.phone { 3 } else { 1 };
        let metrics = json!({"width": self.width, "height": self.height, "deviceScaleFactor": scale, "mobile": self.phone});
        browser.cdp("Emulation.setDeviceMetricsOverride", metrics).await;
    }
}

const ANY_JOB_ROW: &str = "//tr[contains(@class,'job-row')]";

/// A column header of the job list, shown (not hidden by CSS).
async fn column_shown(browser: &Browser, label: &str) -> bool {
    let source = format!(
        "const th = [...document.querySelectorAll('.jobs-table th')].find(th => th.textContent.trim() === {label:?});
         return !!th && th.getBoundingClientRect().width > 0;"
    );
    script(browser, &source).await.as_bool() == Some(true)
}

/// The demo's single-image job (the one a "Preview merge" link belongs to).
async fn single_image_job(farm: &Simfarm) -> flamenco_api::Job {
    let jobs = FarmApi::new(&farm.url).jobs().await;
    jobs.into_iter()
        .find(|job| job.job_type.contains("single-image"))
        .expect("the demo has a single-image job")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_main_pages_at_desktop_and_phone_sizes_read_as_intended() {
    let farm = Simfarm::start(&["--demo"]).await;
    let job = single_image_job(&farm).await;
    let browser = Browser::start().await;
    for screen in [DESKTOP, PHONE] {
        screen.apply(&browser).await;

        browser.open(&format!("{}/jobs", farm.url)).await;
        browser.wait_xpath(ANY_JOB_ROW, "a job row").await;
        browser.wait_xpath("//span[contains(@class,'farm-status-active')]", "the farm's status").await;
        browser.save_screenshot(&format!("jobs-{}", screen.name)).await;
        // The farm's status colour is a dot, like the connection's, not a bar on the badge's edge.
        let badge = script(
            &browser,
            "const badge = document.querySelector('.farm-status'), dot = badge.querySelector('.farm-dot');
             const probe = document.createElement('span');
             probe.style.color = 'var(--status-active)';
             document.body.append(probe);
             const active = getComputedStyle(probe).color;
             probe.remove();
             const style = dot && getComputedStyle(dot), box = dot && dot.getBoundingClientRect();
             return { edge: getComputedStyle(badge).borderLeftWidth, dot: dot ? style.backgroundColor : null,
                      round: dot ? style.borderRadius : null, width: box ? box.width : 0, active };",
        )
        .await;
        assert_eq!(badge["edge"], json!("0px"), "no coloured edge on the badge: {badge}");
        assert_eq!(badge["dot"], badge["active"], "a dot in the active colour: {badge}");
        assert_eq!(badge["width"], json!(8), "an 8 px dot: {badge}");
        assert_eq!(badge["round"], json!("50%"), "a round dot: {badge}");
        if !screen.phone {
            for label in ["Progress", "Steps done", "Submitter", "Created", "Worker tag"] {
                assert!(column_shown(&browser, label).await, "with no job open, the list shows {label}");
            }
            let share = script(
                &browser,
                "return document.querySelector('.job-list').getBoundingClientRect().width / window.innerWidth;",
            )
            .await;
            assert!(share.as_f64().unwrap_or(0.0) > 0.9, "the list takes the width: {share}");
        }

        browser.open(&format!("{}/jobs/{}", farm.url, job.id)).await;
        browser.heading(&job.name).await;
        let copy = browser.link("Submit a copy").await;
        let preview = browser.link("Preview merge").await;
        let (copy, preview) =
            (copy.rectangle().await.expect("a box"), preview.rectangle().await.expect("a box"));
        let gap = preview.0 - (copy.0 + copy.2);
        let below = preview.1 >= copy.1 + copy.3;
        assert!(
            gap >= 8.0 || below,
            "the two links stand apart ({screen_name}): {copy:?} {preview:?}",
            screen_name = screen.name
        );
        let text = script(&browser, "return document.querySelector('.job-pane').innerText;").await;
        let text = text.as_str().unwrap_or_default();
        assert!(!text.contains("copyPreview"), "the links read as separate words: {text}");
        if !screen.phone {
            assert!(
                !column_shown(&browser, "Submitter").await,
                "beside an open job the list keeps to the essentials"
            );
        }
        browser.save_screenshot(&format!("job-{}", screen.name)).await;

        browser.open(&format!("{}/workers", farm.url)).await;
        browser.wait_xpath("//tr[.//td[normalize-space()='blade-01']]", "a worker row").await;
        browser.save_screenshot(&format!("workers-{}", screen.name)).await;

        browser.open(&format!("{}/submit", farm.url)).await;
        browser.wait_xpath("//li[contains(@class,'job-type-card')]", "a job type card").await;
        browser.save_screenshot(&format!("submit-{}", screen.name)).await;
    }
    browser.close().await;
}

/// The job list's boxes on a phone, in CSS pixels.
const LIST_BOXES: &str = r#"
const scroller = document.querySelector('.job-list .table-scroll');
const box = scroller.getBoundingClientRect();
const rows = [...scroller.querySelectorAll('tr.job-row')].map(row => row.getBoundingClientRect());
return {
  window: window.innerHeight,
  page: document.scrollingElement.scrollHeight,
  top: box.top,
  bottom: box.bottom,
  scrolls: scroller.scrollHeight > scroller.clientHeight + 1,
  rows_end: Math.max(...rows.map(row => row.bottom)),
  scroll_top: scroller.scrollTop,
  // What else reaches below the window, named in a failure's message.
  below: [...document.querySelectorAll('body *')]
    .filter(el => !scroller.contains(el) && el.getBoundingClientRect().bottom > window.innerHeight + 1)
    .slice(0, 6)
    .map(el => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().top)}-${Math.round(el.getBoundingClientRect().bottom)}`),
};
"#;

fn figure(value: &Value, key: &str) -> f64 {
    value[key].as_f64().unwrap_or_else(|| panic!("no {key} in {value}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_the_job_list_fills_the_screen_and_scrolls() {
    let farm = Simfarm::start(&["--demo"]).await;
    let browser = Browser::start().await;
    PHONE.apply(&browser).await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.wait_xpath(ANY_JOB_ROW, "a job row").await;
    let b = script(&browser, LIST_BOXES).await;
    let window = figure(&b, "window");
    assert!(figure(&b, "page") <= window + 1.0, "the page itself does not scroll: {b}");
    assert!(figure(&b, "bottom") >= window - 12.0, "the list reaches the screen's bottom edge: {b}");
    assert!(figure(&b, "bottom") - figure(&b, "top") >= 0.4 * window, "and takes a good part of it: {b}");
    assert_eq!(b["scrolls"], json!(true), "the demo has more jobs than fit: the list scrolls: {b}");
    assert!(figure(&b, "rows_end") >= figure(&b, "bottom"), "rows fill the list to its bottom: {b}");

    // Scrolled to its end, the list still shows rows down to its edge.
    script(
        &browser,
        "const s = document.querySelector('.job-list .table-scroll'); s.scrollTop = s.scrollHeight;",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let b = script(&browser, LIST_BOXES).await;
    assert!(figure(&b, "scroll_top") > 0.0, "the list scrolled: {b}");
    assert!(figure(&b, "rows_end") >= figure(&b, "bottom") - 2.0, "the last rows sit at the bottom: {b}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_submit_page_shows_each_job_type_as_a_card_and_the_drafts_kept_here() {
    let farm = Simfarm::start(&["--workers", "0"]).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/submit", farm.url)).await;
    let card = |label: &str| {
        format!(
            "//ul[@aria-label='Job types']/li[contains(@class,'job-type-card')][h2/a[normalize-space()={}]]",
            xpath_literal(label)
        )
    };
    // Every job type the Manager lists has a card: its name, what it does, what it asks for.
    browser
        .wait_xpath(
            &format!(
                "{}[p[contains(., 'sleep')]][p[contains(., 'settings to fill in')]]",
                card("Echo Sleep Test")
            ),
            "the echo-sleep-test card",
        )
        .await;
    browser
        .wait_xpath(
            &format!("{}[p[contains(., 'settings to fill in')]]", card("Simple Blender Render")),
            "the simple-blender-render card",
        )
        .await;
    assert!(!browser.shown_now("//h2[normalize-space()='Drafts in this browser']").await, "no drafts yet");

    // A form opened and left untouched is no draft; one with a name typed in is, and leads back.
    browser.link("Simple Blender Render").await.click().await.expect("the form opens");
    browser.heading("Submit: Simple Blender Render").await;
    browser.link("← Other job types").await.click().await.expect("back to the list");
    browser.wait_xpath(&card("Echo Sleep Test"), "the cards again").await;
    assert!(
        !browser.shown_now("//h2[normalize-space()='Drafts in this browser']").await,
        "an untouched form"
    );

    browser.link("Echo Sleep Test").await.click().await.expect("the form opens");
    browser.heading("Submit: Echo Sleep Test").await;
    browser.fill("Name", "Overnight soak check").await;
    browser.link("← Other job types").await.click().await.expect("back to the list");
    let drafts = "//section[h2[normalize-space()='Drafts in this browser']]";
    browser
        .wait_xpath(
            &format!(
                "{drafts}//li[a[normalize-space()='Overnight soak check']][contains(., 'Echo Sleep Test')]"
            ),
            "the kept draft",
        )
        .await;
    browser.link("Overnight soak check").await.click().await.expect("the draft opens");
    browser.heading("Submit: Echo Sleep Test").await;
    assert_eq!(browser.field_value("Name").await, "Overnight soak check", "the draft as it was left");
    browser.close().await;
}
