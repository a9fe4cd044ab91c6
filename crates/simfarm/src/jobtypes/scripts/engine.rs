//! Runs a job-type script in QuickJS with Flamenco's job-compiler API (`prelude.js`), the way the
//! Manager runs it in goja: a fresh runtime per request, the script evaluated, then `JOB_TYPE`
//! read or `compileJob(job)` called.

use std::time::{Duration, Instant};

use rquickjs::{CatchResultExt, Context, Ctx, Function, Module, Object, Runtime};
use serde_json::Value;

use super::gopath;
use super::throw_sites::MarkedScript;
use crate::jobtypes::frames::{chunk_frames, merge_frames};

/// The name QuickJS gives code evaluated from a string; replaced by the script's file name.
const EVAL_NAME: &str = "eval_script";
const PRELUDE_NAME: &str = "simfarm-job-compiler-api.js";
const PRELUDE: &str = include_str!("prelude.js");

/// A script may not run longer or take more memory than this: the stand-in must stay up whatever
/// a script does (the Manager itself has no such limit).
const TIME_LIMIT: Duration = Duration::from_secs(10);
const MEMORY_LIMIT: usize = 256 << 20;
const STACK_LIMIT: usize = 1 << 20;

/// An exception that left the script, in the Manager's words: `<message> at <place>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError(pub String);

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One script, ready to be run.
pub struct Engine<'a> {
    file_name: &'a str,
    script: MarkedScript,
}

impl<'a> Engine<'a> {
    pub fn new(file_name: &'a str, source: &str) -> Engine<'a> {
        Engine { file_name, script: MarkedScript::new(source) }
    }

    /// `JOB_TYPE`, as JSON.
    pub fn job_type(&self) -> Result<Value, ScriptError> {
        self.run(|ctx| call_api(ctx, "jobType", ()))
    }

    /// `compileJob(job)` for a submission (the job as JSON, with its `id`), created at
    /// `created_millis` since the epoch: the job's settings, metadata and tasks as stored.
    pub fn compile(&self, submitted: &Value, created_millis: f64) -> Result<Value, ScriptError> {
        let submitted = submitted.to_string();
        self.run(|ctx| call_api(ctx, "compile", (submitted, created_millis)))
    }

    fn run(
        &self,
        call: impl for<'js> FnOnce(&Ctx<'js>) -> Result<String, Raised>,
    ) -> Result<Value, ScriptError> {
        let runtime =
            Runtime::new().map_err(|error| ScriptError(format!("cannot start QuickJS: {error}")))?;
        runtime.set_memory_limit(MEMORY_LIMIT);
        runtime.set_max_stack_size(STACK_LIMIT);
        let deadline = Instant::now() + TIME_LIMIT;
        runtime.set_interrupt_handler(Some(Box::new(move || Instant::now() > deadline)));
        let context =
            Context::full(&runtime).map_err(|error| ScriptError(format!("cannot start QuickJS: {error}")))?;
        let answer = context.with(|ctx| -> Result<String, Raised> {
            install_native(&ctx).map_err(|error| Raised::Engine(error.to_string()))?;
            Module::evaluate(ctx.clone(), PRELUDE_NAME, PRELUDE)
                .and_then(|promise| promise.finish::<()>())
                .catch(&ctx)
                .map_err(|error| Raised::Engine(format!("the job-compiler API failed to load: {error}")))?;
            ctx.eval::<(), _>(self.script.source.as_bytes()).catch(&ctx).map_err(Raised::from)?;
            call(&ctx)
        });
        let text = match answer {
            Ok(text) => text,
            Err(Raised::Engine(message)) => return Err(ScriptError(message)),
            Err(Raised::Script { message, stack }) => return Err(self.located(&message, &stack)),
        };
        let answer: Value = serde_json::from_str(&text)
            .map_err(|error| ScriptError(format!("the script's answer is not JSON: {error}")))?;
        if let Some(error) = answer.get("error") {
            let text = |key: &str| error.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
            return Err(self.located(&text("message"), &text("stack")));
        }
        Ok(answer.get("ok").cloned().unwrap_or(Value::Null))
    }

    /// `message at function (file:line:column)`, from the innermost stack frame in the script.
    fn located(&self, message: &str, stack: &str) -> ScriptError {
        let place = stack.lines().find_map(|frame| self.script_frame(frame));
        match place {
            Some(place) => ScriptError(format!("{message} at {place}")),
            None => ScriptError(message.to_owned()),
        }
    }

