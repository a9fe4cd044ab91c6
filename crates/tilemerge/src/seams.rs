//! Seam check: neighbouring tiles both render their shared overscan, and on a clean render they
//! agree exactly. Each tile's overscan is compared with the core pixels of the tile that owns
//! them. Memory stays bounded: a strip of overscan is kept only while its owner is not placed
//! yet, and dropped once compared.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::layout::{Rect, TileId};
use crate::passes::{BlockAt, PassInfo, Samples};

/// How two compared tiles touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EdgeKind {
    /// Side by side (same row of tiles).
    Horizontal,
    /// One above the other (same column).
    Vertical,
    /// Corner to corner.
    Diagonal,
}

/// Differences found in one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSeams {
    /// The channel's full name.
    pub channel: String,
    /// Largest absolute difference (infinite when only one side is NaN).
    pub max_abs: f64,
    /// Mean absolute difference over the compared pixels.
    pub mean_abs: f64,
    /// Number of pixels compared.
    pub pixels: u64,
}

/// Differences found in one pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassSeams {
    /// `<ViewLayer>.<Pass>`.
    pub pass: String,
    /// Largest absolute difference over its channels.
    pub max_abs: f64,
    /// Mean absolute difference over its channels and pixels.
    pub mean_abs: f64,
    /// Per channel.
    pub channels: Vec<ChannelSeams>,
}

/// Differences between two neighbouring tiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeSeams {
    /// One tile.
    pub a: TileId,
    /// The other.
    pub b: TileId,
    /// How they touch.
    pub kind: EdgeKind,
    /// Per pass.
    pub passes: Vec<PassSeams>,
}

/// The seam statistics of everything placed so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeamReport {
    /// Per pass, over all edges.
    pub passes: Vec<PassSeams>,
    /// Per pair of tiles that were compared.
    pub edges: Vec<EdgeSeams>,
    /// Overscan strips still waiting for a tile that is not placed.
    pub pending_strips: usize,
}

#[derive(Debug, Clone, Copy, Default)]
struct Accum {
    max: f64,
    sum: f64,
    count: u64,
}

impl Accum {
    fn add(&mut self, diff: f64) {
        if diff > self.max || diff.is_nan() {
            self.max = diff;
        }
        self.sum += diff;
        self.count += 1;
    }

    fn merge(&mut self, other: &Accum) {
        if other.max > self.max {
            self.max = other.max;
        }
        self.sum += other.sum;
        self.count += other.count;
    }

    fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }
}

struct Strip {
    from: usize,
    rect: Rect,
    /// Per pass, per channel: `rect`'s samples, rows of `rect.width`.
    passes: Vec<Vec<Samples>>,
}

struct Patch {
    rect: Rect,
    diffs: Vec<f32>,
}

/// A view of samples laid out as rows: which buffer, its stride and where `rect` starts in it.
pub(crate) struct Source<'a> {
    /// Per pass, per channel.
    pub passes: Vec<&'a [Samples]>,
    /// Row length of the buffers.
    pub stride: u32,
    /// The image position of the buffers' (0, 0).
    pub origin_x: u32,
    /// The image position of the buffers' (0, 0).
    pub origin_y: u32,
}

impl Source<'_> {
    fn block(&self, region: &Rect) -> BlockAt {
        BlockAt {
            stride: self.stride as usize,
            x: region.x.saturating_sub(self.origin_x) as usize,
            y: region.y.saturating_sub(self.origin_y) as usize,
            width: region.width as usize,
            height: region.height as usize,
        }
    }
}

/// The accumulated seam state of a canvas.
pub(crate) struct SeamTracker {
    pending: HashMap<usize, Vec<Strip>>,
    edges: BTreeMap<(usize, usize), Vec<Vec<Accum>>>,
    patches: Vec<Vec<Patch>>,
}

impl SeamTracker {
    pub fn new() -> Self {
        SeamTracker { pending: HashMap::new(), edges: BTreeMap::new(), patches: Vec::new() }
    }

    /// Keeps a copy of `source`'s pixels in `rect` until tile `owner` is placed.
    pub fn keep_strip(&mut self, from: usize, owner: usize, rect: Rect, source: &Source<'_>) {
        let at = source.block(&rect);
        let len = rect.area() as usize;
        let dst = BlockAt { stride: rect.width as usize, x: 0, y: 0, width: at.width, height: at.height };
        let passes = source
            .passes
            .iter()
            .map(|channels| {
                channels
                    .iter()
                    .map(|samples| {
                        let mut copy = Samples::zeroed(samples.sample_type(), len);
                        copy.copy_block(dst, samples, at);
                        copy
                    })
                    .collect()
            })
            .collect();
        self.pending.entry(owner).or_default().push(Strip { from, rect, passes });
    }

    /// Compares the strips waiting for `owner`, now that its pixels (`placed`) are in `canvas`.
    pub fn owner_placed(&mut self, owner: usize, placed: &Rect, canvas: &Source<'_>) {
        for strip in self.pending.remove(&owner).unwrap_or_default() {
            let region = strip.rect.intersect(placed);
            if region.is_empty() {
                continue;
            }
            let view = Source {
                passes: strip.passes.iter().map(Vec::as_slice).collect(),
                stride: strip.rect.width,
                origin_x: strip.rect.x,
                origin_y: strip.rect.y,
            };
            self.compare(strip.from, owner, &region, &view, canvas);
        }
    }

