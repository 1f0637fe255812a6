mod delete_role;
mod list_roles;
mod save_role;

pub use delete_role::{DeleteRole, delete_role};
pub use list_roles::{ListRoles, list_roles};
pub use save_role::{SaveRole, save_role};
