//! A Roster per test, on a database of its own: a fresh SQLite file always, and a fresh
//! PostgreSQL database when `ROSTER_TEST_POSTGRES_URL` names a server to create it on.

pub mod oidc;
pub mod process;
pub mod receiver;

use std::future::Future;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use roster::Core;
use roster::domain::api_key::{CreateApiKeyRequest, NewApiKey};
use roster::domain::role::{CreateRoleRequest, NewRole};
use roster::domain::user::{CreateUserRequest, NewUser};
use roster::principal::{Credential, Principal};
use roster::store::Database;
use roster_app::site::Site;
use roster_server::{AppState, build_app};
use serde_json::Value;
use sqlx::Connection;
use totp_rs::{Algorithm, Secret, TOTP};
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

enum Cleanup {
    Nothing,
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

pub struct TestApp {
    pub backend: &'static str,
    pub core: Core,
    pub router: Router,
    /// The database's URL, for a second instance or a process of its own.
    pub url: String,
    options: TestOptions,
    cleanup: Cleanup,
    /// Keeps the instance's remembered API keys true, as `serve` does.
    watcher: tokio::task::JoinHandle<()>,
}

/// How a test's Roster is set up.
#[derive(Clone)]
pub struct TestOptions {
    pub site: Site,
    pub hasher: Option<roster::secret::Hasher>,
    /// The console's build settings (where its files are, whether their names are hashed).
    pub leptos: LeptosOptions,
    /// Users per block of the listing order, when not the default.
    pub listing_block: Option<i64>,
    /// The address people open Roster at, when not `http://127.0.0.1:3000`.
    pub public_url: Option<String>,
    /// How webhooks go: by default to plain http on 127.0.0.1, retried at once.
    pub webhooks: roster::services::webhooks::WebhookSettings,
}

/// Webhooks as the tests send them: plain http to 127.0.0.1 allowed, retries without waiting.
pub fn test_webhook_settings() -> roster::services::webhooks::WebhookSettings {
    roster::services::webhooks::WebhookSettings {
        allow_http: true,
        allow_hosts: vec!["127.0.0.1".to_owned()],
        backoff: vec![chrono::Duration::zero()],
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    }
}

impl Default for TestOptions {
    fn default() -> Self {
        Self {
            site: test_site(),
            hasher: None,
            leptos: leptos_options(),
            listing_block: None,
            public_url: None,
            webhooks: test_webhook_settings(),
        }
    }
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: axum::http::HeaderMap,
}

impl Reply {
    pub fn errors(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts the contract's error: exact status and exactly these messages.
    #[track_caller]
    pub fn assert_error(&self, status: u16, messages: &[&str]) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body, serde_json::json!({ "errors": messages }));
    }
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Key(String),
    Session(String),
    Header(String),
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("ROSTER_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url
        .rsplit_once('/')
        .expect("BUG: postgres url without a database");
    format!("{base}/{name}")
}

/// Tests reach the app from 127.0.0.1, a trusted proxy, so a test names its client's address
/// with `X-Forwarded-For`.
pub const TEST_PEER: &str = "127.0.0.1:40000";

pub fn test_site() -> Site {
    Site::new(None, Some("127.0.0.1")).expect("BUG: valid test site")
}

pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder().output_name("roster").build()
}

fn core_for(database: Database, options: &TestOptions) -> Core {
    let core = match &options.hasher {
        Some(hasher) => Core::with_hasher(database, hasher.clone()),
        None => Core::new(database),
    };
    let core = match &options.public_url {
        Some(public_url) => core.with_mail_settings(roster::services::mail::MailSettings {
            public_url: public_url.clone(),
            ..Default::default()
        }),
        None => core,
    };
    let core = core.with_webhook_settings(options.webhooks.clone());
    match options.listing_block {
        Some(block) => core.with_listing_block(block),
        None => core,
    }
}

fn watch(core: &Core) -> tokio::task::JoinHandle<()> {
    let core = core.clone();
    tokio::spawn(async move { core.watch_credentials().await })
}

fn router_for(core: &Core, options: &TestOptions) -> Router {
    build_app(AppState::new(
        core.clone(),
        options.leptos.clone(),
        options.site.clone(),
    ))
}

