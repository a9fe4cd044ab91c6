//! The string enums of the API. Each one decodes text it does not know (from a newer Manager) into
//! an explicit `Unknown` variant instead of failing, so one new status never breaks a whole list.

/// Defines a string enum with its wire names, `as_str()`, `ALL` and lenient serde.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as the Manager sent it.
            Unknown(String),
        }

        impl $name {
            /// Every value this version knows, in the order the OpenAPI file lists them.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The value as it travels on the wire; also used as a CSS class suffix.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(text) => text,
                }
            }

            /// Whether this is a value the OpenAPI file defines.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok($name::from(text.as_ref()))
            }
        }
    };
}

string_enum! {
    /// Status of a job (`JobStatus`).
    JobStatus {
        Active = "active",
        Canceled = "canceled",
        Completed = "completed",
        Failed = "failed",
        Paused = "paused",
        PauseRequested = "pause-requested",
        Queued = "queued",
        CancelRequested = "cancel-requested",
        Requeueing = "requeueing",
        UnderConstruction = "under-construction",
    }
}

string_enum! {
    /// Status of a task (`TaskStatus`).
    TaskStatus {
        Active = "active",
        Canceled = "canceled",
        Completed = "completed",
        Failed = "failed",
        Queued = "queued",
        SoftFailed = "soft-failed",
        Paused = "paused",
    }
}

string_enum! {
    /// Status of a worker (`WorkerStatus`).
    WorkerStatus {
        Starting = "starting",
        Awake = "awake",
        Asleep = "asleep",
        Error = "error",
        Testing = "testing",
        Offline = "offline",
        Restart = "restart",
    }
}

string_enum! {
    /// The farm as a whole (`FarmStatus`).
    FarmStatus {
        /// Workers are working on jobs.
        Active = "active",
        /// The farm could work but has nothing to do.
        Idle = "idle",
        /// Work is queued but every worker is asleep.
        Waiting = "waiting",
        /// Nothing to do and every worker is asleep.
        Asleep = "asleep",
        /// No workers, or all offline or in error.
        Inoperative = "inoperative",
        /// A combination the Manager did not expect.
        UnknownState = "unknown",
        /// The Manager is starting up.
        Starting = "starting",
    }
}

string_enum! {
    /// Value type of a job setting (`AvailableJobSettingType`).
    SettingType {
        String = "string",
        Int32 = "int32",
        Float = "float",
        Bool = "bool",
    }
}

string_enum! {
    /// Sub-type of a string job setting (`AvailableJobSettingSubtype`).
    SettingSubtype {
        FilePath = "file_path",
        DirPath = "dir_path",
        FileName = "file_name",
        /// A directory path with `/######` appended.
        HashedFilePath = "hashed_file_path",
    }
}

string_enum! {
    /// Where a job setting is shown (`AvailableJobSettingVisibility`).
    SettingVisibility {
        Visible = "visible",
        Hidden = "hidden",
        Submission = "submission",
        Web = "web",
    }
}

string_enum! {
    /// `SocketIOSubscriptionOperation`.
    SubscriptionOperation {
        Subscribe = "subscribe",
        Unsubscribe = "unsubscribe",
    }
}

string_enum! {
    /// What a socket.io client subscribes to (`SocketIOSubscriptionType`).
    SubscriptionType {
        AllJobs = "allJobs",
        AllWorkers = "allWorkers",
        Job = "job",
        TaskLog = "tasklog",
        AllLastRendered = "allLastRendered",
        AllWorkerTags = "allWorkerTags",
    }
}

string_enum! {
    /// `LifeCycleEventType`.
    LifeCycleEventType {
        ManagerStartup = "manager-startup",
        ManagerShutdown = "manager-shutdown",
    }
}

impl Default for SettingVisibility {
    /// The OpenAPI file's default.
    fn default() -> Self {
        SettingVisibility::Visible
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip_through_json() {
        for status in JobStatus::ALL {
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(&serde_json::from_str::<JobStatus>(&json).unwrap(), status);
        }
    }

    #[test]
    fn a_status_from_a_newer_manager_decodes_as_unknown() {
        let status: TaskStatus = serde_json::from_str("\"teleporting\"").unwrap();
        assert_eq!(status, TaskStatus::Unknown("teleporting".into()));
        assert_eq!(status.as_str(), "teleporting");
        assert!(!status.is_known());
    }

    #[test]
    fn one_unknown_status_does_not_break_a_list() {
        let list: Vec<WorkerStatus> = serde_json::from_str(r#"["awake","hibernating","asleep"]"#).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[1], WorkerStatus::Unknown("hibernating".into()));
    }
}

string_enum! {
    /// Where the Manager found a Blender (`BlenderPathSource`).
    BlenderPathSource {
        /// From the association with `.blend` files (checked only when no path was given).
        FileAssociation = "file_association",
        /// The input was a command found on `$PATH`.
        PathEnvvar = "path_envvar",
        /// Found at the platform's usual place.
        SystemLocation = "system_location",
        /// The input, used as it is: it points to an existing program.
        InputPath = "input_path",
        /// No path given: whatever Blender the Workers find, unchecked.
        Default = "default",
    }
}
