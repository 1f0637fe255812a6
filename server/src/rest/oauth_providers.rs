//! OAuth providers, their claim mappings, their users' links, and a user's links, as
//! Calagopus' admin API has them.

use axum::Json;
use axum::extract::State;
use roster::domain::oauth::{
    CreateOAuthLinkRequest, CreateOAuthProviderRequest, MappingInput, MappingRequest, NewOAuthLink,
    NewOAuthProvider, OAuthProviderPatch, UpdateOAuthProviderRequest,
};

use super::error::ApiError;
use super::extract::{Caller, Id, Ids, Listing, Payload, ProviderIdentifier, ids};
use super::openapi::{
    Empty, Errors, ListParams, OAuthLinkReply, OAuthLinksReply, OAuthMappingReply,
    OAuthMappingsReply, OAuthProviderReply, OAuthProvidersReply, ProviderLinkReply,
    ProviderLinksReply, SignInProvidersReply,
};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/auth/oauth", tag = "auth", operation_id = "list_sign_in_providers", security(()),
    responses((status = 200, description = "The enabled providers a sign-in page offers, oldest first; each signs in at `/api/auth/oauth/redirect/{uuid}`", body = SignInProvidersReply))
)]
pub async fn sign_in_providers(
    State(state): State<AppState>,
) -> Result<Json<SignInProvidersReply>, ApiError> {
    let providers = state.core.sign_in_providers().await?;
    Ok(Json(SignInProvidersReply {
        oauth_providers: providers,
    }))
}

#[utoipa::path(
    get, path = "/api/client/account/oauth-links", tag = "account", operation_id = "list_own_oauth_links",
    params(ListParams),
    responses((status = 200, description = "A page of the caller's links to providers that show them, oldest first", body = OAuthLinksReply))
)]
pub async fn own_links(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<OAuthLinksReply>, ApiError> {
    let page = state.core.list_own_oauth_links(&caller, query).await?;
    Ok(Json(OAuthLinksReply { oauth_links: page }))
}

#[utoipa::path(
    delete, path = "/api/client/account/oauth-links/{oauth_link}", tag = "account", operation_id = "delete_own_oauth_link",
    params(("oauth_link" = uuid::Uuid, Path, description = "The link's uuid")),
    responses((status = 200, description = "Unlinked", body = Empty), (status = 404, description = "No such link of the caller's", body = Errors), (status = 409, description = "The link is the only way the caller can sign in", body = Errors))
)]
pub async fn delete_own_link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(link, _): Id<ids::OAuthLink>,
) -> Result<Json<Empty>, ApiError> {
    state.core.delete_own_oauth_link(&caller, link).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/api/admin/oauth-providers", tag = "oauth-providers", operation_id = "list_oauth_providers",
    params(ListParams),
    responses((status = 200, description = "A page of providers, oldest first; `search` matches the name", body = OAuthProvidersReply)),
    extensions(("x-required-permission" = json!("oauth-providers.read")))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Listing(query): Listing,
) -> Result<Json<OAuthProvidersReply>, ApiError> {
    let page = state.core.list_oauth_providers(&caller, query).await?;
    Ok(Json(OAuthProvidersReply {
        oauth_providers: page,
    }))
}

#[utoipa::path(
    post, path = "/api/admin/oauth-providers", tag = "oauth-providers", operation_id = "create_oauth_provider",
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = CreateOAuthProviderRequest,
    responses((status = 200, description = "Created; the client secret is never returned", body = OAuthProviderReply, links(("GetOAuthProvider" = (operation_id = "get_oauth_provider", parameters(("oauth_provider" = "$response.body#/oauth_provider/uuid")))), ("UpdateOAuthProvider" = (operation_id = "update_oauth_provider", parameters(("oauth_provider" = "$response.body#/oauth_provider/uuid")))), ("DeleteOAuthProvider" = (operation_id = "delete_oauth_provider", parameters(("oauth_provider" = "$response.body#/oauth_provider/uuid")))))), (status = 409, description = "The name is taken, or the idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.create")))
)]
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Payload(request): Payload<CreateOAuthProviderRequest>,
) -> Result<Json<OAuthProviderReply>, ApiError> {
    let provider = state
        .core
        .create_oauth_provider(&caller, NewOAuthProvider::try_from(request)?)
        .await?;
    Ok(Json(OAuthProviderReply {
        oauth_provider: provider,
    }))
}

