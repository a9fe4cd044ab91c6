//! The running sums of a comparison and the loop that fills them, a chunk of samples at a time.

use serde::{Deserialize, Serialize};

use super::super::CHUNK;
use super::ChannelDifference;

/// Running sums of differences.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Sums {
    pub(super) samples: u64,
    pub(super) sum: f64,
    pub(super) sum_sq: f64,
    pub(super) max: f64,
    pub(super) over: u64,
    pub(super) non_finite: u64,
    pub(super) mismatched: u64,
}

impl Sums {
    pub(super) fn merge(&mut self, o: &Sums) {
        self.samples += o.samples;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
        self.max = self.max.max(o.max);
        self.over += o.over;
        self.non_finite += o.non_finite;
        self.mismatched += o.mismatched;
    }

    pub(super) fn finish(&self, component: &str, peak: f64) -> ChannelDifference {
        let n = self.samples.max(1) as f64;
        let mse = self.sum_sq / n;
        ChannelDifference {
            component: component.to_string(),
            max_abs: self.max,
            mean_abs: self.sum / n,
            rmse: mse.sqrt(),
            psnr: if mse == 0.0 { f64::INFINITY } else { 10.0 * (peak * peak / mse).log10() },
            samples: self.samples,
            over_threshold: self.over,
            non_finite: self.non_finite,
            non_finite_mismatched: self.mismatched,
        }
    }
}

/// The sums of one channel's chunk (at most [`CHUNK`] samples), also raising each pixel's
/// largest difference and marking its non-finite samples (bit 1; bit 2 when A and B differ
/// there).
///
/// The usual chunk, every sample finite, takes a fast path the compiler vectorises: the
/// differences in f32 (exact for half samples; for float within half an ulp), the largest and
/// the counts in f32 lanes, and the sums in f64 over four independent lanes, since a single
/// running f64 sum waits on the previous addition at every sample.
pub(super) fn chunk_sums(
    fa: &[f32],
    fb: &[f32],
    threshold: f32,
    pixel_max: &mut [f32],
    pixel_state: &mut [u8],
) -> Sums {
    let n = fa.len().min(fb.len()).min(pixel_max.len()).min(pixel_state.len()).min(CHUNK);
    let (fa, fb, pixel_max, pixel_state) = (&fa[..n], &fb[..n], &mut pixel_max[..n], &mut pixel_state[..n]);
    let mut d = [0f32; CHUNK];
    let d = &mut d[..n];
    for ((d, a), b) in d.iter_mut().zip(fa).zip(fb) {
        *d = (a - b).abs();
    }
    const LANES: usize = 4;
    let (mut sum, mut sum_sq) = ([0f64; LANES], [0f64; LANES]);
    let mut quads = d.chunks_exact(LANES);
    for quad in &mut quads {
        for ((s, q), v) in sum.iter_mut().zip(sum_sq.iter_mut()).zip(quad) {
            let v = f64::from(*v);
            *s += v;
            *q += v * v;
        }
    }
    for v in quads.remainder() {
        let v = f64::from(*v);
        sum[0] += v;
        sum_sq[0] += v * v;
    }
    let total: f64 = sum.iter().sum();
    // A NaN or infinity anywhere (a non-finite sample, or an f32 overflow) spoils the sum.
    if !total.is_finite() {
        return chunk_sums_slowly(fa, fb, threshold, pixel_max, pixel_state);
    }
    // Every value is finite from here, so plain comparisons (which vectorise) are the maximum.
    const WIDE: usize = 8;
    let mut max = [0f32; WIDE];
    for (lanes, values) in pixel_max.chunks_mut(WIDE).zip(d.chunks(WIDE)) {
        for ((m, top), v) in lanes.iter_mut().zip(max.iter_mut()).zip(values) {
            *m = if *v > *m { *v } else { *m };
            *top = if *v > *top { *v } else { *top };
        }
    }
    Sums {
        samples: n as u64,
        sum: total,
        sum_sq: sum_sq.iter().sum(),
        max: f64::from(max.iter().fold(0f32, |a, b| a.max(*b))),
        over: d.iter().map(|v| u64::from(*v > threshold)).sum(),
        non_finite: 0,
        mismatched: 0,
    }
}

/// [`chunk_sums`] one sample at a time, for chunks with a non-finite sample (or two finite
/// floats so far apart that their difference overflows f32, taken in f64 here).
fn chunk_sums_slowly(
    fa: &[f32],
    fb: &[f32],
    threshold: f32,
    pixel_max: &mut [f32],
    pixel_state: &mut [u8],
) -> Sums {
    let mut here = Sums::default();
    for (((&va, &vb), m), state) in fa.iter().zip(fb).zip(pixel_max.iter_mut()).zip(pixel_state.iter_mut()) {
        if va.is_finite() && vb.is_finite() {
            let d = (f64::from(va) - f64::from(vb)).abs();
            here.samples += 1;
            here.sum += d;
            here.sum_sq += d * d;
            here.max = here.max.max(d);
            here.over += u64::from(d > f64::from(threshold));
            // Beyond f32's range only when it overflowed: then it is infinitely over.
            *m = m.max(d as f32);
        } else {
            let mismatched = !same_non_finite(va, vb);
            here.non_finite += 1;
            here.mismatched += u64::from(mismatched);
            *state |= 1 | (u8::from(mismatched) << 1);
        }
    }
    here
}

/// Whether two samples, one of them not finite, are the same non-finite value.
fn same_non_finite(x: f32, y: f32) -> bool {
    (x.is_nan() && y.is_nan()) || x == y
}
