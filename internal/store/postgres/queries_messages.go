package postgres

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const jobCols = `id, kind, dedupe_key, payload, status, attempts, max_attempts, run_at, locked_until, last_error, created_at, updated_at`

var jobQueries = sqlstore.JobQueries{
	InsertJob: `INSERT INTO jobs (id, kind, dedupe_key, payload, status, max_attempts, run_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (dedupe_key) DO NOTHING`,
	InsertJobs: sqlstore.MultiInsert{Prefix: `INSERT INTO jobs (id, kind, dedupe_key, payload, status, max_attempts, run_at,
		created_at, updated_at) VALUES `, Columns: 9, Numbered: true, Suffix: ` ON CONFLICT (dedupe_key) DO NOTHING`},
	ClaimJobs: `UPDATE jobs SET status = 'running', locked_until = $1, attempts = attempts + 1, updated_at = $2
		WHERE id IN (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $2) OR (status = 'running' AND locked_until < $2)
		ORDER BY run_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ` + jobCols,
	CompleteJob:    `UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = $1 WHERE id = $2`,
	FailJob:        `UPDATE jobs SET status = $1, last_error = $2, run_at = $3, locked_until = NULL, updated_at = $4 WHERE id = $5`,
	DeadJobs:       `SELECT ` + jobCols + ` FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC, id LIMIT $1`,
	RetryJob:       `UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, updated_at = $2 WHERE id = $3 AND status = 'dead'`,
	DeleteDoneJobs: `DELETE FROM jobs WHERE status = 'done' AND updated_at < $1`,
	JobByID:        `SELECT ` + jobCols + ` FROM jobs WHERE id = $1`,
	QueuedCount:    `SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')`,
}

const messageCols = `id, account_id, sender, client_id, category, title_zh, title_pt, title_en, body_zh, body_pt, body_en, link, dedupe, created_at, read_at, archived_at`

var messageQueries = sqlstore.MessageQueries{
	InsertMessage: `INSERT INTO messages (id, account_id, sender, client_id, category, title_zh, title_pt, title_en,
		body_zh, body_pt, body_en, link, dedupe, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (sender, client_id, dedupe) WHERE dedupe <> '' DO NOTHING`,
	MessageByDedupe:  `SELECT ` + messageCols + ` FROM messages WHERE sender = $1 AND client_id = $2 AND dedupe = $3`,
	InsertAttachment: `INSERT INTO message_attachments (id, message_id, name, content_type, size, data) VALUES ($1, $2, $3, $4, $5, $6)`,
	Message:          `SELECT ` + messageCols + ` FROM messages WHERE id = $1 AND account_id = $2`,
	Attachments:      `SELECT id, message_id, name, content_type, size FROM message_attachments WHERE message_id = $1 ORDER BY name, id`,
	Attachment: `SELECT a.id, a.message_id, a.name, a.content_type, a.size, a.data FROM message_attachments a
		JOIN messages m ON m.id = a.message_id WHERE a.id = $1 AND m.account_id = $2`,
	SetRead:     `UPDATE messages SET read_at = $1 WHERE id = $2 AND account_id = $3 AND read_at IS NULL`,
	SetArchived: `UPDATE messages SET archived_at = $1 WHERE id = $2 AND account_id = $3 AND archived_at IS NULL`,
	UnreadCount: `SELECT count(*) FROM messages WHERE account_id = $1 AND read_at IS NULL AND archived_at IS NULL`,
	Inbox:       `SELECT ` + messageCols + ` FROM messages WHERE account_id = $1 AND ((archived_at IS NOT NULL) = $2) AND (lower(title_zh) LIKE $3 ESCAPE '\' OR lower(title_pt) LIKE $4 ESCAPE '\' OR lower(title_en) LIKE $5 ESCAPE '\' OR lower(body_zh) LIKE $6 ESCAPE '\' OR lower(body_pt) LIKE $7 ESCAPE '\' OR lower(body_en) LIKE $8 ESCAPE '\') AND ($9 = '' OR sender = $10) ORDER BY created_at DESC, id DESC LIMIT $11 OFFSET $12`,
	InboxCount:  `SELECT count(*) FROM messages WHERE account_id = $1 AND ((archived_at IS NOT NULL) = $2) AND (lower(title_zh) LIKE $3 ESCAPE '\' OR lower(title_pt) LIKE $4 ESCAPE '\' OR lower(title_en) LIKE $5 ESCAPE '\' OR lower(body_zh) LIKE $6 ESCAPE '\' OR lower(body_pt) LIKE $7 ESCAPE '\' OR lower(body_en) LIKE $8 ESCAPE '\') AND ($9 = '' OR sender = $10)`,
	Preferences: `SELECT category, channel, enabled FROM message_preferences WHERE account_id = $1`,
	SetPreference: `INSERT INTO message_preferences (account_id, category, channel, enabled) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id, category, channel) DO UPDATE SET enabled = excluded.enabled`,
	AccountBySubject: `SELECT account_id FROM oidc_subjects WHERE entity_code = $1 AND subject = $2`,
	InsertSubject: `INSERT INTO oidc_subjects (entity_code, subject, account_id, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (entity_code, subject) DO NOTHING`,
}
