//! Job-type scripts (`--scripts`): a script that uses every part of Flamenco's job-compiler API is
//! listed, compiled into the tasks, commands and dependencies the Manager would store, and run;
//! script errors answer 400 with where in the script they happened.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::{json, Value};
use simfarm::{Config, Server};

/// Uses every global of the API: `author.Task/Command` (with a step count), `addCommand`,
/// `addDependency`, `job.addTask`, task priority, `job` fields, settings and metadata written
/// back, `path.*`, `process.platform`, `frameChunker`, `formatTimestampLocal`, `print`, `alert`.
const API_TOUR: &str = include_str!("scripts/api_tour.js");

fn scripts_dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = temp_root(&format!("{name}-scripts"));
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("script written");
    }
    dir
}

async fn start_with_scripts(name: &str, scripts: &Path) -> Server {
    start_with(Config { scripts: Some(scripts.to_path_buf()), ..test_config(name, 2, 0.2) }).await
}

fn tour_job(frames: &str, etag: &str) -> Value {
    json!({
        "name": "tour", "type": "api-tour", "type_etag": etag, "priority": 40, "submitter_platform": "linux",
        "settings": {"frames": frames, "chunk_size": 2, "output": "/render/tour/{timestamp}/######",
                     "blendfile": "/projects/shot_010.blend"},
        "metadata": {"project": "Tour"}
    })
}

fn sha1_hex(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_using_the_whole_api_is_listed_compiled_and_run() {
    let scripts =
        scripts_dir("tour", &[("api_tour.js", API_TOUR), ("tiny.js", "//x"), ("notes.txt", API_TOUR)]);
    let server = start_with_scripts("tour", &scripts).await;
    let client = Client::new(&server);

    // Listed under its file's name, next to the built-in types; short files and other files are not.
    let types = client.get("/api/v3/jobs/types").await.json();
    let names: Vec<&str> =
        types["job_types"].as_array().expect("types").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["api-tour", "echo-sleep-test", "simple-blender-render", "single-image-render"]);
    let tour = client.get("/api/v3/jobs/type/api-tour").await.json();
    assert_eq!(tour["label"], "API Tour");
    assert_eq!(tour["description"], "Uses every part of the job-compiler API.");
    assert_eq!(
        tour["settings"][1],
        json!({"key": "chunk_size", "type": "int32", "default": 2, "propargs": {"min": 1}})
    );
    assert_eq!(tour["etag"], sha1_hex(API_TOUR.as_bytes()));

    // An outdated etag is refused as the Manager refuses it.
    assert_eq!(client.post("/api/v3/jobs", tour_job("1-5", "0000")).await.status, 412);

    let job_id = submit(&client, tour_job("1-3,7", tour["etag"].as_str().expect("etag"))).await;
    let job = client.get(&format!("/api/v3/jobs/{job_id}")).await.json();
    // Settings and metadata as compileJob left them.
    let output = job["settings"]["output"].as_str().expect("output");
    assert!(
        output.starts_with("/render/tour/20") && output.ends_with("/######") && !output.contains('{'),
        "{output}"
    );
    assert_eq!(job["metadata"]["compiled_on"], std::env::consts::OS);
    assert_eq!(job["metadata"]["job"], format!("{job_id} api-tour"));
    assert_eq!(job["metadata"]["project"], "Tour");

    let listed = tasks(&client, &job_id).await;
    let names: Vec<&str> = listed.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["render-1,2", "render-3,7", "pack"]);
    let task = |name: &str| {
        listed.iter().find(|t| t["name"] == name).and_then(|t| t["id"].as_str()).map(str::to_owned)
    };
    let first = client.get(&format!("/api/v3/tasks/{}", task("render-1,2").expect("task"))).await.json();
    assert_eq!(first["task_type"], "blender");
    assert_eq!(first["priority"], 50);
    let dir = output.trim_end_matches("/######");
    assert_eq!(
        first["commands"],
        json!([{"name": "blender-render", "total_step_count": 2, "parameters": {
            "exe": "{blender}", "blendfile": "/projects/shot_010.blend",
            "args": ["--render-output", format!("{dir}/######"), "--render-frame", "1,2"]}}])
    );
    let pack = client.get(&format!("/api/v3/tasks/{}", task("pack").expect("task"))).await.json();
    assert_eq!(pack["priority"], 65);
    assert_eq!(
        pack["commands"][0],
        json!({"name": "echo", "total_step_count": 0, "parameters": {"message": "packing shot_010"}})
    );
    assert_eq!(pack["commands"][1]["name"], "sleep");

    // Dependencies as the Manager stores them: pack waits for both renders.
    let compiled = server
        .state
        .api
        .job_types
        .compile(
            &serde_json::from_value(tour_job("1-3,7", "")).expect("a submission"),
            &simfarm::jobtypes::CompileContext {
                job_id: "j",
                render_root: &server.state.render_root,
                seam_noise: false,
            },
        )
        .expect("compiles");
    let depends: Vec<&[usize]> = compiled.tasks.iter().map(|task| task.depends_on.as_slice()).collect();
    assert_eq!(depends, [&[][..], &[], &[0, 1]]);

    // The simulated workers carry out the render commands: the frames exist where Blender puts them.
    eventually(30.0, "the job completes", || async {
        (job_status(&client, &job_id).await == "completed").then_some(())
    })
    .await;
    let on_disk = server.state.render_root.resolve(dir).expect("under the render root");
    for frame in [1, 2, 3, 7] {
        let file = on_disk.join(format!("{frame:06}.png"));
        assert!(file.is_file(), "{} was not rendered", file.display());
    }
}

