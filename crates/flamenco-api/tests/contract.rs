//! The contract test: our types against the Manager's real OpenAPI file.
//!
//! For every schema the dashboard uses:
//! - a value with every optional field filled in, and a minimal one, serialize to JSON that validates
//!   against the schema (a JSON-schema validator over the file's own `components`);
//! - the full value emits every property the schema declares and no property it does not, so a
//!   renamed field fails here even when it is optional;
//! - the file's own `example`s deserialize into our types and validate again once re-serialized.

use std::collections::BTreeSet;

use flamenco_api::contract::Contract;
use flamenco_api::*;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};

fn openapi() -> Contract {
    Contract::load().unwrap_or_else(|error| panic!("{error} (is ../shared beside the checkout?)"))
}

fn validate(contract: &Contract, schema: &str, instance: &Value) -> Vec<String> {
    contract.validate(schema, instance).err().unwrap_or_default()
}

/// Resolves `$ref`s and merges `allOf`s into the properties a schema declares.
fn declared_properties<'a>(doc: &'a Value, schema: &'a Value, out: &mut Vec<(&'a String, &'a Value)>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        declared_properties(doc, &doc["components"]["schemas"][name], out);
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            declared_properties(doc, part, out);
        }
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        out.extend(properties.iter());
    }
}

/// Checks both directions between a full instance and its schema, recursing into nested objects:
/// keys we emit that the schema does not declare, and declared keys we never emit.
fn property_mismatches(
    doc: &Value,
    schema: &Value,
    instance: &Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    let mut declared = Vec::new();
    declared_properties(doc, schema, &mut declared);
    match instance {
        Value::Object(object) if !declared.is_empty() => {
            let names: BTreeSet<&str> = declared.iter().map(|(name, _)| name.as_str()).collect();
            for key in object.keys() {
                if !names.contains(key.as_str()) {
                    problems.push(format!("{path}.{key} is not declared by the schema"));
                }
            }
            for (name, property_schema) in &declared {
                match object.get(name.as_str()) {
                    None => problems.push(format!("{path}.{name} is declared but our type never emits it")),
                    Some(value) => {
                        property_mismatches(doc, property_schema, value, &format!("{path}.{name}"), problems)
                    }
                }
            }
        }
        Value::Array(items) => {
            let item_schema = resolve(doc, schema).get("items").cloned().unwrap_or(Value::Null);
            for (index, item) in items.iter().enumerate() {
                property_mismatches(doc, &item_schema, item, &format!("{path}[{index}]"), problems);
            }
        }
        _ => {}
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            resolve(doc, &doc["components"]["schemas"][reference.trim_start_matches("#/components/schemas/")])
        }
        None => schema,
    }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("our types serialize")
}

fn assert_valid(doc: &Contract, schema: &str, instance: &Value) {
    let errors = validate(doc, schema, instance);
    assert!(errors.is_empty(), "{schema} does not validate:\n{}\n{instance:#}", errors.join("\n"));
}

fn assert_full(doc: &Contract, schema: &str, instance: &Value) {
    assert_valid(doc, schema, instance);
    let mut problems = Vec::new();
    let doc = doc.document();
    property_mismatches(doc, &doc["components"]["schemas"][schema], instance, schema, &mut problems);
    assert!(problems.is_empty(), "{schema} and our type disagree:\n{}", problems.join("\n"));
}

const T: &str = "2026-11-29T12:00:00Z";

fn task_worker() -> TaskWorker {
    TaskWorker { id: "w-1".into(), name: "stoat".into(), address: "192.0.2.7".into() }
}

fn task_summary() -> TaskSummary {
    TaskSummary {
        id: "t-1".into(),
        name: "render-0-0".into(),
        status: TaskStatus::Active,
        index_in_job: 0,
        priority: 50,
        task_type: "blender".into(),
        updated: T.into(),
        worker: Some(task_worker()),
        steps_completed: 1,
        steps_total: 2,
    }
}

