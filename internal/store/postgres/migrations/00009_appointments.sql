-- +goose Up
-- Appointments at counters: the booking rules per branch and service, the
-- slots with their places, the bookings, and the counters that let the
-- database itself refuse overbooking and a person's second booking. See
-- docs/decisions/0018-appointments.md.

-- appointment_rules are the booking rules of a service at a branch (JSON).
CREATE TABLE appointment_rules (
    branch_code   TEXT NOT NULL,
    service_code  TEXT NOT NULL,
    data          TEXT NOT NULL,
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (branch_code, service_code)
);

-- appointment_slots exist once someone books. A slot's places are
-- striped across up to eight rows (buckets), so that bookers of one busy
-- slot do not all wait for one row lock. The CHECK on every bucket is the
-- guarantee against overbooking: no bucket, and so no slot, ever holds
-- more than its places, whatever the concurrency.
CREATE TABLE appointment_slots (
    branch_code   TEXT NOT NULL,
    service_code  TEXT NOT NULL,
    starts_at     TIMESTAMPTZ NOT NULL,
    bucket        INTEGER NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity >= 0),
    booked        INTEGER NOT NULL DEFAULT 0,
    CHECK (booked >= 0 AND booked <= capacity),
    PRIMARY KEY (branch_code, service_code, starts_at, bucket)
);

-- appointments are the bookings. active_service is the service code while
-- the booking is active and the service allows one active booking per
-- person, NULL otherwise: the unique index then allows one.
CREATE TABLE appointments (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    branch_code     TEXT NOT NULL,
    service_code    TEXT NOT NULL,
    starts_at       TIMESTAMPTZ NOT NULL,
    ends_at         TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'served', 'no_show', 'cancelled')),
    active_service  TEXT,
    cancel_reason   TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    checked_in_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX appointments_one_active ON appointments (account_id, active_service) WHERE active_service IS NOT NULL;
CREATE INDEX appointments_account ON appointments (account_id, starts_at);
CREATE INDEX appointments_branch_day ON appointments (branch_code, starts_at);

-- appointment_person_days count a person's active bookings per branch and
-- day against the service's daily limit; the CHECK refuses one too many.
CREATE TABLE appointment_person_days (
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    branch_code   TEXT NOT NULL,
    day           TEXT NOT NULL,
    booked        INTEGER NOT NULL,
    max_per_day   INTEGER NOT NULL,
    CHECK (booked >= 0 AND booked <= max_per_day),
    PRIMARY KEY (account_id, branch_code, day)
);

-- appointment_idempotency remembers the booking an Idempotency-Key made.
CREATE TABLE appointment_idempotency (
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idem_key        TEXT NOT NULL,
    appointment_id  TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);

-- +goose Down
DROP TABLE appointment_idempotency;
DROP TABLE appointment_person_days;
DROP TABLE appointments;
DROP TABLE appointment_slots;
DROP TABLE appointment_rules;
