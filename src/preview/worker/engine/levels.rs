//! A levels session: a frame of any size previewed within a fixed memory. Each tile's pass on
//! screen is kept reduced (its pyramid, from the session's base level up), its file is kept
//! outside the WebAssembly memory ([`TileFiles`]), and its full-size pixels are decoded again
//! when a view zooms in past the base or probes a pixel, a few tiles at a time.

use std::collections::HashMap;

use tilemerge::pyramid::{rect_at_level, TileImage, TilePyramid};
use tilemerge::view::{plane_range, render_plane_packed_rgba8, Channel, Mapping, ValueRange};
use tilemerge::{
    check_blocks, decode_for_grid, DecodeOptions, Grid, PassInfo, PassKind, PassSelection, Rect, TileId,
};

use super::{checked, default_pass, Added, Reply};
use crate::preview::view::ProbeReading;
use crate::preview::worker::protocol::{DrawnTile, Measurement, Request, Response, SessionId, TileDraw};

/// Full-size tiles a worker keeps decoded between requests (a view panned back and forth, a
/// probe moving over a tile): about eight 1024-pixel tiles of four half channels.
pub const FULL_CACHE_BYTES: u64 = 64 << 20;

/// Where a levels session's tile files are kept between decodes: in a browser, outside the
/// WebAssembly memory (which never shrinks), natively in plain memory.
pub trait TileFiles {
    /// Keeps the file of `tile` of `session`.
    fn keep(&mut self, session: SessionId, tile: TileId, bytes: &[u8]) -> Result<(), String>;
    /// The file of `tile` of `session`, as kept.
    fn read(&self, session: SessionId, tile: TileId) -> Result<Vec<u8>, String>;
    /// Drops every file of `session`.
    fn forget(&mut self, session: SessionId);
}

/// Files kept in memory: for native use and tests.
#[derive(Default)]
pub struct HeldFiles(HashMap<(SessionId, TileId), Vec<u8>>);

impl TileFiles for HeldFiles {
    fn keep(&mut self, session: SessionId, tile: TileId, bytes: &[u8]) -> Result<(), String> {
        self.0.insert((session, tile), bytes.to_vec());
        Ok(())
    }

    fn read(&self, session: SessionId, tile: TileId) -> Result<Vec<u8>, String> {
        self.0.get(&(session, tile)).cloned().ok_or_else(|| format!("the file of {tile} is not kept"))
    }

    fn forget(&mut self, session: SessionId) {
        self.0.retain(|(s, _), _| *s != session);
    }
}

/// One merge held as levels.
pub struct LevelsSession {
    id: SessionId,
    grid: Grid,
    base: u8,
    /// The pass the pyramids hold, and every pass of the first tile.
    pass: Option<String>,
    passes: Vec<PassInfo>,
    /// This worker's placed tiles, where their cores are, and their pyramids of `pass`.
    tiles: Vec<(TileId, Rect, TilePyramid)>,
    /// Full-size images of `pass`, the most recently used last.
    full: Vec<(TileId, TileImage)>,
}

impl LevelsSession {
    /// An empty session `id` for `grid`, keeping levels from `base` up.
    pub fn new(id: SessionId, grid: Grid, base: u8) -> LevelsSession {
        LevelsSession { id, grid, base, pass: None, passes: Vec::new(), tiles: Vec::new(), full: Vec::new() }
    }

