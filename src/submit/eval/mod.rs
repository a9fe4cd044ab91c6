//! Flamenco's job types fill some settings in with `eval`: a Python expression Blender's add-on
//! evaluates when it submits. This evaluates the ones that do not need Blender's scene (paths made
//! from other settings and the job's name) so a job submitted from the browser gets them too, and
//! says which ones only Blender can answer.

mod lexer;
mod parser;
mod paths;

use std::collections::BTreeMap;

use parser::{parse, Expr, Op, Part};
use paths::PathValue;

/// Why an expression has no value here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// It reads Blender's data (`C.scene.frame_current`): the path it reads.
    NeedsBlender(String),
    /// It needs inputs that are not typed in (or not usable) yet.
    Waiting(Vec<Input>),
    /// Python this evaluator does not know.
    Unsupported(String),
    /// The inputs are there but give no usable value; the text says why.
    Invalid(String),
}

/// An input of an expression that can be missing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    JobName,
    Setting(String),
}

/// The value of another setting, as the expression reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Known {
    Text(String),
    Int(i64),
    Float(f64),
    Flag(bool),
    /// Empty, or not a value of the setting's type.
    Unusable,
}

/// What an expression can read.
pub struct Scope<'a> {
    pub job_name: &'a str,
    pub settings: &'a BTreeMap<String, Known>,
    /// Values of Blender's data that the form itself knows (the file extension of the chosen format).
    pub blender: &'a BTreeMap<&'static str, String>,
}

/// The setting the add-on's `last_n_dir_parts` and `//` paths take the blend file from.
const BLEND_FILE_KEY: &str = "blendfile";

#[derive(Clone, Debug, PartialEq)]
enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Flag(bool),
    Path(PathValue),
    /// Blender's data, by its path (`C.scene`), not readable here.
    Blender(String),
    Settings,
    Function(Function),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Function {
    Str,
    Path,
    Abspath,
    LastNDirParts,
}

/// Evaluates `source`; the setting's value as text.
pub fn evaluate(source: &str, scope: &Scope) -> Result<String, EvalError> {
    let expr = parse(source)?;
    let value = scope.value(&expr)?;
    scope.text(value)
}

/// The values of `results`, or the most telling error: any other error before missing inputs,
/// which are gathered so the form can name them all.
fn all(results: Vec<Result<Value, EvalError>>) -> Result<Vec<Value>, EvalError> {
    let mut waiting = Vec::new();
    let mut values = Vec::new();
    for result in results {
        match result {
            Ok(value) => values.push(value),
            Err(EvalError::Waiting(inputs)) => waiting.extend(inputs),
            Err(other) => return Err(other),
        }
    }
    if waiting.is_empty() {
        Ok(values)
    } else {
        waiting.sort();
        waiting.dedup();
        Err(EvalError::Waiting(waiting))
    }
}

