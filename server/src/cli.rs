//! The `roster` command line.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};
use roster::Core;
use roster::domain::api_key::{CreateApiKeyRequest, NewApiKey};
use roster::domain::user::{CreateUserRequest, NewUser};
use roster::store::Database;

use roster::services::mail::{MailSettings, Mailer};
use roster::services::webhooks::{WebhookSender, WebhookSettings};
use roster_app::site::Site;

use crate::bootstrap::{AdminSeed, Bootstrap, ensure_first_admin};
use crate::startup::{StartupError, build_app, leptos_options, serve};
use crate::state::AppState;

#[derive(Parser)]
#[command(
    name = "roster",
    version,
    about = "User management for self-hosted panels"
)]
pub struct Cli {
    /// sqlite://path/to/file.db or postgres://user@host/db
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://roster.db",
        global = true
    )]
    pub database_url: String,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Apply pending migrations and serve the API and the console (the default)
    Serve(ServeArgs),
    /// Apply pending migrations and exit
    Migrate,
    /// Manage users
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage API keys
    #[command(subcommand, name = "api-keys")]
    ApiKeys(ApiKeysCommand),
    /// Fill the database with generated users, for measurements
    Seed(SeedArgs),
    /// Read the mail outbox
    #[command(subcommand)]
    Mail(MailCommand),
}

#[derive(Subcommand)]
pub enum MailCommand {
    /// List the newest mail, waiting or sent; waiting mail shows its link, to hand over by hand
    List,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// The URL people and clients use to reach Roster, e.g. https://roster.example.com; an
    /// https URL makes the session cookie `__Host-` and `Secure` and turns on HSTS
    #[arg(long, env = "ROSTER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is
    /// believed, e.g. 127.0.0.1,10.0.0.0/8
    #[arg(long, env = "ROSTER_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// The SMTP server mail goes out through, e.g. smtp://mail.internal:25 or
    /// smtps://user:pass@mail.example.com:465; without it mail waits in the outbox
    #[arg(long, env = "ROSTER_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of Roster's mail
    #[arg(
        long,
        env = "ROSTER_MAIL_FROM",
        default_value = "Roster <roster@localhost>"
    )]
    pub mail_from: String,
    /// How many days the activity log keeps its rows; older ones are deleted in the background
    #[arg(
        long,
        env = "ROSTER_ACTIVITY_RETENTION_DAYS",
        default_value_t = 365,
        value_parser = clap::value_parser!(u32).range(1..=36500)
    )]
    pub activity_retention_days: u32,
    /// Let webhooks go to plain http:// endpoints (https only otherwise)
    #[arg(long, env = "ROSTER_WEBHOOK_ALLOW_HTTP", default_value_t = false)]
    pub webhook_allow_http: bool,
    /// Comma-separated hosts webhooks may reach even on loopback, private or link-local
    /// addresses, e.g. 127.0.0.1,hooks.internal
    #[arg(
        long,
        env = "ROSTER_WEBHOOK_ALLOW_HOSTS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub webhook_allow_hosts: Vec<String>,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create a user; prints its uuid
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name_first: String,
        #[arg(long)]
        name_last: String,
        /// Without it, the user has no password until one is set
        #[arg(long)]
        password: Option<String>,
        /// Make the user a global admin
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Subcommand)]
pub enum ApiKeysCommand {
    /// Create a key for a user; prints only the key
    Create {
        /// Username or email of the key's owner
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        /// Comma-separated admin permissions, e.g. users.read,users.create
        #[arg(long, value_delimiter = ',', default_value = "")]
        permissions: Vec<String>,
    },
}

#[derive(Args)]
pub struct SeedArgs {
    /// How many users to add
    #[arg(long, default_value_t = 0)]
    pub users: u64,
    /// How many activity rows to add, spread over the first thousand users
    #[arg(long, default_value_t = 0)]
    pub activity: u64,
}

async fn open(url: &str) -> Result<Core, StartupError> {
    let db = Database::connect(url).await?;
    db.migrate().await?;
    Ok(Core::new(db))
}

pub async fn run(cli: Cli) -> Result<(), StartupError> {
    let core = open(&cli.database_url).await?;
    let result = match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => run_serve(core.clone(), args).await,
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::Users(UsersCommand::Create {
            username,
            email,
            name_first,
            name_last,
            password,
            admin,
        }) => {
            let input = NewUser::try_from(CreateUserRequest {
                username,
                email,
                name_first,
                name_last,
                password,
                admin: Some(admin),
                ..CreateUserRequest::default()
            })?;
            let user = core
                .create_user(&roster::Principal::operator(), input)
                .await?;
            println!("{}", user.uuid);
            Ok(())
        }
        Command::ApiKeys(ApiKeysCommand::Create {
            user,
            name,
            permissions,
        }) => {
            let owner = core
                .get_user_by_login(&roster::Principal::operator(), &user)
                .await?;
            let request = CreateApiKeyRequest {
                name,
                admin_permissions: permissions.into_iter().filter(|p| !p.is_empty()).collect(),
                expires: None,
            };
            let input = NewApiKey::parse(request, chrono::Utc::now())?;
            let created = core
                .create_api_key(&roster::Principal::operator_for(owner), input)
                .await?;
            println!("{}", created.key);
            Ok(())
        }
        Command::Mail(MailCommand::List) => {
            let page = core
                .list_outbox(
                    &roster::Principal::operator(),
                    roster::domain::page::ListQuery::largest(),
                )
                .await?;
            for mail in page.data {
                let state = match (&mail.sent, &mail.last_error) {
                    (Some(sent), _) => format!("sent {}", sent.to_rfc3339()),
                    (None, Some(error)) => {
                        format!("waiting, {} attempts, last error: {error}", mail.attempts)
                    }
                    (None, None) => "waiting".to_owned(),
                };
                println!(
                    "== {} to {} ({state})\nSubject: {}\n\n{}",
                    mail.created.to_rfc3339(),
                    mail.recipient,
                    mail.subject,
                    mail.body_text
                );
            }
            Ok(())
        }
        Command::Seed(args) => {
            let started = std::time::Instant::now();
            let users = core.seed_users(args.users).await?;
            let users_took = started.elapsed();
            let activity = core.seed_activity(args.activity).await?;
            println!(
                "inserted {} users in {:.1}s and {} activity rows in {:.1}s",
                users.inserted,
                users_took.as_secs_f64(),
                activity.inserted,
                (started.elapsed() - users_took).as_secs_f64()
            );
            Ok(())
        }
    };
    core.database().close().await;
    result
}

