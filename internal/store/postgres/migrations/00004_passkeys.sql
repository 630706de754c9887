-- +goose Up
-- Passkeys (WebAuthn), beside the passkeys table of 00002: the user handle
-- each account's passkeys carry, and the ceremonies in progress. See
-- docs/decisions/0011-passkeys.md.

-- webauthn_users holds the account's WebAuthn user handle: 32 random bytes
-- (base64url), never the account ID or anything personal. Authenticators
-- keep it and give it back in a passwordless sign-in.
CREATE TABLE webauthn_users (
    account_id    TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    user_handle   TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL
);

-- webauthn_ceremonies keeps the challenge of a ceremony between its two
-- requests, server-side so that any node can finish it. A row is used once:
-- it is deleted when the ceremony finishes. kind 'login' (passwordless) has
-- no account yet; 'register' and 'mfa' are bound to an account and to the
-- session (full or pending) that began them.
CREATE TABLE webauthn_ceremonies (
    id_hash       TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('register', 'mfa', 'login')),
    account_id    TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    session_hash  TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    CHECK ((kind = 'login') = (account_id IS NULL))
);
CREATE INDEX webauthn_ceremonies_expiry ON webauthn_ceremonies (expires_at);

-- +goose Down
DROP TABLE webauthn_ceremonies;
DROP TABLE webauthn_users;
