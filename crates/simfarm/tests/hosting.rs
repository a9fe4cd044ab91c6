//! Same-origin hosting of the dashboard (`--serve-app`), CORS like the Manager's, over real HTTP.

mod common;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One raw HTTP/1.1 request over TCP; returns the status line with headers, and the body.
async fn raw(server: &simfarm::Server, request: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_owned(), body.to_owned())
}

fn get(path: &str, extra: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: farm.lan:8080\r\nConnection: close\r\n{extra}\r\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_is_served_with_deep_links_and_the_api_is_not_shadowed() {
    let app = temp_root("app-files");
    std::fs::write(app.join("index.html"), "<html>farmdeck</html>").unwrap();
    std::fs::write(app.join("app.js"), "console.log(1)").unwrap();
    let server = start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        render_root: Some(temp_root("app-root")),
        serve_app: Some(app),
        workers: 0,
        seed: Some(1),
        ..simfarm::Config::default()
    })
    .await;
    let (head, body) = raw(&server, &get("/", "")).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, "<html>farmdeck</html>");
    let (head, body) = raw(&server, &get("/jobs/3f2c6f5e-0000-4000-8000-000000000000", "")).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, "<html>farmdeck</html>", "deep links load the app");
    // A browser revalidating a deep link it has cached still gets the page, not an empty 200.
    let since = "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n";
    let (head, body) = raw(&server, &get("/jobs/x/preview", since)).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, "<html>farmdeck</html>", "a revalidated deep link loads the app");
    let (_, body) = raw(&server, &get("/app.js", "")).await;
    assert_eq!(body, "console.log(1)");
    for path in ["/api/v3/nothing", "/job-files/job-0000/x/last-rendered.jpg", "/renders/nothing.exr"] {
        let (head, body) = raw(&server, &get(path, "")).await;
        assert!(head.starts_with("HTTP/1.1 404"), "{path}: {head}");
        assert!(!body.contains("farmdeck"), "{path} must not fall back to the app");
    }
    let (head, _) = raw(&server, &get("/api/v3/version", "")).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // Without a WebSocket upgrade, socket.io answers itself, not the app.
    let (_, body) = raw(&server, &get("/socket.io/?EIO=3&transport=polling", "")).await;
    assert!(!body.contains("farmdeck"));
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_admits_only_the_dev_port() {
    let server = start("cors", 0, 0.2).await;
    let preflight = |origin: &str| {
        format!(
            "OPTIONS /api/v3/jobs HTTP/1.1\r\nHost: farm.lan:8080\r\nOrigin: {origin}\r\n\
             Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n"
        )
    };
    for origin in ["http://localhost:8081", "http://farm.lan:8081"] {
        let (head, _) = raw(&server, &preflight(origin)).await;
        let head = head.to_ascii_lowercase();
        assert!(head.contains(&format!("access-control-allow-origin: {origin}")), "{origin}: {head}");
        assert!(head.contains("access-control-allow-methods"), "{head}");
    }
    for origin in ["http://evil.example:8081", "http://localhost:3000", "http://farm.lan:8080"] {
        let (head, _) = raw(&server, &preflight(origin)).await;
        assert!(!head.to_ascii_lowercase().contains("access-control-allow-origin:"), "{origin}: {head}");
    }
    let (head, _) = raw(&server, &get("/api/v3/version", "Origin: http://localhost:8081\r\n")).await;
    assert!(
        head.to_ascii_lowercase().contains("access-control-allow-origin: http://localhost:8081"),
        "{head}"
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn farmdeck_json_maps_the_render_root_and_folders_are_listed() {
    let app = temp_root("config-app");
    std::fs::write(app.join("index.html"), "<html>farmdeck</html>").unwrap();
    let root = temp_root("config-root");
    std::fs::create_dir_all(root.join("shot/tiles")).unwrap();
    std::fs::write(root.join("shot/tiles/0-0-64-64.exr"), b"exr").unwrap();
    std::fs::write(root.join("shot/tiles/<b>&.exr"), b"exr").unwrap();
    let server = start_with(simfarm::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        render_root: Some(root.clone()),
        serve_app: Some(app.clone()),
        workers: 0,
        seed: Some(1),
        ..simfarm::Config::default()
    })
    .await;
    let (head, body) = raw(&server, &get("/farmdeck.json", "")).await;
    assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
    let config: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let canonical = root.canonicalize().unwrap();
    assert_eq!(config["storage_mappings"][0]["path"], format!("{}/", canonical.display()));
    assert_eq!(config["storage_mappings"][0]["url"], "/renders/");

    let (head, body) = raw(&server, &get("/renders/shot/tiles/", "")).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("<a href=\"0-0-64-64.exr\">0-0-64-64.exr</a>"), "{body}");
    assert!(body.contains("<a href=\"%3Cb%3E%26.exr\">&lt;b&gt;&amp;.exr</a>"), "{body}");
    let (_, body) = raw(&server, &get("/renders/shot/", "")).await;
    assert!(body.contains("<a href=\"tiles/\">tiles/</a>"), "{body}");
    let (head, body) = raw(&server, &get("/renders/shot/tiles/0-0-64-64.exr", "")).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, "exr");
    for path in ["/renders/nothing/", "/renders/%2e%2e/", "/renders/shot/tiles/missing.exr"] {
        let (head, _) = raw(&server, &get(path, "")).await;
        assert!(head.starts_with("HTTP/1.1 404"), "{path}: {head}");
    }

    // A real farmdeck.json beside the app wins.
    std::fs::write(app.join("farmdeck.json"), r#"{"manager": "http://elsewhere:8080"}"#).unwrap();
    let (_, body) = raw(&server, &get("/farmdeck.json", "")).await;
    assert_eq!(body, r#"{"manager": "http://elsewhere:8080"}"#);
    server.stop();
}

/// Measured on a real Manager: its WebSocket takes any Origin, so a dashboard served from an origin
/// the CORS rule refuses can be live while its REST calls fail; one on port 8081 relies on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_accepts_any_origin() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

    let server = start("ws-origin", 0, 0.2).await;
    for origin in ["http://localhost:8081", "http://evil.example:3000"] {
        let url = format!("ws://{}/socket.io/?EIO=3&transport=websocket", server.addr);
        let mut request = url.into_client_request().expect("a WebSocket request");
        request.headers_mut().insert("origin", origin.parse().expect("a header value"));
        let (mut socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .unwrap_or_else(|error| panic!("{origin}: the WebSocket is refused: {error}"));
        assert_eq!(response.status(), 101, "{origin}");
        let open = socket.next().await.expect("a first frame").expect("a frame");
        assert!(matches!(&open, Message::Text(text) if text.starts_with("0{")), "{origin}: {open:?}");
    }
    server.stop();
}
