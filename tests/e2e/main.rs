//! End-to-end tests: the release build of the app in real headless Chromium, against simfarm or against
//! no Manager at all. `scripts/test` builds both first; see `support` for what each test starts.
#![cfg(not(target_arch = "wasm32"))]

mod support;

mod cockpit_bench;
mod compare;
mod compare_jobs;
mod desktop_notifications;
mod farm_pages;
mod faults;
mod first_load;
mod hosting;
mod inspector;
mod job_admin;
mod job_preview;
mod jobs;
mod keyboard;
mod lazy_pages;
mod live_panes;
mod measure;
mod preview;
mod preview_fuzz;
mod preview_keys;
mod preview_layout;
mod preview_levels;
mod problems;
mod read_only;
mod render_time;
mod screens;
mod setup_assistant;
mod shell;
mod single_image_tiles;
mod soak;
mod submit;
mod submit_eval;
mod tags;
mod time_left;
mod timeline;
mod triage;
mod untrusted_text;
mod worker_admin;
mod workers;
