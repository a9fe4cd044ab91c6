//! Messages between the page and a preview worker. Each message is an envelope object: `msg` holds
//! the request or response as JSON, `buf` an optional `ArrayBuffer` (tile file, RGBA pixels, EXR)
//! that travels in the transfer list, so bytes are moved between threads, never copied.

use serde::{Deserialize, Serialize};
use tilemerge::analysis::{DifferencePartial, DifferenceView, HeaderAttribute};
use tilemerge::view::{Channel, Mapping, ValueRange};
use tilemerge::{Compression, ExrLayout, Grid, PassKind, Rect, TileId};

use crate::preview::seams::SeamCheck;
use wasm_bindgen::{JsCast, JsValue};

use crate::preview::view::ProbeReading;

/// Identifies one merge in a worker; a worker may hold several (the preview and an export).
pub type SessionId = u32;

/// What a session does with the tiles it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holding {
    /// Decodes each tile for the pass on screen as it comes (the preview).
    Picture,
    /// Checks each tile's header and keeps its file; decodes only for an export or a seam check.
    Files,
}

/// B of an A/B comparison: a pass of the reference EXR the page sent, or another pass of the
/// same merge (full names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Other {
    /// A pass of the reference file.
    Reference(String),
    /// Another pass of the merge.
    Pass(String),
}

/// What the page asks of a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Start an empty session for `grid` (replacing any session with that id).
    Begin { session: SessionId, grid: Grid, holding: Holding },
    /// Decode and place a tile; its file bytes travel as the envelope's buffer.
    Tile { session: SessionId, tile: TileId },
    /// Draw `channel` of `pass` (full name) with `mapping` as 8-bit RGBA.
    Render { session: SessionId, pass: String, channel: Channel, mapping: Mapping },
    /// The kind of `pass` and the range of its `channel` over this worker's placed pixels (false
    /// colour needs the range of the whole image, which the page merges); `ticket` comes back.
    Range { session: SessionId, ticket: u32, pass: String, channel: Channel },
    /// Every channel of `pass` at image pixel `x`, `y` (rows from the top).
    Probe { session: SessionId, pass: String, x: u32, y: u32 },
    /// Write the merged image as an EXR, from the session's files, one pass at a time.
    Export { session: SessionId, layout: ExrLayout, compression: Compression },
    /// Compare neighbouring tiles' overscan in `pass` (full name).
    CheckSeams { session: SessionId, pass: String },
    /// The header attributes of `tile`'s file, or with `None` of the tile whose header the merge
    /// carries (this worker's share: the page keeps the earliest tile's); `ticket` comes back.
    Metadata { session: SessionId, ticket: u32, tile: Option<TileId> },
    /// Keep a reference EXR for comparisons; its file travels as the envelope's buffer (each
    /// worker gets its own copy and decodes only the pass compared).
    Reference { session: SessionId },
    /// Compare `pass` of the merge (A) with `other` (B) over this worker's placed tiles, and draw
    /// the difference as `view`; pixels differing by more than `threshold` are counted.
    Compare {
        session: SessionId,
        ticket: u32,
        pass: String,
        other: Other,
        threshold: f32,
        view: DifferenceView,
    },
    /// Draw B over this worker's placed tiles with `mapping` (A's, so the two look alike).
    RenderOther { session: SessionId, ticket: u32, other: Other, channel: Channel, mapping: Mapping },
    /// Forget the session and free its memory.
    End { session: SessionId },
}

