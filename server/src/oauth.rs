//! The browser's door to signing in through a provider: leaving for the provider, and coming
//! back to Roster. Both answer with redirects, never with a page: a refusal goes to the sign-in
//! page (or, for a link, the account page) with an `error` code that page names.

use axum::extract::{Path, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roster::error::OAuthRefusal;
use roster::services::OAuthOutcome;
use roster::{CoreError, Refusal};
use roster_app::session::{
    challenge_cookie, cleared_oauth_state_cookie, client_info, credentials, oauth_state,
    oauth_state_cookie, session_cookie,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::state::AppState;

/// A `303 See Other` to `location`, setting `cookies`.
fn redirect(location: &str, cookies: &[String]) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(LOCATION, value);
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    (StatusCode::SEE_OTHER, headers).into_response()
}

/// Where a refusal is shown: the sign-in page, or the account page for a link.
fn refusal_page(error: &CoreError, linking: bool) -> String {
    let code = match error {
        CoreError::Refused(Refusal::OAuth(refusal)) => refusal.code(),
        CoreError::Refused(Refusal::NotFound(_)) => OAuthRefusal::Provider.code(),
        CoreError::Refused(Refusal::Suspended) => OAuthRefusal::Suspended.code(),
        _ => "oauth_unavailable",
    };
    let page = if linking { "/account" } else { "/sign-in" };
    format!("{page}?error={code}")
}

/// Leaves for the provider. A request with a signed-in session links the provider to that
/// account; any other signs in.
#[utoipa::path(
    get, path = "/api/auth/oauth/redirect/{provider}", tag = "auth", operation_id = "oauth_redirect", security(()),
    params(("provider" = String, Path, description = "The provider's uuid")),
    responses((status = 303, description = "To the provider's sign-in (a `roster_oauth` cookie keeps the state), or to `/sign-in?error=<code>` (`/account?error=<code>` when linking)", headers(("Location" = String, description = "Where the browser goes next"))))
)]
pub async fn leave(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    parts: Parts,
) -> Response {
    let credentials = credentials(&parts, &state.site);
    let linking = match credentials.session_token {
        Some(_) => state.core.authenticate(&credentials).await.ok(),
        None => None,
    };
    let Ok(provider) = Uuid::parse_str(&provider) else {
        return redirect(
            &refusal_page(
                &CoreError::Refused(Refusal::OAuth(OAuthRefusal::Provider)),
                linking.is_some(),
            ),
            &[],
        );
    };
    let client = client_info(&parts);
    match state
        .core
        .begin_oauth(provider, linking.as_ref(), &client)
        .await
    {
        Ok(start) => redirect(
            &start.location,
            &[oauth_state_cookie(&start.state, &state.site)],
        ),
        Err(error) => redirect(&refusal_page(&error, linking.is_some()), &[]),
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
}

/// Comes back from the provider with `code` and `state` (or with `error`, when the person
/// declined there).
#[utoipa::path(
    get, path = "/api/auth/oauth/{provider}", tag = "auth", operation_id = "oauth_callback", security(()),
    params(("provider" = String, Path, description = "The provider's uuid"), ("code" = Option<String>, Query, description = "The provider's authorization code"), ("state" = Option<String>, Query, description = "The state sent to the provider")),
    responses((status = 303, description = "Signed in (to `/`, with the session cookie), on to the code step (`/sign-in/code`), linked (`/account?linked=1`), or refused (`/sign-in?error=<code>`)", headers(("Location" = String, description = "Where the browser goes next"))))
)]
pub async fn come_back(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(callback): Query<Callback>,
    parts: Parts,
) -> Response {
    let site = &state.site;
    let cleared = cleared_oauth_state_cookie(site);
    let kept = oauth_state(&parts, site);
    let linking = credentials(&parts, site).session_token.is_some();
    let (Ok(provider), Some(code), Some(returned)) =
        (Uuid::parse_str(&provider), callback.code, callback.state)
    else {
        let refusal = CoreError::Refused(Refusal::OAuth(OAuthRefusal::Provider));
        return redirect(&refusal_page(&refusal, linking), &[cleared]);
    };
    let outcome = state
        .core
        .finish_oauth(
            provider,
            &code,
            &returned,
            kept.as_deref(),
            client_info(&parts),
        )
        .await;
    match outcome {
        Ok(OAuthOutcome::SignedIn(session)) => redirect(
            "/",
            &[
                cleared,
                session_cookie(&session.token, session.expires, site),
            ],
        ),
        Ok(OAuthOutcome::TwoFactorRequired { token }) => {
            redirect("/sign-in/code", &[cleared, challenge_cookie(&token, site)])
        }
        Ok(OAuthOutcome::Linked) => redirect("/account?linked=1", &[cleared]),
        Err(error) => {
            if !matches!(error, CoreError::Refused(_)) {
                tracing::warn!(%error, "a sign-in through a provider failed");
            }
            redirect(&refusal_page(&error, linking), &[cleared])
        }
    }
}
