//! Messages between the page and a preview worker. Each message is an envelope object: `msg` holds
//! the request or response as JSON, `buf` an optional `ArrayBuffer` (tile file, RGBA pixels, EXR)
//! that travels in the transfer list, so bytes are moved between threads, never copied.

use serde::{Deserialize, Serialize};
use tilemerge::analysis::{
    ChannelHistogram, ChannelSums, DifferencePartial, DifferenceView, HeaderAttribute, HistogramOptions,
    HistogramScale, Series,
};
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
    /// For a frame too large to hold: keeps each tile's pass on screen reduced, as levels from
    /// `base` up (see `tilemerge::pyramid`), and its file outside the WebAssembly memory; the
    /// full-size pixels are decoded again where a view zooms in (`Detail`) or probes.
    Levels { base: u8 },
}

/// How a tile is drawn the moment it is placed: the channel and exposure on screen. Only a colour
/// pass is drawn so (in sRGB); a data pass needs the whole image's range, known at the end.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TileDraw {
    pub channel: Channel,
    pub exposure: f32,
}

/// A tile drawn as it was placed: the pass and drawing its pixels (the placed rectangle, packed
/// as `render_packed_rgba8` packs it) were made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawnTile {
    pub pass: String,
    pub draw: TileDraw,
}

/// B of an A/B comparison: a pass of the reference EXR the page sent, another pass of the
/// same merge, or a pass of another job's merge whose tiles the page sent (full names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Other {
    /// A pass of the reference file.
    Reference(String),
    /// Another pass of the merge.
    Pass(String),
    /// A pass of the merge of job `job` (its id), from the tiles sent by `OtherJobTile`.
    Job { job: String, pass: String },
}

/// How a streamed export writes the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamedExport {
    pub layout: ExrLayout,
    pub compression: Compression,
}

/// What the page asks of a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Start an empty session for `grid` (replacing any session with that id).
    Begin { session: SessionId, grid: Grid, holding: Holding },
    /// Decode and place a tile; its file bytes travel as the envelope's buffer. With `draw`, a
    /// tile of a colour pass comes back drawn, so the image fills in tile by tile.
    Tile { session: SessionId, tile: TileId, draw: Option<TileDraw> },
    /// Draw `channel` of `pass` (full name) with `mapping` as 8-bit RGBA.
    Render { session: SessionId, pass: String, channel: Channel, mapping: Mapping },
    /// The kind of `pass` and the range of its `channel` over this worker's placed pixels (false
    /// colour needs the range of the whole image, which the page merges); `ticket` comes back.
    Range { session: SessionId, ticket: u32, pass: String, channel: Channel },
    /// Every channel of `pass` at image pixel `x`, `y` (rows from the top).
    Probe { session: SessionId, pass: String, x: u32, y: u32 },
    /// Draw `region` (image pixels) of this worker's tiles at `level` (0: full size) from their
    /// full-size pixels, for a view of a levels session zoomed in past its base.
    Detail {
        session: SessionId,
        ticket: u32,
        pass: String,
        channel: Channel,
        mapping: Mapping,
        level: u8,
        region: Rect,
    },
    /// Write the merged image as an EXR, from the session's files, one pass at a time.
    Export { session: SessionId, layout: ExrLayout, compression: Compression },
    /// Merge `tiles` again band by band into a file of the origin's private file system (for a
    /// frame previewed in levels): each tile read from its URL, or with `None` from the picked
    /// file at the same place in the envelope's list of files. Answered with `ExportProgress`
    /// as tiles are placed, then `ExportWritten`.
    ExportStreamed {
        session: SessionId,
        grid: Grid,
        tiles: Vec<(TileId, Option<String>)>,
        export: StreamedExport,
    },
    /// Compare neighbouring tiles' overscan in `pass` (full name) a band of tile rows at a time,
    /// reading `tiles` as `ExportStreamed` does (for a frame previewed in levels); answered with
    /// `SeamsChecked`.
    CheckSeamsStreamed { session: SessionId, grid: Grid, tiles: Vec<(TileId, Option<String>)>, pass: String },
    /// Compare neighbouring tiles' overscan in `pass` (full name).
    CheckSeams { session: SessionId, pass: String },
    /// The header attributes of `tile`'s file, or with `None` of the tile whose header the merge
    /// carries (this worker's share: the page keeps the earliest tile's); `ticket` comes back.
    Metadata { session: SessionId, ticket: u32, tile: Option<TileId> },
    /// The first round of a histogram of `channel` of `pass` as the view shows it: the range of
    /// its series over this worker's placed pixels inside `region` (all of them with `None`).
    HistogramRange {
        session: SessionId,
        ticket: u32,
        pass: String,
        channel: Channel,
        region: Option<Rect>,
        scale: HistogramScale,
    },
    /// The second round: the counts over the same pixels with the range the page combined.
    HistogramCounts {
        session: SessionId,
        ticket: u32,
        pass: String,
        channel: Channel,
        region: Option<Rect>,
        options: HistogramOptions,
    },
    /// Sums (count, sum, min, max) of every channel of `pass` over this worker's placed pixels
    /// inside `region`, which the page combines into the rectangle's statistics.
    RegionSums { session: SessionId, ticket: u32, pass: String, region: Rect },
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
    /// Keep a tile of another job's merge (job `job`, its own `grid`, whose image must be the
    /// merge's size) for comparisons; its file travels as the envelope's buffer. Every worker gets
    /// every tile: each compares its own tiles of A with whichever of B's tiles cover them. A tile
    /// of another job (or grid) than the tiles kept so far replaces them all.
    OtherJobTile { session: SessionId, job: String, grid: Grid, tile: TileId },
    /// Forget the session and free its memory.
    End { session: SessionId },
}