/// What a worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is listening; messages sent before this would have been lost.
    Ready,
    /// The tile is on the canvas (or its file kept); `passes` are every pass of the tile (full
    /// names, from its header) although only the one on screen is decoded; `pixel_bytes` is what
    /// a pixel of its largest pass takes.
    Placed { session: SessionId, tile: TileId, placed: Rect, passes: Vec<String>, pixel_bytes: u64 },
    /// The tile could not be placed, and why (shown to the user).
    Failed { session: SessionId, tile: TileId, reason: String },
    /// RGBA pixels of the whole image travel as the buffer; only `regions` hold this worker's tiles.
    Rendered { session: SessionId, width: u32, height: u32, regions: Vec<Rect> },
    /// The EXR file travels as the buffer.
    Exported { session: SessionId },
    /// The seam check of a pass; the seam map travels as the buffer (`width * height` RGBA).
    Seams { session: SessionId, check: SeamCheck, width: u32, height: u32 },
    /// The answer to a `Range`: `None`s when this worker has no tile placed.
    Ranged { session: SessionId, ticket: u32, kind: Option<PassKind>, range: Option<ValueRange> },
    /// The answer to a `Probe`: `None` when none of this worker's tiles covers the pixel.
    Probed { session: SessionId, x: u32, y: u32, reading: Option<ProbeReading> },
    /// The answer to a `Metadata`: `None` when this worker holds no such file; values are cut
    /// to [`tilemerge::analysis::HeaderAttribute`]s of bounded length.
    Metadata { session: SessionId, ticket: u32, found: Option<(TileId, Vec<HeaderAttribute>)> },
    /// The answer to a `Reference`: the file's passes (full names), or why it cannot be used.
    Referenced { session: SessionId, outcome: Result<Vec<String>, String> },
    /// The answer to a `Compare`: this worker's sums (`None` when it has no tile placed), the
    /// page merges them; the difference picture travels as the buffer, like `Rendered`.
    Compared {
        session: SessionId,
        ticket: u32,
        outcome: Result<Option<Box<DifferencePartial>>, String>,
        width: u32,
        height: u32,
        regions: Vec<Rect>,
    },
    /// The answer to a `RenderOther`: B's pixels travel as the buffer, like `Rendered`.
    RenderedOther { session: SessionId, ticket: u32, width: u32, height: u32, regions: Vec<Rect> },
    /// A request that could not be carried out, and why.
    Error { session: Option<SessionId>, reason: String },
}

/// A message with its optional transferred buffer.
pub struct Envelope<T> {
    /// The request or response.
    pub message: T,
    /// The bytes that came with it.
    pub buffer: Option<js_sys::ArrayBuffer>,
}

const MESSAGE: &str = "msg";
const BUFFER: &str = "buf";
/// The sender's WebAssembly memory in bytes, on every answer: the page shows the workers' peak.
const MEMORY: &str = "mem";

/// Packs a message and its buffer into the object to post, and the transfer list to post it with.
pub fn pack<T: Serialize>(
    message: &T,
    buffer: Option<&js_sys::ArrayBuffer>,
) -> Result<(JsValue, js_sys::Array), String> {
    let json = serde_json::to_string(message).map_err(|e| format!("cannot encode message: {e}"))?;
    let object = js_sys::Object::new();
    let transfer = js_sys::Array::new();
    js_sys::Reflect::set(&object, &MESSAGE.into(), &json.into()).map_err(describe)?;
    if let Some(buffer) = buffer {
        js_sys::Reflect::set(&object, &BUFFER.into(), buffer).map_err(describe)?;
        transfer.push(buffer);
    }
    Ok((object.into(), transfer))
}

/// Unpacks a posted envelope.
pub fn unpack<T: for<'de> Deserialize<'de>>(data: &JsValue) -> Result<Envelope<T>, String> {
    let json = js_sys::Reflect::get(data, &MESSAGE.into())
        .map_err(describe)?
        .as_string()
        .ok_or("the message has no text")?;
    let message = parse(&json)?;
    let buffer = js_sys::Reflect::get(data, &BUFFER.into()).ok().and_then(|b| b.dyn_into().ok());
    Ok(Envelope { message, buffer })
}

/// Adds the sender's memory size to a packed envelope.
pub fn set_memory(envelope: &JsValue, bytes: f64) -> Result<(), String> {
    js_sys::Reflect::set(envelope, &MEMORY.into(), &bytes.into()).map(|_| ()).map_err(describe)
}

/// The sender's memory size in an envelope, when it gave one.
pub fn memory(envelope: &JsValue) -> Option<f64> {
    js_sys::Reflect::get(envelope, &MEMORY.into()).ok().and_then(|m| m.as_f64())
}

/// Parses a message's JSON.
pub fn parse<T: for<'de> Deserialize<'de>>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| format!("cannot decode message: {e}"))
}

