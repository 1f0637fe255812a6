//! The first admin: Roster never starts without a way in.

use roster::Refusal;
use roster::domain::user::{CreateUserRequest, NewUser};
use roster::secret::random_token;
use roster::{Core, CoreError};

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
    /// A global admin exists already: nothing to do.
    Nothing,
    /// Created from `ROSTER_ADMIN_*`.
    Configured { username: String },
    /// Created with a random password, to be printed once.
    Generated { username: String, password: String },
    /// No global admin exists, but the account to create could not be: its username or email
    /// belongs to someone (never taken over), or another instance created an admin meanwhile.
    Skipped { username: String, reason: String },
}

async fn create_admin(
    core: &Core,
    username: String,
    email: String,
    password: String,
) -> Result<Result<(), CoreError>, StartupError> {
    let input = NewUser::try_from(CreateUserRequest {
        username,
        email,
        name_first: "Roster".to_owned(),
        name_last: "Admin".to_owned(),
        password: Some(password),
        admin: Some(true),
        ..CreateUserRequest::default()
    })?;
    match core
        .create_user(&roster::Principal::operator(), input)
        .await
    {
        Ok(_) => Ok(Ok(())),
        Err(conflict @ CoreError::Refused(Refusal::Conflict(_))) => Ok(Err(conflict)),
        Err(other) => Err(other.into()),
    }
}

/// Runs only while no global admin exists: creates the admin of `ROSTER_ADMIN_*`, or `admin`
/// with a random password. An existing account is never re-created, overwritten or promoted, so
/// deleting or renaming the configured admin is final once another admin exists.
pub async fn ensure_first_admin(
    core: &Core,
    seed: Option<AdminSeed>,
) -> Result<Bootstrap, StartupError> {
    if core.count_global_admins().await? > 0 {
        return Ok(Bootstrap::Nothing);
    }
    let (username, email, password, generated) = match seed {
        Some(seed) => (seed.username, seed.email, seed.password, false),
        None => (
            "admin".to_owned(),
            "admin@roster.localhost".to_owned(),
            random_token(),
            true,
        ),
    };
    let outcome = create_admin(core, username.clone(), email, password.clone()).await?;
    Ok(match outcome {
        // Another instance starting on the same database won the race.
        Err(_) if core.count_global_admins().await? > 0 => Bootstrap::Nothing,
        Err(conflict) => Bootstrap::Skipped {
            username,
            reason: conflict.to_string(),
        },
        Ok(()) if generated => Bootstrap::Generated { username, password },
        Ok(()) => Bootstrap::Configured { username },
    })
}