impl Scope<'_> {
    fn value(&self, expr: &Expr) -> Result<Value, EvalError> {
        match expr {
            Expr::Str(text) => Ok(Value::Str(text.clone())),
            Expr::Int(number) => Ok(Value::Int(*number)),
            Expr::Name(name) => self.name(name),
            Expr::Attr(base, attribute) => self.attribute(self.value(base)?, attribute),
            Expr::Call(callee, arguments) => {
                let function = self.value(callee);
                let values = all(arguments.iter().map(|argument| self.value(argument)).collect());
                match function? {
                    Value::Function(function) => self.call(function, values?),
                    Value::Blender(path) => Err(EvalError::NeedsBlender(path)),
                    other => Err(EvalError::Invalid(format!("{other:?} cannot be called"))),
                }
            }
            Expr::Index(base, _) => match self.value(base)? {
                Value::Blender(path) => Err(EvalError::NeedsBlender(path)),
                _ => Err(EvalError::Unsupported("indexing".into())),
            },
            Expr::Negate(inner) => match self.value(inner)? {
                Value::Int(number) => Ok(Value::Int(-number)),
                Value::Float(number) => Ok(Value::Float(-number)),
                Value::Blender(path) => Err(EvalError::NeedsBlender(path)),
                other => Err(EvalError::Invalid(format!("{other:?} cannot be negated"))),
            },
            Expr::Binary(op, left, right) => {
                let values = all(vec![self.value(left), self.value(right)])?;
                binary(*op, values[0].clone(), values[1].clone())
            }
            Expr::Formatted(parts) => {
                let values = all(parts
                    .iter()
                    .map(|part| match part {
                        Part::Text(text) => Ok(Value::Str(text.clone())),
                        Part::Value(expr) => self.value(expr),
                    })
                    .collect())?;
                let texts: Result<Vec<String>, EvalError> =
                    values.into_iter().map(|value| self.text(value)).collect();
                Ok(Value::Str(texts?.concat()))
            }
        }
    }

    fn name(&self, name: &str) -> Result<Value, EvalError> {
        match name {
            "jobname" => match self.job_name.trim() {
                "" => Err(EvalError::Waiting(vec![Input::JobName])),
                name => Ok(Value::Str(name.to_owned())),
            },
            "settings" => Ok(Value::Settings),
            "C" | "D" | "bpy" => Ok(Value::Blender(name.to_owned())),
            "str" => Ok(Value::Function(Function::Str)),
            "Path" => Ok(Value::Function(Function::Path)),
            "abspath" => Ok(Value::Function(Function::Abspath)),
            "last_n_dir_parts" => Ok(Value::Function(Function::LastNDirParts)),
            other => Err(EvalError::Unsupported(format!("the name {other}"))),
        }
    }

    fn attribute(&self, base: Value, attribute: &str) -> Result<Value, EvalError> {
        match base {
            Value::Settings => self.setting(attribute),
            Value::Blender(path) => {
                let path = format!("{path}.{attribute}");
                Ok(match (path.as_str(), self.blender.get(path.as_str())) {
                    (_, Some(known)) => Value::Str(known.clone()),
                    ("bpy.path.abspath", _) => Value::Function(Function::Abspath),
                    _ => Value::Blender(path),
                })
            }
            other => Err(EvalError::Unsupported(format!("the attribute {attribute} of {other:?}"))),
        }
    }

    fn setting(&self, key: &str) -> Result<Value, EvalError> {
        match self.settings.get(key) {
            None => Err(EvalError::Invalid(format!("the job type has no setting \"{key}\""))),
            Some(Known::Unusable) => Err(EvalError::Waiting(vec![Input::Setting(key.to_owned())])),
            Some(Known::Text(text)) => Ok(Value::Str(text.clone())),
            Some(Known::Int(number)) => Ok(Value::Int(*number)),
            Some(Known::Float(number)) => Ok(Value::Float(*number)),
            Some(Known::Flag(on)) => Ok(Value::Flag(*on)),
        }
    }

    fn call(&self, function: Function, arguments: Vec<Value>) -> Result<Value, EvalError> {
        match (function, arguments.as_slice()) {
            (Function::Str, [value]) => Ok(Value::Str(self.text(value.clone())?)),
            (Function::Path, values) => {
                let paths: Result<Vec<PathValue>, EvalError> =
                    values.iter().map(|value| path_of(value, "Path()")).collect();
                Ok(Value::Path(paths?.into_iter().fold(PathValue::empty(), PathValue::join)))
            }
            (Function::Abspath, [value]) => self.abspath(path_text(value, "abspath()")?),
            (Function::LastNDirParts, [count, rest @ ..]) if rest.len() <= 1 => {
                let Value::Int(count) = count else {
                    return Err(EvalError::Invalid("last_n_dir_parts() needs a whole number".into()));
                };
                if *count <= 0 {
                    return Ok(Value::Path(PathValue::empty()));
                }
                let file = match rest.first() {
                    Some(file) => path_text(file, "last_n_dir_parts()")?,
                    None => self.blend_file()?,
                };
                let file = self.absolute(&file)?;
                Ok(Value::Path(PathValue::last_dir_parts(&file, *count)))
            }
            (function, _) => {
                Err(EvalError::Invalid(format!("{function:?} was called with {} arguments", arguments.len())))
            }
        }
    }

    /// The blend file the job renders (the add-on's `bpy.data.filepath`).
    fn blend_file(&self) -> Result<String, EvalError> {
        match self.settings.get(BLEND_FILE_KEY) {
            Some(Known::Text(text)) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
            Some(_) => Err(EvalError::Waiting(vec![Input::Setting(BLEND_FILE_KEY.to_owned())])),
            None => Err(EvalError::NeedsBlender("bpy.data.filepath".into())),
        }
    }

    /// Blender's `abspath`: `//` is the blend file's folder. A path relative to nothing else would
    /// be relative to wherever Blender runs: the Manager cannot use it.
    fn abspath(&self, text: String) -> Result<Value, EvalError> {
        Ok(Value::Path(self.absolute(&text)?))
    }

    fn absolute(&self, text: &str) -> Result<PathValue, EvalError> {
        if let Some(relative) = text.strip_prefix("//") {
            let blend_file = self.blend_file()?;
            let blend_file = absolute_only(&blend_file, PathValue::parse(&blend_file))?;
            return Ok(blend_file.parent().join(PathValue::parse(relative)));
        }
        absolute_only(text, PathValue::parse(text))
    }

    /// A value as `str()` or an f-string prints it.
    fn text(&self, value: Value) -> Result<String, EvalError> {
        match value {
            Value::Str(text) => Ok(text),
            Value::Int(number) => Ok(number.to_string()),
            Value::Float(number) => Ok(number.to_string()),
            Value::Flag(on) => Ok(if on { "True" } else { "False" }.to_owned()),
            Value::Path(path) => Ok(path.render()),
            Value::Blender(path) => Err(EvalError::NeedsBlender(path)),
            other => Err(EvalError::Invalid(format!("{other:?} is not a value"))),
        }
    }
}

