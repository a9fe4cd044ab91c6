//! The deflate behind the merged EXR's ZIP blocks. Compressing is most of a merge's time; the
//! library's own deflate (miniz_oxide) is pure Rust so that it runs in the browser, while the
//! command line can use libdeflate, a C library several times faster at the same size.

use clap::ValueEnum;
use tilemerge::{Deflate, Miniz};

/// The `--zip-level` a merge writes with libdeflate when none is given: its fastest level, whose
/// file of the 135-tile 3840x2160 benchmark set (bench/run.sh) is no larger than miniz_oxide's at
/// the library's level 4 (40,960,459 bytes against 41,138,082), where the goal allowed 5 % more.
/// Levels 2 to 6 took about 1.2 to 2.5 times as long (one loaded run each) for files 1 to 2.1 %
/// smaller.
pub const LIBDEFLATE_LEVEL: u8 = 1;

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deflater {
    /// libdeflate (C): the fastest.
    Libdeflate,
    /// miniz_oxide (Rust): the library's own, the bytes the browser's export writes.
    Miniz,
}

impl Deflater {
    /// The level used when `--zip-level` is not given.
    pub fn default_level(self) -> u8 {
        match self {
            Deflater::Libdeflate => LIBDEFLATE_LEVEL,
            Deflater::Miniz => tilemerge::export::DEFAULT_ZIP_LEVEL,
        }
    }

    /// A compressor for one thread: libdeflate's keeps its tables between blocks.
    pub fn start(self) -> Box<dyn Deflate + Send> {
        match self {
            Deflater::Libdeflate => Box::new(LibDeflate::default()),
            Deflater::Miniz => Box::new(Miniz),
        }
    }
}

/// libdeflate, its compressor made for the first level asked and kept while the level stays.
#[derive(Default)]
pub struct LibDeflate {
    compressor: Option<(u8, libdeflater::Compressor)>,
    /// Room for the largest stream yet: a fresh one per block would be zeroed and paged in each
    /// time, for a stream that mostly fills a fraction of it.
    room: Vec<u8>,
}

impl Deflate for LibDeflate {
    fn zlib(&mut self, data: &[u8], level: u8) -> Vec<u8> {
        let compressor = match &mut self.compressor {
            Some((made_for, compressor)) if *made_for == level => compressor,
            slot => {
                // libdeflate knows 1 to 12; ours are 1 to 9, clamped as the library does.
                let Ok(lvl) = libdeflater::CompressionLvl::new(i32::from(level.clamp(1, 9))) else {
                    return Miniz.zlib(data, level);
                };
                &mut slot.insert((level, libdeflater::Compressor::new(lvl))).1
            }
        };
        let bound = compressor.zlib_compress_bound(data.len());
        if self.room.len() < bound {
            self.room.resize(bound, 0);
        }
        match compressor.zlib_compress(data, &mut self.room) {
            Ok(length) => match self.room.get(..length) {
                Some(stream) => stream.to_vec(),
                None => Miniz.zlib(data, level),
            },
            // The bound is libdeflate's own worst case, so this does not happen; if it did, the
            // block would still be written, by the library's deflate.
            Err(_) => Miniz.zlib(data, level),
        }
    }
}
