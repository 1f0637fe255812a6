//! One unit of work. Every change Roster makes goes through a [`Write`]: it owns the
//! transaction, who acts, the request's idempotency hold and the change's effects (the activity
//! rows it records, the remembered keys it narrows), and [`Write::commit`] is the one place where
//! they land together. A write dropped without committing rolls back and leaves no effect.
//!
//! The rows a write logs are also its webhook messages, written when it commits, in its
//! transaction: a change that does not commit sets off nothing.

use std::ops::{Deref, DerefMut};

use super::Core;
use super::activity::{Actor, Changes, Entry, Target};
use super::credentials::Narrowed;
use crate::domain::activity::Event;
use crate::error::CoreError;
use crate::principal::{IdempotencyHold, Principal};
use crate::store::Tx;

#[must_use = "a write that is not committed rolls back"]
pub(crate) struct Write<'c> {
    core: &'c Core,
    tx: Tx,
    actor: Actor,
    hold: Option<IdempotencyHold>,
    narrowed: Vec<Narrowed>,
    /// The rows this write logged, in order: what its webhook messages tell.
    emitted: Vec<Entry>,
    /// How many of them went to the database without saying whether an endpoint is on, and
    /// whether any statement said one is: when none is, the commit asks nothing more.
    unanswered: usize,
    endpoints_on: bool,
}

impl Core {
    /// A write by the caller of a request, or by the operator.
    pub(crate) async fn write(&self, principal: &Principal) -> Result<Write<'_>, CoreError> {
        self.begin_write(Actor::of(principal), principal.idempotency.clone())
            .await
    }

    /// A write by someone who is no principal (yet): a user proving who they are, a client
    /// asking for a reset link.
    pub(crate) async fn write_as(&self, actor: Actor) -> Result<Write<'_>, CoreError> {
        self.begin_write(actor, None).await
    }

    /// A write of Roster's own upkeep (mail claims, purges, balancing, seeding): nobody acts.
    pub(crate) async fn upkeep(&self) -> Result<Write<'_>, CoreError> {
        self.begin_write(Actor::default(), None).await
    }

    async fn begin_write(
        &self,
        actor: Actor,
        hold: Option<IdempotencyHold>,
    ) -> Result<Write<'_>, CoreError> {
        Ok(Write {
            core: self,
            tx: self.db.begin().await?,
            actor,
            hold,
            narrowed: Vec::new(),
            emitted: Vec::new(),
            unanswered: 0,
            endpoints_on: false,
        })
    }
}

impl Write<'_> {
    /// The row this write's activity entry would be, or none in a core measuring writes without
    /// the log. For a write that sends its row to the database with its own statement.
    pub(crate) fn entry(
        &mut self,
        event: Event,
        target: Option<Target>,
        changes: Changes,
    ) -> Option<Entry> {
        #[cfg(feature = "measure")]
        if self.core.unlogged {
            return None;
        }
        let entry = Entry::new(&self.actor, event, target, changes);
        self.emitted.push(entry.clone());
        self.unanswered += 1;
        Some(entry)
    }

    /// What the statement that wrote a row of this write answered: whether any webhook
    /// endpoint is on.
    pub(crate) fn endpoints_on(&mut self, on: bool) {
        self.unanswered = self.unanswered.saturating_sub(1);
        self.endpoints_on |= on;
    }

    /// Names who acts once the write itself has found out: the user a spent token or a
    /// proved password belongs to.
    pub(crate) fn acts_as(&mut self, actor: Actor) {
        self.actor = actor;
    }

    /// Records one activity row in this write.
    pub(crate) async fn record(
        &mut self,
        event: Event,
        target: Option<Target>,
        changes: Changes,
    ) -> Result<(), CoreError> {
        let Some(entry) = self.entry(event, target, changes) else {
            return Ok(());
        };
        let on = entry.insert(&mut self.tx).await?;
        self.endpoints_on(on);
        Ok(())
    }

    /// Says which remembered keys this write narrows: they are forgotten once it commits.
    pub(crate) fn narrows(&mut self, narrowed: Narrowed) {
        self.narrowed.push(narrowed);
    }

    /// Commits the change with its effects: the request's idempotency key is marked as used in
    /// the same transaction, and the keys the write narrowed are forgotten in this process at
    /// once (other processes hear of it from the database).
    pub(crate) async fn commit(mut self) -> Result<(), CoreError> {
        if !self.emitted.is_empty() && (self.endpoints_on || self.unanswered > 0) {
            super::webhooks::enqueue::enqueue(&mut self.tx, &self.emitted).await?;
        }
        if let Some(hold) = &self.hold {
            super::idempotency::mark_used(&mut self.tx, hold).await?;
        }
        let committed = match self.tx {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        };
        let credentials = &self.core.credentials;
        match committed {
            Ok(()) => self
                .narrowed
                .into_iter()
                .for_each(|n| credentials.forget(n)),
            // Whether it landed is unknown: assume the worst.
            Err(_) => credentials.forget_all(),
        }
        Ok(committed?)
    }
}

impl Deref for Write<'_> {
    type Target = Tx;

    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl DerefMut for Write<'_> {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}

impl AsMut<Tx> for Write<'_> {
    fn as_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}
