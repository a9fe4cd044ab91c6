//! The Manager's HTTP API, as the app calls it. Every failure becomes an [`ApiFailure`] that names the
//! Manager's URL and what went wrong, in both of the Manager's error shapes.

mod endpoints;
mod setup;

use flamenco_api::{FlamencoVersion, ManagerError};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::{de::DeserializeOwned, Serialize};

/// Why a call to the Manager did not give what was asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiFailure {
    /// Nothing answered: the Manager is down, the address is wrong, or CORS refused the page.
    #[error("cannot reach the Manager at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    /// The Manager answered with an error.
    #[error("{error}")]
    Manager { status: u16, error: ManagerError },
    /// The answer was not what the API describes.
    #[error("unexpected answer from {url}: {detail}")]
    UnexpectedBody { url: String, detail: String },
    /// The request could not even be built (a bug in the app, shown rather than hidden).
    #[error("could not send the request to {url}: {detail}")]
    Request { url: String, detail: String },
}

impl ApiFailure {
    /// Whether retrying later may help (the Manager was away), as opposed to a refusal.
    pub fn is_connection_problem(&self) -> bool {
        match self {
            ApiFailure::Unreachable { .. } => true,
            ApiFailure::Manager { status, .. } => matches!(status, 502..=504),
            ApiFailure::UnexpectedBody { .. } | ApiFailure::Request { .. } => false,
        }
    }
}

/// A handle on one Manager. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerClient {
    base_url: String,
}

impl ManagerClient {
    /// `base_url` without a trailing slash, e.g. `http://farm:8080`.
    pub fn new(base_url: impl Into<String>) -> Self {
        ManagerClient { base_url: base_url.into() }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The absolute URL of an API path like `/api/v3/version`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `GET /api/v3/version`: also the probe for whether the Manager is there.
    pub async fn version(&self) -> Result<FlamencoVersion, ApiFailure> {
        self.get_json("/api/v3/version").await
    }

    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiFailure> {
        let url = self.url(path);
        let response = send(&url, Request::get(&url)).await?;
        read_json(&url, response).await
    }

    /// A GET whose answer may be 204 No Content: `None` then.
    pub async fn get_optional_json<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, ApiFailure> {
        let url = self.url(path);
        let response = send(&url, Request::get(&url)).await?;
        if response.status() == 204 {
            return Ok(None);
        }
        read_json(&url, response).await.map(Some)
    }

    /// A GET of plain text that may be 204 No Content: `None` then.
    pub async fn get_optional_text(&self, path: &str) -> Result<Option<String>, ApiFailure> {
        let url = self.url(path);
        let response = send(&url, Request::get(&url)).await?;
        if response.status() == 204 {
            return Ok(None);
        }
        response
            .text()
            .await
            .map(Some)
            .map_err(|error| ApiFailure::UnexpectedBody { url, detail: error.to_string() })
    }

    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        let url = self.url(path);
        let request = Request::post(&url)
            .json(body)
            .map_err(|error| ApiFailure::Request { url: url.clone(), detail: error.to_string() })?;
        let response = send_built(&url, request).await?;
        read_json(&url, response).await
    }

    /// A POST whose success answer has no body (204).
    pub async fn post_no_content<B: Serialize>(&self, path: &str, body: &B) -> Result<(), ApiFailure> {
        let url = self.url(path);
        let request = Request::post(&url)
            .json(body)
            .map_err(|error| ApiFailure::Request { url: url.clone(), detail: error.to_string() })?;
        send_built(&url, request).await.map(drop)
    }

    /// A DELETE whose success answer has no body (204).
    pub async fn delete(&self, path: &str) -> Result<(), ApiFailure> {
        let url = self.url(path);
        send(&url, Request::delete(&url)).await.map(drop)
    }
}

async fn send(url: &str, request: RequestBuilder) -> Result<Response, ApiFailure> {
    let request = request
        .build()
        .map_err(|error| ApiFailure::Request { url: url.to_owned(), detail: error.to_string() })?;
    send_built(url, request).await
}

async fn send_built(url: &str, request: Request) -> Result<Response, ApiFailure> {
    let response = request.send().await.map_err(|error| ApiFailure::Unreachable {
        url: manager_root(url),
        detail: describe_network_error(&error.to_string()),
    })?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    Err(ApiFailure::Manager { status, error: ManagerError::from_body(status, &body) })
}

async fn read_json<T: DeserializeOwned>(url: &str, response: Response) -> Result<T, ApiFailure> {
    let text = response
        .text()
        .await
        .map_err(|error| ApiFailure::UnexpectedBody { url: url.to_owned(), detail: error.to_string() })?;
    serde_json::from_str(&text)
        .map_err(|error| ApiFailure::UnexpectedBody { url: url.to_owned(), detail: error.to_string() })
}

/// The scheme and host of an API URL, which is what the user recognises.
fn manager_root(url: &str) -> String {
    match url.find("/api/") {
        Some(index) => url[..index].to_owned(),
        None => url.to_owned(),
    }
}

/// Browsers say "Failed to fetch" for every network failure; say what it usually means.
fn describe_network_error(detail: &str) -> String {
    if detail.contains("Failed to fetch") || detail.contains("NetworkError") {
        "no answer (the Manager is not running, the address is wrong, or its CORS rule refused this page)"
            .to_owned()
    } else {
        detail.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_manager_and_the_reason() {
        let failure = ApiFailure::Unreachable {
            url: manager_root("http://farm:8080/api/v3/version"),
            detail: describe_network_error("TypeError: Failed to fetch"),
        };
        let text = failure.to_string();
        assert!(text.starts_with("cannot reach the Manager at http://farm:8080: no answer"), "{text}");
        assert!(failure.is_connection_problem());
    }

    #[test]
    fn manager_errors_show_their_message() {
        let failure = ApiFailure::Manager {
            status: 400,
            error: ManagerError::from_body(400, r#"{"message": "bad status"}"#),
        };
        assert_eq!(failure.to_string(), "bad status");
        assert!(!failure.is_connection_problem());
    }
}
