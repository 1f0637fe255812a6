use crate::error::Refusal;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use ua_parser::{os, user_agent};
use uuid::Uuid;

use super::activity::{Changes, Target};
use super::{Core, delete_by_uuid, now};
use crate::domain::activity::Event;
use crate::domain::page::{ListQuery, Page};
use crate::domain::session::SessionInfo;
use crate::error::{CoreError, Entity};
use crate::principal::Principal;
use crate::store::{Tx, dialect, with_db, with_tx};

#[derive(sqlx::FromRow)]
struct SessionListRow {
    uuid: Uuid,
    created: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    expires: DateTime<Utc>,
    user_agent: Option<String>,
    ip: Option<String>,
}

/// Browsers and systems as uap-core knows them (`vendor/uap-core`), compiled once.
static AGENTS: LazyLock<Option<(user_agent::Extractor<'static>, os::Extractor<'static>)>> =
    LazyLock::new(|| {
        let regexes: ua_parser::Regexes<'static> =
            serde_json::from_str(include_str!("../../vendor/uap-core/regexes.json")).ok()?;
        let browsers = regexes
            .user_agent_parsers
            .into_iter()
            .try_fold(user_agent::Builder::new(), |builder, parser| {
                builder.push(parser)
            })
            .ok()?
            .build()
            .ok()?;
        let systems = regexes
            .os_parsers
            .into_iter()
            .try_fold(os::Builder::new(), |builder, parser| builder.push(parser))
            .ok()?
            .build()
            .ok()?;
        Some((browsers, systems))
    });

/// A user agent as a person recognises it: "Chrome 156 on Linux", "Firefox 140", "curl 8".
pub fn describe_agent(agent: &str) -> Option<String> {
    let (browsers, systems) = AGENTS.as_ref()?;
    let browser = browsers
        .extract(agent)
        .filter(|found| found.family != "Other")
        .map(|found| match found.major {
            Some(major) => format!("{} {major}", found.family),
            None => found.family.into_owned(),
        });
    let system = systems
        .extract(agent)
        .filter(|found| found.os != "Other")
        .map(|found| found.os.into_owned());
    match (browser, system) {
        (Some(browser), Some(system)) => Some(format!("{browser} on {system}")),
        (Some(browser), None) => Some(browser),
        (None, Some(system)) => Some(format!("A browser on {system}")),
        (None, None) => None,
    }
}

/// Ends every session of `user` but `keep` (none when `None`), inside the caller's transaction:
/// what a password change does, so that whoever held the old password is signed out with it.
pub(crate) async fn end_sessions_except(
    tx: &mut Tx,
    user: Uuid,
    keep: Option<Uuid>,
) -> Result<u64, CoreError> {
    let ended = with_tx!(tx, conn => {
        sqlx::query("DELETE FROM sessions WHERE user_uuid = $1 AND uuid <> $2")
            .bind(user)
            .bind(keep.unwrap_or(Uuid::nil()))
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(ended)
}

impl Core {
    /// The caller's open sessions, newest first; the one the request came with is marked. Like
    /// ending them, listing them needs a session: a key learns nothing of its owner's sign-ins.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn list_sessions(
        &self,
        principal: &Principal,
        query: ListQuery,
    ) -> Result<Page<SessionInfo>, CoreError> {
        principal.require_session()?;
        let open_since = now();
        let total = with_db!(&self.db, pool => {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM sessions WHERE user_uuid = $1 AND expires > $2",
            )
            .bind(principal.user.uuid)
            .bind(open_since)
            .fetch_one(pool)
            .await
        })?;
        let sql = format!(
            "SELECT uuid, created, last_seen, expires, user_agent, ip FROM sessions \
             WHERE user_uuid = $1 AND expires > $2 ORDER BY created DESC, uuid \
             LIMIT {} OFFSET {}",
            query.limit(),
            query.offset()
        );
        let rows = with_db!(&self.db, pool => {
            sqlx::query_as::<_, SessionListRow>(&sql)
                .bind(principal.user.uuid)
                .bind(open_since)
                .fetch_all(pool)
                .await
        })?;
        let current = principal.session_uuid();
        let data = rows
            .into_iter()
            .map(|row| SessionInfo {
                current: Some(row.uuid) == current,
                uuid: row.uuid,
                created: row.created,
                last_seen: row.last_seen,
                expires: row.expires,
                device: row.user_agent.as_deref().and_then(describe_agent),
                user_agent: row.user_agent,
                ip: row.ip,
            })
            .collect();
        Ok(Page {
            total,
            per_page: query.per_page,
            page: query.page,
            data,
        })
    }

    /// Ends one of the caller's sessions (the current one too: that is signing out). Someone
    /// else's session is "not found".
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn end_session(&self, principal: &Principal, uuid: Uuid) -> Result<(), CoreError> {
        principal.require_session()?;
        principal.require_own_name()?;
        let mut tx = self.write(principal).await?;
        let sql = format!(
            "SELECT user_agent FROM sessions WHERE uuid = $1 AND user_uuid = $2{}",
            dialect::lock_row(tx.backend())
        );
        let user_agent = with_tx!(&mut tx, conn => {
            sqlx::query_scalar::<_, Option<String>>(&sql)
                .bind(uuid)
                .bind(principal.user.uuid)
                .fetch_optional(conn)
                .await
        })?
        .ok_or(CoreError::Refused(Refusal::NotFound(Entity::Session)))?;
        let label = user_agent.unwrap_or_else(|| "unknown browser".to_owned());
        let target = Some(Target::session(uuid, &label));
        tx.record(Event::SessionEnd, target, Changes::none())
            .await?;
        delete_by_uuid(&mut tx, "sessions", uuid).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of the caller but the current one; answers how many ended.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn end_other_sessions(&self, principal: &Principal) -> Result<u64, CoreError> {
        let current = principal.require_session()?;
        principal.require_own_name()?;
        let mut tx = self.write(principal).await?;
        let ended = end_sessions_except(&mut tx, principal.user.uuid, Some(current)).await?;
        let target = Some(Target::user(&principal.user));
        tx.record(Event::SessionEndOthers, target, Changes::none())
            .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Deletes sessions that have expired; the server runs it periodically.
    #[tracing::instrument(skip_all, err(level = "debug"))]
    pub async fn purge_expired_sessions(&self) -> Result<u64, CoreError> {
        self.delete_up_to("sessions", "expires", now()).await
    }
}

#[cfg(test)]
mod tests {
    use super::describe_agent;

    #[test]
    fn sessions_name_the_browser_and_system_a_person_would() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(
            describe_agent(chrome).as_deref(),
            Some("Chrome 156 on Linux")
        );
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 \
                       Firefox/140.0";
        assert_eq!(
            describe_agent(firefox).as_deref(),
            Some("Firefox 140 on Windows")
        );
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";
        assert_eq!(
            describe_agent(safari).as_deref(),
            Some("Mobile Safari 18 on iOS")
        );
        assert_eq!(describe_agent("curl/8.5.0").as_deref(), Some("curl 8"));
        assert_eq!(describe_agent("nothing anyone knows"), None);
    }
}
