//! Says clearly when the Manager cannot be reached, why when that can be told, and offers to try again.

use leptos::prelude::*;

use crate::api::ApiFailure;
use crate::live::use_live;
use crate::manager::use_manager;

/// Why the Manager's API does not answer, as far as the page can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unreachable {
    /// No answer, or an error: the failure says which.
    Failed(ApiFailure),
    /// The browser got no answer it may read, while the Manager's WebSocket (which takes any
    /// origin) is connected: the Manager runs, and its CORS rule refuses this page's origin.
    RefusedOrigin { page_origin: String },
}

impl Unreachable {
    pub fn new(failure: ApiFailure, socket_connected: bool, page_origin: &str) -> Unreachable {
        match failure {
            ApiFailure::Unreachable { .. } if socket_connected => {
                Unreachable::RefusedOrigin { page_origin: page_origin.to_owned() }
            }
            failure => Unreachable::Failed(failure),
        }
    }

    /// The heading, the detail and the way out, for the Manager at `url`.
    pub fn explain(&self, url: &str, source: &str) -> [String; 3] {
        match self {
            Unreachable::Failed(failure) => [
                format!("Cannot reach the Manager at {url}"),
                failure.to_string(),
                format!("The address is {source}. Farmdeck keeps trying every few seconds."),
            ],
            Unreachable::RefusedOrigin { page_origin } => [
                format!("Cannot reach the Manager at {url}: its CORS rule refuses this page"),
                format!(
                    "The Manager is running (its live channel accepts this page), but it lets only pages from {} \
                     and http://localhost:8081 read its answers, and this page comes from {page_origin}.",
                    port_8081_origin(url)
                ),
                "Serve Farmdeck from port 8081 on the Manager's host name (for example \
                 `python3 -m http.server 8081 -d dist` with a farmdeck.json naming the Manager), or from the \
                 Manager's own origin through a reverse proxy (see docs/hosting)."
                    .to_owned(),
            ],
        }
    }
}

/// The origin the Manager at `url` admits besides `http://localhost:8081`: its own host on 8081.
fn port_8081_origin(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        // An IPv6 address without a port ends in `]`; with one, the port follows `]:`.
        Some((host, port)) if !port.contains(']') => host,
        _ => authority,
    };
    format!("http://{host}:8081")
}

/// Shown under the header while the Manager is unreachable, and when the configuration had a problem.
#[component]
pub fn ManagerBanner() -> impl IntoView {
    let manager = use_manager();
    let live = use_live();
    let url = manager.client.base_url().to_owned();
    let source = manager.settings.source.describe();
    let config_problem = manager.settings.problem.clone();
    let version = manager.version;
    let page_origin =
        web_sys::window().and_then(|window| window.location().origin().ok()).unwrap_or_default();
    let unreachable = move || match version.get() {
        Some(Err(failure)) => {
            let why = Unreachable::new(failure, live.state().get().is_connected(), &page_origin);
            let [heading, detail, hint] = why.explain(&url, source);
            Some(view! {
                <section class="banner banner-error" role="alert">
                    <h2>{heading}</h2>
                    <p class="detail">{detail}</p>
                    <p class="hint">{hint}</p>
                    <button type="button" on:click=move |_| version.refetch()>"Retry now"</button>
                </section>
            })
        }
        _ => None,
    };
    view! {
        {config_problem.map(|problem| view! {
            <section class="banner banner-warning" role="status">
                <p>{format!("Configuration problem: {problem}")}</p>
            </section>
        })}
        {unreachable}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_answer() -> ApiFailure {
        ApiFailure::Unreachable { url: "http://farm:8080".into(), detail: "no answer".into() }
    }

    #[test]
    fn no_answer_with_the_socket_connected_is_a_refused_origin() {
        let why = Unreachable::new(no_answer(), true, "http://desk:9000");
        let [heading, detail, hint] = why.explain("http://farm.lan:8080", "set by farmdeck.json");
        assert!(heading.contains("CORS"), "{heading}");
        assert!(detail.contains("http://farm.lan:8081") && detail.contains("http://desk:9000"), "{detail}");
        assert!(hint.contains("8081") && hint.contains("reverse proxy"), "{hint}");
    }

    #[test]
    fn without_the_socket_it_is_only_unreachable() {
        let why = Unreachable::new(no_answer(), false, "http://desk:9000");
        assert_eq!(why, Unreachable::Failed(no_answer()));
        let [heading, _, hint] = why.explain("http://farm:8080", "the origin this page came from");
        assert_eq!(heading, "Cannot reach the Manager at http://farm:8080");
        assert!(hint.contains("keeps trying"));
        let refused = ApiFailure::Manager {
            status: 500,
            error: flamenco_api::ManagerError::from_body(500, r#"{"code":500,"message":"x"}"#),
        };
        assert!(
            matches!(Unreachable::new(refused, true, ""), Unreachable::Failed(_)),
            "an answer is no CORS refusal"
        );
    }

    #[test]
    fn the_admitted_origin_is_the_managers_host_on_8081() {
        assert_eq!(port_8081_origin("http://farm.lan:8080"), "http://farm.lan:8081");
        assert_eq!(port_8081_origin("https://farm.lan"), "http://farm.lan:8081");
        assert_eq!(port_8081_origin("http://[::1]:8080/x"), "http://[::1]:8081");
        assert_eq!(port_8081_origin("http://[::1]"), "http://[::1]:8081");
    }
}
