//! The seam check as the page shows it: for the pass on screen, how much neighbouring tiles
//! disagree in their shared overscan, worst edges first, a one-line verdict and the seam map as
//! RGBA pixels. Built in a worker from tilemerge's [`SeamReport`]; plain data, tested natively.

use serde::{Deserialize, Serialize};
use tilemerge::{EdgeKind, SeamReport, TileId};

/// Differences up to this are "clean". Tiles of a clean render agree bit for bit (the
/// fixtures' Depth and Noisy Image give exactly 0), while a per-tile denoised pass is off by
/// up to 0.98; this allows one step of a half float at 1.0 (2⁻¹⁰), far below what shows on
/// screen (one 8-bit step is 1/255), for encoders that round differently.
pub const CLEAN_UP_TO: f64 = 1.0 / 1024.0;

/// How many edges the page lists.
pub const WORST_EDGES: usize = 10;

/// Two neighbouring tiles and how much they disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeamEdge {
    /// One tile.
    pub a: TileId,
    /// The other.
    pub b: TileId,
    /// How they touch.
    pub kind: EdgeKind,
    /// Largest absolute difference over the pass's channels.
    pub max_abs: f64,
    /// Mean absolute difference over the compared pixels.
    pub mean_abs: f64,
    /// The channel with the largest difference (full name).
    pub channel: String,
}

/// The seam check of one pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeamCheck {
    /// The pass checked (full name); the result belongs to it alone.
    pub pass: String,
    /// Largest difference over every edge.
    pub max_abs: f64,
    /// Every compared pair of tiles, worst first.
    pub edges: Vec<SeamEdge>,
}

impl SeamCheck {
    /// The check of `pass` from a report of a canvas holding that pass.
    pub fn from_report(pass: &str, report: &SeamReport) -> SeamCheck {
        let total = report.passes.iter().find(|p| p.pass == pass).or(report.passes.first());
        let mut edges: Vec<SeamEdge> = report
            .edges
            .iter()
            .filter_map(|edge| {
                let seams = edge.passes.iter().find(|p| p.pass == pass).or(edge.passes.first())?;
                let worst = seams.channels.iter().max_by(|x, y| x.max_abs.total_cmp(&y.max_abs));
                Some(SeamEdge {
                    a: edge.a,
                    b: edge.b,
                    kind: edge.kind,
                    max_abs: seams.max_abs,
                    mean_abs: seams.mean_abs,
                    channel: worst.map(|c| c.channel.clone()).unwrap_or_default(),
                })
            })
            .collect();
        edges.sort_by(|x, y| y.max_abs.total_cmp(&x.max_abs).then(y.mean_abs.total_cmp(&x.mean_abs)));
        SeamCheck { pass: pass.to_string(), max_abs: total.map_or(0.0, |t| t.max_abs), edges }
    }

    /// Edges whose difference is above [`CLEAN_UP_TO`] (or not a number).
    pub fn seam_edges(&self) -> usize {
        self.edges.iter().filter(|e| is_seam(e.max_abs)).count()
    }

    /// Whether no edge shows a seam.
    pub fn is_clean(&self) -> bool {
        self.seam_edges() == 0
    }

    /// The one-line verdict, e.g. `Seams up to 0.984 on ViewLayer.Combined, 12 edges`.
    pub fn verdict(&self) -> String {
        let pass = &self.pass;
        let n = self.seam_edges();
        let edges = if n == 1 { "1 edge".to_string() } else { format!("{n} edges") };
        if self.edges.is_empty() {
            format!("Nothing to check on {pass}: no two placed tiles overlap")
        } else if self.is_clean() {
            format!("Clean: no seams on {pass}")
        } else if self.max_abs.is_finite() {
            format!("Seams up to {} on {pass}, {edges}", figure(self.max_abs))
        } else {
            format!("Seams on {pass}: NaN or infinite differences, {edges}")
        }
    }

    /// The worst edges, for the table.
    pub fn worst(&self) -> &[SeamEdge] {
        self.edges.get(..WORST_EDGES.min(self.edges.len())).unwrap_or(&[])
    }
}

/// Whether a difference is a seam.
fn is_seam(max_abs: f64) -> bool {
    max_abs.is_nan() || max_abs > CLEAN_UP_TO
}

/// A difference for people: three decimals, more for tiny ones.
pub fn figure(value: f64) -> String {
    if value != 0.0 && value.abs() < 0.001 {
        format!("{value:.2e}")
    } else {
        format!("{value:.3}")
    }
}

/// The words for an edge's kind.
pub fn kind_label(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Horizontal => "side by side",
        EdgeKind::Vertical => "above / below",
        EdgeKind::Diagonal => "corner",
    }
}

