//! The first admin is created only while no global admin exists, and never over an account.

use crate::common;
use roster::Refusal;

use common::{TestApp, on_each_backend};
use roster::CoreError;
use roster_server::bootstrap::{AdminSeed, Bootstrap, ensure_first_admin};

fn seed() -> AdminSeed {
    AdminSeed {
        username: "operator".to_owned(),
        email: "operator@example.com".to_owned(),
        password: "operator password".to_owned(),
    }
}

async fn exists(app: &TestApp, login: &str) -> bool {
    match app
        .core
        .get_user_by_login(&roster::Principal::operator(), login)
        .await
    {
        Ok(_) => true,
        Err(CoreError::Refused(Refusal::NotFound(_))) => false,
        Err(other) => panic!("lookup failed: {other:?}"),
    }
}

#[tokio::test]
async fn the_configured_admin_is_created_once_and_never_again_after_deletion() {
    on_each_backend(|app| async move {
        let first = ensure_first_admin(&app.core, Some(seed())).await.unwrap();
        assert_eq!(
            first,
            Bootstrap::Configured {
                username: "operator".to_owned()
            }
        );
        let operator = app
            .core
            .get_user_by_login(&roster::Principal::operator(), "operator")
            .await
            .unwrap();
        assert!(operator.admin);

        let successor = app.admin_principal().await;
        app.core
            .delete_user(&successor, operator.uuid, &roster::Precondition::None)
            .await
            .expect("another global admin deletes the configured one");
        let again = ensure_first_admin(&app.core, Some(seed())).await.unwrap();
        assert_eq!(again, Bootstrap::Nothing);
        assert!(!exists(&app, "operator").await);
        assert_eq!(app.core.count_global_admins().await.unwrap(), 1);
        app
    })
    .await;
}

#[tokio::test]
async fn a_generated_admin_is_created_only_while_no_global_admin_exists() {
    on_each_backend(|app| async move {
        let Bootstrap::Generated { username, password } =
            ensure_first_admin(&app.core, None).await.unwrap()
        else {
            panic!("an empty database gets a generated admin");
        };
        assert_eq!(username, "admin");
        assert!(password.len() >= 32);
        assert_eq!(
            ensure_first_admin(&app.core, None).await.unwrap(),
            Bootstrap::Nothing
        );
        assert_eq!(
            ensure_first_admin(&app.core, Some(seed())).await.unwrap(),
            Bootstrap::Nothing
        );
        assert!(!exists(&app, "operator").await);
        app
    })
    .await;
}

#[tokio::test]
async fn an_existing_account_with_the_admins_name_is_never_promoted() {
    on_each_backend(|app| async move {
        let plain = app.user("operator", false, None).await;
        let outcome = ensure_first_admin(&app.core, Some(seed())).await.unwrap();
        assert_eq!(
            outcome,
            Bootstrap::Skipped {
                username: "operator".to_owned(),
                reason: "user with email/username already exists".to_owned(),
            }
        );
        let after = app
            .core
            .get_user_by_login(&roster::Principal::operator(), "operator")
            .await
            .unwrap();
        assert_eq!(after, plain);
        assert_eq!(app.core.count_global_admins().await.unwrap(), 0);
        app
    })
    .await;
}
