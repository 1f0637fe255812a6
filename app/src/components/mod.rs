//! Pieces shared by the console's pages.

pub mod activity;
pub mod feedback;
pub mod layout;
pub mod links;
pub mod passkeys;
pub mod permissions;
pub mod post_form;
pub mod time;
pub mod two_factor;
pub mod user_fields;
