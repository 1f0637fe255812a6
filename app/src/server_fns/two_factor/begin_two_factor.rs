use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the enrolment form shows: the secret as text and as a QR code (an SVG drawn here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub secret: String,
    pub qr_svg: String,
}

#[server(name = BeginTwoFactor, prefix = "/_roster", endpoint = "two_factor/begin")]
pub async fn begin_two_factor() -> Result<Enrolment, AppError> {
    use qrcode::QrCode;
    use qrcode::render::svg;

    let (core, principal) = super::super::principal().await?;
    let setup = core.begin_two_factor(&principal).await?;
    let qr_svg = QrCode::new(setup.otp_url.as_bytes())
        .map_err(roster::CoreError::internal)?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret: setup.secret,
        qr_svg,
    })
}