    /// Carries out `request`, reading kept files from `files`.
    pub fn handle(&mut self, request: Request, bytes: Option<Vec<u8>>, files: &mut dyn TileFiles) -> Reply {
        let session = self.id;
        let error = |reason: String| (Response::Error { session: Some(session), reason }, None);
        match request {
            Request::Tile { tile, draw, .. } => {
                let Some(bytes) = bytes else {
                    let reason = "no file bytes came with the tile".to_string();
                    return (Response::Failed { session, tile, reason }, None);
                };
                match self.add(tile, &bytes, files) {
                    Ok(added) => {
                        let drawn = draw.and_then(|draw| self.draw_placed(tile, draw));
                        added.answer(session, tile, drawn)
                    }
                    Err(reason) => (Response::Failed { session, tile, reason }, None),
                }
            }
            Request::Render { pass, channel, mapping, .. } => match self.hold(&pass, files) {
                Ok(()) => self.render(channel, mapping),
                Err(reason) => error(reason),
            },
            Request::Range { ticket, pass, channel, .. } => match self.hold(&pass, files) {
                Ok(()) => (self.range(ticket, channel), None),
                Err(reason) => error(reason),
            },
            Request::Detail { ticket, pass, channel, mapping, level, region, .. } => {
                match self
                    .hold(&pass, files)
                    .and_then(|()| self.detail(channel, mapping, level, region, files))
                {
                    Ok((regions, pixels)) => {
                        (Response::Detailed { session, ticket, level, regions }, Some(pixels))
                    }
                    Err(reason) => error(reason),
                }
            }
            Request::Probe { pass, x, y, .. } => {
                match self.hold(&pass, files).and_then(|()| self.probe(x, y, files)) {
                    Ok(reading) => (Response::Probed { session, x, y, reading }, None),
                    Err(reason) => error(reason),
                }
            }
            Request::Metadata { ticket, tile, .. } => {
                // The tile whose header the merge carries is the lowest in grid order.
                let order = self.grid.tiles();
                let source =
                    || self.tiles.iter().map(|(t, ..)| *t).min_by_key(|t| order.iter().position(|o| o == t));
                let Some(tile) = tile.or_else(source).filter(|t| self.tiles.iter().any(|(k, ..)| k == t))
                else {
                    return (Response::Metadata { session, ticket, found: None }, None);
                };
                match files.read(session, tile).and_then(|bytes| super::inspect::attributes_of(tile, &bytes))
                {
                    Ok(attributes) => {
                        (Response::Metadata { session, ticket, found: Some((tile, attributes)) }, None)
                    }
                    Err(reason) => error(reason),
                }
            }
            Request::HistogramRange { ticket, .. } | Request::HistogramCounts { ticket, .. } => {
                unavailable(session, ticket, Measurement::Histogram, "A histogram")
            }
            Request::RegionSums { ticket, .. } => {
                unavailable(session, ticket, Measurement::Region, "Statistics")
            }
            // Written by the worker's message loop, which holds the private file system.
            Request::ExportStreamed { .. } | Request::CheckSeamsStreamed { .. } => {
                error("a streamed export or seam check is not a session's".into())
            }
            other => error(format!(
                "{} is not available for a frame previewed in levels ({}x{}); the tilemerge command line \
                 does it at any size",
                what(&other),
                self.grid.image.width,
                self.grid.image.height
            )),
        }
    }

    /// Checks and decodes a tile's pass on screen, keeps its levels and its file.
    fn add(&mut self, tile: TileId, bytes: &[u8], files: &mut dyn TileFiles) -> Result<Added, String> {
        let (info, placed, pixel_bytes) = checked(&self.grid, tile, bytes)?;
        check_blocks(bytes).map_err(|e| e.to_string())?;
        if self.passes.is_empty() {
            self.passes = info.passes.clone();
        }
        let pass = self.pass.get_or_insert_with(|| default_pass(&info.passes)).clone();
        let full = self.decode(tile, bytes, &pass)?;
        files.keep(self.id, tile, bytes)?;
        self.tiles.retain(|(t, ..)| *t != tile);
        self.tiles.push((tile, placed, TilePyramid::of(&full, self.base)));
        self.cache(tile, full);
        let passes = info.passes.iter().map(PassInfo::full_name).collect();
        Ok(Added { placed, passes, pixel_bytes, render_seconds: super::measure::render_seconds(bytes) })
    }

    /// The full-size pixels of `pass` of a tile's file.
    fn decode(&self, tile: TileId, bytes: &[u8], pass: &str) -> Result<TileImage, String> {
        let options =
            DecodeOptions { passes: PassSelection::Only(vec![pass.to_string()]), ..Default::default() };
        let decoded = decode_for_grid(&self.grid, tile, bytes, &options).map_err(|e| e.to_string())?;
        TileImage::placed(&self.grid, tile, &decoded, pass).map_err(|e| e.to_string())
    }

