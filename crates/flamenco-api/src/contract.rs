//! Validation against the Manager's real OpenAPI file (`../shared/flamenco/flamenco-openapi.yaml`), for
//! tests: our types' contract test, and simfarm's tests of every response it gives.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// Places where the OpenAPI file contradicts the Manager it describes; the Manager is followed.
/// [`Contract::load`] checks each is still in the file, so this list shrinks when upstream fixes them.
/// - `JobTasksSummary` requires `jobs`, a property it does not have; the Manager sends `{"tasks": [...]}`.
/// - `EventLastRenderedUpdate` requires `task_id`, which it does not declare and the Manager never sends.
/// - `ManagerVariable` requires `name`, which it does not declare; the Manager sends only `value` and
///   `is_twoway` (the name is the key in `ManagerVariables`).
pub const ERRATA: &[(&str, &str)] =
    &[("JobTasksSummary", "jobs"), ("EventLastRenderedUpdate", "task_id"), ("ManagerVariable", "name")];

/// The OpenAPI document, ready to validate values against its schemas.
pub struct Contract {
    doc: Value,
}

/// Why a contract could not be loaded.
#[derive(Debug)]
pub struct ContractError(pub String);

impl std::fmt::Display for ContractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ContractError {}

impl Contract {
    /// Where the OpenAPI file is: `$FLAMENCO_OPENAPI`, or `../shared/flamenco/` beside the workspace.
    pub fn default_path() -> PathBuf {
        match std::env::var_os("FLAMENCO_OPENAPI") {
            Some(path) => PathBuf::from(path),
            None => {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/flamenco/flamenco-openapi.yaml")
            }
        }
    }

    /// Loads the file at [`Contract::default_path`].
    pub fn load() -> Result<Contract, ContractError> {
        Contract::load_from(&Contract::default_path())
    }

