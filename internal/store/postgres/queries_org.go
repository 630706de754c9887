package postgres

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const (
	orgCols        = `o.id, o.reg_number, o.name_zh, o.name_pt, o.name_en, o.created_at`
	invitationCols = `id_hash, org_id, email_key, role, invited_by, expires_at, accepted_at, created_at`
)

var orgQueries = sqlstore.OrgQueries{
	InsertOrg: `INSERT INTO organisations (id, reg_number, name_zh, name_pt, name_en, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
	Org: `SELECT ` + orgCols + ` FROM organisations o WHERE o.id = $1`,
	// The row lock serialises every change to one organisation's members:
	// a concurrent change waits, then (READ COMMITTED) its member query
	// sees the committed result, so counts taken after the lock are true.
	LockOrg: `SELECT id FROM organisations WHERE id = $1 FOR UPDATE`,
	Membership: `SELECT ` + orgCols + `, m.role FROM organisations o
		JOIN org_members m ON m.org_id = o.id WHERE o.id = $1 AND m.account_id = $2`,
	OrgsOf: `SELECT ` + orgCols + `, m.role FROM organisations o
		JOIN org_members m ON m.org_id = o.id WHERE m.account_id = $1 ORDER BY m.added_at, o.id`,
	Members: `SELECT m.org_id, m.account_id, m.role, m.added_by, m.added_at, a.name_zh, a.name_latin, a.email
		FROM org_members m JOIN accounts a ON a.id = m.account_id WHERE m.org_id = $1
		ORDER BY CASE m.role WHEN 'admin' THEN 0 WHEN 'member' THEN 1 WHEN 'applicant' THEN 2 ELSE 3 END,
		m.added_at, m.account_id`,
	PutMember: `INSERT INTO org_members (org_id, account_id, role, added_by, added_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (org_id, account_id) DO UPDATE SET role = excluded.role`,
	DeleteMember: `DELETE FROM org_members WHERE org_id = $1 AND account_id = $2`,
	ClearActing:  `UPDATE sessions SET acting_org = '' WHERE account_id = $1 AND acting_org = $2`,

	InsertInvitation: `INSERT INTO org_invitations (id_hash, org_id, email_key, role, invited_by, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
	Invitation: `SELECT ` + invitationCols + ` FROM org_invitations WHERE id_hash = $1`,
	PendingInvitations: `SELECT ` + invitationCols + ` FROM org_invitations
		WHERE org_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id_hash`,
	AcceptInvitation: `UPDATE org_invitations SET accepted_at = $1 WHERE id_hash = $2 AND org_id = $3
		AND accepted_at IS NULL AND expires_at > $1`,
}
