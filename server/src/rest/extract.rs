//! Extractors that turn what a request carries into core input, failing with the contract's
//! errors instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use roster::Refusal;
use roster::domain::activity::{ActivityParams, ActivityQuery};
use roster::domain::export::ExportColumns;
use roster::domain::page::{ListParams, ListQuery};
use roster::principal::IdempotencyHold;
use roster::services::ClientInfo;
use roster::{CoreError, Entity, Principal};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::error::ApiError;
use crate::state::AppState;

/// The authenticated caller, holding the request's `Idempotency-Key` if the idempotency layer
/// claimed one: the write the caller makes marks it used.
pub struct Caller(pub Principal);

/// The caller even when suspended: only for `GET /api/client/account`.
pub struct Identified(pub Principal);

impl FromRequestParts<AppState> for Identified {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let credentials = roster_app::session::credentials(parts, &state.site);
        Ok(Identified(state.core.identify(&credentials).await?))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let credentials = roster_app::session::credentials(parts, &state.site);
        let mut principal = state.core.authenticate(&credentials).await?;
        principal.idempotency = parts.extensions.get::<IdempotencyHold>().cloned();
        Ok(Caller(principal))
    }
}

/// Where the request came from, kept with a session opened by it.
pub struct Client(pub ClientInfo);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(Client(roster_app::session::client_info(parts)))
    }
}

/// A JSON body; anything that is not the expected shape is `invalid payload: <reason>`. The body
/// must say it is JSON: a browser form (`text/plain`, url-encoded) cannot smuggle JSON in.
pub struct Payload<T>(pub T);

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Payload<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match request.headers().get(CONTENT_TYPE).map(|v| v.to_str()) {
            None => {
                return Err(ApiError::Payload("missing content type header".into()));
            }
            Some(Ok(content_type)) if is_json(content_type) => {}
            Some(_) => {
                return Err(ApiError::Payload("unsupported content type".into()));
            }
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::Http(StatusCode::PAYLOAD_TOO_LARGE, "payload too large"))?;
        serde_json::from_slice(&bytes)
            .map(Payload)
            .map_err(|e| ApiError::Payload(e.to_string()))
    }
}

/// `page`, `per_page` and `search`, parsed by the core's rules.
pub struct Listing(pub ListQuery);

impl<S: Send + Sync> FromRequestParts<S> for Listing {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Query(params) = Query::<ListParams>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::Payload(e.body_text()))?;
        Ok(Listing(ListQuery::try_from(params)?))
    }
}

/// The columns of a CSV export, parsed by the core's rules: `columns=a,b`, or `columns=a&columns=b`
/// as a form of checkboxes sends them.
pub struct Exported(pub ExportColumns);

impl<S: Send + Sync> FromRequestParts<S> for Exported {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::Payload(e.body_text()))?;
        let columns: Vec<&str> = pairs
            .iter()
            .filter(|(name, _)| name == "columns")
            .map(|(_, value)| value.as_str())
            .collect();
        Ok(Exported(ExportColumns::parse(
            Some(columns.join(",").as_str()).filter(|_| !columns.is_empty()),
        )?))
    }
}

/// The filters and page of an activity listing, parsed by the core's rules.
pub struct ActivityListing(pub ActivityQuery);

impl<S: Send + Sync> FromRequestParts<S> for ActivityListing {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Query(params) = Query::<ActivityParams>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::Payload(e.body_text()))?;
        Ok(ActivityListing(ActivityQuery::try_from(params)?))
    }
}

/// What a route's uuid names, as a type: `Id<ids::User>` is a user's uuid.
pub trait Named {
    const ENTITY: Entity;
}

/// The kinds of record a path names by uuid.
pub mod ids {
    use roster::Entity;

    macro_rules! named {
        ($($name:ident),*) => {$(
            pub enum $name {}
            impl super::Named for $name {
                const ENTITY: Entity = Entity::$name;
            }
        )*};
    }
    named!(
        User,
        Role,
        Server,
        ApiKey,
        Session,
        OAuthProvider,
        OAuthMapping,
        OAuthLink,
        SecurityKey,
        Webhook,
        WebhookDelivery,
        Job
    );
}

/// The route's two path segments, a uuid of `A` then one of `B`.
pub struct Ids<A, B>(
    pub Uuid,
    pub Uuid,
    pub std::marker::PhantomData<fn() -> (A, B)>,
);

impl<S: Send + Sync, A: Named, B: Named> FromRequestParts<S> for Ids<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let invalid = |entity| ApiError::Core(CoreError::Refused(Refusal::InvalidUuid(entity)));
        let Path((first, second)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| invalid(A::ENTITY))?;
        let first = Uuid::parse_str(&first).map_err(|_| invalid(A::ENTITY))?;
        let second = Uuid::parse_str(&second).map_err(|_| invalid(B::ENTITY))?;
        Ok(Ids(first, second, std::marker::PhantomData))
    }
}

/// A provider's uuid and an identity at it, as Paymenter's lookup names them.
pub struct ProviderIdentifier(pub Uuid, pub String);

impl<S: Send + Sync> FromRequestParts<S> for ProviderIdentifier {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let invalid = || {
            ApiError::Core(CoreError::Refused(Refusal::InvalidUuid(
                Entity::OAuthProvider,
            )))
        };
        let Path((provider, identifier)) =
            Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|_| invalid())?;
        let provider = Uuid::parse_str(&provider).map_err(|_| invalid())?;
        Ok(ProviderIdentifier(provider, identifier))
    }
}

/// The route's one path segment, a uuid of `T`: anything else is `400 invalid <entity> uuid`.
pub struct Id<T>(pub Uuid, pub std::marker::PhantomData<fn() -> T>);

impl<S: Send + Sync, T: Named> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let invalid = || ApiError::Core(CoreError::Refused(Refusal::InvalidUuid(T::ENTITY)));
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| invalid())?;
        let uuid = Uuid::parse_str(&raw).map_err(|_| invalid())?;
        Ok(Id(uuid, std::marker::PhantomData))
    }
}
