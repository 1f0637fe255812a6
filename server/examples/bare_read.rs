//! The floor a keyed read is measured against: a bare axum + sqlx handler that answers
//! `GET /api/admin/users/{uuid}` with the same row shape from the same database, with no
//! authentication, no edge layers and one query. `.ci/bench-reads` runs it beside Roster.
//!
//! `bare_read <database-url> <listen-address>`

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use roster::domain::user::User;
use roster::store::Database;
use roster::store::rows::{USER_COLUMNS, USER_FROM, UserRow};
use serde_json::json;
use uuid::Uuid;

async fn user(State(db): State<Database>, Path(uuid): Path<Uuid>) -> Response {
    let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.uuid = $1");
    let row = match &db {
        Database::Sqlite(pool) => {
            sqlx::query_as::<_, UserRow>(&sql)
                .bind(uuid)
                .fetch_optional(pool)
                .await
        }
        Database::Postgres(pool) => {
            sqlx::query_as::<_, UserRow>(&sql)
                .bind(uuid)
                .fetch_optional(pool)
                .await
        }
    };
    match row {
        Ok(Some(row)) => Json(json!({ "user": User::from(row) })).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(listen)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_read <database-url> <listen-address>");
        std::process::exit(2);
    };
    let db = Database::connect(&url).await.expect("the database opens");
    let app = Router::new()
        .route("/api/admin/users/{uuid}", get(user))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .expect("the address is free");
    axum::serve(listener, app).await.expect("serves");
}
