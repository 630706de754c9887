-- +goose Up
-- Queue tickets at counters: each branch's queues and counters, a number
-- sequence per branch, numbering prefix and day, and the tickets. The
-- database itself guarantees the queue's invariants: numbers unique per
-- branch, prefix and day; the daily quota of remote tickets; one active
-- ticket per person and branch; one called ticket per counter and one
-- counter per ticket. See internal/queue.

-- queues are a branch's lines: a letter prefix and the services covered.
CREATE TABLE queues (
    branch_code   TEXT NOT NULL,
    code          TEXT NOT NULL,
    entity_code   TEXT NOT NULL,
    name_zh       TEXT NOT NULL,
    name_pt       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    services      TEXT NOT NULL DEFAULT '[]',
    daily_quota   INTEGER NOT NULL DEFAULT 0 CHECK (daily_quota >= 0),
    last_remote   TEXT NOT NULL DEFAULT '',
    max_wait_s    INTEGER NOT NULL DEFAULT 0 CHECK (max_wait_s >= 0),
    PRIMARY KEY (branch_code, code)
);

-- queue_counters are the counters with their work profile and live
-- state. current_ticket is the ticket called at the counter, NULL when
-- none; being UNIQUE, no ticket is ever current at two counters.
CREATE TABLE queue_counters (
    branch_code     TEXT NOT NULL,
    code            TEXT NOT NULL,
    entity_code     TEXT NOT NULL,
    name_zh         TEXT NOT NULL,
    name_pt         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    priority_share  INTEGER NOT NULL DEFAULT 0 CHECK (priority_share >= 0),
    normal_share    INTEGER NOT NULL DEFAULT 1 CHECK (normal_share >= 0),
    is_open         BOOLEAN NOT NULL DEFAULT FALSE,
    staff_id        TEXT NOT NULL DEFAULT '',
    turn            INTEGER NOT NULL DEFAULT 0 CHECK (turn >= 0),
    current_ticket  TEXT UNIQUE,
    updated_at      TIMESTAMP,
    PRIMARY KEY (branch_code, code)
);

-- queue_counter_queues are the queues each counter serves, in order.
CREATE TABLE queue_counter_queues (
    branch_code  TEXT NOT NULL,
    counter      TEXT NOT NULL,
    queue        TEXT NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (branch_code, counter, queue),
    FOREIGN KEY (branch_code, counter) REFERENCES queue_counters (branch_code, code) ON DELETE CASCADE
);

-- queue_sequences hold the last number issued per branch, numbering
-- prefix and day, and the remote tickets counted against the quota: an
-- upsert increments it and returns the new number, and the CHECK refuses
-- one remote ticket too many.
CREATE TABLE queue_sequences (
    branch_code  TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    day          TEXT NOT NULL,
    last_seq     INTEGER NOT NULL CHECK (last_seq > 0),
    remote       INTEGER NOT NULL DEFAULT 0,
    quota        INTEGER NOT NULL DEFAULT 0,
    CHECK (remote >= 0 AND (quota <= 0 OR remote <= quota)),
    PRIMARY KEY (branch_code, prefix, day)
);

-- queue_tickets are the tickets. prefix is the numbering queue's letter
-- and never changes (a transfer moves queue, not the number); the unique
-- number is (branch_code, prefix, day, seq). active_branch is the branch
-- while the ticket is active and its holder may have one there, NULL
-- otherwise; limit_branch remembers it for a reinstated ticket.
CREATE TABLE queue_tickets (
    id               TEXT PRIMARY KEY,
    branch_code      TEXT NOT NULL,
    queue            TEXT NOT NULL,
    prefix           TEXT NOT NULL,
    day              TEXT NOT NULL,
    seq              INTEGER NOT NULL CHECK (seq > 0),
    number           TEXT NOT NULL,
    source           TEXT NOT NULL CHECK (source IN ('remote', 'kiosk', 'appointment')),
    class            TEXT NOT NULL CHECK (class IN ('normal', 'elderly', 'pregnant', 'disability')),
    class_confirmed  BOOLEAN NOT NULL DEFAULT FALSE,
    account_id       TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    phone            TEXT NOT NULL DEFAULT '',
    appointment_id   TEXT NOT NULL DEFAULT '',
    due_at           TIMESTAMP,
    issued_at        TIMESTAMP NOT NULL,
    queued_at        TIMESTAMP NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'parked', 'missed', 'done', 'cancelled')),
    counter          TEXT NOT NULL DEFAULT '',
    called_at        TIMESTAMP,
    recalls          INTEGER NOT NULL DEFAULT 0 CHECK (recalls >= 0),
    done_at          TIMESTAMP,
    outcome          TEXT NOT NULL DEFAULT '',
    active_branch    TEXT,
    limit_branch     TEXT,
    UNIQUE (branch_code, prefix, day, seq),
    CHECK (status <> 'called' OR counter <> '')
);
CREATE UNIQUE INDEX queue_tickets_one_active ON queue_tickets (account_id, active_branch) WHERE active_branch IS NOT NULL;
CREATE UNIQUE INDEX queue_tickets_one_per_counter ON queue_tickets (branch_code, counter) WHERE status = 'called';
CREATE INDEX queue_tickets_waiting ON queue_tickets (branch_code, day, class, queued_at, prefix, seq, queue) WHERE status = 'waiting';
CREATE INDEX queue_tickets_due ON queue_tickets (branch_code, day, due_at) WHERE status = 'waiting' AND source = 'appointment';
CREATE INDEX queue_tickets_day ON queue_tickets (branch_code, day, queued_at);
CREATE INDEX queue_tickets_done ON queue_tickets (branch_code, queue, done_at) WHERE status = 'done';
CREATE INDEX queue_tickets_account ON queue_tickets (account_id) WHERE account_id IS NOT NULL;

-- queue_ticket_near marks the tickets told "your turn is near". It is a
-- table of its own so that marking a ticket never locks the ticket's row:
-- a counter calling next skips rows other counters hold, and must never
-- skip one only because its notice was being written.
CREATE TABLE queue_ticket_near (
    ticket_id        TEXT PRIMARY KEY REFERENCES queue_tickets (id) ON DELETE CASCADE
);

-- queue_idempotency remembers the ticket an Idempotency-Key issued.
CREATE TABLE queue_idempotency (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idem_key    TEXT NOT NULL,
    ticket_id   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);

-- +goose Down
DROP TABLE queue_idempotency;
DROP TABLE queue_ticket_near;
DROP TABLE queue_tickets;
DROP TABLE queue_sequences;
DROP TABLE queue_counter_queues;
DROP TABLE queue_counters;
DROP TABLE queues;