    /// Makes the pyramids hold `pass`, decoding every tile again from its file when they held
    /// another.
    fn hold(&mut self, pass: &str, files: &dyn TileFiles) -> Result<(), String> {
        if self.pass.as_deref() == Some(pass) {
            return Ok(());
        }
        if !self.passes.is_empty() && !self.passes.iter().any(|p| p.full_name() == pass) {
            let names: Vec<String> = self.passes.iter().map(PassInfo::full_name).collect();
            return Err(format!("there is no pass {pass:?}; the tiles have {}", names.join(", ")));
        }
        self.full.clear();
        self.pass = Some(pass.to_string());
        let tiles = std::mem::take(&mut self.tiles);
        for (tile, placed, _) in tiles {
            let full = files.read(self.id, tile).and_then(|bytes| self.decode(tile, &bytes, pass));
            // A tile that cannot be decoded in this pass is left off (its region is not drawn),
            // as the whole-frame preview does.
            if let Ok(full) = full {
                self.tiles.push((tile, placed, TilePyramid::of(&full, self.base)));
            }
        }
        Ok(())
    }

    /// Keeps a full-size image, dropping the least recently used beyond the budget.
    fn cache(&mut self, tile: TileId, image: TileImage) {
        self.full.retain(|(t, _)| *t != tile);
        self.full.push((tile, image));
        while self.full.len() > 1 && self.full.iter().map(|(_, i)| i.bytes()).sum::<u64>() > FULL_CACHE_BYTES
        {
            self.full.remove(0);
        }
    }

    /// The full-size image of a tile: from the cache, or decoded again from its file.
    fn full(&mut self, tile: TileId, files: &dyn TileFiles) -> Result<&TileImage, String> {
        let pass = self.pass.clone().ok_or("no tile is placed")?;
        match self.full.iter().position(|(t, _)| *t == tile) {
            Some(i) => {
                let entry = self.full.remove(i);
                self.full.push(entry);
            }
            None => {
                let bytes = files.read(self.id, tile)?;
                let image = self.decode(tile, &bytes, &pass)?;
                self.cache(tile, image);
            }
        }
        self.full.last().map(|(_, image)| image).ok_or_else(|| "the tile is gone".to_string())
    }

    /// A tile just placed drawn at the base level, when its pass is a colour pass.
    fn draw_placed(&self, tile: TileId, draw: TileDraw) -> Option<(DrawnTile, Rect, Vec<u8>)> {
        let pass = self.pass.clone()?;
        let (_, _, pyramid) = self.tiles.iter().find(|(t, ..)| *t == tile)?;
        let image = pyramid.level(self.base)?;
        if image.info.kind() != PassKind::Colour {
            return None;
        }
        let all = Rect { x: 0, y: 0, width: image.rect.width, height: image.rect.height };
        let mapping = Mapping::Srgb { exposure: draw.exposure };
        let (_, pixels) = render_plane_packed_rgba8(&image.plane(), draw.channel, mapping, &[all]).ok()?;
        Some((DrawnTile { pass, draw }, image.rect, pixels))
    }

    /// Every tile at the base level, packed.
    fn render(&self, channel: Channel, mapping: Mapping) -> Reply {
        let session = self.id;
        let mut regions = Vec::new();
        let mut pixels = Vec::new();
        for (_, _, pyramid) in &self.tiles {
            let Some(image) = pyramid.level(self.base) else { continue };
            let all = Rect { x: 0, y: 0, width: image.rect.width, height: image.rect.height };
            match render_plane_packed_rgba8(&image.plane(), channel, mapping, &[all]) {
                Ok((_, drawn)) => {
                    regions.push(image.rect);
                    pixels.extend_from_slice(&drawn);
                }
                Err(e) => return (Response::Error { session: Some(session), reason: e.to_string() }, None),
            }
        }
        let pixels = (!regions.is_empty()).then_some(pixels);
        (Response::Rendered { session, regions }, pixels)
    }