/// A JavaScript error as text.
pub fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown JavaScript error".to_string())
}

/// Copies bytes into a fresh `ArrayBuffer` that can be transferred.
pub fn to_buffer(bytes: &[u8]) -> js_sys::ArrayBuffer {
    js_sys::Uint8Array::from(bytes).buffer()
}

/// Copies a buffer's bytes into Rust.
pub fn from_buffer(buffer: &js_sys::ArrayBuffer) -> Vec<u8> {
    js_sys::Uint8Array::new(buffer).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tilemerge::Size;

    #[test]
    fn requests_and_responses_survive_json() {
        let grid = Grid::new(Size { width: 320, height: 180 }, Size { width: 64, height: 64 }, 0)
            .expect("a valid grid");
        let tile = TileId { x0: 0, y0: 0, x1: 64, y1: 64 };
        let requests = [
            Request::Begin { session: 1, grid, holding: Holding::Picture },
            Request::Tile { session: 1, tile },
            Request::Render {
                session: 1,
                pass: "ViewLayer.Combined".into(),
                channel: Channel::Rgb,
                mapping: Mapping::Srgb { exposure: -1.5 },
            },
            Request::Range { session: 1, ticket: 3, pass: "ViewLayer.Depth".into(), channel: Channel::A },
            Request::Probe { session: 1, pass: "ViewLayer.Depth".into(), x: 3, y: 179 },
            Request::Export { session: 2, layout: ExrLayout::SinglePart, compression: Compression::Piz },
            Request::CheckSeams { session: 2, pass: "ViewLayer.Depth".into() },
            Request::Metadata { session: 1, ticket: 4, tile: None },
            Request::Metadata { session: 1, ticket: 5, tile: Some(tile) },
            Request::Reference { session: 1 },
            Request::Compare {
                session: 1,
                ticket: 6,
                pass: "ViewLayer.Combined".into(),
                other: Other::Reference("ViewLayer.Combined".into()),
                threshold: 0.01,
                view: DifferenceView::Heat { gain: 4.0 },
            },
            Request::RenderOther {
                session: 1,
                ticket: 7,
                other: Other::Pass("ViewLayer.Noisy Image".into()),
                channel: Channel::Rgb,
                mapping: Mapping::Srgb { exposure: 0.5 },
            },
            Request::End { session: 1 },
        ];
        for request in requests {
            let json = serde_json::to_string(&request).expect("encodes");
            assert_eq!(parse::<Request>(&json), Ok(request));
        }
        let range = Some(ValueRange { min: -0.5, max: 1e10 });
        let reading = ProbeReading::new(tile, vec![("Z".into(), f32::INFINITY), ("R".into(), 0.1)]);
        let responses = [
            Response::Failed { session: 1, tile, reason: "truncated".into() },
            Response::Ranged { session: 1, ticket: 3, kind: Some(PassKind::Data), range },
            Response::Probed { session: 1, x: 0, y: 2, reading: Some(reading) },
            Response::Metadata {
                session: 1,
                ticket: 4,
                found: Some((
                    tile,
                    vec![HeaderAttribute {
                        part: 0,
                        name: "RenderTime".into(),
                        type_name: "string".into(),
                        text: "00:01.25".into(),
                    }],
                )),
            },
            Response::Referenced { session: 1, outcome: Ok(vec!["ViewLayer.Depth".into()]) },
            Response::Referenced { session: 1, outcome: Err("the reference is 10x10".into()) },
            Response::Compared {
                session: 1,
                ticket: 6,
                outcome: Err("the passes share no channel".into()),
                width: 4,
                height: 2,
                regions: vec![Rect { x: 0, y: 0, width: 2, height: 2 }],
            },
            Response::RenderedOther { session: 1, ticket: 7, width: 4, height: 2, regions: vec![] },
        ];
        for response in responses {
            let json = serde_json::to_string(&response).expect("encodes");
            assert_eq!(parse::<Response>(&json), Ok(response));
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse::<Request>("{\"Nope\":1}").is_err());
        assert!(parse::<Response>("not json").is_err());
    }
}
