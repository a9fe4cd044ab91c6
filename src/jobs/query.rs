//! The job list's filters and sort in the address bar, so a filtered view is a link to share and
//! back/forward restore it: `?status=active,queued&q=shot&sort=name&order=asc`.

use flamenco_api::JobStatus;

use super::table::{JobColumn, JobFilter, JobSort};

/// Everything the address says about the list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub filter: JobFilter,
    pub sort: JobSort,
}

impl ListQuery {
    /// Reads the list state from query parameters; unknown values are ignored, not fatal.
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> ListQuery {
        let statuses = get("status")
            .map(|text| text.split(',').filter(|part| !part.is_empty()).map(JobStatus::from).collect())
            .unwrap_or_default();
        let text = get("q").unwrap_or_default().to_owned();
        let column = get("sort").and_then(JobColumn::parse).unwrap_or(JobSort::default().column);
        let descending = match get("order") {
            Some("asc") => false,
            Some("desc") => true,
            _ => column.descending_first(),
        };
        ListQuery { filter: JobFilter { statuses, text }, sort: JobSort { column, descending } }
    }

    /// The query string (with its `?`, or empty for the defaults).
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if !self.filter.statuses.is_empty() {
            let statuses: Vec<&str> = self.filter.statuses.iter().map(JobStatus::as_str).collect();
            parts.push(format!("status={}", encode(&statuses.join(","))));
        }
        if !self.filter.text.is_empty() {
            parts.push(format!("q={}", encode(&self.filter.text)));
        }
        if self.sort != JobSort::default() {
            parts.push(format!("sort={}", self.sort.column.as_str()));
            parts.push(format!("order={}", if self.sort.descending { "desc" } else { "asc" }));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> ListQuery {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        ListQuery::from_params(|key| map.get(key).copied())
    }

    #[test]
    fn defaults_make_an_empty_query() {
        assert_eq!(ListQuery::default().to_query_string(), "");
        assert_eq!(parse(&[]), ListQuery::default());
    }

    #[test]
    fn a_query_survives_the_round_trip_through_the_address() {
        let query =
            parse(&[("status", "active,paused"), ("q", "shot 12 & co"), ("sort", "name"), ("order", "desc")]);
        assert_eq!(query.filter.statuses.len(), 2);
        assert_eq!(query.filter.text, "shot 12 & co");
        assert_eq!(query.sort, JobSort { column: JobColumn::Name, descending: true });
        let text = query.to_query_string();
        assert_eq!(text, "?status=active,paused&q=shot%2012%20%26%20co&sort=name&order=desc");
    }

    #[test]
    fn unknown_sort_columns_fall_back_to_the_default() {
        assert_eq!(parse(&[("sort", "colour")]).sort, JobSort::default());
    }
}
