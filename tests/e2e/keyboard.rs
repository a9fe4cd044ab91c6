//! Keyboard-only use, with WebDriver key actions and no pointer: moving through the jobs list,
//! opening a job, pausing it after the confirmation and going back; the shortcuts dialog; the
//! command palette; and shortcuts staying quiet while a field is typed in.

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use flamenco_api::JobStatus;

use crate::support::{Browser, FarmApi, Simfarm, PATIENCE};

const JOB: &str = "Keyboard shot";
const OTHER: &str = "Other shot";

/// Presses `keys` in turn, as a keyboard does (down, up), with `held` held down throughout.
async fn keys(browser: &Browser, held: Option<Key>, keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".into());
    if let Some(held) = held {
        actions = actions.then(KeyAction::Down { value: held.into() });
    }
    for &key in keys {
        actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    }
    if let Some(held) = held {
        actions = actions.then(KeyAction::Up { value: held.into() });
    }
    browser.client.perform_actions(actions).await.expect("the keys are pressed");
}

async fn press(browser: &Browser, key: impl Into<char>) {
    keys(browser, None, &[key.into()]).await;
}

/// The focused element: its tag, its text (or value) and whether it is inside an open dialog.
async fn focused(browser: &Browser) -> (String, String, bool) {
    let answer = browser
        .client
        .execute(
            "const el = document.activeElement;
             return [el.tagName.toLowerCase(), (el.value !== undefined && el.tagName === 'INPUT' ? el.value : el.textContent).trim(),
                     !!el.closest('dialog[open]')];",
            vec![],
        )
        .await
        .expect("the page answers");
    serde_json::from_value(answer).expect("tag, text, in dialog")
}

/// A farm with a long-running job and another one, both listed.
async fn farm_with_jobs() -> (Simfarm, FarmApi, String) {
    let farm = Simfarm::start(&["--workers", "2", "--task-seconds", "30", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let job = api.submit(&FarmApi::frames_job(JOB, 12)).await;
    api.submit(&FarmApi::frames_job(OTHER, 2)).await;
    api.wait_for_status(&job.id, JobStatus::Active, PATIENCE).await;
    (farm, api, job.id)
}

/// Presses `j` until the focused row is `name`'s.
async fn move_to_row(browser: &Browser, name: &str) {
    for _ in 0..10 {
        press(browser, 'j').await;
        if focused(browser).await == ("a".to_owned(), name.to_owned(), false) {
            return;
        }
    }
    panic!("j never reached the row of {name}: focus is on {:?}", focused(browser).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_is_paused_from_the_jobs_list_with_the_keyboard_only() {
    let (farm, api, id) = farm_with_jobs().await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link(JOB).await;
    browser.link(OTHER).await;

    move_to_row(&browser, JOB).await;
    press(&browser, Key::Enter).await;
    browser.heading(JOB).await;
    assert_eq!(browser.path().await, format!("/jobs/{id}"), "Enter opened the job");

    press(&browser, 'p').await;
    let dialog = format!("//dialog[@open][.//h2[normalize-space()='Pause job “{JOB}”?']]");
    browser.wait_xpath(&dialog, "the pause confirmation").await;
    assert_eq!(
        focused(&browser).await,
        ("button".to_owned(), "Pause job".to_owned(), true),
        "focus in the dialog"
    );
    assert_eq!(api.job(&id).await.status, JobStatus::Active, "nothing happens before the confirmation");

    press(&browser, Key::Enter).await;
    browser.wait_gone(&dialog, "the confirmation closing").await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let status = api.job(&id).await.status;
        if matches!(status, JobStatus::PauseRequested | JobStatus::Paused) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the job was not paused: {status:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        focused(&browser).await,
        ("a".to_owned(), JOB.to_owned(), false),
        "focus back on the job's row"
    );

    press(&browser, Key::Escape).await;
    browser.wait_gone(&format!("//h2[normalize-space()='{JOB}']"), "the job pane closing").await;
    assert_eq!(browser.path().await, "/jobs", "Escape went back to the list");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shortcuts_dialog_the_palette_and_typing_in_a_field() {
    let (farm, _api, id) = farm_with_jobs().await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link(JOB).await;

    // `?` opens the shortcuts in a dialog that takes the focus and gives it back.
    move_to_row(&browser, OTHER).await;
    keys(&browser, None, &['?']).await;
    let help = "//dialog[@open][.//h2[normalize-space()='Keyboard shortcuts']]";
    browser.wait_xpath(help, "the shortcuts dialog").await;
    browser
        .wait_xpath(&format!("{help}//td[contains(., 'Pause the current job')]"), "the pause shortcut listed")
        .await;
    assert!(focused(&browser).await.2, "the focus went into the dialog");
    press(&browser, Key::Escape).await;
    browser.wait_gone(help, "the shortcuts dialog closing").await;
    assert_eq!(focused(&browser).await, ("a".to_owned(), OTHER.to_owned(), false), "the focus came back");
    assert_eq!(browser.path().await, "/jobs", "Escape closed the dialog and did nothing else");

    // `x` selects the focused row.
    press(&browser, 'x').await;
    browser.text("1 of 2 selected").await;

    // `/` goes to the search, where letters are typed, not shortcuts.
    press(&browser, '/').await;
    keys(&browser, None, &['p', '?', 'j']).await;
    assert_eq!(
        focused(&browser).await,
        ("input".to_owned(), "p?j".to_owned(), false),
        "typed into the search"
    );
    assert!(!browser.shown_now("//dialog[@open]").await, "no shortcut fired while typing");
    for _ in 0..3 {
        press(&browser, Key::Backspace).await;
    }
    press(&browser, Key::Tab).await;

    // Ctrl-K: the palette finds a job by typing; arrows and Enter open it.
    keys(&browser, Some(Key::Control), &['k']).await;
    let palette = "//dialog[@open][.//h2[normalize-space()='Go to or do']]";
    browser.wait_xpath(palette, "the command palette").await;
    assert_eq!(focused(&browser).await.0, "input", "the palette's field has the focus");
    keys(&browser, None, &"shot".chars().collect::<Vec<_>>()).await;
    browser
        .wait_xpath(
            &format!("{palette}//li[@role='option'][.//span[normalize-space()='{OTHER}']]"),
            "jobs found by name",
        )
        .await;
    let first = browser
        .wait_xpath(&format!("{palette}//li[@role='option'][@aria-selected='true']"), "the chosen match")
        .await
        .text()
        .await
        .expect("text");
    let target = if first.contains(JOB) { None } else { Some(Key::Down) };
    if let Some(key) = target {
        press(&browser, key).await;
    }
    browser
        .wait_xpath(
            &format!("{palette}//li[@aria-selected='true'][.//span[normalize-space()='{JOB}']]"),
            "the job chosen",
        )
        .await;
    press(&browser, Key::Enter).await;
    browser.heading(JOB).await;
    assert_eq!(browser.path().await, format!("/jobs/{id}"));

    // And a page by its name.
    keys(&browser, Some(Key::Control), &['k']).await;
    browser.wait_xpath(palette, "the palette again").await;
    keys(&browser, None, &"worke".chars().collect::<Vec<_>>()).await;
    browser
        .wait_xpath(
            &format!("{palette}//li[@aria-selected='true'][.//span[normalize-space()='Workers']]"),
            "the Workers page first",
        )
        .await;
    press(&browser, Key::Enter).await;
    browser.wait_gone(palette, "the palette closing").await;
    assert_eq!(browser.path().await, "/workers");
    browser.close().await;
}
