//! Roster's integration tests, one module per area, linked once into one binary: each test
//! starts its own app on a fresh SQLite database, and on PostgreSQL when
//! `ROSTER_TEST_POSTGRES_URL` is set.

mod common;

mod activity;
mod api_auth;
mod api_authority;
mod api_robustness;
mod api_roles_servers;
mod api_sessions;
mod api_suspension;
mod api_users;
mod bootstrap;
mod bulk;
mod calagopus;
mod conditional_requests;
mod console_authority;
mod crash;
mod credential_cache;
mod credentials;
mod database_faults;
mod edge;
mod export;
mod idempotency;
mod impersonation;
mod instances;
mod listing_order;
mod mail;
mod name_search;
mod oauth_providers;
mod oauth_sign_in;
mod openapi;
mod scim;
mod search_grams;
mod security_keys;
mod serve;
mod sign_in_throttle;
mod static_files;
mod two_factor;
mod webhooks;