impl TestApp {
    async fn start(
        url: String,
        backend: &'static str,
        cleanup: Cleanup,
        options: TestOptions,
    ) -> Self {
        let database = Database::connect(&url).await.expect("database opens");
        database.migrate().await.expect("migrations apply");
        let core = core_for(database, &options);
        let router = router_for(&core, &options);
        TestApp {
            backend,
            watcher: watch(&core),
            core,
            router,
            url,
            options,
            cleanup,
        }
    }

    pub async fn sqlite() -> Self {
        Self::sqlite_with(TestOptions::default()).await
    }

    pub async fn sqlite_with(options: TestOptions) -> Self {
        let path = std::env::temp_dir().join(format!("roster-test-{}.db", Uuid::new_v4()));
        let url = format!("sqlite://{}", path.display());
        Self::start(url, "sqlite", Cleanup::SqliteFile(path), options).await
    }

    pub async fn postgres(admin_url: &str) -> Self {
        Self::postgres_with(admin_url, TestOptions::default()).await
    }

    pub async fn postgres_with(admin_url: &str, options: TestOptions) -> Self {
        let name = format!("roster_test_{}", Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("the PostgreSQL server of ROSTER_TEST_POSTGRES_URL answers");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("test database is created");
        admin.close().await.ok();
        let cleanup = Cleanup::PostgresDatabase {
            admin_url: admin_url.to_owned(),
            name: name.clone(),
        };
        Self::start(
            with_database(admin_url, &name),
            "postgres",
            cleanup,
            options,
        )
        .await
    }

    /// A Roster on a database the test manages itself (migrated here, never dropped).
    pub async fn attach(url: String) -> Self {
        let backend = if url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        };
        Self::start(url, backend, Cleanup::Nothing, TestOptions::default()).await
    }

    /// A user written straight into the database, past the core, as an import might write it:
    /// first name `Pat`, email `<username>@example.com`, created at `created`.
    pub async fn insert_user_row(
        &self,
        username: &str,
        name_last: &str,
        created: chrono::DateTime<chrono::Utc>,
    ) {
        const INSERT: &str = "INSERT INTO users (uuid, username, email, name_first, name_last, \
            admin, totp_enabled, language, created) VALUES ($1, $2, $3, 'Pat', $4, FALSE, FALSE, 'en', $5)";
        let email = format!("{username}@example.com");
        roster::with_db!(self.core.database(), pool => {
            sqlx::query(INSERT)
                .bind(Uuid::new_v4())
                .bind(username)
                .bind(&email)
                .bind(name_last)
                .bind(created)
                .execute(pool)
                .await
                .unwrap();
        });
    }

    /// Another Roster on the same database, with a pool and a core of its own: what a second
    /// process behind the load balancer would be.
    pub async fn another_instance(&self) -> TestApp {
        let database = Database::connect(&self.url).await.expect("database opens");
        let core = core_for(database, &self.options);
        let router = router_for(&core, &self.options);
        TestApp {
            backend: self.backend,
            watcher: watch(&core),
            core,
            router,
            url: self.url.clone(),
            options: self.options.clone(),
            cleanup: Cleanup::Nothing,
        }
    }

    /// Stops the instance's credential watcher, as a crash of it would.
    pub async fn stop_watching(&mut self) {
        self.watcher.abort();
        let _ = (&mut self.watcher).await;
    }

    pub async fn finish(self) {
        self.watcher.abort();
        self.core.database().close().await;
        match self.cleanup {
            Cleanup::Nothing => {}
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            }
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<&str>,
    ) -> Reply {
        self.request_with(method, path, auth, body, &[]).await
    }

