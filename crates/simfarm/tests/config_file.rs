//! The Manager's settings file over `PUT /api/v3/configuration/file`: decoded into the Manager's
//! typed configuration before it is saved, so a field of the wrong type is refused with a 400 that
//! names it, and nothing is stored; keys the Manager does not know travel through untouched.

mod common;

use common::{start, Client};
use serde_json::{json, Value};

fn message(reply: &common::Reply) -> String {
    reply.json()["message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_of_the_wrong_type_is_refused_and_nothing_is_stored() {
    let server = start("config-file-types", 0, 0.3).await;
    let client = Client::new(&server);
    let original = client.get("/api/v3/configuration/file").await.json();
    let cases: [(&str, Value, &str); 5] = [
        (
            "blocklist_threshold",
            json!("three"),
            "cannot unmarshal string into field \"blocklist_threshold\" of type int",
        ),
        ("task_fail_after_softfail_count", json!(1.5), "of type int"),
        ("task_timeout", json!("ten minutes"), "time: invalid duration \"ten minutes\""),
        ("worker_timeout", json!(60), "of type time.Duration"),
        ("autodiscoverable", json!("yes"), "of type bool"),
    ];
    for (field, value, expected) in cases {
        let mut file = original.clone();
        file[field] = value;
        let reply = client.put("/api/v3/configuration/file", file).await;
        reply.assert_handler_error(400);
        let text = message(&reply);
        assert!(text.starts_with("invalid configuration file format: "), "{text}");
        assert!(text.contains(field) && text.contains(expected), "{field}: {text}");
    }
    let mut nested = original.clone();
    nested["variables"]["blender"]["values"][0]["platform"] = json!(7);
    let reply = client.put("/api/v3/configuration/file", nested).await;
    reply.assert_handler_error(400);
    assert!(message(&reply).contains("variables.blender.values[0].platform"), "{}", message(&reply));
    assert_eq!(client.get("/api/v3/configuration/file").await.json(), original, "nothing refused was stored");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_file_is_stored_with_its_unknown_keys() {
    let server = start("config-file-valid", 0, 0.3).await;
    let client = Client::new(&server);
    let mut file = client.get("/api/v3/configuration/file").await.json();
    file["task_timeout"] = json!("1h");
    file["blocklist_threshold"] = json!(5);
    file["from_a_newer_manager"] = json!({"anything": [1, "two"]});
    file["shaman"]["garbageCollect"]["extraCheckoutPaths"] = Value::Null;
    assert_eq!(client.put("/api/v3/configuration/file", file.clone()).await.status, 204);
    assert_eq!(client.get("/api/v3/configuration/file").await.json(), file);
    server.stop();
}