/// The seam map (per pixel the largest difference, 0 where nothing overlaps) as RGBA pixels to
/// lay over the image: transparent where clean, faint yellow for slight differences (so the image
/// stays readable) to opaque red at the largest one.
pub fn seam_map_rgba(map: &[f32]) -> Vec<u8> {
    let largest = map.iter().copied().filter(|d| d.is_finite()).fold(0f32, f32::max);
    let mut rgba = vec![0u8; map.len() * 4];
    for (px, &diff) in rgba.chunks_exact_mut(4).zip(map) {
        if !is_seam(f64::from(diff)) {
            continue;
        }
        let t = if diff.is_finite() && largest > 0.0 { (diff / largest).clamp(0.0, 1.0).sqrt() } else { 1.0 };
        px.copy_from_slice(&[255, (220.0 * (1.0 - t)) as u8, 32, (40.0 + 215.0 * t) as u8]);
    }
    rgba
}

#[cfg(test)]
mod tests {
    use super::*;
    use tilemerge::{ChannelSeams, EdgeSeams, PassSeams};

    fn tile(x0: u32) -> TileId {
        TileId { x0, y0: 0, x1: x0 + 64, y1: 64 }
    }

    fn pass(max: [f64; 2]) -> PassSeams {
        let channel = |name: &str, max_abs| ChannelSeams {
            channel: name.into(),
            max_abs,
            mean_abs: max_abs / 4.0,
            pixels: 10,
        };
        PassSeams {
            pass: "ViewLayer.Combined".into(),
            max_abs: max[0].max(max[1]),
            mean_abs: 0.1,
            channels: vec![channel("ViewLayer.Combined.R", max[0]), channel("ViewLayer.Combined.G", max[1])],
        }
    }

    fn report(edges: &[[f64; 2]]) -> SeamReport {
        SeamReport {
            passes: vec![pass([
                edges.iter().map(|e| e[0]).fold(0.0, f64::max),
                edges.iter().map(|e| e[1]).fold(0.0, f64::max),
            ])],
            edges: edges
                .iter()
                .enumerate()
                .map(|(i, max)| EdgeSeams {
                    a: tile(64 * i as u32),
                    b: tile(64 * i as u32 + 64),
                    kind: EdgeKind::Horizontal,
                    passes: vec![pass(*max)],
                })
                .collect(),
            pending_strips: 0,
        }
    }

    #[test]
    fn seams_are_listed_worst_first_with_their_worst_channel() {
        let check =
            SeamCheck::from_report("ViewLayer.Combined", &report(&[[0.2, 0.0], [0.0, 0.984], [0.0, 0.0]]));
        assert_eq!(check.verdict(), "Seams up to 0.984 on ViewLayer.Combined, 2 edges");
        assert!(!check.is_clean());
        let worst = &check.worst()[0];
        assert_eq!(
            (worst.max_abs, worst.channel.as_str(), worst.a),
            (0.984, "ViewLayer.Combined.G", tile(64))
        );
        assert_eq!(check.worst().iter().map(|e| e.max_abs).collect::<Vec<_>>(), [0.984, 0.2, 0.0]);
    }

    #[test]
    fn exact_agreement_and_tiny_differences_are_clean() {
        let clean = SeamCheck::from_report("ViewLayer.Depth", &report(&[[0.0, 0.0], [0.0005, 0.0]]));
        assert_eq!(clean.verdict(), "Clean: no seams on ViewLayer.Depth");
        let none = SeamCheck::from_report("ViewLayer.Depth", &report(&[]));
        assert!(none.verdict().starts_with("Nothing to check"));
        let nan = SeamCheck::from_report("ViewLayer.Depth", &report(&[[f64::INFINITY, 0.0]]));
        assert_eq!(nan.verdict(), "Seams on ViewLayer.Depth: NaN or infinite differences, 1 edge");
        assert_eq!(figure(0.00012), "1.20e-4");
        assert_eq!(figure(0.98412), "0.984");
    }

    #[test]
    fn the_map_is_transparent_where_clean_and_reddest_at_the_worst() {
        let rgba = seam_map_rgba(&[0.0, 0.0001, 0.5, 1.0, f32::NAN]);
        assert_eq!(&rgba[..8], &[0; 8]);
        let (half, worst, nan) = (&rgba[8..12], &rgba[12..16], &rgba[16..20]);
        assert_eq!(worst, [255, 0, 32, 255]);
        assert!(half[3] > 40 && half[3] < 255 && half[1] > 0);
        assert_eq!(nan, worst);
    }
}
