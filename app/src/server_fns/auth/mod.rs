mod complete_sign_in;
mod current_user;
mod forgot_password;
mod passkey;
mod reset_password;
mod return_to_account;
mod sign_in;
mod sign_in_providers;
mod sign_out;

pub use complete_sign_in::{CompleteSignIn, complete_sign_in};
pub use current_user::{CurrentUser, Me, current_user};
pub use forgot_password::{ForgotPassword, forgot_password};
pub use passkey::{
    BeginKeyStep, BeginPasskey, FinishKeyStep, FinishPasskey, begin_key_step, begin_passkey,
    finish_key_step, finish_passkey,
};
pub use reset_password::{ResetPassword, reset_password};
pub use return_to_account::{ReturnToAccount, return_to_account};
pub use sign_in::{SignIn, sign_in};
pub use sign_in_providers::{SignInProvider, SignInProviders, sign_in_providers};
pub use sign_out::{SignOut, sign_out};