fn absolute_only(text: &str, path: PathValue) -> Result<PathValue, EvalError> {
    if path.is_absolute() {
        Ok(path)
    } else {
        Err(EvalError::Invalid(format!(
            "\"{text}\" is a relative path: type a full path, as the Manager and Workers see it"
        )))
    }
}

fn path_text(value: &Value, function: &str) -> Result<String, EvalError> {
    match value {
        Value::Str(text) => Ok(text.clone()),
        Value::Path(path) => Ok(path.render()),
        Value::Blender(path) => Err(EvalError::NeedsBlender(path.clone())),
        other => Err(EvalError::Invalid(format!("{function} needs a path, not {other:?}"))),
    }
}

fn path_of(value: &Value, function: &str) -> Result<PathValue, EvalError> {
    match value {
        Value::Path(path) => Ok(path.clone()),
        other => path_text(other, function).map(|text| PathValue::parse(&text)),
    }
}

fn binary(op: Op, left: Value, right: Value) -> Result<Value, EvalError> {
    match (op, left, right) {
        (_, Value::Blender(path), _) | (_, _, Value::Blender(path)) => Err(EvalError::NeedsBlender(path)),
        (Op::Add, Value::Str(a), Value::Str(b)) => Ok(Value::Str(a + &b)),
        (Op::Add, Value::Int(a), Value::Int(b)) => a.checked_add(b).map(Value::Int).ok_or_else(overflow),
        (Op::Sub, Value::Int(a), Value::Int(b)) => a.checked_sub(b).map(Value::Int).ok_or_else(overflow),
        (Op::Mul, Value::Int(a), Value::Int(b)) => a.checked_mul(b).map(Value::Int).ok_or_else(overflow),
        (Op::Div, Value::Path(path), other) => Ok(Value::Path(path.join(path_of(&other, "/")?))),
        (op, a, b) => Err(EvalError::Invalid(format!("{a:?} {op:?} {b:?} is not something this can do"))),
    }
}

