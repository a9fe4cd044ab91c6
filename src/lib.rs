//! Farmdeck: the app.