#[utoipa::path(
    get, path = "/api/admin/oauth-providers/{oauth_provider}", tag = "oauth-providers", operation_id = "get_oauth_provider",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid")),
    responses((status = 200, description = "The provider", body = OAuthProviderReply), (status = 404, description = "No such provider", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.read")))
)]
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(provider, _): Id<ids::OAuthProvider>,
) -> Result<Json<OAuthProviderReply>, ApiError> {
    let provider = state.core.get_oauth_provider(&caller, provider).await?;
    Ok(Json(OAuthProviderReply {
        oauth_provider: provider,
    }))
}

#[utoipa::path(
    patch, path = "/api/admin/oauth-providers/{oauth_provider}", tag = "oauth-providers", operation_id = "update_oauth_provider",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid")),
    request_body = UpdateOAuthProviderRequest,
    responses((status = 200, description = "Updated", body = OAuthProviderReply), (status = 404, description = "No such provider", body = Errors), (status = 409, description = "The name is taken", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.update")))
)]
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(provider, _): Id<ids::OAuthProvider>,
    Payload(request): Payload<UpdateOAuthProviderRequest>,
) -> Result<Json<OAuthProviderReply>, ApiError> {
    let patch = OAuthProviderPatch::try_from(request)?;
    let provider = state
        .core
        .update_oauth_provider(&caller, provider, patch)
        .await?;
    Ok(Json(OAuthProviderReply {
        oauth_provider: provider,
    }))
}

#[utoipa::path(
    delete, path = "/api/admin/oauth-providers/{oauth_provider}", tag = "oauth-providers", operation_id = "delete_oauth_provider",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid")),
    responses((status = 200, description = "Deleted, with its mappings and every user's link to it", body = Empty), (status = 404, description = "No such provider", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.delete")))
)]
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(provider, _): Id<ids::OAuthProvider>,
) -> Result<Json<Empty>, ApiError> {
    state.core.delete_oauth_provider(&caller, provider).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/api/admin/oauth-providers/{oauth_provider}/mappings", tag = "oauth-providers", operation_id = "list_oauth_mappings",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid"), ListParams),
    responses((status = 200, description = "A page of the provider's claim mappings, oldest first", body = OAuthMappingsReply), (status = 404, description = "No such provider", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.read")))
)]
pub async fn list_mappings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(provider, _): Id<ids::OAuthProvider>,
    Listing(query): Listing,
) -> Result<Json<OAuthMappingsReply>, ApiError> {
    let page = state
        .core
        .list_oauth_mappings(&caller, provider, query)
        .await?;
    Ok(Json(OAuthMappingsReply {
        oauth_mappings: page,
    }))
}

#[utoipa::path(
    post, path = "/api/admin/oauth-providers/{oauth_provider}/mappings", tag = "oauth-providers", operation_id = "create_oauth_mapping",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid"), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = MappingRequest,
    responses((status = 200, description = "Created", body = OAuthMappingReply, links(("GetOAuthMapping" = (operation_id = "get_oauth_mapping", parameters(("oauth_provider" = "$request.path.oauth_provider"), ("mapping" = "$response.body#/oauth_mapping/uuid")))), ("DeleteOAuthMapping" = (operation_id = "delete_oauth_mapping", parameters(("oauth_provider" = "$request.path.oauth_provider"), ("mapping" = "$response.body#/oauth_mapping/uuid")))))), (status = 404, description = "No such provider", body = Errors), (status = 409, description = "The idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.update")))
)]
pub async fn create_mapping(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(provider, _): Id<ids::OAuthProvider>,
    Payload(request): Payload<MappingRequest>,
) -> Result<Json<OAuthMappingReply>, ApiError> {
    let input = MappingInput::parse(request, true)?;
    let mapping = state
        .core
        .create_oauth_mapping(&caller, provider, input)
        .await?;
    Ok(Json(OAuthMappingReply {
        oauth_mapping: mapping,
    }))
}