fn overflow() -> EvalError {
    EvalError::Invalid("the number is too large".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expressions of Flamenco's published job types.
    const FRAMES_OUTPUT: &str = "str(Path(abspath(settings.render_output_root), last_n_dir_parts(settings.add_path_components), jobname, '{timestamp}', '######'))";
    const TILES_OUTPUT: &str = "str(Path(abspath(settings.render_output_root), last_n_dir_parts(settings.add_path_components), jobname, '{timestamp}', 'tiles'))";

    fn settings(pairs: &[(&str, Known)]) -> BTreeMap<String, Known> {
        pairs.iter().map(|(key, known)| (key.to_string(), known.clone())).collect()
    }

    fn text(value: &str) -> Known {
        Known::Text(value.into())
    }

    fn run(source: &str, job_name: &str, settings: &BTreeMap<String, Known>) -> Result<String, EvalError> {
        let blender = BTreeMap::from([("C.scene.render.file_extension", ".exr".to_owned())]);
        evaluate(source, &Scope { job_name, settings, blender: &blender })
    }

    fn farm(root: &str, components: i64, blend: &str) -> BTreeMap<String, Known> {
        settings(&[
            ("render_output_root", text(root)),
            ("add_path_components", Known::Int(components)),
            ("blendfile", text(blend)),
        ])
    }

    #[test]
    fn the_published_output_paths() {
        let values = farm("/render/", 0, "/projects/film/shots/010/scene.blend");
        assert_eq!(run(FRAMES_OUTPUT, "Shot 10", &values).unwrap(), "/render/Shot 10/{timestamp}/######");
        assert_eq!(run(TILES_OUTPUT, " Still ", &values).unwrap(), "/render/Still/{timestamp}/tiles");
        let values = farm("/render", 2, "/projects/film/shots/010/scene.blend");
        assert_eq!(run(TILES_OUTPUT, "Still", &values).unwrap(), "/render/shots/010/Still/{timestamp}/tiles");
        let values = farm("/render", 32, "/projects/film/scene.blend");
        assert_eq!(run(FRAMES_OUTPUT, "A", &values).unwrap(), "/render/projects/film/A/{timestamp}/######");
        let values = farm(r"R:\renders", 1, r"P:\film\shot\scene.blend");
        assert_eq!(run(TILES_OUTPUT, "Still", &values).unwrap(), r"R:\renders\shot\Still\{timestamp}\tiles");
    }

    #[test]
    fn blend_file_relative_roots_and_explicit_files() {
        let values = farm("//../renders", 0, "/projects/film/scene.blend");
        assert_eq!(
            run("str(abspath(settings.render_output_root))", "x", &values).unwrap(),
            "/projects/film/../renders",
            "like Blender, .. is kept"
        );
        assert_eq!(run("str(last_n_dir_parts(2, '/a/b/c/d.blend'))", "x", &values).unwrap(), "b/c");
        assert_eq!(run("str(bpy.path.abspath('//x'))", "x", &values).unwrap(), "/projects/film/x");
        assert_eq!(run("str(Path('/r') / 'a' / jobname)", "j", &values).unwrap(), "/r/a/j");
    }

    #[test]
    fn joins_literals_and_known_blender_values() {
        let values = settings(&[("a", text("x")), ("n", Known::Int(4)), ("on", Known::Flag(true))]);
        assert_eq!(run("settings.a + '_' + str(settings.n + 1) + jobname", "J", &values).unwrap(), "x_5J");
        assert_eq!(run("'{timestamp}'", "J", &values).unwrap(), "{timestamp}");
        assert_eq!(run("f'{settings.a}-{settings.n}-{{y}}'", "J", &values).unwrap(), "x-4-{y}");
        assert_eq!(run("str(settings.on)", "J", &values).unwrap(), "True");
        assert_eq!(run("C.scene.render.file_extension", "J", &values).unwrap(), ".exr");
    }

    #[test]
    fn blenders_data_is_named_not_guessed() {
        let values = settings(&[]);
        let needs = |source: &str| run(source, "J", &values).unwrap_err();
        assert_eq!(needs("C.scene.frame_current"), EvalError::NeedsBlender("C.scene.frame_current".into()));
        assert_eq!(
            needs("f'{C.scene.frame_start}-{C.scene.frame_end}'"),
            EvalError::NeedsBlender("C.scene.frame_start".into())
        );
        assert_eq!(
            needs("C.scene.render.fps / C.scene.render.fps_base"),
            EvalError::NeedsBlender("C.scene.render.fps".into())
        );
        assert_eq!(needs("C.scene.name"), EvalError::NeedsBlender("C.scene.name".into()));
        assert_eq!(needs("bpy.data.filepath"), EvalError::NeedsBlender("bpy.data.filepath".into()));
        assert_eq!(needs("C.scene.objects['Cube']"), EvalError::NeedsBlender("C.scene.objects".into()));
        assert_eq!(
            needs("str(C.scene.render.engine)"),
            EvalError::NeedsBlender("C.scene.render.engine".into())
        );
    }

    #[test]
    fn missing_inputs_are_all_named() {
        let values = settings(&[
            ("render_output_root", Known::Unusable),
            ("add_path_components", Known::Int(1)),
            ("blendfile", text("  ")),
        ]);
        assert_eq!(
            run(TILES_OUTPUT, "", &values).unwrap_err(),
            EvalError::Waiting(vec![
                Input::JobName,
                Input::Setting("blendfile".into()),
                Input::Setting("render_output_root".into())
            ])
        );
        // With no folders taken from it, the blend file is not needed.
        let values = settings(&[("render_output_root", text("/r")), ("add_path_components", Known::Int(0))]);
        assert_eq!(run(TILES_OUTPUT, "J", &values).unwrap(), "/r/J/{timestamp}/tiles");
    }

    #[test]
    fn what_cannot_be_done_says_why() {
        let values = farm("renders", 1, "scene.blend");
        assert!(
            matches!(run(TILES_OUTPUT, "J", &values), Err(EvalError::Invalid(why)) if why.contains("relative"))
        );
        assert!(matches!(run("settings.nothing", "J", &values), Err(EvalError::Invalid(_))));
        assert!(matches!(run("os.getcwd()", "J", &values), Err(EvalError::Unsupported(_))));
        assert!(matches!(run("str(1, 2)", "J", &values), Err(EvalError::Invalid(_))));
        assert!(matches!(run("last_n_dir_parts('2')", "J", &values), Err(EvalError::Invalid(_))));
        assert!(matches!(run("'a' * 'b'", "J", &values), Err(EvalError::Invalid(_))));
        assert!(matches!(run("9223372036854775807 + 1", "J", &values), Err(EvalError::Invalid(_))));
        assert!(matches!(run("str(", "J", &values), Err(EvalError::Unsupported(_))));
        assert!(matches!(run("jobname()", "J", &values), Err(EvalError::Invalid(_))));
    }
}
