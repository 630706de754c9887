package postgres

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const passkeyCols = `id, account_id, name, credential, created_at, last_used_at`

const ceremonyCols = `id_hash, kind, account_id, session_hash, data, expires_at, created_at`

var passkeyQueries = sqlstore.PasskeyQueries{
	InsertPasskey: `INSERT INTO passkeys (id, account_id, name, credential, created_at) VALUES ($1, $2, $3, $4, $5)`,
	PasskeysOf:    `SELECT ` + passkeyCols + ` FROM passkeys WHERE account_id = $1 ORDER BY created_at, id`,
	UsePasskey:    `UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3`,
	DeletePasskey: `DELETE FROM passkeys WHERE id = $1 AND account_id = $2`,

	UserHandle: `SELECT user_handle FROM webauthn_users WHERE account_id = $1`,
	InsertUserHandle: `INSERT INTO webauthn_users (account_id, user_handle, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO NOTHING`,
	AccountByUserHandle: `SELECT account_id FROM webauthn_users WHERE user_handle = $1`,

	InsertCeremony:          `INSERT INTO webauthn_ceremonies (` + ceremonyCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
	CeremonyForUpdate:       `SELECT ` + ceremonyCols + ` FROM webauthn_ceremonies WHERE id_hash = $1 FOR UPDATE`,
	DeleteCeremony:          `DELETE FROM webauthn_ceremonies WHERE id_hash = $1`,
	DeleteExpiredCeremonies: `DELETE FROM webauthn_ceremonies WHERE expires_at < $1`,
}
