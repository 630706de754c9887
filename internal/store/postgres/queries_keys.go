package postgres

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const keyCols = `id, alg, public_jwk, private_enc, created_at, active_from, retire_at`

var keyQueries = sqlstore.KeyQueries{
	// SHARE ROW EXCLUSIVE conflicts with itself and with writers but not
	// with readers: inserts queue one behind the other, so the pending-key
	// check of the second sees the first's row, while SigningKeys still
	// reads freely. The table holds a handful of rows, written rarely.
	Lock:         `LOCK TABLE oidc_keys IN SHARE ROW EXCLUSIVE MODE`,
	CountPending: `SELECT COUNT(*) FROM oidc_keys WHERE alg = $1 AND active_from > $2`,
	RetireOthers: `UPDATE oidc_keys SET retire_at = $1
		WHERE alg = $2 AND retire_at IS NULL AND active_from <= $3 AND id <> $4`,
	Keys:          `SELECT ` + keyCols + ` FROM oidc_keys ORDER BY alg, active_from, id`,
	InsertKey:     `INSERT INTO oidc_keys (` + keyCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
	DeleteRetired: `DELETE FROM oidc_keys WHERE retire_at < $1`,
}
