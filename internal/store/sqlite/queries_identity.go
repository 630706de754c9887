package sqlite

import (
	"errors"
	"strings"

	"modernc.org/sqlite"

	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

const accountCols = `id, kind, name_zh, name_latin, email, phone, doc_type, doc_country, doc_number, birth_date,
	password_hash, assurance, lang, entity_code, totp_secret, totp_last_step, sms_fallback, needs_reverify,
	verified_by, verified_at, created_at, updated_at`

const accountSelect = `SELECT ` + accountCols + `,
	(SELECT COUNT(*) FROM passkeys p WHERE p.account_id = accounts.id) FROM accounts `

const sessionCols = `id_hash, account_id, state, amr, acting_org, ip, user_agent, created_at, auth_at,
	last_seen_at, expires_at`

// sessionAccount is a session with its account, in the columns of
// sessionCols then accountSelect, then the staff roles separated by spaces.
var sessionAccount = `SELECT ` + sqlstore.Prefixed(sessionCols, "s.") + `, ` + sqlstore.Prefixed(accountCols, "a.") + `,
	(SELECT COUNT(*) FROM passkeys p WHERE p.account_id = a.id),
	(SELECT COALESCE(group_concat(role, ' '), '') FROM (SELECT role FROM staff_roles r WHERE r.account_id = a.id ORDER BY role))
	FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = ?`

var identityQueries = sqlstore.IdentityQueries{
	InsertAccount: `INSERT INTO accounts (id, kind, name_zh, name_latin, email, email_key, phone, doc_type,
		doc_country, doc_number, birth_date, password_hash, assurance, lang, entity_code, totp_secret,
		totp_last_step, sms_fallback, needs_reverify, verified_by, verified_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	// UpdateAccount takes the same arguments as InsertAccount and matches
	// the id (the first).
	UpdateAccount: `UPDATE accounts SET kind = ?2, name_zh = ?3, name_latin = ?4, email = ?5, email_key = ?6,
		phone = ?7, doc_type = ?8, doc_country = ?9, doc_number = ?10, birth_date = ?11, password_hash = ?12,
		assurance = ?13, lang = ?14, entity_code = ?15, totp_secret = ?16, totp_last_step = ?17,
		sms_fallback = ?18, needs_reverify = ?19, verified_by = ?20, verified_at = ?21, created_at = ?22,
		updated_at = ?23 WHERE id = ?1`,
	Account:          accountSelect + `WHERE id = ?`,
	AccountForUpdate: accountSelect + `WHERE id = ?`,
	AccountByEmail:   accountSelect + `WHERE email_key = ?`,
	AccountByPhone:   accountSelect + `WHERE phone = ?`,
	FindAccounts: accountSelect + `WHERE kind = 'resident' AND (doc_number = ? OR email_key = ? OR phone = ?)
		ORDER BY created_at LIMIT ?`,
	StaffOf:     accountSelect + `WHERE kind = 'staff' AND (entity_code = ?1 OR ?1 = '') ORDER BY entity_code, email_key`,
	Roles:       `SELECT role FROM staff_roles WHERE account_id = ? ORDER BY role`,
	DeleteRoles: `DELETE FROM staff_roles WHERE account_id = ?`,
	InsertRole:  `INSERT INTO staff_roles (account_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)`,

	InsertCode: `INSERT INTO codes (id, purpose, target, code_hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
	CodeForUpdate:    `SELECT code_hash, attempts, expires_at, used_at FROM codes WHERE id = ?`,
	CountAttempt:     `UPDATE codes SET attempts = attempts + 1 WHERE id = ?`,
	MarkCodeUsed:     `UPDATE codes SET used_at = ? WHERE id = ? AND used_at IS NULL`,
	LatestCode:       `SELECT id FROM codes WHERE purpose = ? AND target = ? ORDER BY created_at DESC, id LIMIT 1`,
	CodeTarget:       `SELECT target FROM codes WHERE id = ?`,
	DeletePasskeysOf: `DELETE FROM passkeys WHERE account_id = ?`,
	InsertRegistration: `INSERT INTO registrations (id_hash, email, phone, email_code, phone_code, lang,
		expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	Registration: `SELECT r.id_hash, r.email, r.phone, r.email_code, r.phone_code, r.lang, r.expires_at,
		r.created_at, e.used_at IS NOT NULL, p.used_at IS NOT NULL
		FROM registrations r JOIN codes e ON e.id = r.email_code JOIN codes p ON p.id = r.phone_code
		WHERE r.id_hash = ?`,
	DeleteRegistration: `DELETE FROM registrations WHERE id_hash = ?`,

	InsertSession:    `INSERT INTO sessions (` + sessionCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	Session:          `SELECT ` + sessionCols + ` FROM sessions WHERE id_hash = ?`,
	SessionAccount:   sessionAccount,
	TouchSession:     `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`,
	DeleteSession:    `DELETE FROM sessions WHERE id_hash = ?`,
	SessionsOf:       `SELECT ` + sessionCols + ` FROM sessions WHERE account_id = ? ORDER BY last_seen_at DESC`,
	DeleteSessionsOf: `DELETE FROM sessions WHERE account_id = ? AND id_hash <> ?`,

	Throttle:  `SELECT failures, window_start, blocked_until FROM throttle WHERE key = ?`,
	Throttle2: `SELECT key, failures, window_start, blocked_until FROM throttle WHERE key IN (?, ?)`,
	UpsertThrottle: `INSERT INTO throttle (key, failures, window_start, blocked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
		blocked_until = excluded.blocked_until`,
	DeleteThrottle: `DELETE FROM throttle WHERE key = ?`,
	TrustDevice: `INSERT INTO trusted_devices (device_hash, account_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`,
	TrustedDevice: `SELECT COUNT(*) FROM trusted_devices WHERE device_hash = ? AND account_id = ?`,

	SweepSessions:      `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`,
	SweepRegistrations: `DELETE FROM registrations WHERE expires_at < ?`,
	SweepCodes: `DELETE FROM codes WHERE expires_at < ?
		AND id NOT IN (SELECT email_code FROM registrations UNION SELECT phone_code FROM registrations)`,
	SweepThrottles:      `DELETE FROM throttle WHERE window_start < ? AND blocked_until < ?`,
	UseTOTPStep:         `UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`,
	DeleteRecoveryCodes: `DELETE FROM recovery_codes WHERE account_id = ?`,
	InsertRecoveryCode:  `INSERT INTO recovery_codes (account_id, code_hash) VALUES (?, ?)`,
	UseRecoveryCode: `UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ?
		AND used_at IS NULL`,
	RecoveryCodesLeft: `SELECT COUNT(*) FROM recovery_codes WHERE account_id = ? AND used_at IS NULL`,
	UniqueViolation:   uniqueViolation,
}

// uniqueViolation returns "table.column" of a UNIQUE constraint failure.
func uniqueViolation(err error) string {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code() != 2067 && se.Code() != 1555 {
		return ""
	}
	_, cols, _ := strings.Cut(se.Error(), "constraint failed: ")
	return cols
}
