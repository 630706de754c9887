package postgres

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const auditCols = `seq, occurred_at, action, actor, actor_entity, actor_role, org_id, subject,
	purpose, ip, user_agent, detail, prev_hash, hash`

var auditQueries = sqlstore.AuditQueries{
	// The UPDATE takes the head's row lock until commit: a concurrent
	// append waits, then (READ COMMITTED) re-reads the committed row, so it
	// gets the next seq and the hash just written. RETURNING yields the new
	// seq and the hash of the event before it.
	AdvanceHead: `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`,
	SetHeadHash: `UPDATE audit_head SET hash = $1 WHERE id = 1 AND seq = $2`,
	Insert: `INSERT INTO audit_events (` + auditCols + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
	Head:   `SELECT seq, hash FROM audit_head WHERE id = 1`,
	Events: `SELECT ` + auditCols + ` FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
	BySubjectAction: `SELECT ` + auditCols + ` FROM audit_events
		WHERE subject = $1 AND action = $2 ORDER BY seq DESC LIMIT $3`,
	ByActor: `SELECT ` + auditCols + ` FROM audit_events WHERE actor = $1 ORDER BY seq DESC LIMIT $2`,
}
