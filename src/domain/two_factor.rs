use serde::{Deserialize, Serialize};

/// What an authenticator app needs to enrol: the `otpauth://` URL (shown as a QR code) and the
/// secret in base32, for typing in by hand.
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    pub otp_url: String,
    pub secret: String,
}
