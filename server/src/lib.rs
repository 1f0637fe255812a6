//! The Roster host: configuration, telemetry, the REST API, the console's routes and the CLI.

pub mod background;
pub mod bootstrap;
pub mod cli;
pub mod edge;
pub mod oauth;
pub mod rest;
pub mod scim;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use startup::build_app;
pub use state::AppState;
