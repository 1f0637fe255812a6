mod current_user;
mod sign_in;
mod sign_out;

pub use current_user::{CurrentUser, Me, current_user};
pub use sign_in::{SignIn, sign_in};
pub use sign_out::{SignOut, sign_out};