    /// A request with extra headers; a JSON body is sent as `application/json` unless the
    /// headers name another content type.
    pub async fn request_with(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let peer: std::net::SocketAddr = TEST_PEER.parse().expect("BUG: valid peer");
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .extension(axum::extract::ConnectInfo(peer));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        match auth {
            Auth::None => {}
            Auth::Key(key) => {
                builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"))
            }
            Auth::Header(value) => builder = builder.header(header::AUTHORIZATION, value),
            Auth::Session(token) => {
                builder = builder.header(header::COOKIE, format!("roster_session={token}"))
            }
        }
        let typed = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !typed {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        let request = builder
            .body(
                body.map(|b| Body::from(b.to_owned()))
                    .unwrap_or_else(Body::empty),
            )
            .expect("BUG: test request builds");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body reads")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str, auth: &Auth) -> Reply {
        self.request(Method::GET, path, auth, None).await
    }

    pub async fn post(&self, path: &str, auth: &Auth, body: &str) -> Reply {
        self.request(Method::POST, path, auth, Some(body)).await
    }

    pub async fn patch(&self, path: &str, auth: &Auth, body: &str) -> Reply {
        self.request(Method::PATCH, path, auth, Some(body)).await
    }

    pub async fn delete(&self, path: &str, auth: &Auth) -> Reply {
        self.request(Method::DELETE, path, auth, None).await
    }

    /// Every user of the listing narrowed by `query` (such as `&search=x`), in listing order,
    /// read from the first page (which never goes through the blocks); all must fit on it.
    pub async fn whole_listing(&self, auth: &Auth, query: &str) -> Vec<Value> {
        let reply = self
            .get(&format!("/api/admin/users?per_page=100{query}"), auth)
            .await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        let users = reply.body["users"]["data"].as_array().unwrap().clone();
        assert_eq!(reply.body["users"]["total"], users.len(), "all on one page");
        users
    }

    /// Reads every page of `per_page` users of the listing narrowed by `query` (such as
    /// `&search=x`), and the page past the end, and compares each, and its total, with the
    /// slice of `expected`.
    pub async fn assert_pages(
        &self,
        auth: &Auth,
        query: &str,
        expected: &[Value],
        per_page: usize,
    ) {
        let pages = expected.len().div_ceil(per_page) + 1;
        for page in 1..=pages {
            let reply = self
                .get(
                    &format!("/api/admin/users?per_page={per_page}&page={page}{query}"),
                    auth,
                )
                .await;
            assert_eq!(reply.status, 200, "{:?}", reply.body);
            let start = ((page - 1) * per_page).min(expected.len());
            let end = (page * per_page).min(expected.len());
            assert_eq!(
                reply.body["users"],
                serde_json::json!({
                    "total": expected.len(),
                    "per_page": per_page,
                    "page": page,
                    "data": &expected[start..end],
                }),
                "page {page} of {per_page}{query} on {}",
                self.backend
            );
        }
    }

    async fn insert_user(&self, username: &str, admin: bool) -> roster::domain::user::User {
        let input = NewUser::try_from(CreateUserRequest {
            username: username.to_owned(),
            email: format!("{username}@example.com"),
            name_first: "Test".to_owned(),
            name_last: "Person".to_owned(),
            password: Some(PASSWORD.to_owned()),
            admin: Some(admin),
            ..CreateUserRequest::default()
        })
        .expect("valid test user");
        self.core
            .create_user(&roster::Principal::operator(), input)
            .await
            .expect("user is created")
    }

    /// Creates a user directly through the core (no HTTP), with [`PASSWORD`].
    pub async fn user(
        &self,
        username: &str,
        admin: bool,
        role: Option<Uuid>,
    ) -> roster::domain::user::User {
        let mut user = self.insert_user(username, admin).await;
        if let Some(role) = role {
            let admin = self.admin_principal().await;
            let patch = roster::domain::user::UserPatch {
                role_uuid: Some(Some(role)),
                ..Default::default()
            };
            user = self
                .core
                .update_user(&admin, user.uuid, patch, &roster::Precondition::None)
                .await
                .expect("role assigned");
        }
        user
    }

    /// The global admin `root` (created on first use), acting by session.
    pub async fn admin_principal(&self) -> Principal {
        let user = match self
            .core
            .get_user_by_login(&roster::Principal::operator(), "root")
            .await
        {
            Ok(user) => user,
            Err(_) => self.insert_user("root", true).await,
        };
        Principal {
            user,
            credential: Credential::Session {
                session_uuid: Uuid::new_v4(),
            },
            ip: None,
            idempotency: None,
            impersonator: None,
        }
    }

    pub async fn role(&self, name: &str, permissions: &[&str]) -> Uuid {
        let admin = self.admin_principal().await;
        let input = NewRole::try_from(CreateRoleRequest {
            name: name.to_owned(),
            description: None,
            admin_permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
            require_two_factor: None,
        })
        .expect("valid role");
        self.core
            .create_role(&admin, input)
            .await
            .expect("role is created")
            .uuid
    }

    /// An API key of `user` with the given scope.
    pub async fn key_for(&self, user: &roster::domain::user::User, scope: &[&str]) -> String {
        let input = NewApiKey::parse(
            CreateApiKeyRequest {
                name: "test".to_owned(),
                admin_permissions: scope.iter().map(|p| (*p).to_owned()).collect(),
                expires: None,
            },
            chrono::Utc::now(),
        )
        .expect("valid key request");
        self.core
            .create_api_key(&roster::Principal::operator_for(user.clone()), input)
            .await
            .expect("key is created")
            .key
    }

    /// A global admin's key with every permission.
    pub async fn admin_key(&self) -> Auth {
        let admin = self.admin_principal().await;
        let all: Vec<&str> = roster::Permission::ALL.iter().map(|p| p.as_str()).collect();
        Auth::Key(self.key_for(&admin.user, &all).await)
    }

    /// Signs in through the REST API and returns the session token from the cookie.
    pub async fn session(&self, username: &str) -> Auth {
        self.session_from(username, PASSWORD, "roster-tests").await
    }

    /// Signs in with a password and a browser's user agent.
    pub async fn session_from(&self, username: &str, password: &str, user_agent: &str) -> Auth {
        let body = serde_json::json!({ "user": username, "password": password }).to_string();
        let reply = self
            .request_with(
                Method::POST,
                "/api/auth/login",
                &Auth::None,
                Some(&body),
                &[("user-agent", user_agent)],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "login: {}", reply.body);
        let cookie = reply.headers[header::SET_COOKIE]
            .to_str()
            .expect("ascii cookie");
        let token = cookie
            .split(';')
            .next()
            .and_then(|pair| pair.strip_prefix("roster_session="))
            .expect("session cookie");
        Auth::Session(token.to_owned())
    }
}

/// The TOTP code of a base32 secret at a time.
pub fn code_at(secret: &str, time: u64) -> String {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("base32 secret");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, "test".to_owned()).generate(time)
}