    /// A QuickJS frame (`    at name (eval_script:12:5)` or `    at eval_script:3:1`) in the
    /// script, in the Manager's form, with positions as the script's author wrote them.
    fn script_frame(&self, frame: &str) -> Option<String> {
        let frame = frame.trim().strip_prefix("at ")?;
        let (function, location) = match frame.rsplit_once(" (") {
            Some((function, location)) => (Some(function), location.trim_end_matches(')')),
            None => (None, frame),
        };
        let mut parts = location.rsplitn(3, ':');
        let column: usize = parts.next()?.parse().ok()?;
        let line: usize = parts.next()?.parse().ok()?;
        if parts.next()? != EVAL_NAME {
            return None;
        }
        let (line, column) = self.script.original_position(line, column);
        let file = self.file_name;
        Some(match function {
            Some(function) if function != "<eval>" && function != "<anonymous>" => {
                format!("{function} ({file}:{line}:{column})")
            }
            _ => format!("{file}:{line}:{column}"),
        })
    }
}

/// What went wrong inside the runtime.
enum Raised {
    /// simfarm's own side failed (an engine error, not the script's).
    Engine(String),
    /// The script raised an exception while being evaluated.
    Script { message: String, stack: String },
}

impl From<rquickjs::CaughtError<'_>> for Raised {
    fn from(error: rquickjs::CaughtError<'_>) -> Raised {
        match error {
            rquickjs::CaughtError::Exception(exception) => Raised::Script {
                message: match exception.message() {
                    Some(message) => {
                        let name: Option<String> = exception.get("name").ok();
                        format!("{}: {message}", name.unwrap_or_else(|| "Error".into()))
                    }
                    None => "Error".into(),
                },
                stack: exception.stack().unwrap_or_default(),
            },
            rquickjs::CaughtError::Value(value) => Raised::Script {
                message: value
                    .as_string()
                    .and_then(|text| text.to_string().ok())
                    .unwrap_or_else(|| format!("{value:?}")),
                stack: String::new(),
            },
            rquickjs::CaughtError::Error(error) => Raised::Engine(error.to_string()),
        }
    }
}

fn call_api<'js>(
    ctx: &Ctx<'js>,
    name: &str,
    args: impl rquickjs::function::IntoArgs<'js>,
) -> Result<String, Raised> {
    let api: Object = ctx.globals().get("__farmdeck").catch(ctx).map_err(Raised::from)?;
    let function: Function = api.get(name).catch(ctx).map_err(Raised::from)?;
    function.call(args).catch(ctx).map_err(Raised::from)
}

/// The functions the prelude builds the API from, as `__native`.
fn install_native(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    let native = Object::new(ctx.clone())?;
    native.set("print", Function::new(ctx.clone(), |text: String| println!("job-type script: {text}"))?)?;
    native.set("pathBasename", Function::new(ctx.clone(), |p: String| gopath::base(&p))?)?;
    native.set("pathDirname", Function::new(ctx.clone(), |p: String| gopath::dir(&p))?)?;
    native.set("pathJoin", Function::new(ctx.clone(), |parts: Vec<String>| gopath::join(&parts))?)?;
    native.set("pathStem", Function::new(ctx.clone(), |p: String| gopath::stem(&p))?)?;
    native.set("frameChunker", Function::new(ctx.clone(), frame_chunker)?)?;
    native.set("formatTimestamp", Function::new(ctx.clone(), format_timestamp)?)?;
    native.set("platform", std::env::consts::OS)?;
    let cwd = std::env::current_dir().map(|dir| dir.display().to_string()).unwrap_or_default();
    native.set("cwd", cwd)?;
    ctx.globals().set("__native", native)
}

/// `frameChunker(range, size)` as JSON: `{"chunks": [...]}` or `{"error": "..."}` in the Go
/// chunker's words.
fn frame_chunker(range: String, chunk_size: f64) -> String {
    let answer = match chunk_frames(&range, chunk_size) {
        Ok(chunks) => {
            let chunks: Vec<String> = chunks.iter().map(|chunk| merge_frames(chunk)).collect();
            serde_json::json!({ "chunks": chunks })
        }
        Err(error) => serde_json::json!({ "error": error }),
    };
    answer.to_string()
}

/// `formatTimestampLocal`: Go's `2006-01-02_150405` layout. simfarm's clock is UTC.
fn format_timestamp(millis: f64) -> String {
    let nanos = (millis * 1e6) as i128;
    match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
        Ok(at) => crate::clock::path_timestamp_at(at),
        Err(_) => "0001-01-01_000000".to_owned(),
    }
}
