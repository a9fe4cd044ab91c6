//! What the page shows about the live connection.

/// Where the live connection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    /// The first connection is being made.
    Connecting,
    /// Connected and subscribed: updates arrive as they happen.
    Connected,
    /// The connection was lost. `attempt` counts the retries since the last stable connection;
    /// `retry_in_ms` is the wait before the next one, 0 while it is being made.
    Reconnecting { attempt: u32, retry_in_ms: u32 },
}

impl ConnectionState {
    /// A CSS class suffix: `connecting`, `connected` or `reconnecting`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Reconnecting { .. } => "reconnecting",
        }
    }

    /// Short text for the header: "Live", "Connecting…", "Reconnecting in 3 s…".
    pub fn label(&self) -> String {
        match self {
            ConnectionState::Connecting => "Connecting…".to_owned(),
            ConnectionState::Connected => "Live".to_owned(),
            ConnectionState::Reconnecting { retry_in_ms: 0, .. } => "Reconnecting…".to_owned(),
            ConnectionState::Reconnecting { retry_in_ms, .. } => {
                format!("Reconnecting in {} s…", retry_in_ms.div_ceil(1000))
            }
        }
    }

    /// The same without the countdown, for screen readers: it changes only when the state does,
    /// so a status region does not announce every second.
    pub fn spoken_label(&self) -> &'static str {
        match self {
            ConnectionState::Connecting => "Connecting to live updates",
            ConnectionState::Connected => "Live updates on",
            ConnectionState::Reconnecting { .. } => "Live updates lost, reconnecting",
        }
    }

    /// A longer explanation, for a tooltip.
    pub fn details(&self) -> String {
        match self {
            ConnectionState::Connecting => "Connecting to the Manager's live updates.".to_owned(),
            ConnectionState::Connected => {
                "Receiving live updates from the Manager: pages change as the farm does.".to_owned()
            }
            ConnectionState::Reconnecting { attempt, retry_in_ms } => {
                let when = if *retry_in_ms == 0 {
                    "trying now".to_owned()
                } else {
                    format!("next try in {} s", retry_in_ms.div_ceil(1000))
                };
                format!(
                    "Live updates are interrupted ({when}, attempt {attempt}). What is shown may be out of \
                     date; pages reload their data once the connection is back."
                )
            }
        }
    }

    /// Whether updates are arriving.
    pub fn is_connected(&self) -> bool {
        matches!(self, ConnectionState::Connected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_the_countdown_up_to_whole_seconds() {
        let waiting = |retry_in_ms| ConnectionState::Reconnecting { attempt: 2, retry_in_ms };
        assert_eq!(waiting(2001).label(), "Reconnecting in 3 s…");
        assert_eq!(waiting(3000).label(), "Reconnecting in 3 s…");
        assert_eq!(waiting(400).label(), "Reconnecting in 1 s…");
        assert_eq!(waiting(0).label(), "Reconnecting…");
        assert_eq!(ConnectionState::Connected.label(), "Live");
        assert_eq!(ConnectionState::Connecting.label(), "Connecting…");
        assert!(
            waiting(4000).details().contains("next try in 4 s, attempt 2"),
            "{}",
            waiting(4000).details()
        );
    }

    #[test]
    fn classes_and_spoken_labels_do_not_change_with_the_countdown() {
        let a = ConnectionState::Reconnecting { attempt: 1, retry_in_ms: 900 };
        let b = ConnectionState::Reconnecting { attempt: 3, retry_in_ms: 8000 };
        assert_eq!(a.as_str(), b.as_str());
        assert_eq!(a.spoken_label(), b.spoken_label());
        assert_eq!(ConnectionState::Connected.as_str(), "connected");
        assert!(ConnectionState::Connected.is_connected() && !a.is_connected());
    }
}
