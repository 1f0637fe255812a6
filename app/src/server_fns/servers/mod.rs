mod create_server;
mod delete_server;
mod list_servers;
mod transfer_server;

pub use create_server::{CreateServer, create_server};
pub use delete_server::{DeleteServer, delete_server};
pub use list_servers::{ListServers, list_servers};
pub use transfer_server::{TransferServer, transfer_server};