impl Request {
    /// The session the request is for.
    pub fn session(&self) -> SessionId {
        match self {
            Request::Begin { session, .. }
            | Request::Tile { session, .. }
            | Request::Render { session, .. }
            | Request::Range { session, .. }
            | Request::Probe { session, .. }
            | Request::Detail { session, .. }
            | Request::Export { session, .. }
            | Request::ExportStreamed { session, .. }
            | Request::CheckSeamsStreamed { session, .. }
            | Request::CheckSeams { session, .. }
            | Request::Metadata { session, .. }
            | Request::HistogramRange { session, .. }
            | Request::HistogramCounts { session, .. }
            | Request::RegionSums { session, .. }
            | Request::Reference { session }
            | Request::Compare { session, .. }
            | Request::RenderOther { session, .. }
            | Request::OtherJobTile { session, .. }
            | Request::End { session } => *session,
        }
    }
}

/// What a worker answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is listening; messages sent before this would have been lost.
    Ready,
    /// The tile is on the canvas (or its file kept); `passes` are every pass of the tile (full
    /// names, from its header) although only the one on screen is decoded; `pixel_bytes` is what
    /// a pixel of its largest pass takes.
    /// `drawn` says what the pixels of `placed` travelling as the buffer show, if any.
    /// `render_seconds` is the `RenderTime` Blender wrote in its header, when it did.
    Placed {
        session: SessionId,
        tile: TileId,
        placed: Rect,
        passes: Vec<String>,
        pixel_bytes: u64,
        drawn: Option<Box<DrawnTile>>,
        #[serde(default)]
        render_seconds: Option<f64>,
        /// Where on the canvas the drawn pixels go, when not at `placed` (a levels session
        /// draws a tile reduced, on a canvas of its base level).
        #[serde(default)]
        drawn_at: Option<Rect>,
    },
    /// The tile could not be placed, and why (shown to the user).
    Failed { session: SessionId, tile: TileId, reason: String },
    /// The RGBA pixels of `regions` (this worker's placed tiles) travel as the buffer, one region
    /// after another (see `tilemerge::view::render_packed_rgba8`); in a levels session, in pixels
    /// of its base level.
    Rendered { session: SessionId, regions: Vec<Rect> },
    /// The answer to a `Detail`: the pixels of `regions` (in pixels of `level`) travel as the
    /// buffer, packed like `Rendered`'s.
    Detailed { session: SessionId, ticket: u32, level: u8, regions: Vec<Rect> },
    /// The EXR file travels as the buffer.
    Exported { session: SessionId },
    /// The answer to a `CheckSeamsStreamed`: the check (no map: it would be the frame's size),
    /// or why it could not be made.
    SeamsChecked { session: SessionId, outcome: Result<SeamCheck, String> },
    /// A streamed export has placed `placed` of its `total` tiles.
    ExportProgress { session: SessionId, placed: usize, total: usize },
    /// A streamed export is written: the file's name in the origin's private file system and
    /// its size in bytes, or why it could not be.
    ExportWritten { session: SessionId, outcome: Result<(String, u64), String> },
    /// The seam check of a pass; the seam map travels as the buffer (`width * height` RGBA).
    Seams { session: SessionId, check: SeamCheck, width: u32, height: u32 },
    /// The answer to a `Range`: `None`s when this worker has no tile placed.
    Ranged { session: SessionId, ticket: u32, kind: Option<PassKind>, range: Option<ValueRange> },
    /// The answer to a `Probe`: `None` when none of this worker's tiles covers the pixel.
    Probed { session: SessionId, x: u32, y: u32, reading: Option<ProbeReading> },
    /// The answer to a `Metadata`: `None` when this worker holds no such file; values are cut
    /// to [`tilemerge::analysis::HeaderAttribute`]s of bounded length.
    Metadata { session: SessionId, ticket: u32, found: Option<(TileId, Vec<HeaderAttribute>)> },
    /// The answer to a `HistogramRange`: the series the view shows, and their range here
    /// (`None` when this worker has no finite value of them in the region).
    HistogramRanged { session: SessionId, ticket: u32, series: Vec<Series>, range: Option<ValueRange> },
    /// The answer to a `HistogramCounts`: one per series (zeros when no tile here is in the region).
    HistogramCounted { session: SessionId, ticket: u32, channels: Vec<ChannelHistogram> },
    /// The answer to a `RegionSums`: one per channel of the pass.
    RegionSummed { session: SessionId, ticket: u32, channels: Vec<ChannelSums> },
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
    /// The answer to a `RenderOther`: B's pixels of `regions` travel as the buffer, packed like
    /// `Rendered`'s; `width` and `height` are the image's, for B's canvas.
    RenderedOther { session: SessionId, ticket: u32, width: u32, height: u32, regions: Vec<Rect> },
    /// A `HistogramRange`, `HistogramCounts` or `RegionSums` that could not be carried out, and
    /// why: the panel that asked says so instead of waiting for an answer that never comes.
    Unmeasured { session: SessionId, ticket: u32, measurement: Measurement, reason: String },
    /// The answer to an `OtherJobTile`: kept, or why it cannot be used (shown with its URL).
    OtherJobTile { session: SessionId, job: String, tile: TileId, outcome: Result<(), String> },
    /// A request that could not be carried out, and why.
    Error { session: Option<SessionId>, reason: String },
}