fn settings() -> JobSettings {
    match json!({"frames": "1-10", "chunk_size": 3}) {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

fn full_job() -> Job {
    Job {
        id: "j-1".into(),
        name: "shot <b>1</b>".into(),
        job_type: "simple-blender-render".into(),
        type_etag: Some("abc".into()),
        priority: 50,
        settings: Some(settings()),
        metadata: Some([("project".to_owned(), "Sprite Fright".to_owned())].into()),
        submitter_platform: "linux".into(),
        storage: Some(JobStorageInfo { shaman_checkout_id: Some("co-1".into()) }),
        worker_tag: Some("tag-1".into()),
        initial_status: Some(JobStatus::Paused),
        created: T.into(),
        updated: T.into(),
        status: JobStatus::PauseRequested,
        activity: "waiting for 2 tasks".into(),
        steps_completed: 3,
        steps_total: 10,
        delete_requested_at: Some(T.into()),
    }
}

fn full_setting() -> AvailableJobSetting {
    AvailableJobSetting {
        key: "frames".into(),
        setting_type: SettingType::String,
        subtype: Some(SettingSubtype::FilePath),
        choices: Some(vec!["a".into()]),
        propargs: Some(serde_json::Map::from_iter([("min".to_owned(), json!(1))])),
        description: Some(json!("Frames to render")),
        label: Some(json!("Frames")),
        default: Some(json!("1-10")),
        eval: Some("f'{C.scene.frame_start}-{C.scene.frame_end}'".into()),
        eval_info: Some(EvalInfo { show_link_button: true, description: "Scene frame range".into() }),
        visible: Some(SettingVisibility::Submission),
        required: Some(true),
        editable: Some(false),
    }
}

fn full_worker() -> Worker {
    Worker {
        id: "w-1".into(),
        name: "stoat".into(),
        status: WorkerStatus::Awake,
        status_change: Some(WorkerStatusChangeRequest { status: WorkerStatus::Asleep, is_lazy: true }),
        last_seen: Some(T.into()),
        version: "3.9".into(),
        can_restart: true,
        ip_address: "192.0.2.7".into(),
        platform: "linux".into(),
        supported_task_types: vec!["blender".into()],
        task: Some(WorkerTask {
            id: "t-1".into(),
            name: "render-0-0".into(),
            status: TaskStatus::Active,
            index_in_job: 0,
            priority: 50,
            task_type: "blender".into(),
            updated: T.into(),
            worker: Some(task_worker()),
            steps_completed: 0,
            steps_total: 1,
            job_id: "j-1".into(),
        }),
        tags: Some(vec![WorkerTag {
            id: Some("tag-1".into()),
            name: "GPU".into(),
            description: Some("GPUs".into()),
        }]),
    }
}

/// One full value of every type, by schema name.
fn full_values() -> Vec<(&'static str, Value)> {
    let job = full_job();
    let submitted = SubmittedJob {
        name: job.name.clone(),
        job_type: job.job_type.clone(),
        type_etag: job.type_etag.clone(),
        priority: job.priority,
        settings: job.settings.clone(),
        metadata: job.metadata.clone(),
        submitter_platform: job.submitter_platform.clone(),
        storage: job.storage.clone(),
        worker_tag: job.worker_tag.clone(),
        initial_status: Some(JobStatus::Paused),
    };
    let task = Task {
        id: "t-1".into(),
        created: T.into(),
        updated: T.into(),
        job_id: "j-1".into(),
        index_in_job: 0,
        name: "render-0-0".into(),
        status: TaskStatus::Failed,
        priority: 50,
        task_type: "blender".into(),
        activity: "Blender crashed".into(),
        commands: vec![Command {
            name: "blender-render".into(),
            parameters: serde_json::Map::from_iter([("exe".to_owned(), json!("blender"))]),
            total_step_count: 1,
        }],
        steps_completed: 0,
        steps_total: 1,
        worker: Some(task_worker()),
        last_touched: Some(T.into()),
        failed_by_workers: Some(vec![task_worker()]),
    };
    let worker = full_worker();
    let thumbnail = JobLastRenderedImageInfo {
        base: "/job-files/j-1".into(),
        suffixes: vec!["last-rendered.jpg".into()],
    };
    vec![
        (
            "FlamencoVersion",
            to_json(&FlamencoVersion {
                version: "3.9".into(),
                shortversion: "3.9".into(),
                name: "Farm".into(),
                git: "v3.9".into(),
            }),
        ),
        ("FarmStatusReport", to_json(&FarmStatusReport { status: FarmStatus::Waiting })),
        ("EventFarmStatus", to_json(&EventFarmStatus { status: FarmStatus::Active })),
        ("SubmittedJob", to_json(&submitted)),
        ("Job", to_json(&job)),
        (
            "JobsQuery",
            to_json(&JobsQuery {
                offset: Some(0),
                limit: Some(10),
                order_by: Some(vec!["updated_at".into()]),
                status_in: Some(vec![JobStatus::Active]),
                metadata: Some([("project".to_owned(), "%Fright".to_owned())].into()),
                settings: Some(settings()),
            }),
        ),
        ("JobsQueryResult", to_json(&JobsQueryResult { jobs: vec![job.clone()] })),
        (
            "JobStatusChange",
            to_json(&JobStatusChange { status: JobStatus::PauseRequested, reason: "lunch".into() }),
        ),
        ("JobPriorityChange", to_json(&JobPriorityChange { priority: 70 })),
        ("JobTasksSummary", to_json(&JobTasksSummary { tasks: vec![task_summary()] })),
        ("JobLastRenderedImageInfo", to_json(&thumbnail)),
        ("JobDeletionInfo", to_json(&JobDeletionInfo { shaman_checkout: true })),
        ("JobStorageInfo", to_json(&JobStorageInfo { shaman_checkout_id: Some("x".into()) })),
        ("Task", to_json(&task)),
        ("TaskSummary", to_json(&task_summary())),
        ("TaskWorker", to_json(&task_worker())),
        (
            "TaskStatusChange",
            to_json(&TaskStatusChange { status: TaskStatus::Queued, reason: "again".into() }),
        ),
        (
            "TaskLogInfo",
            to_json(&TaskLogInfo {
                task_id: "t-1".into(),
                job_id: "j-1".into(),
                url: "/job-files/j-1/task-t-1.txt".into(),
                size: 12,
            }),
        ),
        ("Worker", to_json(&worker)),
        ("WorkerSummary", to_json(&worker.summary())),
        ("WorkerList", to_json(&WorkerList { workers: vec![worker.summary()] })),
        (
            "WorkerStatusChangeRequest",
            to_json(&WorkerStatusChangeRequest { status: WorkerStatus::Offline, is_lazy: false }),
        ),
        (
            "WorkerTag",
            to_json(&WorkerTag {
                id: Some("tag-1".into()),
                name: "GPU".into(),
                description: Some("d".into()),
            }),
        ),
        (
            "WorkerTagList",
            to_json(&WorkerTagList {
                tags: vec![WorkerTag {
                    id: Some("t".into()),
                    name: "n".into(),
                    description: Some("d".into()),
                }],
            }),
        ),
        ("WorkerTagChangeRequest", to_json(&WorkerTagChangeRequest { tag_ids: vec!["tag-1".into()] })),
        ("AvailableJobSetting", to_json(&full_setting())),
        (
            "AvailableJobType",
            to_json(&AvailableJobType {
                name: "n".into(),
                label: "N".into(),
                description: Some("d".into()),
                settings: vec![full_setting()],
                etag: "e".into(),
            }),
        ),
        (
            "AvailableJobTypes",
            to_json(&AvailableJobTypes {
                job_types: vec![AvailableJobType {
                    name: "n".into(),
                    label: "N".into(),
                    description: Some("d".into()),
                    settings: vec![full_setting()],
                    etag: "e".into(),
                }],
            }),
        ),
        ("Error", to_json(&ApiError { code: 404, message: "no such job".into() })),
        (
            "EventJobUpdate",
            to_json(&EventJobUpdate {
                id: "j-1".into(),
                name: Some("shot".into()),
                updated: T.into(),
                status: JobStatus::Active,
                previous_status: Some(JobStatus::Queued),
                job_type: "simple-blender-render".into(),
                priority: 50,
                refresh_tasks: true,
                steps_completed: 1,
                steps_total: 2,
                delete_requested_at: Some(T.into()),
                was_deleted: Some(false),
            }),
        ),
        (
            "EventTaskUpdate",
            to_json(&EventTaskUpdate {
                id: "t-1".into(),
                job_id: "j-1".into(),
                worker: Some(AssignedWorker { name: "stoat".into(), uuid: "w-1".into() }),
                name: "render-0-0".into(),
                updated: T.into(),
                status: TaskStatus::Completed,
                previous_status: Some(TaskStatus::Active),
                activity: "done".into(),
                steps_completed: 1,
                steps_total: 1,
            }),
        ),
        ("AssignedWorker", to_json(&AssignedWorker { name: "stoat".into(), uuid: "w-1".into() })),
        (
            "EventTaskLogUpdate",
            to_json(&EventTaskLogUpdate { task_id: "t-1".into(), log: "line 1\nline 2\n".into() }),
        ),
        ("EventLastRenderedUpdate", to_json(&EventLastRenderedUpdate { job_id: "j-1".into(), thumbnail })),
        (
            "EventWorkerUpdate",
            to_json(&EventWorkerUpdate {
                id: "w-1".into(),
                name: "stoat".into(),
                updated: T.into(),
                last_seen: Some(T.into()),
                status: WorkerStatus::Asleep,
                previous_status: Some(WorkerStatus::Awake),
                status_change: Some(WorkerStatusChangeRequest {
                    status: WorkerStatus::Awake,
                    is_lazy: false,
                }),
                version: "3.9".into(),
                deleted_at: Some(T.into()),
                can_restart: false,
            }),
        ),
        (
            "EventWorkerTagUpdate",
            to_json(&EventWorkerTagUpdate {
                tag: WorkerTag { id: Some("t".into()), name: "n".into(), description: Some("d".into()) },
                was_deleted: Some(true),
            }),
        ),
        ("EventLifeCycle", to_json(&EventLifeCycle { event_type: LifeCycleEventType::ManagerStartup })),
        (
            "SocketIOSubscription",
            to_json(&SocketIOSubscription::subscribe(SubscriptionType::Job, Some("j-1".into()))),
        ),
    ]
}

#[test]
fn full_values_validate_and_match_the_declared_properties() {
    let doc = openapi();
    for (schema, instance) in full_values() {
        assert_full(&doc, schema, &instance);
    }
}

#[test]
fn minimal_values_validate() {
    let doc = openapi();
    let mut job = full_job();
    job.type_etag = None;
    job.settings = None;
    job.metadata = None;
    job.storage = None;
    job.worker_tag = None;
    job.initial_status = None;
    job.delete_requested_at = None;
    assert_valid(&doc, "Job", &to_json(&job));
    let setting: AvailableJobSetting = serde_json::from_value(json!({"key": "k", "type": "bool"})).unwrap();
    assert_valid(&doc, "AvailableJobSetting", &to_json(&setting));
    assert_valid(&doc, "WorkerTag", &to_json(&WorkerTag { id: None, name: "GPU".into(), description: None }));
    assert_valid(
        &doc,
        "SocketIOSubscription",
        &to_json(&SocketIOSubscription::subscribe(SubscriptionType::AllJobs, None)),
    );
}

#[test]
fn every_status_we_know_is_in_the_openapi_enum() {
    let doc = openapi();
    for status in JobStatus::ALL {
        assert_valid(&doc, "JobStatus", &to_json(status));
    }
    for status in TaskStatus::ALL {
        assert_valid(&doc, "TaskStatus", &to_json(status));
    }
    for status in WorkerStatus::ALL {
        assert_valid(&doc, "WorkerStatus", &to_json(status));
    }
    for status in FarmStatus::ALL {
        assert_valid(&doc, "FarmStatus", &to_json(status));
    }
    let enum_len =
        |name: &str| doc.document()["components"]["schemas"][name]["enum"].as_array().map(Vec::len);
    assert_eq!(enum_len("JobStatus"), Some(JobStatus::ALL.len()), "JobStatus has values we do not model");
    assert_eq!(enum_len("TaskStatus"), Some(TaskStatus::ALL.len()), "TaskStatus has values we do not model");
    assert_eq!(
        enum_len("WorkerStatus"),
        Some(WorkerStatus::ALL.len()),
        "WorkerStatus has values we do not model"
    );
    assert_eq!(enum_len("FarmStatus"), Some(FarmStatus::ALL.len()), "FarmStatus has values we do not model");
}

#[test]
fn a_wrong_value_is_rejected_so_the_validator_really_checks() {
    let doc = openapi();
    let mut job = to_json(&full_job());
    job["status"] = json!("teleporting");
    assert!(!validate(&doc, "Job", &job).is_empty());
    job["status"] = json!("active");
    job["updated"] = json!("yesterday");
    assert!(!validate(&doc, "Job", &job).is_empty(), "date-time formats are checked");
}

/// Deserializes the file's example for `schema` into `T`, then checks the re-serialized value.
fn example_round_trips<T: Serialize + DeserializeOwned>(doc: &Contract, schema: &str) {
    let example = doc.document()["components"]["schemas"][schema]
        .get("example")
        .unwrap_or_else(|| panic!("{schema} has no example in the OpenAPI file"))
        .clone();
    let value: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|error| panic!("the OpenAPI example of {schema} does not deserialize: {error}"));
    let again = to_json(&value);
    assert_valid(doc, schema, &again);
    assert_eq!(again, example, "{schema}'s example changes on the way through our type");
}

#[test]
fn the_files_own_examples_deserialize_into_our_types() {
    let doc = openapi();
    example_round_trips::<FlamencoVersion>(&doc, "FlamencoVersion");
    example_round_trips::<FarmStatusReport>(&doc, "FarmStatusReport");
    example_round_trips::<SubmittedJob>(&doc, "SubmittedJob");
    example_round_trips::<JobMetadata>(&doc, "JobMetadata");
    example_round_trips::<JobsQuery>(&doc, "JobsQuery");
    example_round_trips::<WorkerTag>(&doc, "WorkerTag");
    example_round_trips::<WorkerTagChangeRequest>(&doc, "WorkerTagChangeRequest");

    // Every example of a schema we model is covered above.
    let modelled: BTreeSet<&str> =
        full_values().iter().map(|(name, _)| *name).chain(["JobMetadata"]).collect();
    let covered = [
        "FlamencoVersion",
        "FarmStatusReport",
        "SubmittedJob",
        "JobMetadata",
        "JobsQuery",
        "WorkerTag",
        "WorkerTagChangeRequest",
    ];
    for (name, schema) in doc.document()["components"]["schemas"].as_object().expect("schemas") {
        if schema.get("example").is_some() && modelled.contains(name.as_str()) {
            assert!(covered.contains(&name.as_str()), "the example of {name} is not tested");
        }
    }
}