pub fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

/// Enrols `username` (signed in as `session`) and answers the secret and the recovery codes.
pub async fn enrol(app: &TestApp, session: &Auth) -> (String, Vec<String>) {
    let setup = app
        .post("/api/client/account/two-factor/setup", session, "")
        .await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let secret = setup.body["secret"].as_str().unwrap().to_owned();
    let url = setup.body["otp_url"].as_str().unwrap();
    assert!(url.starts_with("otpauth://totp/Roster:"), "{url}");
    assert!(url.contains(&format!("secret={secret}")), "{url}");
    let body =
        serde_json::json!({ "code": code_at(&secret, now()), "password": PASSWORD }).to_string();
    let reply = app
        .post("/api/client/account/two-factor", session, &body)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let codes: Vec<String> = reply.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

/// `text` percent-encoded for a query string or a form body.
pub fn encode(text: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

/// Runs `test` against SQLite and, when configured, PostgreSQL, each on a fresh database.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = TestApp>,
{
    on_each_backend_with(TestOptions::default(), test).await;
}

/// [`on_each_backend`] with a Roster set up by `options`.
pub async fn on_each_backend_with<F, Fut>(options: TestOptions, test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = TestApp>,
{
    let app = TestApp::sqlite_with(options.clone()).await;
    test(app).await.finish().await;
    if let Some(url) = postgres_admin_url() {
        let app = TestApp::postgres_with(&url, options).await;
        test(app).await.finish().await;
    }
}

/// The PostgreSQL server tests may create databases on, when one is configured.
pub fn postgres_server() -> Option<String> {
    postgres_admin_url()
}