#[utoipa::path(
    get, path = "/api/admin/oauth-providers/{oauth_provider}/mappings/{mapping}", tag = "oauth-providers", operation_id = "get_oauth_mapping",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid"), ("mapping" = uuid::Uuid, Path, description = "The mapping's uuid")),
    responses((status = 200, description = "The mapping", body = OAuthMappingReply), (status = 404, description = "No such provider or mapping", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.read")))
)]
pub async fn get_mapping(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Ids(provider, mapping, _): Ids<ids::OAuthProvider, ids::OAuthMapping>,
) -> Result<Json<OAuthMappingReply>, ApiError> {
    let mapping = state
        .core
        .get_oauth_mapping(&caller, provider, mapping)
        .await?;
    Ok(Json(OAuthMappingReply {
        oauth_mapping: mapping,
    }))
}

#[utoipa::path(
    patch, path = "/api/admin/oauth-providers/{oauth_provider}/mappings/{mapping}", tag = "oauth-providers", operation_id = "update_oauth_mapping",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid"), ("mapping" = uuid::Uuid, Path, description = "The mapping's uuid")),
    request_body = MappingRequest,
    responses((status = 200, description = "Updated", body = OAuthMappingReply), (status = 404, description = "No such provider or mapping", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.update")))
)]
pub async fn update_mapping(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Ids(provider, mapping, _): Ids<ids::OAuthProvider, ids::OAuthMapping>,
    Payload(request): Payload<MappingRequest>,
) -> Result<Json<OAuthMappingReply>, ApiError> {
    let input = MappingInput::parse(request, false)?;
    let mapping = state
        .core
        .update_oauth_mapping(&caller, provider, mapping, input)
        .await?;
    Ok(Json(OAuthMappingReply {
        oauth_mapping: mapping,
    }))
}

#[utoipa::path(
    delete, path = "/api/admin/oauth-providers/{oauth_provider}/mappings/{mapping}", tag = "oauth-providers", operation_id = "delete_oauth_mapping",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid"), ("mapping" = uuid::Uuid, Path, description = "The mapping's uuid")),
    responses((status = 200, description = "Deleted", body = Empty), (status = 404, description = "No such provider or mapping", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.update")))
)]
pub async fn delete_mapping(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Ids(provider, mapping, _): Ids<ids::OAuthProvider, ids::OAuthMapping>,
) -> Result<Json<Empty>, ApiError> {
    state
        .core
        .delete_oauth_mapping(&caller, provider, mapping)
        .await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/api/admin/oauth-providers/{oauth_provider}/users", tag = "oauth-providers", operation_id = "list_oauth_provider_users",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid"), ListParams),
    responses((status = 200, description = "A page of the provider's links with their users, oldest first; `search` matches the identifier", body = ProviderLinksReply), (status = 404, description = "No such provider", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.read")))
)]
pub async fn users(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(provider, _): Id<ids::OAuthProvider>,
    Listing(query): Listing,
) -> Result<Json<ProviderLinksReply>, ApiError> {
    let page = state
        .core
        .list_provider_links(&caller, provider, query)
        .await?;
    Ok(Json(ProviderLinksReply {
        user_oauth_links: page,
    }))
}

#[utoipa::path(
    get, path = "/api/admin/oauth-providers/{oauth_provider}/users/identifier/{identifier}", tag = "oauth-providers", operation_id = "find_oauth_provider_user",
    params(("oauth_provider" = uuid::Uuid, Path, description = "The provider's uuid"), ("identifier" = String, Path, description = "The identity at the provider, exactly")),
    responses((status = 200, description = "The link with its user", body = ProviderLinkReply), (status = 404, description = "No such provider, or no user linked to that identity", body = Errors)),
    extensions(("x-required-permission" = json!("oauth-providers.read")))
)]
pub async fn find_user(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ProviderIdentifier(provider, identifier): ProviderIdentifier,
) -> Result<Json<ProviderLinkReply>, ApiError> {
    let link = state
        .core
        .find_provider_link(&caller, provider, &identifier)
        .await?;
    Ok(Json(ProviderLinkReply {
        user_oauth_link: link,
    }))
}