/// Which Measure panel a measuring request serves (each numbers its tickets on its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measurement {
    Histogram,
    Region,
}

/// A message with its optional transferred buffer, or the picked file it is about.
pub struct Envelope<T> {
    /// The request or response.
    pub message: T,
    /// The bytes that came with it.
    pub buffer: Option<js_sys::ArrayBuffer>,
    /// A picked file whose bytes the worker reads itself (a `File` is cloned by reference, so
    /// the page never holds its bytes).
    pub file: Option<web_sys::File>,
    /// The picked files of an `ExportStreamed`, by reference too.
    pub files: Option<js_sys::Array>,
}

const MESSAGE: &str = "msg";
const BUFFER: &str = "buf";
const FILE: &str = "file";
const FILES: &str = "files";
/// The sender's WebAssembly memory in bytes, on every answer: the page shows the workers' peak.
const MEMORY: &str = "mem";
/// The milliseconds the worker spent on the request answered: the page tells where time goes.
const BUSY: &str = "busy";

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
    let file = js_sys::Reflect::get(data, &FILE.into()).ok().and_then(|f| f.dyn_into().ok());
    let files = js_sys::Reflect::get(data, &FILES.into()).ok().and_then(|f| f.dyn_into().ok());
    Ok(Envelope { message, buffer, file, files })
}

/// Adds a picked file to a packed envelope, for the worker to read.
pub fn set_file(envelope: &JsValue, file: &web_sys::File) -> Result<(), String> {
    js_sys::Reflect::set(envelope, &FILE.into(), file).map(|_| ()).map_err(describe)
}

/// Adds the picked files of a streamed export to a packed envelope.
pub fn set_files(envelope: &JsValue, files: &js_sys::Array) -> Result<(), String> {
    js_sys::Reflect::set(envelope, &FILES.into(), files).map(|_| ()).map_err(describe)
}

/// Adds the sender's memory size to a packed envelope.
pub fn set_memory(envelope: &JsValue, bytes: f64) -> Result<(), String> {
    js_sys::Reflect::set(envelope, &MEMORY.into(), &bytes.into()).map(|_| ()).map_err(describe)
}

