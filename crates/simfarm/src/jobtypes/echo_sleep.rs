//! `echo-sleep-test`: Flamenco's built-in job type for trying out Workers. One `echo` task that
//! prints the message, then one `sleep` task that waits, both of type `misc`.

use flamenco_api::{Command, JobSettings};
use serde_json::{json, Value};

use super::AuthoredTask;
use crate::render::Work;

pub const NAME: &str = "echo-sleep-test";
pub const LABEL: &str = "Echo Sleep Test";
pub const DESCRIPTION: &str = "Echo a message and sleep, to check that Workers run tasks";

/// The job type's settings, as Flamenco defines them.
pub fn settings() -> Vec<Value> {
    vec![
        json!({"key": "message", "type": "string", "required": true}),
        json!({"key": "sleep_duration_seconds", "type": "int32", "default": 1}),
    ]
}

/// Two tasks; the settings go into the commands unchecked, as the script passes them on.
pub fn compile(settings: &JobSettings) -> Vec<AuthoredTask> {
    let command = |name: &str, key: &str, value: Option<&Value>| {
        let mut parameters = serde_json::Map::new();
        // JavaScript's `undefined` reaches Go as nothing: the parameter is left out.
        if let Some(value) = value {
            parameters.insert(key.into(), value.clone());
        }
        Command { name: name.into(), parameters, total_step_count: 0 }
    };
    let task = |name: &str, command: Command, depends_on: Vec<usize>| AuthoredTask {
        name: name.into(),
        task_type: "misc".into(),
        priority: 50,
        commands: vec![command],
        depends_on,
        work: Work::Nothing,
    };
    vec![
        task("echo", command("echo", "message", settings.get("message")), Vec::new()),
        task(
            "sleep",
            command("sleep", "duration_in_seconds", settings.get("sleep_duration_seconds")),
            vec![0],
        ),
    ]
}
