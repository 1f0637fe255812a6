mod create_webhook;
mod delete_webhook;
mod list_webhooks;
mod resend_delivery;
mod rotate_secret;
mod send_test;
mod set_webhook_enabled;

pub use create_webhook::{CreateWebhook, create_webhook};
pub use delete_webhook::{DeleteWebhook, delete_webhook};
pub use list_webhooks::{ListWebhooks, list_webhooks};
pub use resend_delivery::{ResendDelivery, resend_delivery};
pub use rotate_secret::{RotateWebhookSecret, rotate_webhook_secret};
pub use send_test::{SendTestWebhook, send_test_webhook};
pub use set_webhook_enabled::{SetWebhookEnabled, set_webhook_enabled};
