package sqlite

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const auditCols = `seq, occurred_at, action, actor, actor_entity, actor_role, org_id, subject,
	purpose, ip, user_agent, detail, prev_hash, hash`

var auditQueries = sqlstore.AuditQueries{
	// The transaction already holds SQLite's write lock (BEGIN IMMEDIATE),
	// so appends are serialised; RETURNING yields the new seq and the hash
	// of the event before it.
	AdvanceHead: `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`,
	SetHeadHash: `UPDATE audit_head SET hash = ? WHERE id = 1 AND seq = ?`,
	Insert: `INSERT INTO audit_events (` + auditCols + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	Head:   `SELECT seq, hash FROM audit_head WHERE id = 1`,
	Events: `SELECT ` + auditCols + ` FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`,
	BySubjectAction: `SELECT ` + auditCols + ` FROM audit_events
		WHERE subject = ? AND action = ? ORDER BY seq DESC LIMIT ?`,
	ByActor: `SELECT ` + auditCols + ` FROM audit_events WHERE actor = ? ORDER BY seq DESC LIMIT ?`,
}
