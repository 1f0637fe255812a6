mod change_email;
mod change_password;
mod oauth_links;

pub use change_email::{ChangeEmail, change_email};
pub use change_password::{ChangePassword, change_password};
pub use oauth_links::{ListOwnLinks, OwnLinks, Unlink, own_links, unlink};
