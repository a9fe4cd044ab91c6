//! The comparison's choices as the panel offers them, and its figures as the table reads them.

/// What the merge (A) is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompareSource {
    /// Nothing: the merge alone.
    #[default]
    None,
    /// Another pass of the same merge.
    Pass,
    /// An EXR file the user picks (e.g. Blender's own full-frame render).
    Reference,
    /// The merge of another job of the Manager (e.g. the previous version of the shot); only
    /// on a job's preview.
    OtherJob,
}

impl CompareSource {
    pub const ALL: [CompareSource; 4] =
        [CompareSource::None, CompareSource::Pass, CompareSource::Reference, CompareSource::OtherJob];

    /// The value in the select.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareSource::None => "none",
            CompareSource::Pass => "pass",
            CompareSource::Reference => "reference",
            CompareSource::OtherJob => "other-job",
        }
    }

    /// As the select shows it.
    pub fn label(self) -> &'static str {
        match self {
            CompareSource::None => "None",
            CompareSource::Pass => "Another pass",
            CompareSource::Reference => "A reference EXR file",
            CompareSource::OtherJob => "Another job's merge",
        }
    }

    /// The choice a select value names.
    pub fn from_value(value: &str) -> Option<CompareSource> {
        CompareSource::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// How A and B are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompareMode {
    /// B over A right of a divider that the user drags.
    #[default]
    Wipe,
    /// A and B next to each other, zoomed and panned together.
    SideBySide,
    /// The difference picture.
    Difference,
    /// A or B, switched by a button or a key.
    Toggle,
}

impl CompareMode {
    pub const ALL: [CompareMode; 4] =
        [CompareMode::Wipe, CompareMode::SideBySide, CompareMode::Difference, CompareMode::Toggle];

    /// The value in the select.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareMode::Wipe => "wipe",
            CompareMode::SideBySide => "side-by-side",
            CompareMode::Difference => "difference",
            CompareMode::Toggle => "toggle",
        }
    }

    /// As the select shows it.
    pub fn label(self) -> &'static str {
        match self {
            CompareMode::Wipe => "Wipe",
            CompareMode::SideBySide => "Side by side",
            CompareMode::Difference => "Difference",
            CompareMode::Toggle => "Toggle",
        }
    }

    /// The choice a select value names.
    pub fn from_value(value: &str) -> Option<CompareMode> {
        CompareMode::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// How the difference is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DifferenceLook {
    /// `|A - B|` times the gain, per colour component.
    Absolute,
    /// The largest difference of a pixel through a heat ramp.
    #[default]
    Heat,
}

impl DifferenceLook {
    pub const ALL: [DifferenceLook; 2] = [DifferenceLook::Absolute, DifferenceLook::Heat];

    /// The value in the select.
    pub fn as_str(self) -> &'static str {
        match self {
            DifferenceLook::Absolute => "absolute",
            DifferenceLook::Heat => "heat",
        }
    }

    /// As the select shows it.
    pub fn label(self) -> &'static str {
        match self {
            DifferenceLook::Absolute => "Absolute",
            DifferenceLook::Heat => "Heat map",
        }
    }

    /// The choice a select value names.
    pub fn from_value(value: &str) -> Option<DifferenceLook> {
        DifferenceLook::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// A difference as the table shows it: exactly 0 as `0`, else up to six decimals without
/// trailing zeros (0.875 stays 0.875), tiny ones in scientific notation.
pub fn figure(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if !v.is_finite() {
        return if v > 0.0 { "∞".to_string() } else { v.to_string() };
    }
    if v.abs() < 1e-4 {
        return format!("{v:.3e}");
    }
    let fixed = format!("{v:.6}");
    fixed.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A PSNR in dB: identical images have none (infinite).
pub fn decibels(psnr: f64) -> String {
    if psnr.is_infinite() && psnr > 0.0 {
        "∞ (identical)".to_string()
    } else {
        format!("{psnr:.2} dB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip_and_figures_read_exactly() {
        for c in CompareSource::ALL {
            assert_eq!(CompareSource::from_value(c.as_str()), Some(c));
        }
        for m in CompareMode::ALL {
            assert_eq!(CompareMode::from_value(m.as_str()), Some(m));
        }
        for l in DifferenceLook::ALL {
            assert_eq!(DifferenceLook::from_value(l.as_str()), Some(l));
        }
        assert_eq!(CompareMode::from_value("nope"), None);
        assert_eq!(figure(0.0), "0");
        assert_eq!(figure(0.875), "0.875");
        assert_eq!(figure(1.5), "1.5");
        assert_eq!(figure(0.0123456789), "0.012346");
        assert_eq!(figure(0.00001), "1.000e-5");
        assert_eq!(decibels(f64::INFINITY), "∞ (identical)");
        assert_eq!(decibels(41.234), "41.23 dB");
    }
}
