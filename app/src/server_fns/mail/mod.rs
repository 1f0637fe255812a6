mod list_outbox;

pub use list_outbox::{ListOutbox, list_outbox};
