mod end_other_sessions;
mod end_session;
mod list_sessions;

pub use end_other_sessions::{EndOtherSessions, end_other_sessions};
pub use end_session::{EndSession, end_session};
pub use list_sessions::{ListSessions, list_sessions};
