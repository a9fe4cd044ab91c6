//! The Tags page: worker tags created, renamed, described and deleted as a wrangler does it, with the
//! workers in each; duplicates refused before the Manager is asked; other clients' changes live.

use std::time::Duration;

use flamenco_api::{WorkerList, WorkerTag, WorkerTagList};
use serde_json::json;

use crate::support::{xpath_literal, Browser, FarmApi, Simfarm};

/// The card of the tag named `name`.
fn card(name: &str) -> String {
    format!("//article[@aria-label={}]", xpath_literal(&format!("Tag {name}")))
}

async fn tags(farm: &Simfarm) -> Vec<WorkerTag> {
    let list: WorkerTagList = reqwest::get(format!("{}/api/v3/worker-mgt/tags", farm.url))
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("a tag list");
    list.tags
}

/// Creates a tag through the API, as another client would; returns its id.
async fn create_tag(farm: &Simfarm, name: &str) -> String {
    let tag: WorkerTag = reqwest::Client::new()
        .post(format!("{}/api/v3/worker-mgt/tags", farm.url))
        .json(&json!({ "name": name }))
        .send()
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("the new tag");
    tag.id.expect("an id")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tag_is_created_renamed_described_and_deleted_with_its_workers_shown() {
    let farm = Simfarm::start(&["--workers", "2", "--task-seconds", "1", "--failure-rate", "0"]).await;
    let api = FarmApi::new(&farm.url);
    let browser = Browser::start().await;
    browser.open(&format!("{}/jobs", farm.url)).await;
    browser.link("Tags").await.click().await.expect("the Tags page opens from the navigation");
    browser.heading("Worker tags").await;
    assert_eq!(browser.path().await, "/tags");

    browser.fill("New tag name", "gpu").await;
    browser.fill("New tag description", "Nvidia cards").await;
    browser.button("Create tag").await.click().await.expect("creating");
    browser.text("Tag “gpu” created.").await;
    browser.wait_xpath(&format!("{}//p[normalize-space()='Nvidia cards']", card("gpu")), "the new tag").await;
    assert_eq!(browser.field_value("New tag name").await, "", "the form is ready for the next tag");
    let created = tags(&farm).await;
    assert_eq!(created.len(), 1);
    assert_eq!((created[0].name.as_str(), created[0].description.as_deref()), ("gpu", Some("Nvidia cards")));
    let tag_id = created[0].id.clone().expect("an id");

    // A worker put in the tag (by another client) shows in it, linking to its pane.
    let workers: WorkerList = reqwest::get(format!("{}/api/v3/worker-mgt/workers", farm.url))
        .await
        .expect("simfarm")
        .json()
        .await
        .expect("workers");
    let worker = &workers.workers[0];
    let settags = reqwest::Client::new()
        .post(format!("{}/api/v3/worker-mgt/workers/{}/settags", farm.url, worker.id))
        .json(&json!({ "tag_ids": [tag_id] }))
        .send()
        .await
        .expect("simfarm");
    assert!(settags.status().is_success());
    let member = browser
        .wait_xpath(
            &format!("{}//a[normalize-space()={}]", card("gpu"), xpath_literal(&worker.name)),
            "the worker in the tag",
        )
        .await;
    assert_eq!(member.attr("href").await.expect("href"), Some(format!("/workers/{}", worker.id)));

    browser
        .wait_xpath(&format!("{}//button[normalize-space()='Edit']", card("gpu")), "Edit")
        .await
        .click()
        .await
        .expect("edit");
    browser.fill("Name", "big-gpu").await;
    browser.fill("Description", "24 GB cards").await;
    browser.button("Save").await.click().await.expect("saving");
    browser.text("Tag “big-gpu” saved.").await;
    browser
        .wait_xpath(
            &format!("{}//p[normalize-space()='24 GB cards']", card("big-gpu")),
            "renamed and described",
        )
        .await;
    let saved = tags(&farm).await;
    assert_eq!((saved[0].name.as_str(), saved[0].description.as_deref()), ("big-gpu", Some("24 GB cards")));

    // A job limited to the tag: the confirmation says it loses the tag.
    let mut job = FarmApi::frames_job("Needs a GPU", 2);
    job.worker_tag = Some(tag_id.clone());
    let job = api.submit(&job).await;
    browser
        .wait_xpath(&format!("{}//button[normalize-space()='Delete']", card("big-gpu")), "Delete")
        .await
        .click()
        .await
        .expect("delete");
    let dialog = browser
        .wait_xpath(
            "//*[@role='alertdialog'][@aria-label='Delete tag'][contains(., 'limited to it')]",
            "the confirmation, with the jobs",
        )
        .await;
    let question = dialog.text().await.expect("text");
    assert!(question.contains("Delete the tag “big-gpu”?"), "{question}");
    assert!(question.contains(&format!("Worker {} leaves it.", worker.name)), "{question}");
    assert!(question.contains("removes it from the 1 job limited to it"), "{question}");
    assert!(question.contains("Needs a GPU"), "{question}");
    browser.button("Delete tag").await.click().await.expect("confirming");
    browser.wait_gone(&card("big-gpu"), "the deleted tag").await;
    assert!(tags(&farm).await.is_empty(), "the Manager deleted it");
    assert_eq!(api.job(&job.id).await.worker_tag, None, "the job lost the tag");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_name_is_refused_without_asking_the_manager() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "1", "--failure-rate", "0"]).await;
    create_tag(&farm, "gpu").await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/tags", farm.url)).await;
    browser.wait_xpath(&card("gpu"), "the existing tag").await;
    browser.record_all_requests().await;
    let before = browser.requests_to("/api/v3/worker-mgt/tags").await;
    browser.fill("New tag name", "gpu").await;
    browser.button("Create tag").await.click().await.expect("trying");
    browser.field_error("New tag name", "A tag named “gpu” exists already").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(browser.requests_to("/api/v3/worker-mgt/tags").await, before, "nothing was sent");
    assert_eq!(browser.field_value("New tag name").await, "gpu", "what was typed stays");
    assert_eq!(tags(&farm).await.len(), 1);

    // Renaming onto another tag's name is refused the same way.
    create_tag(&farm, "cpu").await;
    browser
        .wait_xpath(&format!("{}//button[normalize-space()='Edit']", card("cpu")), "Edit")
        .await
        .click()
        .await
        .expect("edit");
    browser.fill("Name", "gpu").await;
    let puts_before = browser.requests_to("/api/v3/worker-mgt/tags").await;
    browser.button("Save").await.click().await.expect("trying");
    browser.field_error("Name", "A tag named “gpu” exists already").await;
    assert_eq!(browser.requests_to("/api/v3/worker-mgt/tags").await, puts_before);
    let tag_ids: Vec<String> = tags(&farm).await.into_iter().filter_map(|tag| tag.id).collect();
    for id in tag_ids {
        assert_eq!(browser.requests_to(&format!("/api/v3/worker-mgt/tag/{id}")).await, 0, "no update sent");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_changed_by_another_client_show_at_once_and_an_edit_in_progress_stays() {
    let farm = Simfarm::start(&["--workers", "1", "--task-seconds", "1", "--failure-rate", "0"]).await;
    let gpu = create_tag(&farm, "gpu").await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/tags", farm.url)).await;
    browser
        .wait_xpath(&format!("{}//button[normalize-space()='Edit']", card("gpu")), "Edit")
        .await
        .click()
        .await
        .expect("edit");
    browser.fill("Name", "gpu-draft").await;
    browser.fill("New tag name", "render").await;

    create_tag(&farm, "cpu").await;
    browser.wait_xpath(&card("cpu"), "the tag another client created").await;
    let renamed = reqwest::Client::new()
        .put(format!("{}/api/v3/worker-mgt/tag/{gpu}", farm.url))
        .json(&json!({ "name": "gpu-by-them", "description": "theirs" }))
        .send()
        .await
        .expect("simfarm");
    assert!(renamed.status().is_success());
    browser.wait_xpath(&card("gpu-by-them"), "the rename by another client").await;
    browser.text("Changed by someone else while you edit").await;
    assert_eq!(browser.field_value("Name").await, "gpu-draft", "the edit in progress stays");
    assert_eq!(browser.field_value("New tag name").await, "render", "the new tag's name stays");

    browser.button("Save").await.click().await.expect("saving");
    browser.wait_xpath(&card("gpu-draft"), "the edit saved").await;
    assert!(tags(&farm).await.iter().any(|tag| tag.name == "gpu-draft"));
    let cpu =
        tags(&farm).await.into_iter().find(|tag| tag.name == "cpu").and_then(|tag| tag.id).expect("cpu");
    let deleted = reqwest::Client::new()
        .delete(format!("{}/api/v3/worker-mgt/tag/{cpu}", farm.url))
        .send()
        .await
        .expect("simfarm");
    assert!(deleted.status().is_success());
    browser.wait_gone(&card("cpu"), "the tag another client deleted").await;
    assert_eq!(browser.field_value("New tag name").await, "render");
    browser.close().await;
}
