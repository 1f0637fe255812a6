//! The first admin: Roster never starts without a way in.

use roster::Core;
use roster::domain::user::{CreateUserRequest, NewUser};
use roster::secret::random_token;

use crate::startup::StartupError;

/// The `ROSTER_ADMIN_*` variables, when all three are set.
pub struct AdminSeed {
    pub username: String,
    pub email: String,
    pub password: String,
}

impl AdminSeed {
    pub fn from_env() -> Option<Self> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Some(Self {
            username: var("ROSTER_ADMIN_USERNAME")?,
            email: var("ROSTER_ADMIN_EMAIL")?,
            password: var("ROSTER_ADMIN_PASSWORD")?,
        })
    }
}

/// What start-up did about the first admin.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    Nothing,
    /// Created from `ROSTER_ADMIN_*`.
    Configured {
        username: String,
    },
    /// Created with a random password, to be printed once.
    Generated {
        username: String,
        password: String,
    },
}

async fn create_admin(
    core: &Core,
    username: String,
    email: String,
    password: String,
) -> Result<(), StartupError> {
    let input = NewUser::try_from(CreateUserRequest {
        username,
        email,
        name_first: "Roster".to_owned(),
        name_last: "Admin".to_owned(),
        password: Some(password),
        admin: Some(true),
        ..CreateUserRequest::default()
    })?;
    core.create_user_as_operator(input).await?;
    Ok(())
}

/// With a seed, creates that admin unless the username exists; without one, creates `admin`
/// with a random password when there are no users at all.
pub async fn ensure_first_admin(
    core: &Core,
    seed: Option<AdminSeed>,
) -> Result<Bootstrap, StartupError> {
    match seed {
        Some(seed) => {
            if core.username_exists(&seed.username).await? {
                return Ok(Bootstrap::Nothing);
            }
            let username = seed.username.clone();
            create_admin(core, seed.username, seed.email, seed.password).await?;
            Ok(Bootstrap::Configured { username })
        }
        None => {
            if core.count_users().await? > 0 {
                return Ok(Bootstrap::Nothing);
            }
            let password = random_token();
            create_admin(
                core,
                "admin".to_owned(),
                "admin@roster.localhost".to_owned(),
                password.clone(),
            )
            .await?;
            Ok(Bootstrap::Generated {
                username: "admin".to_owned(),
                password,
            })
        }
    }
}