    /// Loads an OpenAPI file and applies [`ERRATA`].
    pub fn load_from(path: &Path) -> Result<Contract, ContractError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ContractError(format!("cannot read {}: {error}", path.display())))?;
        let mut doc: Value = serde_yaml::from_str(&text)
            .map_err(|error| ContractError(format!("{} is not valid YAML: {error}", path.display())))?;
        for (schema, field) in ERRATA {
            let required =
                doc["components"]["schemas"][schema]["required"].as_array_mut().ok_or_else(|| {
                    ContractError(format!("{schema} has no `required` list any more: drop it from ERRATA"))
                })?;
            let before = required.len();
            required.retain(|name| name != field);
            if before == required.len() {
                return Err(ContractError(format!(
                    "{schema} no longer requires `{field}`: drop it from ERRATA"
                )));
            }
        }
        Ok(Contract { doc })
    }

    /// The whole document, as JSON.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// The schema named `name` under `components/schemas`.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.doc["components"]["schemas"].get(name)
    }

    /// Validates `instance` against the component schema `name`; every error, with where it is.
    pub fn validate(&self, name: &str, instance: &Value) -> Result<(), Vec<String>> {
        if self.schema(name).is_none() {
            return Err(vec![format!("no schema {name} in the OpenAPI file")]);
        }
        self.validate_against(&json!({ "$ref": format!("#/components/schemas/{name}") }), instance)
    }

    /// Validates `instance` against any schema written in terms of the document (`$ref`s into it).
    pub fn validate_against(&self, schema: &Value, instance: &Value) -> Result<(), Vec<String>> {
        let mut root = self.doc.clone();
        if let (Some(root), Some(schema)) = (root.as_object_mut(), schema.as_object()) {
            root.extend(schema.clone());
        }
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|error| vec![format!("the schema does not compile: {error}")])?;
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|error| format!("{error} at {}", error.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The operation at `method` and a concrete `path` (`/api/v3/jobs/1234`), matched against the
    /// file's path templates (`/api/v3/jobs/{job_id}`).
    pub fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        let path = path.split('?').next().unwrap_or(path);
        let paths = self.doc["paths"].as_object()?;
        paths
            .iter()
            .find(|(template, _)| path_matches(template, path))
            .and_then(|(_, item)| item.get(method.to_ascii_lowercase()))
    }

    /// The response schema for `method path` answering `status`, following the file's `default`
    /// response when the status is not listed. `Ok(None)`: the file declares that response without a
    /// body. `Err`: the file does not allow that response at all.
    pub fn response_schema(&self, method: &str, path: &str, status: u16) -> Result<Option<&Value>, String> {
        let operation = self
            .operation(method, path)
            .ok_or_else(|| format!("{method} {path} is not in the OpenAPI file"))?;
        let responses = &operation["responses"];
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))
            .ok_or_else(|| format!("{method} {path} may not answer {status}"))?;
        Ok(response
            .get("content")
            .and_then(|content| content.get("application/json"))
            .and_then(|json| json.get("schema")))
    }

    /// Validates a response body for `method path` with `status` against the file.
    pub fn validate_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &[u8],
    ) -> Result<(), Vec<String>> {
        let schema = self.response_schema(method, path, status).map_err(|error| vec![error])?;
        match schema {
            // No body, or one that is not JSON (a log file, say): nothing to validate against.
            None => Ok(()),
            Some(schema) => self.validate_body(schema, (method, path, status), body),
        }
    }

    /// Validates a JSON body against `schema`; `answer` (method, path, status) names it in errors.
    fn validate_body(
        &self,
        schema: &Value,
        answer: (&str, &str, u16),
        body: &[u8],
    ) -> Result<(), Vec<String>> {
        let (method, path, status) = answer;
        let instance: Value = serde_json::from_slice(body)
            .map_err(|error| vec![format!("{method} {path} {status}: body is not JSON: {error}")])?;
        self.validate_against(schema, &instance)
    }

    /// Validates a response of the real Manager to `method path`: [`Contract::validate_response`],
    /// plus the answers the Manager gives that the OpenAPI file does not declare. Like [`ERRATA`],
    /// these follow the Manager rather than the file:
    /// - 400 with `{"message": "..."}` and nothing else, on any operation: the request validator's
    ///   answer to a malformed body or a bad enum value (FLAMENCO.md, "Errors"), which has no
    ///   `code` and so is not the file's `Error`.
    /// - 405 with the same `{message}` shape: the web framework's (Echo's) "Method Not Allowed".
    /// - 404 `{"message": "Not Found"}` on a path the file does not have: Echo's answer.
    /// - An error status (400 and up) that the operation does not declare and that has no
    ///   `default` response to fall back on (`fetchJob`, `getJobType`, `fetchWorker`,
    ///   `fetchWorkerTag`, ... declare only 200): the Manager's handlers still answer bad and
    ///   unknown ids there with `sendAPIError`, 400/404 `{code, message}`; such a body must be the
    ///   file's `Error`.
    ///
    /// Paths outside `/api/` (the web app, static files, socket.io) are not the API's and pass.
    pub fn validate_manager_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &[u8],
    ) -> Result<(), Vec<String>> {
        if !path.starts_with("/api/") {
            return Ok(());
        }
        let message_only =
            serde_json::from_slice::<Value>(body).ok().and_then(|value| match value.as_object() {
                Some(object) if object.len() == 1 => object.get("message")?.as_str().map(str::to_owned),
                _ => None,
            });
        if matches!(status, 400 | 405) && message_only.is_some() {
            return Ok(());
        }
        // Unknown paths answer "Not Found"; known paths asked with a method they lack answer
        // 404 "method not allowed" (measured on Manager 3.9).
        if status == 404 && self.operation(method, path).is_none() {
            return match message_only.as_deref() {
                Some("Not Found" | "method not allowed") => Ok(()),
                _ => Err(vec![format!(
                    "{method} {path} is not in the OpenAPI file, so a 404 must be {{\"message\": \"Not Found\"}} \
                     or {{\"message\": \"method not allowed\"}}"
                )]),
            };
        }
        if status >= 400 && self.response_schema(method, path, status).is_err() {
            let error = json!({ "$ref": "#/components/schemas/Error" });
            return self.validate_body(&error, (method, path, status), body);
        }
        self.validate_response(method, path, status, body)
    }

    /// Validates a request body for `method path` against the file's `requestBody` schema.
    pub fn validate_request(&self, method: &str, path: &str, body: &Value) -> Result<(), Vec<String>> {
        let operation = self
            .operation(method, path)
            .ok_or_else(|| vec![format!("{method} {path} is not in the OpenAPI file")])?;
        match operation.pointer("/requestBody/content/application~1json/schema") {
            Some(schema) => self.validate_against(schema, body),
            None => Err(vec![format!("{method} {path} takes no JSON body")]),
        }
    }
}

