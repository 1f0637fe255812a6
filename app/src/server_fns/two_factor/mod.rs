mod begin_two_factor;
mod disable_two_factor;
mod enable_two_factor;
mod reset_two_factor;

pub use begin_two_factor::{BeginTwoFactor, Enrolment, begin_two_factor};
pub use disable_two_factor::{DisableTwoFactor, disable_two_factor};
pub use enable_two_factor::{EnableTwoFactor, enable_two_factor};
pub use reset_two_factor::{ResetTwoFactor, reset_two_factor};
