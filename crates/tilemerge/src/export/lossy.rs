//! The warning due before a merge is written with a lossy compression: tiles decoded from a
//! lossy file hold already-quantised pixels, and compressing them again (in blocks that no
//! longer line up with the tiles') quantises them a second time, so the written pixels differ
//! from the tiles'. Writing lossless tiles lossily changes them too.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::decode::Compression;
use crate::passes::PassInfo;

/// Writing the merge with `compression` changes the pixels of `channels`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossyExport {
    /// The compression of the export.
    pub compression: Compression,
    /// The tiles' compression, when known.
    pub tiles: Option<Compression>,
    /// The full names of the channels it quantises, in pass order.
    pub channels: Vec<String>,
}

impl LossyExport {
    /// Whether the tiles were written with the same lossy compression (the case people expect
    /// to be safe, "keeping the tiles' settings").
    pub fn same_as_tiles(&self) -> bool {
        self.tiles == Some(self.compression)
    }
}

impl fmt::Display for LossyExport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<&str> = self.channels.iter().take(4).map(String::as_str).collect();
        let more = self.channels.len().saturating_sub(shown.len());
        let list = if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") };
        write!(
            f,
            "{} is lossy: writing the merge with it can change the pixels of {list}",
            self.compression
        )?;
        if self.same_as_tiles() {
            write!(f, " (the tiles are {} too, so their pixels are quantised again)", self.compression)?;
        }
        write!(f, "; ZIP or PIZ keep them exact")
    }
}

/// The warning for writing `passes` with `compression`, from tiles written with `tiles`;
/// `None` when no channel would change.
pub fn lossy_export(
    passes: &[PassInfo],
    tiles: Option<Compression>,
    compression: Compression,
) -> Option<LossyExport> {
    let channels: Vec<String> = passes
        .iter()
        .flat_map(|p| &p.channels)
        .filter(|c| compression.is_lossy_for(c.sample_type, &c.component))
        .map(|c| c.name.clone())
        .collect();
    (!channels.is_empty()).then_some(LossyExport { compression, tiles, channels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::SampleType;
    use crate::synth::pass;

    #[test]
    fn only_compressions_lossy_for_the_channels_warn() {
        let half =
            [("R", SampleType::F16), ("G", SampleType::F16), ("B", SampleType::F16), ("A", SampleType::F16)];
        let passes =
            [pass("ViewLayer", "Combined", &half), pass("ViewLayer", "Depth", &[("Z", SampleType::F32)])];
        for lossless in [Compression::Zip, Compression::Piz, Compression::None, Compression::Rle] {
            assert_eq!(lossy_export(&passes, Some(lossless), lossless), None, "{lossless}");
        }
        let dwaa = lossy_export(&passes, Some(Compression::Dwaa), Compression::Dwaa).expect("a warning");
        assert_eq!(dwaa.channels, ["ViewLayer.Combined.R", "ViewLayer.Combined.G", "ViewLayer.Combined.B"]);
        assert_eq!(
            dwaa.to_string(),
            "DWAA is lossy: writing the merge with it can change the pixels of ViewLayer.Combined.R, \
             ViewLayer.Combined.G, ViewLayer.Combined.B (the tiles are DWAA too, so their pixels are \
             quantised again); ZIP or PIZ keep them exact"
        );
        let b44 = lossy_export(&passes, Some(Compression::Zip), Compression::B44).expect("a warning");
        assert_eq!(b44.channels.len(), 4, "every half channel, not the float depth");
        assert!(!b44.same_as_tiles() && !b44.to_string().contains("too"));
        let pxr = lossy_export(&passes, None, Compression::Pxr24).expect("a warning");
        assert_eq!(pxr.channels, ["ViewLayer.Depth.Z"], "PXR24 keeps half exact");
    }
}
