//! The Manager's configuration as the API describes it (`ManagerConfiguration`, `ManagerVariables`,
//! `SharedStorageLocation`), and Go's duration syntax, which its settings file uses for every
//! period and timeout (`10m0s`, `1h`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What `GET /api/v3/configuration` answers (`ManagerConfiguration`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerConfiguration {
    #[serde(rename = "storageLocation")]
    pub storage_location: String,
    #[serde(rename = "shamanEnabled")]
    pub shaman_enabled: bool,
    #[serde(rename = "isFirstRun")]
    pub is_first_run: bool,
}

/// One variable's value for an audience and platform (`ManagerVariable`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerVariable {
    pub value: String,
    pub is_twoway: bool,
}

/// Variable name to its value (`ManagerVariables`), sorted by name.
pub type ManagerVariables = BTreeMap<String, ManagerVariable>;

/// Who a variable's value is for (`ManagerVariableAudience`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ManagerVariableAudience {
    Workers,
    Users,
}

impl ManagerVariableAudience {
    pub const ALL: [ManagerVariableAudience; 2] =
        [ManagerVariableAudience::Workers, ManagerVariableAudience::Users];

    pub fn as_str(self) -> &'static str {
        match self {
            ManagerVariableAudience::Workers => "workers",
            ManagerVariableAudience::Users => "users",
        }
    }
}

/// Where shared storage is for an audience and platform (`SharedStorageLocation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedStorageLocation {
    pub location: String,
    pub audience: ManagerVariableAudience,
    pub platform: String,
    #[serde(rename = "shamanEnabled")]
    pub shaman_enabled: bool,
}

/// The platforms a variable value may be for in the settings file.
pub const VARIABLE_PLATFORMS: [&str; 4] = ["linux", "windows", "darwin", "all"];

/// Parses a duration as Go's `time.ParseDuration` does (`1h30m`, `10m0s`, `1.5s`, `300ms`, `0`),
/// into nanoseconds; negative durations are refused, since no setting of the Manager means one.
/// The error is Go's own text, e.g. `time: invalid duration "ten"`.
pub fn parse_go_duration(text: &str) -> Result<u64, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let body = text.strip_prefix('+').unwrap_or(text);
    if body.starts_with('-') {
        return Err(format!("negative duration {text:?}"));
    }
    if body == "0" {
        return Ok(0);
    }
    if body.is_empty() {
        return Err(invalid());
    }
    let mut rest = body;
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let nanos_per_unit = match unit {
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            other => return Err(format!("time: unknown unit {other:?} in duration {text:?}")),
        };
        total += value * nanos_per_unit;
    }
    if total > i64::MAX as f64 {
        return Err(invalid());
    }
    Ok(total as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse_as_go_reads_them() {
        assert_eq!(parse_go_duration("10m0s"), Ok(600_000_000_000));
        assert_eq!(parse_go_duration("1h"), Ok(3_600_000_000_000));
        assert_eq!(parse_go_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_go_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_go_duration("744h0m0s"), Ok(744 * 3_600_000_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
    }

    #[test]
    fn bad_durations_get_gos_messages() {
        assert_eq!(parse_go_duration("ten"), Err("time: invalid duration \"ten\"".into()));
        assert_eq!(parse_go_duration(""), Err("time: invalid duration \"\"".into()));
        assert_eq!(parse_go_duration("10"), Err("time: missing unit in duration \"10\"".into()));
        assert_eq!(parse_go_duration("10x"), Err("time: unknown unit \"x\" in duration \"10x\"".into()));
        assert_eq!(parse_go_duration("10 m"), Err("time: unknown unit \" m\" in duration \"10 m\"".into()));
        assert!(parse_go_duration("-1m").is_err());
    }

    #[test]
    fn variables_and_storage_decode_from_the_api() {
        let vars: ManagerVariables =
            serde_json::from_str(r#"{"blender": {"value": "blender", "is_twoway": false}}"#)
                .expect("variables");
        assert_eq!(vars["blender"].value, "blender");
        let storage: SharedStorageLocation = serde_json::from_str(
            r#"{"location": "/srv", "audience": "users", "platform": "linux", "shamanEnabled": false}"#,
        )
        .expect("storage");
        assert_eq!(storage.audience, ManagerVariableAudience::Users);
    }
}
