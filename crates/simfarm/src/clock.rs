//! Timestamps and the farm's deterministic random numbers.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The current time as the Manager sends it: RFC 3339, UTC, with fractional seconds.
pub fn now() -> String {
    format_time(OffsetDateTime::now_utc())
}

/// `time` as RFC 3339 text; the epoch if it cannot be formatted (years beyond 9999).
pub fn format_time(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// The current time as Flamenco's job compilers put it in paths (`{timestamp}`): `2006-01-02_150405`.
pub fn path_timestamp() -> String {
    path_timestamp_at(OffsetDateTime::now_utc())
}

/// A time in the `{timestamp}` layout (`formatTimestampLocal` of the job-compiler API).
pub fn path_timestamp_at(now: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}_{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// SplitMix64: small, fast and fully determined by its seed, so `--seed` reproduces a run's ids,
/// failures and demo farm (timing aside).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator that starts from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A seed from the clock and the process id, for runs without `--seed`.
    pub fn seed_from_entropy() -> u64 {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos() as u64;
        nanos ^ (u64::from(std::process::id()) << 32)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        tilemerge::synth::splitmix64(&mut self.0)
    }

    /// A number in `0.0..1.0`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A random (version 4) UUID drawn from this generator.
    pub fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }
}

/// Whether `text` is a UUID in the form Flamenco accepts (it answers 400 to anything else).
pub fn is_uuid(text: &str) -> bool {
    uuid::Uuid::try_parse(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_ids() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(a.uuid(), b.uuid());
        assert!(is_uuid(&a.uuid()));
        assert!(!is_uuid("not-a-uuid"));
        let f = a.next_f64();
        assert!((0.0..1.0).contains(&f));
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let stamp = now();
        assert!(OffsetDateTime::parse(&stamp, &Rfc3339).is_ok(), "{stamp}");
        assert_eq!(path_timestamp().len(), "2006-01-02_150405".len());
    }
}
