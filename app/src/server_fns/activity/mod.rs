mod list_activity;
mod user_activity;

pub use list_activity::{ListActivity, list_activity};
pub use user_activity::{UserActivity, user_activity};
