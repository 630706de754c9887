package sqlite

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const clientCols = `id, entity_code, name, secret_hash, data, created_by, created_at, updated_at`

var clientQueries = sqlstore.ClientQueries{
	InsertClient: `INSERT INTO oidc_clients (` + clientCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	UpdateClient: `UPDATE oidc_clients SET name = ?, secret_hash = ?, data = ?, updated_at = ? WHERE id = ?`,
	Client:       `SELECT ` + clientCols + ` FROM oidc_clients WHERE id = ?`,
	ClientsOf:    `SELECT ` + clientCols + ` FROM oidc_clients WHERE entity_code = ? ORDER BY name, id`,

	Consent: `SELECT account_id, client_id, scopes, granted_at FROM oidc_consents WHERE account_id = ? AND client_id = ?`,
	UpsertConsent: `INSERT INTO oidc_consents (account_id, client_id, scopes, granted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at`,
	ConsentsOf: `SELECT account_id, client_id, scopes, granted_at FROM oidc_consents WHERE account_id = ?
		ORDER BY granted_at DESC, client_id`,
	DeleteConsent:      `DELETE FROM oidc_consents WHERE account_id = ? AND client_id = ?`,
	DeleteClientGrants: `DELETE FROM oidc_grants WHERE account_id = ? AND client_id = ?`,
}

const authnCols = `id, callback_id, auth_code, par_id, data, expires_at`

const grantCols = `id, token_id, refresh_token_id, auth_code, client_id, account_id, session_sid, data, created_at, expires_at`

var oidcQueries = sqlstore.OIDCQueries{
	UpsertAuthn: `INSERT INTO oidc_authn_sessions (` + authnCols + `) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET callback_id = excluded.callback_id, auth_code = excluded.auth_code,
		par_id = excluded.par_id, data = excluded.data, expires_at = excluded.expires_at`,
	DeleteAuthn: `DELETE FROM oidc_authn_sessions WHERE id = ?`,
	AuthnBy: map[string]string{
		"callback_id": `SELECT ` + authnCols + ` FROM oidc_authn_sessions WHERE callback_id = ?`,
		"auth_code":   `SELECT ` + authnCols + ` FROM oidc_authn_sessions WHERE auth_code = ?`,
		"par_id":      `SELECT ` + authnCols + ` FROM oidc_authn_sessions WHERE par_id = ?`,
	},

	UpsertGrant: `INSERT INTO oidc_grants (` + grantCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET token_id = excluded.token_id, refresh_token_id = excluded.refresh_token_id,
		data = excluded.data, expires_at = excluded.expires_at`,
	InsertGrants: sqlstore.MultiInsert{Prefix: `INSERT INTO oidc_grants (` + grantCols + `) VALUES `, Columns: 10,
		Numbered: false, Suffix: ` ON CONFLICT (id) DO UPDATE SET token_id = excluded.token_id,
		refresh_token_id = excluded.refresh_token_id, data = excluded.data, expires_at = excluded.expires_at`},
	RotateGrant:           `UPDATE oidc_grants SET token_id = ?, refresh_token_id = ?, data = ?, expires_at = ? WHERE id = ? AND refresh_token_id = ?`,
	GrantByToken:          `SELECT ` + grantCols + ` FROM oidc_grants WHERE token_id = ?`,
	GrantByRefresh:        `SELECT ` + grantCols + ` FROM oidc_grants WHERE refresh_token_id = ?`,
	DeleteGrant:           `DELETE FROM oidc_grants WHERE id = ?`,
	DeleteGrantsByCode:    `DELETE FROM oidc_grants WHERE auth_code = ?`,
	DeleteGrantsBySession: `DELETE FROM oidc_grants WHERE session_sid = ? AND session_sid <> ''`,
	InsertSpent:           `INSERT INTO oidc_spent_refresh_tokens (id, grant_id, expires_at) VALUES (?, ?, ?)`,
	SpentGrant:            `SELECT grant_id FROM oidc_spent_refresh_tokens WHERE id = ?`,
	InsertJTI:             `INSERT INTO oidc_jtis (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING`,
	InsertLogin: `INSERT INTO oidc_logins (owner_sid, client_id, sid, account_id, subject, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (owner_sid, client_id) DO NOTHING`,
	LoginsOf: `SELECT sid, client_id, account_id, subject, created_at FROM oidc_logins WHERE owner_sid = ? ORDER BY client_id`,
	MoveLogins: `UPDATE oidc_logins SET owner_sid = ?1 WHERE owner_sid = ?2
		AND client_id NOT IN (SELECT client_id FROM oidc_logins WHERE owner_sid = ?1)`,
	MoveGrants:   `UPDATE oidc_grants SET session_sid = ?1 WHERE session_sid = ?2`,
	DeleteLogins: `DELETE FROM oidc_logins WHERE owner_sid = ?`,
	Sweep: []string{
		`DELETE FROM oidc_authn_sessions WHERE expires_at < ?`,
		`DELETE FROM oidc_grants WHERE expires_at < ?`,
		`DELETE FROM oidc_spent_refresh_tokens WHERE expires_at < ?`,
		`DELETE FROM oidc_jtis WHERE expires_at < ?`,
	},
}
