mod change_email;
mod change_password;
mod oauth_links;
mod security_keys;

pub use change_email::{ChangeEmail, change_email};
pub use change_password::{ChangePassword, change_password};
pub use oauth_links::{ListOwnLinks, OwnLinks, Unlink, own_links, unlink};
pub use security_keys::{
    BeginKey, Ceremony, FinishKey, ListOwnKeys, OwnKey, RemoveKey, begin_key, finish_key, own_keys,
    remove_key,
};
