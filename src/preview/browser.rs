//! The few browser calls the page makes itself: reading a picked file, drawing RGBA pixels a
//! worker made, and offering bytes as a download. Nothing here decodes.

use js_sys::{ArrayBuffer, Uint8ClampedArray};
use tilemerge::Rect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, DataTransfer, File, FileSystemDirectoryEntry,
    FileSystemEntry, FileSystemFileEntry, HtmlCanvasElement, ImageData, Url,
};

use super::worker::protocol::describe;

/// A picked file's bytes, in a buffer that can be transferred to a worker.
pub async fn read_file(file: &File) -> Result<ArrayBuffer, String> {
    let bytes = JsFuture::from(file.array_buffer()).await.map_err(describe)?;
    bytes.dyn_into().map_err(|_| "the browser gave no bytes".to_string())
}

/// How long a server may take to start answering for a file, and then to send all of it. A tile
/// server that stalls must not hold the merge forever: the tile fails, naming the wait, the others
/// are merged, and merging again (or opening the job's preview again) asks for it anew.
pub const ANSWER_WITHIN_MS: i32 = 20_000;
const READ_WITHIN_MS: i32 = 120_000;

/// The bytes at `url`; an HTTP error, a blocked request or a stalled server is an error naming the URL.
pub async fn fetch_bytes(url: &str) -> Result<ArrayBuffer, String> {
    let bytes = fetch_within(url, |raw| raw.array_buffer()).await?;
    bytes.dyn_into().map_err(|_| format!("{url} gave no bytes"))
}

/// The text at `url` (a folder listing), with the same errors as [`fetch_bytes`].
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let text = fetch_within(url, |raw| raw.text()).await?;
    text.as_string().ok_or_else(|| format!("{url} gave no text"))
}

/// Fetches `url` and reads its body with `read`, each step within its time; a step that takes
/// longer aborts the request.
async fn fetch_within(
    url: &str,
    read: impl FnOnce(&web_sys::Response) -> Result<js_sys::Promise, JsValue>,
) -> Result<JsValue, String> {
    let abort = web_sys::AbortController::new().map_err(describe)?;
    let raw = within(ANSWER_WITHIN_MS, &abort, fetch(url, &abort.signal()), || {
        format!("{url} did not answer within {} s (the server stalled)", ANSWER_WITHIN_MS / 1000)
    })
    .await?;
    let promise = read(&raw).map_err(describe)?;
    let body =
        async { JsFuture::from(promise).await.map_err(|e| format!("cannot read {url}: {}", describe(e))) };
    within(READ_WITHIN_MS, &abort, body, || {
        format!("{url} did not finish sending within {} s (the server stalled)", READ_WITHIN_MS / 1000)
    })
    .await
}

/// `work`, or the error `late` once `ms` have passed first (aborting the request).
async fn within<T>(
    ms: i32,
    abort: &web_sys::AbortController,
    work: impl std::future::Future<Output = Result<T, String>>,
    late: impl FnOnce() -> String,
) -> Result<T, String> {
    let timer = Box::pin(crate::ui::yield_now::sleep(ms));
    match futures::future::select(Box::pin(work), timer).await {
        futures::future::Either::Left((result, _)) => result,
        futures::future::Either::Right(_) => {
            abort.abort();
            Err(late())
        }
    }
}

async fn fetch(url: &str, abort: &web_sys::AbortSignal) -> Result<web_sys::Response, String> {
    // A tile rendered again keeps its URL: never take it from the cache.
    let response = gloo_net::http::Request::get(url)
        .cache(web_sys::RequestCache::NoStore)
        .abort_signal(Some(abort))
        .send()
        .await
        .map_err(|e| {
            format!("cannot fetch {url}: {e} (the server is unreachable or does not allow this site: CORS)")
        })?;
    if !response.ok() {
        return Err(format!("{url} answered HTTP {} {}", response.status(), response.status_text()));
    }
    Ok(response.into())
}

/// Sizes the canvas for the image and clears it.
pub fn reset_canvas(canvas: &HtmlCanvasElement, width: u32, height: u32) -> Result<(), String> {
    canvas.set_width(width);
    canvas.set_height(height);
    context(canvas)?.clear_rect(0.0, 0.0, f64::from(width), f64::from(height));
    Ok(())
}