fn path_matches(template: &str, path: &str) -> bool {
    let mut template_parts = template.split('/');
    let mut path_parts = path.split('/');
    loop {
        match (template_parts.next(), path_parts.next()) {
            (None, None) => return true,
            (Some(t), Some(p)) if t.starts_with('{') && t.ends_with('}') && !p.is_empty() => {}
            (Some(t), Some(p)) if t == p => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_match_concrete_paths_only() {
        assert!(path_matches("/api/v3/jobs/{job_id}", "/api/v3/jobs/abc"));
        assert!(!path_matches("/api/v3/jobs/{job_id}", "/api/v3/jobs/abc/tasks"));
        assert!(!path_matches("/api/v3/jobs/{job_id}", "/api/v3/jobs/"));
        assert!(path_matches("/api/v3/jobs/types", "/api/v3/jobs/types"));
    }

    #[test]
    fn responses_are_found_by_method_path_and_status() {
        let contract = Contract::load().expect("the OpenAPI file loads");
        let ok = contract.response_schema("GET", "/api/v3/jobs/types", 200).expect("declared");
        assert_eq!(
            ok.and_then(|schema| schema["$ref"].as_str()),
            Some("#/components/schemas/AvailableJobTypes")
        );
        assert!(contract.validate_response("GET", "/api/v3/version", 200, br#"{"version":"1"}"#).is_err());
        assert!(contract
            .validate_response(
                "GET",
                "/api/v3/version",
                200,
                br#"{"version":"1","shortversion":"1","name":"n","git":"g"}"#
            )
            .is_ok());
    }

    #[test]
    fn the_managers_undeclared_answers_are_accepted_in_their_shapes_only() {
        let contract = Contract::load().expect("the OpenAPI file loads");
        let check = |method, path, status, body: &str| {
            contract.validate_manager_response(method, path, status, body.as_bytes())
        };
        // The request validator's 400 and Echo's 405: `{message}` alone, on any operation.
        assert!(contract.validate_response("POST", "/api/v3/jobs", 400, br#"{"message":"bad"}"#).is_err());
        assert!(check("POST", "/api/v3/jobs", 400, r#"{"message":"bad"}"#).is_ok());
        assert!(check("GET", "/api/v3/version", 400, r#"{"message":"bad"}"#).is_ok());
        assert!(check("DELETE", "/api/v3/jobs/types", 405, r#"{"message":"Method Not Allowed"}"#).is_ok());
        assert!(check("POST", "/api/v3/jobs", 400, r#"{"message":5}"#).is_err());
        assert!(check("GET", "/api/v3/version", 405, r#"{"message":"x","extra":1}"#).is_err());
        // Echo's 404 for a path the file does not have.
        assert!(check("GET", "/api/v3/nothing-here", 404, r#"{"message":"Not Found"}"#).is_ok());
        assert!(check("GET", "/api/v3/nothing-here", 404, r#"{"message":"gone"}"#).is_err());
        assert!(check("GET", "/api/v3/nothing-here", 200, "{}").is_err());
        // `fetchJob` declares only 200; its handler's 404 is still an `Error`.
        assert!(contract.response_schema("GET", "/api/v3/jobs/abc", 404).is_err());
        assert!(check("GET", "/api/v3/jobs/abc", 404, r#"{"code":404,"message":"no such job"}"#).is_ok());
        assert!(check("GET", "/api/v3/jobs/abc", 404, r#"{"code":404}"#).is_err());
        assert!(check("GET", "/api/v3/jobs/abc", 400, "not json").is_err());
        // Declared answers are validated as declared; paths outside the API are not checked.
        assert!(check("GET", "/api/v3/version", 200, r#"{"version":"1"}"#).is_err());
        assert!(check("GET", "/renders/a/b.exr", 200, "binary").is_ok());
    }
}
