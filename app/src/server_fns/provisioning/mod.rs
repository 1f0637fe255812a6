mod create_provisioning_key;
mod overview;

pub use create_provisioning_key::{CreateProvisioningKey, create_provisioning_key};
pub use overview::{ProvisioningOverview, provisioning};