    /// Forgets strips waiting for a tile that failed.
    pub fn drop_strips_for(&mut self, owner: usize) {
        self.pending.remove(&owner);
    }

    /// Compares `overscan` (tile `from`) against `core` (tile `owner`) over `region`.
    pub fn compare(
        &mut self,
        from: usize,
        owner: usize,
        region: &Rect,
        overscan: &Source<'_>,
        core: &Source<'_>,
    ) {
        let a = overscan.block(region);
        let b = core.block(region);
        let pixels = region.area() as usize;
        let key = (from.min(owner), from.max(owner));
        let pass_count = overscan.passes.len().min(core.passes.len());
        if self.patches.len() < pass_count {
            self.patches.resize_with(pass_count, Vec::new);
        }
        let edge = self.edges.entry(key).or_default();
        for (pass, (ours, theirs)) in overscan.passes.iter().zip(&core.passes).enumerate() {
            if edge.len() <= pass {
                edge.resize_with(pass + 1, Vec::new);
            }
            let Some(channel_accums) = edge.get_mut(pass) else {
                continue;
            };
            if channel_accums.len() < ours.len() {
                channel_accums.resize(ours.len(), Accum::default());
            }
            let mut diffs = vec![0f32; pixels];
            for ((x, y), accum) in ours.iter().zip(theirs.iter()).zip(channel_accums.iter_mut()) {
                for row in 0..a.height {
                    for col in 0..a.width {
                        let ia = (a.y + row) * a.stride + a.x + col;
                        let ib = (b.y + row) * b.stride + b.x + col;
                        let (Some(va), Some(vb)) = (get_f64(x, ia), get_f64(y, ib)) else {
                            continue;
                        };
                        let diff = if va.is_nan() && vb.is_nan() {
                            0.0
                        } else if va.is_nan() || vb.is_nan() {
                            f64::INFINITY
                        } else {
                            (va - vb).abs()
                        };
                        accum.add(diff);
                        if let Some(d) = diffs.get_mut(row * a.width + col) {
                            *d = d.max(diff as f32);
                        }
                    }
                }
            }
            if let Some(patches) = self.patches.get_mut(pass) {
                patches.push(Patch { rect: *region, diffs });
            }
        }
    }

    /// Per-pixel largest difference of one pass over the whole image (0 where nothing overlaps).
    pub fn map(&self, pass: usize, width: u32, height: u32) -> Vec<f32> {
        let mut map = vec![0f32; width as usize * height as usize];
        for patch in self.patches.get(pass).map(Vec::as_slice).unwrap_or(&[]) {
            let w = patch.rect.width as usize;
            for (i, diff) in patch.diffs.iter().enumerate() {
                let x = patch.rect.x as usize + i % w.max(1);
                let y = patch.rect.y as usize + i / w.max(1);
                if let Some(m) = map.get_mut(y * width as usize + x) {
                    *m = m.max(*diff);
                }
            }
        }
        map
    }

    /// The statistics, naming tiles and passes.
    pub fn report(&self, tiles: &[TileId], passes: &[PassInfo]) -> SeamReport {
        let mut totals: Vec<Vec<Accum>> =
            passes.iter().map(|p| vec![Accum::default(); p.channels.len()]).collect();
        let mut edges = Vec::new();
        for ((a, b), per_pass) in &self.edges {
            let (Some(ta), Some(tb)) = (tiles.get(*a), tiles.get(*b)) else {
                continue;
            };
            for (total, accums) in totals.iter_mut().zip(per_pass) {
                for (t, acc) in total.iter_mut().zip(accums) {
                    t.merge(acc);
                }
            }
            edges.push(EdgeSeams {
                a: *ta,
                b: *tb,
                kind: edge_kind(ta, tb),
                passes: summarize(passes, per_pass),
            });
        }
        SeamReport {
            passes: summarize(passes, &totals),
            edges,
            pending_strips: self.pending.values().map(Vec::len).sum(),
        }
    }
}

fn get_f64(samples: &Samples, i: usize) -> Option<f64> {
    match samples {
        Samples::F16(v) => v.get(i).map(|s| f64::from(s.to_f32())),
        Samples::F32(v) => v.get(i).map(|s| f64::from(*s)),
        Samples::U32(v) => v.get(i).map(|s| f64::from(*s)),
    }
}

fn edge_kind(a: &TileId, b: &TileId) -> EdgeKind {
    if a.y0 == b.y0 {
        EdgeKind::Horizontal
    } else if a.x0 == b.x0 {
        EdgeKind::Vertical
    } else {
        EdgeKind::Diagonal
    }
}

fn summarize(passes: &[PassInfo], accums: &[Vec<Accum>]) -> Vec<PassSeams> {
    passes
        .iter()
        .zip(accums)
        .map(|(pass, channels)| {
            let mut total = Accum::default();
            let channels = pass
                .channels
                .iter()
                .zip(channels)
                .map(|(info, acc)| {
                    total.merge(acc);
                    ChannelSeams {
                        channel: info.name.clone(),
                        max_abs: acc.max,
                        mean_abs: acc.mean(),
                        pixels: acc.count,
                    }
                })
                .collect();
            PassSeams { pass: pass.display_name(), max_abs: total.max, mean_abs: total.mean(), channels }
        })
        .collect()
}
