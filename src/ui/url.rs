//! Links that keep the current list filters (`?status=…&q=…`) as the user moves between panes.

/// `path` followed by the query string `search`, which the router gives without its `?`.
pub fn with_query(path: &str, search: &str) -> String {
    let search = search.trim_start_matches('?');
    if search.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{search}")
    }
}

#[cfg(test)]
mod tests {
    use super::with_query;

    #[test]
    fn the_query_is_joined_with_exactly_one_question_mark() {
        assert_eq!(with_query("/jobs/a", "status=paused"), "/jobs/a?status=paused");
        assert_eq!(with_query("/jobs/a", "?status=paused"), "/jobs/a?status=paused");
        assert_eq!(with_query("/jobs", ""), "/jobs");
    }
}
