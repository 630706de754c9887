-- +goose Up
-- The OpenID provider: relying-party clients, residents' consents, the
-- protocol engine's sessions and grants, signing keys, replay records and
-- the sign-ins each browser session made (for back-channel logout). See
-- docs/decisions/0014-openid-provider.md.

-- oidc_clients is the client registry. secret_hash is the hex SHA-256 of a
-- 256-bit random secret ('' for private_key_jwt clients); data holds the
-- registration as JSON (redirect URIs, scopes with purposes, level, keys).
CREATE TABLE oidc_clients (
    id            TEXT PRIMARY KEY,
    entity_code   TEXT NOT NULL REFERENCES entities (code),
    name          TEXT NOT NULL,
    secret_hash   TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_clients_entity ON oidc_clients (entity_code);

-- oidc_consents records what a resident agreed to release to a client.
CREATE TABLE oidc_consents (
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id     TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    scopes        TEXT NOT NULL,
    granted_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- oidc_authn_sessions are authorization requests in progress. Each is found
-- by exactly one of its handles at a time; a code is single-use because
-- the session row is deleted when the code is redeemed.
CREATE TABLE oidc_authn_sessions (
    id            TEXT PRIMARY KEY,
    callback_id   TEXT UNIQUE,
    auth_code     TEXT UNIQUE,
    par_id        TEXT UNIQUE,
    data          TEXT NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_authn_sessions_expiry ON oidc_authn_sessions (expires_at);

-- oidc_grants are issued grants. refresh_token_id is the hash of the live
-- refresh token; rotated ones move to oidc_spent_refresh_tokens, and
-- presenting one of those revokes the grant (the whole family).
CREATE TABLE oidc_grants (
    id                TEXT PRIMARY KEY,
    token_id          TEXT NOT NULL UNIQUE,
    refresh_token_id  TEXT,
    auth_code         TEXT,
    client_id         TEXT NOT NULL,
    account_id        TEXT,
    session_sid       TEXT NOT NULL DEFAULT '',
    data              TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL
);
-- Partial indexes: client-credentials grants, the bulk of the rows, have
-- no refresh token, code, account or session, and cost no entry in these.
CREATE UNIQUE INDEX oidc_grants_refresh ON oidc_grants (refresh_token_id) WHERE refresh_token_id IS NOT NULL;
CREATE INDEX oidc_grants_auth_code ON oidc_grants (auth_code) WHERE auth_code IS NOT NULL;
CREATE INDEX oidc_grants_account ON oidc_grants (account_id, client_id) WHERE account_id IS NOT NULL;
CREATE INDEX oidc_grants_session ON oidc_grants (session_sid) WHERE session_sid <> '';
CREATE INDEX oidc_grants_expiry ON oidc_grants (expires_at);

CREATE TABLE oidc_spent_refresh_tokens (
    id            TEXT PRIMARY KEY,
    grant_id      TEXT NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_spent_refresh_tokens_expiry ON oidc_spent_refresh_tokens (expires_at);

-- oidc_jtis are the IDs of client assertions and DPoP proofs already seen;
-- the primary key turns a replay into a constraint violation.
CREATE TABLE oidc_jtis (
    jti           TEXT PRIMARY KEY,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_jtis_expiry ON oidc_jtis (expires_at);

-- oidc_logins are the relying parties a browser session signed in to, with
-- the subject and session ID (sid) each received, so logout can notify
-- each one. owner_sid is the browser session that holds the login now: a
-- person signing in again in the same browser carries their logins over,
-- while the relying party keeps the sid it was given.
CREATE TABLE oidc_logins (
    owner_sid     TEXT NOT NULL,
    client_id     TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    sid           TEXT NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    subject       TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner_sid, client_id)
);
CREATE INDEX oidc_logins_account ON oidc_logins (account_id);

-- oidc_keys are the provider's signing keys. A key is published from
-- created_at, signs from active_from, and is deleted after retire_at. The
-- private key is sealed with AES-256-GCM under the configured key.
CREATE TABLE oidc_keys (
    id            TEXT PRIMARY KEY,
    alg           TEXT NOT NULL CHECK (alg IN ('ES256', 'RS256')),
    public_jwk    TEXT NOT NULL,
    private_enc   TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    active_from   TIMESTAMPTZ NOT NULL,
    retire_at     TIMESTAMPTZ
);

-- +goose Down
DROP TABLE oidc_keys;
DROP TABLE oidc_logins;
DROP TABLE oidc_jtis;
DROP TABLE oidc_spent_refresh_tokens;
DROP TABLE oidc_grants;
DROP TABLE oidc_authn_sessions;
DROP TABLE oidc_consents;
DROP TABLE oidc_clients;
