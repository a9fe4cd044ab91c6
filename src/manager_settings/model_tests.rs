use super::*;
use serde_json::json;

fn file() -> ConfigFile {
    let value = json!({
        "_meta": {"version": 3},
        "manager_name": "Farm",
        "database": "flamenco-manager.sqlite",
        "database_check_period": "10m0s",
        "listen": ":8080",
        "autodiscoverable": true,
        "local_manager_storage_path": "./storage",
        "shared_storage_path": "/srv/flamenco",
        "shaman": {"enabled": false, "garbageCollect": {"period": "24h0m0s", "maxAge": "744h0m0s", "extraCheckoutPaths": null}},
        "task_timeout": "10m0s",
        "worker_timeout": "1m0s",
        "blocklist_threshold": 3,
        "task_fail_after_softfail_count": 3,
        "variables": {"blender": {"values": [{"platform": "linux", "value": "blender", "note": "kept"}]}},
        "from_the_future": [1, 2]
    });
    let Value::Object(map) = value else { panic!("an object") };
    map
}

fn index_of(path: &str) -> usize {
    FIELDS.iter().position(|spec| spec.path == path).expect("a field")
}

fn set(draft: &mut ConfigDraft, path: &str, text: &str) {
    draft.values[index_of(path)] = FieldValue::Text(text.into());
}

#[test]
fn an_unchanged_form_writes_back_the_same_file() {
    let draft = ConfigDraft::from_file(&file());
    assert_eq!(draft.values[index_of("blocklist_threshold")], FieldValue::Text("3".into()));
    assert_eq!(draft.values[index_of("autodiscoverable")], FieldValue::Toggle(true));
    assert_eq!(draft.to_file(), Ok(file()), "unknown keys, _meta and nested extras are kept as they were");
}

#[test]
fn edits_are_written_with_the_managers_types() {
    let mut draft = ConfigDraft::from_file(&file());
    set(&mut draft, "task_timeout", " 1h ");
    set(&mut draft, "blocklist_threshold", "5");
    draft.values[index_of("shaman.enabled")] = FieldValue::Toggle(true);
    draft.variables[0].values.push(ValueDraft {
        platform: "windows".into(),
        audience: "workers".into(),
        value: "C:\\b.exe".into(),
    });
    let saved = draft.to_file().expect("valid");
    assert_eq!(saved["task_timeout"], "1h");
    assert_eq!(saved["blocklist_threshold"], 5);
    assert_eq!(saved["shaman"]["enabled"], true);
    assert_eq!(saved["shaman"]["garbageCollect"]["maxAge"], "744h0m0s");
    assert_eq!(
        saved["variables"]["blender"]["values"],
        json!([{"platform": "linux", "value": "blender", "note": "kept"},
               {"platform": "windows", "value": "C:\\b.exe", "audience": "workers"}])
    );
    assert!(saved.get("mqtt").is_none(), "empty fields the file did not have are not invented");
}

#[test]
fn invalid_values_are_refused_naming_the_field() {
    let mut draft = ConfigDraft::from_file(&file());
    set(&mut draft, "task_timeout", "ten minutes");
    set(&mut draft, "blocklist_threshold", "-1");
    set(&mut draft, "listen", "8080");
    set(&mut draft, "manager_name", "  ");
    let problems = draft.to_file().expect_err("refused");
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(problems[0].at, FieldRef::Field(index_of("manager_name")));
    assert_eq!(messages[0], "Manager name is required.");
    assert!(messages[1].starts_with("Listen address: needs a port"), "{messages:?}");
    assert_eq!(
        messages[2],
        "Task timeout must be a duration like 10m0s, 90s or 1h (time: invalid duration \"ten minutes\")."
    );
    assert_eq!(messages[3], "Blocklist threshold must be a whole number, 0 or more.");
    assert_eq!(problems.len(), 4);
}

#[test]
fn listen_addresses_are_port_or_host_and_port() {
    for good in [":8080", "0.0.0.0:8080", "farm.local:80", "[::1]:8080"] {
        assert_eq!(check_listen(good), Ok(()), "{good}");
    }
    for bad in ["8080", ":0", ":http", "::1:8080", "my farm:8080", ":70000"] {
        assert!(check_listen(bad).is_err(), "{bad}");
    }
}

#[test]
fn variables_need_unique_names_and_known_platforms() {
    let mut draft = ConfigDraft::from_file(&file());
    draft.variables.push(VariableDraft { name: "blender".into(), ..VariableDraft::default() });
    draft.variables.push(VariableDraft {
        name: "my var".into(),
        values: vec![ValueDraft { platform: "plan9".into(), audience: "robots".into(), value: "x".into() }],
        ..VariableDraft::default()
    });
    let problems = draft.problems();
    let at: Vec<FieldRef> = problems.iter().map(|p| p.at).collect();
    assert_eq!(
        at,
        [
            FieldRef::VariableName(1),
            FieldRef::VariableName(2),
            FieldRef::ValuePlatform(2, 0),
            FieldRef::ValueAudience(2, 0)
        ]
    );
    assert!(problems[0].message.contains("already a variable named \"blender\""));
    assert!(problems[2].message.contains("linux, windows, darwin or all, not \"plan9\""));
}

#[test]
fn a_renamed_variable_keeps_its_extras_and_a_removed_one_goes() {
    let mut draft = ConfigDraft::from_file(&file());
    draft.variables[0].name = "blender5".into();
    let saved = draft.to_file().expect("valid");
    assert_eq!(saved["variables"]["blender5"]["values"][0]["note"], "kept");
    assert!(saved["variables"].get("blender").is_none());
    draft.variables.clear();
    assert_eq!(draft.to_file().expect("valid")["variables"], json!({}));
}
