//! The HTTP status of each core error, shared by the REST API and the server functions so that
//! both doors answer alike.

use http::StatusCode;
use roster::error::{KeyRefusal, OAuthRefusal};
use roster::{CoreError, Refusal};

pub fn status_of(error: &CoreError) -> StatusCode {
    match error {
        CoreError::Refused(refusal) => status_of_refusal(refusal),
        CoreError::Busy | CoreError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        CoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub fn status_of_refusal(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::MissingAuthorization
        | Refusal::InvalidSession
        | Refusal::InvalidApiKey
        | Refusal::InvalidCredentials
        | Refusal::InvalidTwoFactor
        | Refusal::ImpersonatedUnknown
        | Refusal::Unauthorized => StatusCode::UNAUTHORIZED,
        Refusal::MissingPermission(_)
        | Refusal::Guardrail(_)
        | Refusal::SessionRequired
        | Refusal::InvalidPassword
        | Refusal::Suspended
        | Refusal::ImpersonatedHoldsMore
        | Refusal::Impersonating
        | Refusal::TwoFactorRequired => StatusCode::FORBIDDEN,
        Refusal::InvalidUuid(_)
        | Refusal::Invalid(_)
        | Refusal::InvalidRelation(_)
        | Refusal::UserHasServers
        | Refusal::LastGlobalAdmin
        | Refusal::DeleteSelf
        | Refusal::SuspendSelf
        | Refusal::InvalidToken
        | Refusal::TwoFactorEnabled
        | Refusal::TwoFactorNotStarted => StatusCode::BAD_REQUEST,
        Refusal::NotFound(_) => StatusCode::NOT_FOUND,
        Refusal::OAuth(OAuthRefusal::Suspended | OAuthRefusal::NotLinkable) => {
            StatusCode::FORBIDDEN
        }
        Refusal::OAuth(
            OAuthRefusal::Taken | OAuthRefusal::LinkTaken | OAuthRefusal::LastSignIn,
        ) => StatusCode::CONFLICT,
        Refusal::OAuth(_) => StatusCode::BAD_REQUEST,
        Refusal::SecurityKey(KeyRefusal::AlreadySetUp) => StatusCode::CONFLICT,
        Refusal::SecurityKey(KeyRefusal::Limit) => StatusCode::EXPECTATION_FAILED,
        Refusal::SecurityKey(_) => StatusCode::BAD_REQUEST,
        Refusal::Conflict(_) | Refusal::EmailInUse | Refusal::Frozen => StatusCode::CONFLICT,
        Refusal::Changed => StatusCode::PRECONDITION_FAILED,
        Refusal::InvalidIdempotencyKey => StatusCode::BAD_REQUEST,
        Refusal::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::IdempotencyKeyInFlight | Refusal::IdempotentReplyNotKept => StatusCode::CONFLICT,
        Refusal::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
    }
}
