package sqlite

import "github.com/oneaccount/oneaccount/internal/store/sqlstore"

const jobCols = `id, kind, dedupe_key, payload, status, attempts, max_attempts, run_at, locked_until, last_error, created_at, updated_at`

var jobQueries = sqlstore.JobQueries{
	InsertJob: `INSERT INTO jobs (id, kind, dedupe_key, payload, status, max_attempts, run_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedupe_key) DO NOTHING`,
	InsertJobs: sqlstore.MultiInsert{Prefix: `INSERT INTO jobs (id, kind, dedupe_key, payload, status, max_attempts, run_at,
		created_at, updated_at) VALUES `, Columns: 9, Numbered: false, Suffix: ` ON CONFLICT (dedupe_key) DO NOTHING`},
	ClaimJobs: `UPDATE jobs SET status = 'running', locked_until = ?1, attempts = attempts + 1, updated_at = ?2
		WHERE id IN (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= ?2) OR (status = 'running' AND locked_until < ?2)
		ORDER BY run_at LIMIT ?3) RETURNING ` + jobCols,
	CompleteJob:    `UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = ? WHERE id = ?`,
	FailJob:        `UPDATE jobs SET status = ?, last_error = ?, run_at = ?, locked_until = NULL, updated_at = ? WHERE id = ?`,
	DeadJobs:       `SELECT ` + jobCols + ` FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC, id LIMIT ?`,
	RetryJob:       `UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'`,
	DeleteDoneJobs: `DELETE FROM jobs WHERE status = 'done' AND updated_at < ?`,
	JobByID:        `SELECT ` + jobCols + ` FROM jobs WHERE id = ?`,
	QueuedCount:    `SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')`,
}

const messageCols = `id, account_id, sender, client_id, category, title_zh, title_pt, title_en, body_zh, body_pt, body_en, link, dedupe, created_at, read_at, archived_at`

var messageQueries = sqlstore.MessageQueries{
	InsertMessage: `INSERT INTO messages (id, account_id, sender, client_id, category, title_zh, title_pt, title_en,
		body_zh, body_pt, body_en, link, dedupe, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sender, client_id, dedupe) WHERE dedupe <> '' DO NOTHING`,
	MessageByDedupe:  `SELECT ` + messageCols + ` FROM messages WHERE sender = ? AND client_id = ? AND dedupe = ?`,
	InsertAttachment: `INSERT INTO message_attachments (id, message_id, name, content_type, size, data) VALUES (?, ?, ?, ?, ?, ?)`,
	Message:          `SELECT ` + messageCols + ` FROM messages WHERE id = ? AND account_id = ?`,
	Attachments:      `SELECT id, message_id, name, content_type, size FROM message_attachments WHERE message_id = ? ORDER BY name, id`,
	Attachment: `SELECT a.id, a.message_id, a.name, a.content_type, a.size, a.data FROM message_attachments a
		JOIN messages m ON m.id = a.message_id WHERE a.id = ? AND m.account_id = ?`,
	SetRead:     `UPDATE messages SET read_at = ? WHERE id = ? AND account_id = ? AND read_at IS NULL`,
	SetArchived: `UPDATE messages SET archived_at = ? WHERE id = ? AND account_id = ? AND archived_at IS NULL`,
	UnreadCount: `SELECT count(*) FROM messages WHERE account_id = ? AND read_at IS NULL AND archived_at IS NULL`,
	Inbox:       `SELECT ` + messageCols + ` FROM messages WHERE account_id = ? AND ((archived_at IS NOT NULL) = ?) AND (lower(title_zh) LIKE ? ESCAPE '\' OR lower(title_pt) LIKE ? ESCAPE '\' OR lower(title_en) LIKE ? ESCAPE '\' OR lower(body_zh) LIKE ? ESCAPE '\' OR lower(body_pt) LIKE ? ESCAPE '\' OR lower(body_en) LIKE ? ESCAPE '\') AND (? = '' OR sender = ?) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
	InboxCount:  `SELECT count(*) FROM messages WHERE account_id = ? AND ((archived_at IS NOT NULL) = ?) AND (lower(title_zh) LIKE ? ESCAPE '\' OR lower(title_pt) LIKE ? ESCAPE '\' OR lower(title_en) LIKE ? ESCAPE '\' OR lower(body_zh) LIKE ? ESCAPE '\' OR lower(body_pt) LIKE ? ESCAPE '\' OR lower(body_en) LIKE ? ESCAPE '\') AND (? = '' OR sender = ?)`,
	Preferences: `SELECT category, channel, enabled FROM message_preferences WHERE account_id = ?`,
	SetPreference: `INSERT INTO message_preferences (account_id, category, channel, enabled) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, category, channel) DO UPDATE SET enabled = excluded.enabled`,
	AccountBySubject: `SELECT account_id FROM oidc_subjects WHERE entity_code = ? AND subject = ?`,
	InsertSubject: `INSERT INTO oidc_subjects (entity_code, subject, account_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (entity_code, subject) DO NOTHING`,
}