    /// The kind of the pass and the range of `channel` over the base level of this worker's tiles.
    fn range(&self, ticket: u32, channel: Channel) -> Response {
        let session = self.id;
        let Some(info) = self.tiles.first().and_then(|(_, _, p)| p.level(self.base)).map(|i| i.info.kind())
        else {
            return Response::Ranged { session, ticket, kind: None, range: None };
        };
        if info == PassKind::Colour {
            return Response::Ranged { session, ticket, kind: Some(info), range: None };
        }
        let ranges = self.tiles.iter().filter_map(|(_, _, p)| p.level(self.base)).map(|image| {
            let all = Rect { x: 0, y: 0, width: image.rect.width, height: image.rect.height };
            plane_range(&image.plane(), channel, &[all]).ok().flatten()
        });
        Response::Ranged { session, ticket, kind: Some(info), range: ValueRange::merge_all(ranges) }
    }

    /// `region` (image pixels) of this worker's tiles at `level`, from their full-size pixels.
    fn detail(
        &mut self,
        channel: Channel,
        mapping: Mapping,
        level: u8,
        region: Rect,
        files: &dyn TileFiles,
    ) -> Result<(Vec<Rect>, Vec<u8>), String> {
        let wanted: Vec<TileId> = self
            .tiles
            .iter()
            .filter(|(_, placed, _)| !placed.intersect(&region).is_empty())
            .map(|(t, ..)| *t)
            .collect();
        let at_level = rect_at_level(region, level);
        let mut regions = Vec::new();
        let mut pixels = Vec::new();
        for tile in wanted {
            let full = self.full(tile, files)?;
            let image = full.at_level(level);
            let part = image.rect.intersect(&at_level);
            if part.is_empty() {
                continue;
            }
            let local = Rect { x: part.x - image.rect.x, y: part.y - image.rect.y, ..part };
            let (_, drawn) = render_plane_packed_rgba8(&image.plane(), channel, mapping, &[local])
                .map_err(|e| e.to_string())?;
            regions.push(part);
            pixels.extend_from_slice(&drawn);
        }
        Ok((regions, pixels))
    }

    /// The values at image pixel `(x, y)` at full precision, when one of this worker's tiles covers it.
    fn probe(&mut self, x: u32, y: u32, files: &dyn TileFiles) -> Result<Option<ProbeReading>, String> {
        let inside = |r: &Rect| x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
        let Some(tile) = self.tiles.iter().find(|(_, placed, _)| inside(placed)).map(|(t, ..)| *t) else {
            return Ok(None);
        };
        let values = self.full(tile, files)?.values_at(x, y);
        Ok(values.map(|values| ProbeReading::new(tile, values)))
    }

    /// Bytes the pyramids and the cached full-size tiles hold.
    pub fn held_bytes(&self) -> u64 {
        let pyramids: u64 = self.tiles.iter().map(|(_, _, p)| p.bytes()).sum();
        pyramids + self.full.iter().map(|(_, i)| i.bytes()).sum::<u64>()
    }
}

/// A measurement a levels session does not make, with the reason its panel shows.
fn unavailable(session: SessionId, ticket: u32, measurement: Measurement, what: &str) -> Reply {
    let reason = format!(
        "{what} is not available for a frame previewed in levels: it would read every pixel at full size"
    );
    (Response::Unmeasured { session, ticket, measurement, reason }, None)
}

/// What a request does, in words, for saying it cannot be done here.
fn what(request: &Request) -> &'static str {
    match request {
        Request::Export { .. } => "Exporting the merge from the browser",
        Request::CheckSeams { .. } => "The seam check",
        Request::Reference { .. }
        | Request::Compare { .. }
        | Request::RenderOther { .. }
        | Request::OtherJobTile { .. } => "Comparing",
        _ => "This",
    }
}

#[cfg(test)]
mod tests;
