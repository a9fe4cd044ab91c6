//! Farmdeck: a browser dashboard for Flamenco render farms. The app is organised by feature; each
//! feature keeps its logic in plain types with native tests and its views in small components.

pub mod api;
pub mod app;
pub mod config;
pub mod heap;
pub mod jobs;
pub mod keyboard;
pub mod last_rendered;
pub mod live;
pub mod manager;
pub mod manager_settings;
pub mod notifications;
pub mod pages;
pub mod preview;
pub mod problems;
pub mod read_only;
pub mod settings;
pub mod setup_assistant;
pub mod shell;
pub mod submit;
pub mod tags;
pub mod tasks;
pub mod timeline;
pub mod triage;
pub mod ui;
pub mod workers;