/// Adds the time spent on the request to a packed answer.
pub fn set_busy(envelope: &JsValue, millis: f64) -> Result<(), String> {
    js_sys::Reflect::set(envelope, &BUSY.into(), &millis.into()).map(|_| ()).map_err(describe)
}

/// The time the worker spent on the request, when it said.
pub fn busy(envelope: &JsValue) -> Option<f64> {
    js_sys::Reflect::get(envelope, &BUSY.into()).ok().and_then(|m| m.as_f64())
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
        let range = Some(ValueRange { min: -0.5, max: 1e10 });
        let requests = [
            Request::Begin { session: 1, grid, holding: Holding::Picture },
            Request::Tile { session: 1, tile, draw: None },
            Request::Tile { session: 1, tile, draw: Some(TileDraw { channel: Channel::Rgb, exposure: 1.5 }) },
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
            Request::HistogramRange {
                session: 1,
                ticket: 6,
                pass: "ViewLayer.Combined".into(),
                channel: Channel::Luminance,
                region: Some(Rect { x: 1, y: 2, width: 3, height: 4 }),
                scale: HistogramScale::Log,
            },
            Request::HistogramCounts {
                session: 1,
                ticket: 6,
                pass: "ViewLayer.Depth".into(),
                channel: Channel::Rgb,
                region: None,
                options: HistogramOptions { bins: 64, scale: HistogramScale::Linear, range },
            },
            Request::RegionSums {
                session: 1,
                ticket: 7,
                pass: "ViewLayer.Combined".into(),
                region: Rect { x: 0, y: 0, width: 9, height: 9 },
            },
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
            Request::OtherJobTile { session: 1, job: "a-job".into(), grid, tile },
            Request::Compare {
                session: 1,
                ticket: 8,
                pass: "ViewLayer.Depth".into(),
                other: Other::Job { job: "a-job".into(), pass: "ViewLayer.Depth".into() },
                threshold: 0.0,
                view: DifferenceView::Absolute { gain: 1.0 },
            },
            Request::End { session: 1 },
        ];
        for request in requests {
            let json = serde_json::to_string(&request).expect("encodes");
            assert_eq!(parse::<Request>(&json), Ok(request));
        }
        let reading = ProbeReading::new(tile, vec![("Z".into(), f32::INFINITY), ("R".into(), 0.1)]);
        let responses = [
            Response::Placed {
                session: 1,
                tile,
                placed: Rect { x: 0, y: 0, width: 64, height: 64 },
                passes: vec!["ViewLayer.Combined".into()],
                pixel_bytes: 16,
                drawn: None,
                render_seconds: Some(1.25),
                drawn_at: Some(Rect { x: 1, y: 2, width: 3, height: 4 }),
            },
            Response::HistogramRanged { session: 1, ticket: 6, series: vec![Series::Luminance], range },
            Response::HistogramCounted {
                session: 1,
                ticket: 6,
                channels: vec![ChannelHistogram {
                    series: Series::Component("Z".into()),
                    counts: vec![1, 0, 7],
                    below: 2,
                    above: 3,
                    non_finite: 4,
                }],
            },
            Response::RegionSummed {
                session: 1,
                ticket: 7,
                channels: vec![ChannelSums {
                    component: "R".into(),
                    min: Some(-1.0),
                    max: Some(2.5),
                    sum: 10.25,
                    finite: 5,
                    non_finite: 1,
                }],
            },
            Response::Failed { session: 1, tile, reason: "truncated".into() },
            Response::Placed {
                session: 1,
                tile,
                placed: Rect { x: 0, y: 0, width: 64, height: 64 },
                passes: vec!["ViewLayer.Combined".into()],
                pixel_bytes: 8,
                drawn: Some(Box::new(DrawnTile {
                    pass: "ViewLayer.Combined".into(),
                    draw: TileDraw { channel: Channel::G, exposure: 0.0 },
                })),
                render_seconds: None,
                drawn_at: None,
            },
            Response::Rendered { session: 1, regions: vec![Rect { x: 64, y: 0, width: 36, height: 64 }] },
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
            Response::Unmeasured {
                session: 1,
                ticket: 8,
                measurement: Measurement::Region,
                reason: "the merge has no pass \"ViewLayer.Depth\"".into(),
            },
            Response::OtherJobTile { session: 1, job: "a-job".into(), tile, outcome: Ok(()) },
            Response::OtherJobTile {
                session: 1,
                job: "a-job".into(),
                tile,
                outcome: Err("the other job's image is 512x320".into()),
            },
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
