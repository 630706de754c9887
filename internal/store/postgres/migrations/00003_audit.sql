-- +goose Up
-- The audit log: append-only, hash-chained (see internal/audit and
-- docs/decisions/0010-audit-log.md). It references no other table, so that
-- events outlive the accounts they name.
CREATE TABLE audit_events (
    seq           BIGINT PRIMARY KEY CHECK (seq > 0),
    occurred_at   TIMESTAMPTZ NOT NULL,
    action        TEXT NOT NULL,
    actor         TEXT NOT NULL DEFAULT '',
    actor_entity  TEXT NOT NULL DEFAULT '',
    actor_role    TEXT NOT NULL DEFAULT '',
    org_id        TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL DEFAULT '',
    purpose       TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    -- TEXT, not JSONB: the stored bytes stay exactly as written.
    detail        TEXT NOT NULL DEFAULT '{}',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject, action, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);

-- The newest event's number and hash, moved in the same transaction as each
-- insert. Appends take its row lock first, which serialises them.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- Append-only, unless the session (or transaction) sets
-- oneaccount.audit_maintenance = 'on'; an owner can also disable the
-- triggers. Either way the hash chain detects what changed.
-- +goose StatementBegin
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('oneaccount.audit_maintenance', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('oneaccount.audit_maintenance', true) = 'on'
        OR (NEW.id = OLD.id AND NEW.seq IN (OLD.seq, OLD.seq + 1)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_head only moves forward by one'
        USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward();

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP FUNCTION audit_head_forward();
DROP FUNCTION audit_append_only();