#[utoipa::path(
    get, path = "/api/admin/users/{user}/oauth-links", tag = "users", operation_id = "list_user_oauth_links",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ListParams),
    responses((status = 200, description = "A page of the user's links, oldest first; `search` matches the identifier", body = OAuthLinksReply), (status = 404, description = "No such user", body = Errors)),
    extensions(("x-required-permission" = json!("users.oauth-links")))
)]
pub async fn user_links(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
    Listing(query): Listing,
) -> Result<Json<OAuthLinksReply>, ApiError> {
    let page = state
        .core
        .list_user_oauth_links(&caller, user, query)
        .await?;
    Ok(Json(OAuthLinksReply { oauth_links: page }))
}

#[utoipa::path(
    post, path = "/api/admin/users/{user}/oauth-links", tag = "users", operation_id = "create_user_oauth_link",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body within 24 hours replay the first reply without writing again")),
    request_body = CreateOAuthLinkRequest,
    responses((status = 200, description = "Linked", body = OAuthLinkReply, links(("GetOAuthLink" = (operation_id = "get_user_oauth_link", parameters(("user" = "$request.path.user"), ("oauth_link" = "$response.body#/oauth_link/uuid")))), ("DeleteOAuthLink" = (operation_id = "delete_user_oauth_link", parameters(("user" = "$request.path.user"), ("oauth_link" = "$response.body#/oauth_link/uuid")))))), (status = 404, description = "No such user or provider", body = Errors), (status = 409, description = "The identity is linked already, the user has a link to that provider, or the idempotency key is in use", body = Errors), (status = 422, description = "The idempotency key came with another request", body = Errors)),
    extensions(("x-required-permission" = json!("users.oauth-links")))
)]
pub async fn create_user_link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Id(user, _): Id<ids::User>,
    Payload(request): Payload<CreateOAuthLinkRequest>,
) -> Result<Json<OAuthLinkReply>, ApiError> {
    let input = NewOAuthLink::try_from(request)?;
    let link = state
        .core
        .create_user_oauth_link(&caller, user, input)
        .await?;
    Ok(Json(OAuthLinkReply { oauth_link: link }))
}

#[utoipa::path(
    get, path = "/api/admin/users/{user}/oauth-links/{oauth_link}", tag = "users", operation_id = "get_user_oauth_link",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ("oauth_link" = uuid::Uuid, Path, description = "The link's uuid")),
    responses((status = 200, description = "The link", body = OAuthLinkReply), (status = 404, description = "No such user or link", body = Errors)),
    extensions(("x-required-permission" = json!("users.oauth-links")))
)]
pub async fn get_user_link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Ids(user, link, _): Ids<ids::User, ids::OAuthLink>,
) -> Result<Json<OAuthLinkReply>, ApiError> {
    let link = state.core.get_user_oauth_link(&caller, user, link).await?;
    Ok(Json(OAuthLinkReply { oauth_link: link }))
}

#[utoipa::path(
    delete, path = "/api/admin/users/{user}/oauth-links/{oauth_link}", tag = "users", operation_id = "delete_user_oauth_link",
    params(("user" = uuid::Uuid, Path, description = "The user's uuid"), ("oauth_link" = uuid::Uuid, Path, description = "The link's uuid")),
    responses((status = 200, description = "Unlinked", body = Empty), (status = 404, description = "No such user or link", body = Errors)),
    extensions(("x-required-permission" = json!("users.oauth-links")))
)]
pub async fn delete_user_link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Ids(user, link, _): Ids<ids::User, ids::OAuthLink>,
) -> Result<Json<Empty>, ApiError> {
    state
        .core
        .delete_user_oauth_link(&caller, user, link)
        .await?;
    Ok(Json(Empty {}))
}
