//! The HTTP status of each core error, shared by the REST API and the server functions so that
//! both doors answer alike.

use http::StatusCode;
use roster::CoreError;

pub fn status_of(error: &CoreError) -> StatusCode {
    match error {
        CoreError::MissingAuthorization
        | CoreError::InvalidSession
        | CoreError::InvalidApiKey
        | CoreError::InvalidCredentials
        | CoreError::InvalidTwoFactor
        | CoreError::Unauthorized => StatusCode::UNAUTHORIZED,
        CoreError::MissingPermission(_)
        | CoreError::Guardrail(_)
        | CoreError::SessionRequired
        | CoreError::InvalidPassword
        | CoreError::CrossSiteRequest
        | CoreError::Suspended
        | CoreError::TwoFactorRequired => StatusCode::FORBIDDEN,
        CoreError::InvalidUuid(_)
        | CoreError::InvalidPayload(_)
        | CoreError::Invalid(_)
        | CoreError::InvalidRelation(_)
        | CoreError::UserHasServers
        | CoreError::LastGlobalAdmin
        | CoreError::DeleteSelf
        | CoreError::SuspendSelf
        | CoreError::InvalidToken
        | CoreError::TwoFactorEnabled
        | CoreError::TwoFactorNotStarted => StatusCode::BAD_REQUEST,
        CoreError::NotFound(_) => StatusCode::NOT_FOUND,
        CoreError::Conflict(_) | CoreError::EmailInUse => StatusCode::CONFLICT,
        CoreError::Changed => StatusCode::PRECONDITION_FAILED,
        CoreError::InvalidIdempotencyKey => StatusCode::BAD_REQUEST,
        CoreError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        CoreError::IdempotencyKeyInFlight | CoreError::IdempotentReplyNotKept => {
            StatusCode::CONFLICT
        }
        CoreError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        CoreError::Busy | CoreError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        CoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
