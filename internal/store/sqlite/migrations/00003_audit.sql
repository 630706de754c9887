-- +goose Up
-- The audit log: append-only, hash-chained (see internal/audit and
-- docs/decisions/0010-audit-log.md). It references no other table, so that
-- events outlive the accounts they name.
CREATE TABLE audit_events (
    seq           INTEGER PRIMARY KEY,
    occurred_at   TIMESTAMP NOT NULL,
    action        TEXT NOT NULL,
    actor         TEXT NOT NULL DEFAULT '',
    actor_entity  TEXT NOT NULL DEFAULT '',
    actor_role    TEXT NOT NULL DEFAULT '',
    org_id        TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL DEFAULT '',
    purpose       TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '{}',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    CHECK (seq > 0)
);
CREATE INDEX audit_events_subject ON audit_events (subject, action, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);

-- The newest event's number and hash, moved in the same transaction as each
-- insert. Appends take its row lock first, which serialises them.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- Append-only. Someone with write access to the file can drop these
-- triggers; the hash chain is what detects them.
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id OR NEW.seq NOT IN (OLD.seq, OLD.seq + 1)
BEGIN
    SELECT RAISE(ABORT, 'audit_head only moves forward by one');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_events;
