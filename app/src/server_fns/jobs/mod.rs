mod cancel;
mod confirm;
mod items;
mod job;
mod start;

pub use cancel::{CancelJob, cancel_job};
pub use confirm::{ConfirmJob, confirm_job};
pub use items::{JobUsers, job_users};
pub use job::{GetJob, get_job};
pub use start::{StartBulk, start_bulk};
