mod user_count;

pub use user_count::{UserCount, UserCountReading, user_count};
