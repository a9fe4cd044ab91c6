//! Errors as the Manager sends them, in both of its shapes.

use serde::{Deserialize, Serialize};

/// The Manager's generic error body (`Error`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The HTTP status, repeated in the body.
    pub code: i32,
    pub message: String,
}

/// Any error body the Manager sends: `{code, message}` from its handlers, or just `{message}` (HTTP 400)
/// when its request validation rejects a request before a handler runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    pub message: String,
}

impl ManagerError {
    /// Reads an error body; a body in neither shape becomes a message that quotes the start of it, so
    /// the user still learns what the server said.
    pub fn from_body(http_status: u16, body: &str) -> Self {
        match serde_json::from_str::<ManagerError>(body) {
            Ok(error) => error,
            Err(_) => {
                let trimmed = body.trim_start();
                let message = if trimmed.is_empty() {
                    "empty response".to_owned()
                } else if trimmed.starts_with('<') {
                    // A proxy's or another web server's error page: its markup helps nobody.
                    "the server answered with a web page, not the Manager's API (is this a Flamenco Manager?)"
                        .to_owned()
                } else {
                    trimmed.chars().take(200).collect()
                };
                ManagerError { code: Some(i32::from(http_status)), message }
            }
        }
    }
}

impl std::fmt::Display for ManagerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "{} (HTTP {code})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl From<ApiError> for ManagerError {
    fn from(error: ApiError) -> Self {
        ManagerError { code: Some(error.code), message: error.message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_shapes_read_as_messages() {
        let handler = ManagerError::from_body(404, r#"{"code": 404, "message": "no such job"}"#);
        assert_eq!(handler.to_string(), "no such job (HTTP 404)");
        let validation =
            ManagerError::from_body(400, r#"{"message": "value is not one of the allowed values"}"#);
        assert_eq!(validation.code, None);
        assert_eq!(validation.to_string(), "value is not one of the allowed values");
    }

    #[test]
    fn a_body_in_neither_shape_is_quoted() {
        let proxy = ManagerError::from_body(502, "<html>Bad Gateway</html>");
        assert!(proxy.to_string().starts_with("the server answered with a web page"), "{proxy}");
        assert_eq!(proxy.code, Some(502));
        assert_eq!(ManagerError::from_body(500, "database locked").to_string(), "database locked (HTTP 500)");
        assert_eq!(ManagerError::from_body(500, "").to_string(), "empty response (HTTP 500)");
    }
}
