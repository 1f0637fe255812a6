-- Jobs: one change applied to many users (bulk actions), taken by whichever instance claims
-- them first and resumed by another if the claim runs out. Each selected user is an item, in
-- the order the job takes them; an item without an outcome is still to do. The principal that
-- started the job is kept (no secret: the user and the credential's name and scope) and checked
-- again against the database before every batch.
CREATE TABLE jobs (
    uuid UUID PRIMARY KEY,
    action TEXT NOT NULL,
    dry_run BOOLEAN NOT NULL,
    actor_uuid UUID NOT NULL,
    principal TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'cancelled', 'finished', 'failed')),
    total BIGINT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    would BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    refused BIGINT NOT NULL DEFAULT 0,
    claim UUID,
    claimed_until TIMESTAMPTZ,
    error TEXT,
    created TIMESTAMPTZ NOT NULL,
    finished TIMESTAMPTZ
);
CREATE INDEX jobs_open_idx ON jobs (created) WHERE state IN ('queued', 'running');

CREATE TABLE job_items (
    job_uuid UUID NOT NULL REFERENCES jobs (uuid) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    user_uuid UUID NOT NULL,
    username TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('done', 'would', 'skipped', 'refused')),
    reason TEXT,
    PRIMARY KEY (job_uuid, position)
);
CREATE INDEX job_items_pending_idx ON job_items (job_uuid, position) WHERE outcome IS NULL;
CREATE INDEX job_items_outcome_idx ON job_items (job_uuid, outcome, position);
