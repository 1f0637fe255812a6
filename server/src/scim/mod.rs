//! The provisioning door: SCIM 2.0 (RFC 7643, RFC 7644) at `/scim/v2`, over the same core as the
//! REST API and the console. Identity providers (Okta, Entra ID, authentik, ...) create, update,
//! suspend and remove users, and give roles through groups, with an API key whose permissions
//! cover what they do. Each handler parses the SCIM wire format into the core's input and the
//! core's errors into SCIM's, here and nowhere else.

mod discovery;
mod error;
pub(crate) mod filter;
mod groups;
mod patch;
mod query;
mod users;

use axum::Router;
use axum::body::Bytes;
use std::future::Future;

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{CONTENT_TYPE, ETAG};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use roster::domain::provisioning::{Filter, Window};
use roster::principal::Credential;
use roster::{CoreError, Principal, Refusal};
use serde_json::Value;

use crate::state::AppState;
pub use error::ScimError;

/// SCIM's media type, on every answer.
pub const SCIM_JSON: &str = "application/scim+json";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/scim/v2/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/scim/v2/ResourceTypes", get(discovery::resource_types))
        .route(
            "/scim/v2/ResourceTypes/{id}",
            get(discovery::resource_type_by_id),
        )
        .route("/scim/v2/Schemas", get(discovery::schemas))
        .route("/scim/v2/Schemas/{id}", get(discovery::schema))
        .route(
            "/scim/v2/Users",
            get(list::<users::Users>).post(users::create),
        )
        .route("/scim/v2/Users/.search", post(search::<users::Users>))
        .route(
            "/scim/v2/Users/{id}",
            get(users::get)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route(
            "/scim/v2/Groups",
            get(list::<groups::Groups>).post(groups::create),
        )
        .route("/scim/v2/Groups/.search", post(search::<groups::Groups>))
        .route(
            "/scim/v2/Groups/{id}",
            get(groups::get)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route("/scim/v2/.search", post(query::search_all))
        .route("/scim/v2", any(not_found))
        .route("/scim/v2/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(scim_replies))
}

async fn not_found() -> ScimError {
    ScimError::new(StatusCode::NOT_FOUND, None, "no such resource or endpoint")
}

async fn method_not_allowed() -> ScimError {
    ScimError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        "the endpoint does not take that method",
    )
}

/// Every answer of the door is SCIM: an error from outside a handler (a body too large, a panic
/// caught further out) still comes as a SCIM error, and every body says it is SCIM's JSON.
async fn scim_replies(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !is_json && (status.is_client_error() || status.is_server_error()) {
        let detail = status.canonical_reason().unwrap_or("request failed");
        return ScimError::new(status, None, detail).into_response();
    }
    if is_json {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    }
    response
}

/// The provider's key, authenticated like every API key. Sessions do not reach this door: it is
/// for machines. Once the reply is known, the request is noted for the key (see
/// [`Provider::reply`]).
pub struct Provider {
    pub principal: Principal,
    method: String,
    path: String,
}

impl FromRequestParts<AppState> for Provider {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ScimError> {
        let bearer = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
        if !bearer {
            return Err(CoreError::Refused(Refusal::MissingAuthorization).into());
        }
        let mut credentials = roster_app::session::credentials(parts, &state.site);
        // A provider acts as its key's owner, never through a cookie or as someone else.
        credentials.session_token = None;
        credentials.act_as = None;
        let principal = state.core.authenticate(&credentials).await?;
        if !matches!(principal.credential, Credential::ApiKey { .. }) {
            return Err(CoreError::Refused(Refusal::MissingAuthorization).into());
        }
        Ok(Provider {
            principal,
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |p| p.to_string()),
        })
    }
}

