//! The fields of Flamenco 3.9's settings file (`flamenco-manager.yaml`) the form edits, each with
//! its label, a short explanation and the rule its value must follow.

/// What kind of value a field holds, which decides its input and its check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text, may be empty.
    Text,
    /// Text that must not be empty.
    Required,
    /// `:8080` or `host:port`.
    Listen,
    /// A Go duration such as `10m0s` or `1h`.
    Duration,
    /// A whole number, 0 or more.
    Count,
    /// On or off.
    Toggle,
    /// Text shown as dots.
    Secret,
}

/// The part of the form a field is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Manager,
    Storage,
    Timing,
    Shaman,
    Mqtt,
}

impl Section {
    pub const ALL: [Section; 5] =
        [Section::Manager, Section::Storage, Section::Timing, Section::Shaman, Section::Mqtt];

    pub fn title(self) -> &'static str {
        match self {
            Section::Manager => "Manager",
            Section::Storage => "Storage",
            Section::Timing => "Timeouts and failures",
            Section::Shaman => "Shaman",
            Section::Mqtt => "MQTT",
        }
    }
}

/// One field of the settings file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// Its place in the file, dot-separated (`shaman.enabled`).
    pub path: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: FieldKind,
    pub section: Section,
}

impl FieldSpec {
    /// The element id of its input, from its path.
    pub fn input_id(&self) -> String {
        format!("cfg-{}", self.path.replace(['.', '_'], "-"))
    }
}

const fn field(
    path: &'static str,
    label: &'static str,
    help: &'static str,
    kind: FieldKind,
    section: Section,
) -> FieldSpec {
    FieldSpec { path, label, help, kind, section }
}

use FieldKind::*;
use Section as S;

/// Every field the form shows, in the order it shows them.
pub const FIELDS: &[FieldSpec] = &[
    field("manager_name", "Manager name", "The name the Manager shows in the web app and to Workers.", Required, S::Manager),
    field("listen", "Listen address", "Where the Manager listens for HTTP: \":8080\" for every network interface, or \"host:port\".", Listen, S::Manager),
    field("autodiscoverable", "Discoverable by Workers", "Workers on the local network find the Manager by themselves (UPnP/SSDP).", Toggle, S::Manager),
    field("database", "Database file", "The SQLite file the Manager keeps jobs, tasks and Workers in.", Required, S::Manager),
    field("database_check_period", "Database check period", "How often the database is checked for consistency, e.g. 10m0s; 0 turns the check off.", Duration, S::Manager),
    field("local_manager_storage_path", "Manager storage path", "Where the Manager keeps its own files: task logs and last-rendered images.", Required, S::Storage),
    field("shared_storage_path", "Shared storage path", "The storage that the Manager and every Worker share; job files and renders go there.", Required, S::Storage),
    field("task_timeout", "Task timeout", "A task whose Worker has not reported within this time is failed, e.g. 10m0s.", Duration, S::Timing),
    field("worker_timeout", "Worker timeout", "A Worker not heard from within this time is marked offline and its task handed out again, e.g. 1m0s.", Duration, S::Timing),
    field("blocklist_threshold", "Blocklist threshold", "After this many failures of a job's task type on one Worker, that Worker gets no more of those tasks of the job.", Count, S::Timing),
    field("task_fail_after_softfail_count", "Failures before a task fails", "A task that failed on this many Workers fails for good instead of being retried.", Count, S::Timing),
    field("shaman.enabled", "Shaman enabled", "Shaman file transfer: Blender's add-on uploads job files to the Manager, deduplicated. Needs shared storage that supports symlinks.", Toggle, S::Shaman),
    field("shaman.garbageCollect.period", "Shaman cleanup period", "How often unused uploaded files are looked for, e.g. 24h0m0s.", Duration, S::Shaman),
    field("shaman.garbageCollect.maxAge", "Shaman file maximum age", "Uploaded files unused for this long are removed, e.g. 744h0m0s.", Duration, S::Shaman),
    field("mqtt.client.broker", "MQTT broker", "The broker's URL (e.g. tcp://mqtt:1883) to publish farm events to; empty turns MQTT off.", Text, S::Mqtt),
    field("mqtt.client.clientID", "MQTT client ID", "The name the Manager connects to the broker with.", Text, S::Mqtt),
    field("mqtt.client.topic_prefix", "MQTT topic prefix", "Prefix of the topics events are published under.", Text, S::Mqtt),
    field("mqtt.client.username", "MQTT username", "Empty when the broker needs no login.", Text, S::Mqtt),
    field("mqtt.client.password", "MQTT password", "Empty when the broker needs no login.", Secret, S::Mqtt),
];

/// Where a variable's value may apply.
pub const VARIABLE_AUDIENCES: [(&str, &str); 4] =
    [("", "everyone"), ("all", "all"), ("workers", "workers"), ("users", "users")];
