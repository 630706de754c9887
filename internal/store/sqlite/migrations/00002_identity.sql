-- +goose Up
CREATE TABLE accounts (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('resident', 'staff')),
    name_zh            TEXT NOT NULL DEFAULT '',
    name_latin         TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL,
    email_key          TEXT NOT NULL UNIQUE,
    phone              TEXT UNIQUE,
    doc_type           TEXT NOT NULL DEFAULT '',
    doc_country        TEXT NOT NULL DEFAULT '',
    doc_number         TEXT NOT NULL DEFAULT '',
    birth_date         TEXT NOT NULL DEFAULT '',
    password_hash      TEXT NOT NULL,
    assurance          INTEGER NOT NULL DEFAULT 1 CHECK (assurance BETWEEN 0 AND 3),
    lang               TEXT NOT NULL DEFAULT 'en',
    entity_code        TEXT REFERENCES entities (code) ON UPDATE CASCADE,
    totp_secret        TEXT NOT NULL DEFAULT '',
    totp_last_step     INTEGER NOT NULL DEFAULT 0,
    sms_fallback       INTEGER NOT NULL DEFAULT 0 CHECK (sms_fallback IN (0, 1)),
    needs_reverify     INTEGER NOT NULL DEFAULT 0 CHECK (needs_reverify IN (0, 1)),
    verified_by        TEXT NOT NULL DEFAULT '',
    verified_at        TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    CHECK ((kind = 'staff') = (entity_code IS NOT NULL))
);
CREATE UNIQUE INDEX accounts_document ON accounts (doc_type, doc_country, doc_number) WHERE doc_number <> '';

CREATE TABLE staff_roles (
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('counter-agent', 'identity-verifier', 'case-officer',
                                               'supervisor', 'entity-admin', 'platform-admin')),
    granted_by   TEXT NOT NULL DEFAULT '',
    granted_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, role)
);

CREATE TABLE recovery_codes (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    used_at     TIMESTAMP,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE passkeys (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name           TEXT NOT NULL DEFAULT '',
    credential     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    last_used_at   TIMESTAMP
);
CREATE INDEX passkeys_account ON passkeys (account_id);

CREATE TABLE codes (
    id           TEXT PRIMARY KEY,
    purpose      TEXT NOT NULL,
    target       TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    used_at      TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX codes_target ON codes (purpose, target);

CREATE TABLE registrations (
    id_hash         TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    phone           TEXT NOT NULL,
    email_code      TEXT NOT NULL REFERENCES codes (id) ON DELETE CASCADE,
    phone_code      TEXT NOT NULL REFERENCES codes (id) ON DELETE CASCADE,
    lang            TEXT NOT NULL DEFAULT 'en',
    expires_at      TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id_hash        TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state          TEXT NOT NULL CHECK (state IN ('mfa', 'active')),
    amr            TEXT NOT NULL DEFAULT '',
    acting_org     TEXT NOT NULL DEFAULT '',
    ip             TEXT NOT NULL DEFAULT '',
    user_agent     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    auth_at        TIMESTAMP NOT NULL,
    last_seen_at   TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    window_start  TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP NOT NULL
);

CREATE TABLE trusted_devices (
    device_hash  TEXT NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (device_hash, account_id)
);

CREATE TABLE organisations (
    id            TEXT PRIMARY KEY,
    reg_number    TEXT NOT NULL UNIQUE,
    name_zh       TEXT NOT NULL,
    name_pt       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE org_members (
    org_id       TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'member', 'applicant', 'viewer')),
    added_by     TEXT NOT NULL DEFAULT '',
    added_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, account_id)
);
CREATE INDEX org_members_account ON org_members (account_id);

CREATE TABLE org_invitations (
    id_hash      TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    email_key    TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'member', 'applicant', 'viewer')),
    invited_by   TEXT NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    accepted_at  TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE org_invitations;
DROP TABLE org_members;
DROP TABLE organisations;
DROP TABLE trusted_devices;
DROP TABLE throttle;
DROP TABLE sessions;
DROP TABLE registrations;
DROP TABLE codes;
DROP TABLE passkeys;
DROP TABLE recovery_codes;
DROP TABLE staff_roles;
DROP TABLE accounts;