/// Draws the `regions` of a worker's whole-image RGBA pixels; the rest of its image is empty
/// (those tiles are on other workers) and must not cover what they drew.
pub fn draw_regions(
    canvas: &HtmlCanvasElement,
    width: u32,
    height: u32,
    regions: &[Rect],
    rgba: &ArrayBuffer,
) -> Result<(), String> {
    let pixels = Uint8ClampedArray::new(rgba);
    let image = ImageData::new_with_js_u8_clamped_array_and_sh(&pixels, width, height).map_err(describe)?;
    let context = context(canvas)?;
    for r in regions {
        let (x, y, w, h) = (f64::from(r.x), f64::from(r.y), f64::from(r.width), f64::from(r.height));
        context
            .put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(
                &image, 0.0, 0.0, x, y, w, h,
            )
            .map_err(describe)?;
    }
    Ok(())
}

/// Puts packed pixels on the canvas: `rgba` holds each region's pixels in turn, rows from the
/// top (as `tilemerge::view::render_packed_rgba8` packs them).
pub fn draw_packed(canvas: &HtmlCanvasElement, regions: &[Rect], rgba: &ArrayBuffer) -> Result<(), String> {
    let context = context(canvas)?;
    let mut offset = 0u32;
    for r in regions {
        let length = r.width.saturating_mul(r.height).saturating_mul(4);
        if offset.saturating_add(length) > rgba.byte_length() {
            return Err(format!("the pixels of {}x{} at {}, {} are missing", r.width, r.height, r.x, r.y));
        }
        let pixels = Uint8ClampedArray::new_with_byte_offset_and_length(rgba, offset, length);
        let image =
            ImageData::new_with_js_u8_clamped_array_and_sh(&pixels, r.width, r.height).map_err(describe)?;
        context.put_image_data(&image, f64::from(r.x), f64::from(r.y)).map_err(describe)?;
        offset += length;
    }
    Ok(())
}

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .map_err(describe)?
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| "the canvas has no 2D context".to_string())
}

/// A `blob:` URL holding the bytes, for a download link.
pub fn blob_url(bytes: &ArrayBuffer, mime: &str) -> Result<String, String> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_buffer_source_sequence_and_options(&js_sys::Array::of1(bytes), &options)
        .map_err(describe)?;
    Url::create_object_url_with_blob(&blob).map_err(describe)
}

/// A PNG of the canvas' pixels (at its own resolution, whatever the zoom) as a `blob:` URL.
pub async fn canvas_png(canvas: &HtmlCanvasElement) -> Result<String, String> {
    let mut asked = Ok(());
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        asked = canvas.to_blob(&resolve).map_err(describe);
    });
    asked?;
    let blob = JsFuture::from(promise).await.map_err(describe)?;
    // The browser gives `null` when the canvas is empty (no width or height).
    let blob: Blob = blob.dyn_into().map_err(|_| "the canvas holds no image yet".to_string())?;
    Url::create_object_url_with_blob(&blob).map_err(describe)
}

/// Frees a URL made by [`blob_url`].
/// Starts the download of `url` as `file_name`, as a click on a download link would: the Export
/// button is the person's one click, not a link that appears after it.
pub fn start_download(url: &str, file_name: &str) -> Result<(), String> {
    let document =
        web_sys::window().and_then(|w| w.document()).ok_or_else(|| "the page has no document".to_string())?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "the page made no link".to_string())?;
    link.set_href(url);
    link.set_download(file_name);
    link.click();
    Ok(())
}

pub fn revoke(url: &str) {
    // Failing to revoke only keeps the bytes a little longer.
    let _ = Url::revoke_object_url(url);
}

/// The device's memory in GB as the browser tells it (`navigator.deviceMemory`; not every
/// browser does, and those that do round it and cap it at 8).
pub fn device_memory() -> Option<f64> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::get(&navigator, &"deviceMemory".into()).ok()?.as_f64()
}

/// The logical processors the browser reports (0 when it does not).
pub fn cores() -> f64 {
    web_sys::window().map_or(0.0, |w| w.navigator().hardware_concurrency())
}

