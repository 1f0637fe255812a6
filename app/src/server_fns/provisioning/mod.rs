mod create_provisioning_key;
mod provisioning;

pub use create_provisioning_key::{CreateProvisioningKey, create_provisioning_key};
pub use provisioning::{ProvisioningOverview, provisioning};
