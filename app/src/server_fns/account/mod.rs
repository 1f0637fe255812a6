mod change_email;
mod change_password;

pub use change_email::{ChangeEmail, change_email};
pub use change_password::{ChangePassword, change_password};
