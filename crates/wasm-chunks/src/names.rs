//! Content-hashed file names and the text edits that follow a rename: the loader's references to
//! chunk files, the app's import of the loader, and `index.html`'s integrity digests.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256, Sha384};

/// The first 16 hex digits of the content's SHA-256: the same shape as Trunk's hashed names, so one
/// hosting rule ("a name with `-<16 hex>` is immutable") covers both.
pub fn content_hash(content: &[u8]) -> String {
    Sha256::digest(content).iter().take(8).map(|byte| format!("{byte:02x}")).collect()
}

/// The name a chunk is published under: `split_preview.wasm` (a page's own code) becomes
/// `preview-<hash>.wasm`, `chunk_12.wasm` (code several pages share) `shared-12-<hash>.wasm`.
pub fn published_chunk_name(emitted: &str, content: &[u8]) -> String {
    let stem = emitted.strip_suffix(".wasm").unwrap_or(emitted);
    let stem = match (stem.strip_prefix("split_"), stem.strip_prefix("chunk_")) {
        (Some(page), _) => page.to_string(),
        (None, Some(number)) => format!("shared-{number}"),
        (None, None) => stem.to_string(),
    };
    format!("{stem}-{}.wasm", content_hash(content))
}

/// The loader names each chunk as `new URL("./<file>", import.meta.url)`: points one at its new name.
pub fn rename_in_loader(loader: &str, emitted: &str, published: &str) -> String {
    loader.replace(&format!("\"./{emitted}\""), &format!("\"./{published}\""))
}

/// Points the app's `import … from "./<old>"` statements at the loader's published name. The key
/// of the same name in the WebAssembly imports object stays: it is the module name inside the wasm.
pub fn rename_loader_import(app_js: &str, old: &str, new: &str) -> String {
    app_js
        .replace(&format!("from \"./{old}\""), &format!("from \"./{new}\""))
        .replace(&format!("from './{old}'"), &format!("from './{new}'"))
}

/// A Subresource Integrity value (`sha384-<base64>`), as Trunk writes into `index.html`.
pub fn integrity(content: &[u8]) -> String {
    format!("sha384-{}", BASE64.encode(Sha384::digest(content)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_a_hash_of_their_content() {
        let a = published_chunk_name("split_preview.wasm", b"one");
        let b = published_chunk_name("split_preview.wasm", b"two");
        assert!(a.starts_with("preview-") && a.ends_with(".wasm"), "{a}");
        assert_ne!(a, b, "other content, other name");
        assert_eq!(a, published_chunk_name("split_preview.wasm", b"one"), "same content, same name");
        assert_eq!(content_hash(b"one").len(), 16);
        assert!(published_chunk_name("chunk_12.wasm", b"x").starts_with("shared-12-"));
    }

    #[test]
    fn the_loader_fetches_the_published_names() {
        let loader = r#"const src = fetch(new URL("./chunk_1.wasm", import.meta.url));
const other = fetch(new URL("./chunk_12.wasm", import.meta.url));"#;
        let renamed = rename_in_loader(loader, "chunk_1.wasm", "shared-1-00ff.wasm");
        assert!(renamed.contains(r#""./shared-1-00ff.wasm""#));
        assert!(renamed.contains(r#""./chunk_12.wasm""#), "chunk_12 is another file: {renamed}");
    }

    #[test]
    fn the_app_imports_the_published_loader() {
        let js = "import * as import1 from \"./__wasm_split.js\"\nimport { x } from './__wasm_split.js';\n\
                  imports = { \"./__wasm_split.js\": import1 };";
        let renamed = rename_loader_import(js, "__wasm_split.js", "chunks-0123.js");
        assert_eq!(renamed.matches("./chunks-0123.js").count(), 2, "both imports: {renamed}");
        assert!(
            renamed.contains("{ \"./__wasm_split.js\": import1 }"),
            "the wasm's module name stays: {renamed}"
        );
    }

    #[test]
    fn integrity_is_sri_sha384() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            integrity(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }
}
