//! The image's keys, as in image viewers artists use (tev, RV): with the image focused, keys move
//! the probe, zoom, change exposure, and step through passes and channels.

/// What a key pressed on the focused image does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ViewKey {
    /// Move the probe by whole pixels (arrows; ten with Shift).
    MoveProbe { dx: i64, dy: i64 },
    /// Zoom about the viewport's centre (`+`, `-`).
    Zoom(f64),
    /// Fit the image (`0`).
    Fit,
    /// One image pixel per screen pixel (`1`).
    OneToOne,
    /// Change the exposure by this many stops (`e` up, `E` down).
    Exposure(f32),
    /// The next (`]`) or previous (`[`) pass.
    Pass(Cycle),
    /// The next (`c`) or previous (`C`) channel.
    Channel(Cycle),
    /// Show A or B of a comparison (`t`).
    ToggleAb,
}

/// Which way to go through a list, wrapping at its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cycle {
    Next,
    Previous,
}

impl Cycle {
    /// The position after `at` in a list of `len`, wrapping; the first when there is no `at`.
    pub fn from(self, at: Option<usize>, len: usize) -> Option<usize> {
        if len == 0 {
            return None;
        }
        Some(match (at, self) {
            (None, _) => 0,
            (Some(at), Cycle::Next) => (at + 1) % len,
            (Some(at), Cycle::Previous) => (at + len - 1) % len,
        })
    }
}

/// Stops per press of `e`.
pub const EXPOSURE_STEP: f32 = 0.5;

/// The keys for the shortcuts dialog, as it lists them.
pub const VIEW_KEYS_HELP: [(&str, &str); 8] = [
    ("← → ↑ ↓", "Move the pixel probe (with Shift, ten pixels)"),
    ("+ −", "Zoom in, out"),
    ("0", "Fit the image"),
    ("1", "Pixels 1:1"),
    ("e E", "Exposure half a stop up, down"),
    ("] [", "Next, previous pass"),
    ("c C", "Next, previous channel"),
    ("t", "Toggle A and B of a comparison"),
];

impl ViewKey {
    /// The action for a `KeyboardEvent.key`, if the key has one. Shift is part of `key` for the
    /// letters (`E`, `C`); `shift` only lengthens the probe's steps.
    pub fn of(key: &str, shift: bool) -> Option<ViewKey> {
        let step = if shift { 10 } else { 1 };
        Some(match key {
            "ArrowLeft" => ViewKey::MoveProbe { dx: -step, dy: 0 },
            "ArrowRight" => ViewKey::MoveProbe { dx: step, dy: 0 },
            "ArrowUp" => ViewKey::MoveProbe { dx: 0, dy: -step },
            "ArrowDown" => ViewKey::MoveProbe { dx: 0, dy: step },
            "+" | "=" => ViewKey::Zoom(1.25),
            "-" => ViewKey::Zoom(0.8),
            "0" => ViewKey::Fit,
            "1" => ViewKey::OneToOne,
            "e" => ViewKey::Exposure(EXPOSURE_STEP),
            "E" => ViewKey::Exposure(-EXPOSURE_STEP),
            "]" => ViewKey::Pass(Cycle::Next),
            "[" => ViewKey::Pass(Cycle::Previous),
            "c" => ViewKey::Channel(Cycle::Next),
            "C" => ViewKey::Channel(Cycle::Previous),
            "t" => ViewKey::ToggleAb,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Cycle, ViewKey};

    #[test]
    fn keys_move_the_probe_zoom_and_step_through_exposure_passes_and_channels() {
        assert_eq!(ViewKey::of("ArrowLeft", false), Some(ViewKey::MoveProbe { dx: -1, dy: 0 }));
        assert_eq!(ViewKey::of("ArrowDown", true), Some(ViewKey::MoveProbe { dx: 0, dy: 10 }));
        assert_eq!(ViewKey::of("+", false), Some(ViewKey::Zoom(1.25)));
        assert_eq!(ViewKey::of("0", false), Some(ViewKey::Fit));
        assert_eq!(ViewKey::of("1", false), Some(ViewKey::OneToOne));
        assert_eq!(ViewKey::of("e", false), Some(ViewKey::Exposure(0.5)));
        assert_eq!(ViewKey::of("E", true), Some(ViewKey::Exposure(-0.5)));
        assert_eq!(ViewKey::of("]", false), Some(ViewKey::Pass(Cycle::Next)));
        assert_eq!(ViewKey::of("C", true), Some(ViewKey::Channel(Cycle::Previous)));
        assert_eq!(ViewKey::of("t", false), Some(ViewKey::ToggleAb));
        // Tab and the rest keep their usual meaning.
        assert_eq!(ViewKey::of("Tab", false), None);
    }

    #[test]
    fn cycles_wrap_at_both_ends_and_start_at_the_first() {
        assert_eq!(Cycle::Next.from(Some(2), 3), Some(0));
        assert_eq!(Cycle::Previous.from(Some(0), 3), Some(2));
        assert_eq!(Cycle::Next.from(Some(0), 3), Some(1));
        assert_eq!(Cycle::Previous.from(None, 3), Some(0));
        assert_eq!(Cycle::Next.from(Some(0), 0), None);
    }
}