impl Provider {
    /// Answers the request and notes it for the key: what the provisioning page shows.
    pub fn reply(&self, state: &AppState, result: Result<Response, ScimError>) -> Response {
        let response = result.unwrap_or_else(IntoResponse::into_response);
        // Shown to people as they would read it: `userName eq "jane@example.com"`.
        let readable = percent_encoding::percent_decode_str(&self.path).decode_utf8_lossy();
        let path: String = readable.chars().take(512).collect();
        state.core.note_provisioning_request(
            &self.principal,
            self.method.clone(),
            path,
            response.status().as_u16(),
        );
        response
    }
}

/// A JSON body, as SCIM's or plain JSON; anything else is `invalidSyntax`.
pub struct ScimBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimBody {
    type Rejection = ScimError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ScimError> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        match content_type.as_deref() {
            Some("application/scim+json" | "application/json") => {}
            _ => {
                return Err(ScimError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    None,
                    "send the body as application/scim+json",
                ));
            }
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            ScimError::new(StatusCode::PAYLOAD_TOO_LARGE, None, "the body is too large")
        })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ScimError::new(
                StatusCode::BAD_REQUEST,
                Some("invalidSyntax"),
                format!("the body is not JSON: {e}"),
            )
        })?;
        if !value.is_object() {
            return Err(ScimError::new(
                StatusCode::BAD_REQUEST,
                Some("invalidSyntax"),
                "the body is not a JSON object",
            ));
        }
        Ok(ScimBody(value))
    }
}

/// A resource as SCIM answers it, with its version as `ETag`.
pub fn resource(status: StatusCode, body: Value) -> Response {
    let version = body
        .pointer("/meta/version")
        .and_then(Value::as_str)
        .and_then(|v| HeaderValue::from_str(v).ok());
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(version) = version {
        response.headers_mut().insert(ETAG, version);
    }
    response
}

/// A resource answered with its status: `201` also says where it is (`Location`).
pub fn answered(status: StatusCode, body: Value) -> Response {
    let location = body
        .pointer("/meta/location")
        .and_then(Value::as_str)
        .and_then(|l| HeaderValue::from_str(l).ok());
    let mut response = resource(status, body);
    if status == StatusCode::CREATED
        && let Some(location) = location
    {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    response
}

/// A resource type of the door: how a filter on it reads, and how a window of it is found.
pub trait Resources {
    type Attribute;

    fn resolve(expr: &filter::Expr) -> Result<Filter<Self::Attribute>, ScimError>;

    fn find(
        state: &AppState,
        provider: &Provider,
        filter: Option<&Filter<Self::Attribute>>,
        window: Window,
        projection: &query::Projection,
    ) -> impl Future<Output = Result<(i64, Vec<Value>), ScimError>> + Send;
}

async fn answer<R: Resources>(
    state: &AppState,
    provider: &Provider,
    listing: query::Listing,
) -> Result<Response, ScimError> {
    let filter = listing.filter.as_ref().map(R::resolve).transpose()?;
    let (total, resources) = R::find(
        state,
        provider,
        filter.as_ref(),
        listing.window,
        &listing.projection,
    )
    .await?;
    Ok(list_response(total, listing.window.start, resources))
}

/// `GET /Users`, `GET /Groups`: a listing asked in the query string.
pub async fn list<R: Resources>(
    State(state): State<AppState>,
    provider: Provider,
    uri: axum::http::Uri,
) -> Response {
    let result =
        async { answer::<R>(&state, &provider, query::Listing::from_uri(&uri)?).await }.await;
    provider.reply(&state, result)
}

/// `POST /Users/.search`, `POST /Groups/.search`: a listing asked in the body.
pub async fn search<R: Resources>(
    State(state): State<AppState>,
    provider: Provider,
    ScimBody(body): ScimBody,
) -> Response {
    let result =
        async { answer::<R>(&state, &provider, query::Listing::from_search(&body)?).await }.await;
    provider.reply(&state, result)
}

/// A time as SCIM shows it: RFC 3339 in UTC, to the microsecond.
pub fn timestamp(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// An attribute of a JSON object by its name in any case, as SCIM names attributes.
pub fn field<'a>(object: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A list as SCIM answers it.
pub fn list_response(total: i64, start: i64, resources: Vec<Value>) -> Response {
    let body = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}
