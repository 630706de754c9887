package sqlite

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const passkeyCols = `id, account_id, name, credential, created_at, last_used_at`

const ceremonyCols = `id_hash, kind, account_id, session_hash, data, expires_at, created_at`

var passkeyQueries = sqlstore.PasskeyQueries{
	InsertPasskey: `INSERT INTO passkeys (id, account_id, name, credential, created_at) VALUES (?, ?, ?, ?, ?)`,
	PasskeysOf:    `SELECT ` + passkeyCols + ` FROM passkeys WHERE account_id = ? ORDER BY created_at, id`,
	UsePasskey:    `UPDATE passkeys SET credential = ?, last_used_at = ? WHERE id = ?`,
	DeletePasskey: `DELETE FROM passkeys WHERE id = ? AND account_id = ?`,

	UserHandle: `SELECT user_handle FROM webauthn_users WHERE account_id = ?`,
	InsertUserHandle: `INSERT INTO webauthn_users (account_id, user_handle, created_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO NOTHING`,
	AccountByUserHandle: `SELECT account_id FROM webauthn_users WHERE user_handle = ?`,

	InsertCeremony: `INSERT INTO webauthn_ceremonies (` + ceremonyCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	// Transactions begin IMMEDIATE (see Open), so the read already holds
	// the write lock.
	CeremonyForUpdate:       `SELECT ` + ceremonyCols + ` FROM webauthn_ceremonies WHERE id_hash = ?`,
	DeleteCeremony:          `DELETE FROM webauthn_ceremonies WHERE id_hash = ?`,
	DeleteExpiredCeremonies: `DELETE FROM webauthn_ceremonies WHERE expires_at < ?`,
}