/// Milliseconds on the page's clock (`performance.now()`), for the figures shown after a merge.
pub fn now() -> f64 {
    let performance = match web_sys::window() {
        Some(window) => window.performance(),
        // A worker has no window; its global scope has the clock.
        None => js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| p.dyn_into().ok()),
    };
    performance.map_or(0.0, |p: web_sys::Performance| p.now())
}

/// This thread's WebAssembly memory in bytes (the page's or a worker's): it only grows, so this
/// is also its peak.
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0.0, |memory| memory.buffer().unchecked_into::<ArrayBuffer>().byte_length() as f64)
}

/// The files and folders dropped, taken while the drop event lasts (the browser empties the list
/// after it). Empty when the browser does not give entries; its `files()` are all there is then.
pub fn dropped_entries(transfer: &DataTransfer) -> Vec<FileSystemEntry> {
    let items = transfer.items();
    (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect()
}

/// Every file under dropped entries: folders are read through, sub-folders too.
pub async fn files_under(entries: Vec<FileSystemEntry>) -> Result<Vec<File>, String> {
    let mut stack = entries;
    let mut files = Vec::new();
    while let Some(entry) = stack.pop() {
        if entry.is_directory() {
            let reader = entry.unchecked_ref::<FileSystemDirectoryEntry>().create_reader();
            // A reader gives a folder's entries a batch at a time, then an empty batch.
            loop {
                let batch =
                    callback_result(|ok, err| reader.read_entries_with_callback_and_callback(ok, err))
                        .await
                        .map_err(|e| format!("cannot read the folder {}: {e}", entry.full_path()))?;
                let batch: js_sys::Array = batch.unchecked_into();
                if batch.length() == 0 {
                    break;
                }
                stack.extend(batch.iter().map(JsCast::unchecked_into::<FileSystemEntry>));
            }
        } else if entry.is_file() {
            let file_entry = entry.unchecked_ref::<FileSystemFileEntry>();
            let file = callback_result(|ok, err| {
                file_entry.file_with_callback_and_callback(ok, err);
                Ok(())
            })
            .await
            .map_err(|e| format!("cannot read {}: {e}", entry.full_path()))?;
            files.push(file.unchecked_into());
        }
    }
    Ok(files)
}

/// Awaits a browser call that answers through a success and an error callback.
async fn callback_result(
    start: impl FnOnce(&js_sys::Function, &js_sys::Function) -> Result<(), JsValue>,
) -> Result<JsValue, String> {
    let mut start = Some(start);
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Some(Err(error)) = start.take().map(|start| start(&resolve, &reject)) {
            // Thrown at once rather than reported through the callback: the same failure.
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        }
    });
    JsFuture::from(promise).await.map_err(describe)
}

/// The room the origin's storage has left (quota less usage), in bytes, when the browser says.
pub async fn storage_room() -> Option<u64> {
    let storage = web_sys::window()?.navigator().storage();
    let estimate = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    let estimate: web_sys::StorageEstimate = estimate.unchecked_into();
    let (quota, usage) = (estimate.get_quota()?, estimate.get_usage().unwrap_or(0.0));
    Some((quota - usage).max(0.0) as u64)
}

/// A `blob:` URL of file `name` of the origin's private file system: the browser reads it from
/// disk when it is downloaded.
pub async fn private_file_url(name: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let directory: web_sys::FileSystemDirectoryHandle =
        JsFuture::from(window.navigator().storage().get_directory())
            .await
            .map_err(describe)?
            .unchecked_into();
    let handle: web_sys::FileSystemFileHandle =
        JsFuture::from(directory.get_file_handle(name)).await.map_err(describe)?.unchecked_into();
    let file: File = JsFuture::from(handle.get_file()).await.map_err(describe)?.unchecked_into();
    Url::create_object_url_with_blob(&file).map_err(describe)
}

/// `url` resolved against the page's address (a worker resolves against its script's).
pub fn absolute_url(url: &str) -> String {
    let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    Url::new_with_base(url, &base).map(|u| u.href()).unwrap_or_else(|_| url.to_string())
}
