-- +goose Up
-- Messages from every entity to a resident's inbox, the durable job queue
-- that delivers them by email, SMS and Web Push, the resident's
-- preferences, their push subscriptions, and the pairwise subjects each
-- entity received at sign-in (so an entity can address a resident by the
-- subject it knows). See docs/decisions/0016-messages-and-jobs.md.

-- messages are inbox items. sender is an entity code, or ONEACCOUNT for the
-- platform. Titles and bodies are kept in each language given.
CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    sender        TEXT NOT NULL,
    client_id     TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL CHECK (category IN ('appointments', 'queue', 'applications', 'security', 'general')),
    title_zh      TEXT NOT NULL DEFAULT '',
    title_pt      TEXT NOT NULL DEFAULT '',
    title_en      TEXT NOT NULL DEFAULT '',
    body_zh       TEXT NOT NULL DEFAULT '',
    body_pt       TEXT NOT NULL DEFAULT '',
    body_en       TEXT NOT NULL DEFAULT '',
    link          TEXT NOT NULL DEFAULT '',
    -- dedupe is the sender's own key for the message: the same key from the
    -- same sender makes no second message.
    dedupe        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    read_at       TIMESTAMPTZ,
    archived_at   TIMESTAMPTZ
);
CREATE INDEX messages_inbox ON messages (account_id, created_at);
CREATE UNIQUE INDEX messages_dedupe ON messages (sender, client_id, dedupe) WHERE dedupe <> '';

-- message_attachments are files only the recipient can download.
CREATE TABLE message_attachments (
    id            TEXT PRIMARY KEY,
    message_id    TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    data          BYTEA NOT NULL
);
CREATE INDEX message_attachments_message ON message_attachments (message_id);

-- message_preferences hold what a resident turned on or off; a missing row
-- is the default. Security messages ignore them.
CREATE TABLE message_preferences (
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    category      TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    enabled       BOOLEAN NOT NULL,
    PRIMARY KEY (account_id, category, channel)
);

-- jobs is the durable queue. A job is claimed by setting status running
-- with a lease; a worker that dies leaves the lease to expire and another
-- takes the job. dedupe_key makes enqueueing the same work twice a no-op.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    dedupe_key    TEXT NOT NULL UNIQUE,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    run_at        TIMESTAMPTZ NOT NULL,
    locked_until  TIMESTAMPTZ,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

-- push_subscriptions are the browsers a resident opted in from.
CREATE TABLE push_subscriptions (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint      TEXT NOT NULL UNIQUE,
    p256dh        TEXT NOT NULL,
    auth          TEXT NOT NULL,
    user_agent    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

-- oidc_subjects maps the pairwise subject an entity received back to the
-- account, written when the subject is first released.
CREATE TABLE oidc_subjects (
    entity_code   TEXT NOT NULL,
    subject       TEXT NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entity_code, subject)
);

-- +goose Down
DROP TABLE oidc_subjects;
DROP TABLE push_subscriptions;
DROP TABLE jobs;
DROP TABLE message_preferences;
DROP TABLE message_attachments;
DROP TABLE messages;