async fn run_serve(core: Core, args: ServeArgs) -> Result<(), StartupError> {
    match ensure_first_admin(&core, AdminSeed::from_env()).await? {
        Bootstrap::Generated { username, password } => {
            println!("Created the first admin. Sign in with:");
            println!("  username: {username}");
            println!("  password: {password}");
            println!("This password is shown only once.");
        }
        Bootstrap::Configured { username } => {
            tracing::info!(%username, "no global admin existed: created the admin from ROSTER_ADMIN_*");
        }
        Bootstrap::Skipped { username, reason } => {
            tracing::warn!(
                %username,
                %reason,
                "no global admin exists and the first admin could not be created; \
                 create one with `roster users create --admin`"
            );
        }
        Bootstrap::Nothing => {
            tracing::info!(
                "a global admin exists: ROSTER_ADMIN_* and the first-admin setup are not used"
            );
        }
    }
    let leptos = leptos_options()?;
    let backend = core.backend();
    let site = Site::new(args.public_url.as_deref(), args.trusted_proxies.as_deref())
        .map_err(StartupError::Config)?;
    let public_url = match args.public_url.as_deref() {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", args.listen),
    };
    let core = core.with_mail_settings(MailSettings {
        public_url,
        from: args.mail_from.clone(),
        ..MailSettings::default()
    });
    let mailer = args
        .smtp_url
        .as_deref()
        .map(|url| Mailer::new(url, &args.mail_from))
        .transpose()
        .map_err(StartupError::Config)?;
    if mailer.is_none() {
        tracing::info!("no ROSTER_SMTP_URL: mail waits in the outbox (`roster mail list`)");
    }
    let webhooks = WebhookSettings {
        allow_http: args.webhook_allow_http,
        allow_hosts: args
            .webhook_allow_hosts
            .iter()
            .map(|host| host.trim().to_owned())
            .filter(|host| !host.is_empty())
            .collect(),
        ..WebhookSettings::default()
    };
    let sender = WebhookSender::new(webhooks.clone())?;
    let core = core.with_webhook_settings(webhooks);
    let retention = chrono::Duration::days(i64::from(args.activity_retention_days));
    let jobs = crate::background::start(
        core.clone(),
        crate::background::jobs(mailer, Some(sender), retention),
    );
    let app = build_app(AppState::new(core.clone(), leptos, site));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(address = %listener.local_addr()?, database = backend.as_str(), "Roster is listening");
    let served = serve(app, listener).await;
    // The jobs and the work requests deferred stop before the pool closes under them.
    jobs.stop().await;
    core.settle().await;
    core.database().close().await;
    served?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    #[test]
    fn the_database_url_goes_before_or_after_the_command() {
        for args in [
            &[
                "roster",
                "--database-url",
                "sqlite://x.db",
                "seed",
                "--users",
                "5",
            ][..],
            &[
                "roster",
                "seed",
                "--users",
                "5",
                "--database-url",
                "sqlite://x.db",
            ][..],
        ] {
            let cli = parse(args);
            assert_eq!(cli.database_url, "sqlite://x.db");
            assert!(matches!(
                cli.command,
                Some(Command::Seed(SeedArgs {
                    users: 5,
                    activity: 0
                }))
            ));
        }
    }

    #[test]
    fn serve_is_the_default_and_takes_a_listen_address() {
        let cli = parse(&["roster", "--listen", "0.0.0.0:8080"]);
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.to_string(), "0.0.0.0:8080");
        let cli = parse(&["roster", "serve", "--listen", "127.0.0.1:9000"]);
        assert!(
            matches!(cli.command, Some(Command::Serve(ServeArgs { listen, .. })) if listen.port() == 9000)
        );
    }

    #[test]
    fn api_key_permissions_are_comma_separated() {
        let cli = parse(&[
            "roster",
            "api-keys",
            "create",
            "--user",
            "admin",
            "--name",
            "ci",
            "--permissions",
            "users.read,users.create",
        ]);
        let Some(Command::ApiKeys(ApiKeysCommand::Create { permissions, .. })) = cli.command else {
            panic!("not an api-keys command");
        };
        assert_eq!(permissions, ["users.read", "users.create"]);
    }
}
