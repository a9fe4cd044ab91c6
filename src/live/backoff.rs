//! When to try again after the live connection is lost.

/// The wait before the first retry. Short, because most drops are a Manager restart or a proxy
/// recycling idle connections, and the page should come back quickly.
pub const FIRST_RETRY_MS: u32 = 500;

/// The longest wait between retries: long enough not to hammer a Manager that is down, short
/// enough that the page notices within seconds when it returns.
pub const MAX_RETRY_MS: u32 = 10_000;

/// Up to this fraction of each wait is taken off at random, so that many open dashboards do not
/// all reconnect at the same instant after a Manager restart.
pub const JITTER: f64 = 0.2;

/// The wait before retry number `attempt` (1 for the first retry): [`FIRST_RETRY_MS`] doubling up
/// to [`MAX_RETRY_MS`], shortened by up to [`JITTER`] according to `random` (0.0..=1.0; anything
/// else counts as 0). Never longer than the maximum, never zero.
pub fn retry_delay_ms(attempt: u32, random: f64) -> u32 {
    let doublings = attempt.saturating_sub(1).min(16);
    let base = (u64::from(FIRST_RETRY_MS) << doublings).min(u64::from(MAX_RETRY_MS));
    let random = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.0 };
    let delay = (base as f64 * (1.0 - JITTER * random)).round();
    // `delay` is between 400 and MAX_RETRY_MS, so the conversion is exact.
    (delay as u32).clamp(1, MAX_RETRY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_maximum() {
        let waits: Vec<u32> = (1..=8).map(|attempt| retry_delay_ms(attempt, 0.0)).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
        assert_eq!(retry_delay_ms(0, 0.0), 500, "attempt 0 is treated as the first");
        assert_eq!(retry_delay_ms(u32::MAX, 0.0), MAX_RETRY_MS, "no overflow on huge counts");
    }

    #[test]
    fn jitter_only_shortens_the_wait() {
        assert_eq!(retry_delay_ms(1, 1.0), 400);
        assert_eq!(retry_delay_ms(6, 0.5), 9000);
        for random in [-1.0, 2.0, f64::NAN, f64::INFINITY] {
            let wait = retry_delay_ms(6, random);
            assert!((8000..=MAX_RETRY_MS).contains(&wait), "{random}: {wait}");
        }
    }
}
