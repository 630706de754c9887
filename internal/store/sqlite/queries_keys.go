package sqlite

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const keyCols = `id, alg, public_jwk, private_enc, created_at, active_from, retire_at`

var keyQueries = sqlstore.KeyQueries{
	// Transactions begin IMMEDIATE (see Open), so they already hold the
	// write lock: no Lock statement.
	CountPending: `SELECT COUNT(*) FROM oidc_keys WHERE alg = ? AND active_from > ?`,
	RetireOthers: `UPDATE oidc_keys SET retire_at = ?
		WHERE alg = ? AND retire_at IS NULL AND active_from <= ? AND id <> ?`,
	Keys:          `SELECT ` + keyCols + ` FROM oidc_keys ORDER BY alg, active_from, id`,
	InsertKey:     `INSERT INTO oidc_keys (` + keyCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	DeleteRetired: `DELETE FROM oidc_keys WHERE retire_at < ?`,
}
