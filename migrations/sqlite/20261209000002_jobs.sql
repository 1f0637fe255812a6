-- Jobs: one change applied to many users (bulk actions), taken by whichever instance claims
-- them first and resumed by another if the claim runs out. Each selected user is an item, in
-- the order the job takes them; an item without an outcome is still to do. The principal that
-- started the job is kept (no secret: the user and the credential's name and scope) and checked
-- again against the database before every batch.
CREATE TABLE jobs (
    uuid BLOB PRIMARY KEY,
    action TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    actor_uuid BLOB NOT NULL,
    principal TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'cancelled', 'finished', 'failed')),
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    would INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    claim BLOB,
    claimed_until TEXT,
    error TEXT,
    created TEXT NOT NULL,
    finished TEXT
);
CREATE INDEX jobs_open_idx ON jobs (created) WHERE state IN ('queued', 'running');

CREATE TABLE job_items (
    job_uuid BLOB NOT NULL REFERENCES jobs (uuid) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    user_uuid BLOB NOT NULL,
    username TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('done', 'would', 'skipped', 'refused')),
    reason TEXT,
    PRIMARY KEY (job_uuid, position)
);
CREATE INDEX job_items_pending_idx ON job_items (job_uuid, position) WHERE outcome IS NULL;
CREATE INDEX job_items_outcome_idx ON job_items (job_uuid, outcome, position);