/// Line and column (1-based) of the first occurrence of `text` in a script.
fn position_of(script: &str, text: &str) -> (usize, usize) {
    script
        .lines()
        .enumerate()
        .find_map(|(index, line)| line.find(text).map(|column| (index + 1, column + 1)))
        .unwrap_or_else(|| panic!("{text:?} is not in the script"))
}

const BROKEN: &str = "const JOB_TYPE = {label: \"Broken\", settings: []};\nfunction compileJob(job) {\n    job.addTask(author.Task(\"a\", \"misc\");\n}\n";
const CALLS_NOTHING: &str = "const JOB_TYPE = {label: \"Calls nothing\", settings: []};\n\nfunction compileJob(job) {\n    const task = author.Task(\"a\", \"misc\");\n    task.addComand(author.Command(\"echo\", {}));\n}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_errors_answer_400_with_where_they_happened() {
    let scripts = scripts_dir(
        "errors",
        &[("api_tour.js", API_TOUR), ("broken.js", BROKEN), ("calls_nothing.js", CALLS_NOTHING)],
    );
    let server = start_with_scripts("errors", &scripts).await;
    let client = Client::new(&server);
    let refused = |job: Value| {
        let client = &client;
        async move {
            let reply = client.post("/api/v3/jobs", job).await;
            reply.assert_handler_error(400);
            reply.json()["message"].as_str().expect("a message").to_owned()
        }
    };

    // A thrown string: where the throw statement is, as the Manager reports it.
    let (line, column) = position_of(API_TOUR, "throw \"no frames!\"");
    assert_eq!(
        refused(tour_job("", "")).await,
        format!("no frames! at compileJob (api_tour.js:{line}:{column})")
    );

    // An error from the API's own functions: Go's words, at the script's call.
    let message = refused(tour_job("abc", "")).await;
    let (line, _) = position_of(API_TOUR, "frameChunker(settings.frames");
    assert!(message.starts_with("GoError: invalid range \"abc\": "), "{message}");
    assert!(message.contains(&format!(" at compileJob (api_tour.js:{line}:")), "{message}");

    // A script's own mistakes: a misspelt method, and a syntax error.
    let job = |job_type: &str| json!({"name": "x", "type": job_type, "submitter_platform": "linux", "settings": {}});
    let message = refused(job("calls-nothing")).await;
    let (line, _) = position_of(CALLS_NOTHING, "task.addComand");
    assert!(message.starts_with("TypeError: "), "{message}");
    assert!(message.contains(&format!(" at compileJob (calls_nothing.js:{line}:")), "{message}");
    let message = refused(job("broken")).await;
    assert!(message.starts_with("SyntaxError: ") && message.contains(" at broken.js:3:"), "{message}");

    // A job type whose script does not load is left out of the list.
    let types = client.get("/api/v3/jobs/types").await.json();
    let names: Vec<&str> =
        types["job_types"].as_array().expect("types").iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(names.contains(&"calls-nothing") && !names.contains(&"broken"), "{names:?}");
}
