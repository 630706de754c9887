package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

const appointmentCols = `id, reference, account_id, branch_code, service_code, starts_at, ends_at, status, cancel_reason, created_at, updated_at, checked_in_at`

var appointmentQueries = sqlstore.AppointmentQueries{
	Rules: `SELECT data FROM appointment_rules WHERE branch_code = $1 AND service_code = $2`,
	SetRules: `INSERT INTO appointment_rules (branch_code, service_code, data, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (branch_code, service_code) DO UPDATE SET data = excluded.data, updated_by = excluded.updated_by,
		updated_at = excluded.updated_at`,
	SlotUses: `SELECT starts_at, sum(capacity), sum(booked) FROM appointment_slots WHERE branch_code = $1 AND service_code = $2
		AND starts_at >= $3 AND starts_at < $4 GROUP BY starts_at`,
	CreatePlace: `INSERT INTO appointment_slots (branch_code, service_code, starts_at, bucket, capacity, booked)
		VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (branch_code, service_code, starts_at, bucket) DO NOTHING`,
	AddPlace: `UPDATE appointment_slots SET booked = booked + 1
		WHERE branch_code = $1 AND service_code = $2 AND starts_at = $3 AND bucket = $4 AND booked < capacity`,
	FreePlace: `UPDATE appointment_slots SET booked = booked - 1 WHERE branch_code = $1 AND service_code = $2 AND starts_at = $3
		AND bucket = (SELECT bucket FROM appointment_slots WHERE branch_code = $1 AND service_code = $2 AND starts_at = $3
		AND booked > 0 ORDER BY bucket LIMIT 1) AND booked > 0`,
	InsertAppointment: `INSERT INTO appointments (id, reference, account_id, branch_code, service_code, starts_at, ends_at, status,
		active_service, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
	Appointment:          `SELECT ` + appointmentCols + ` FROM appointments WHERE id = $1 AND account_id = $2`,
	AppointmentForUpdate: `SELECT ` + appointmentCols + ` FROM appointments WHERE id = $1 AND account_id = $2 FOR UPDATE`,
	AppointmentsOf:       `SELECT ` + appointmentCols + ` FROM appointments WHERE account_id = $1 ORDER BY starts_at, id`,
	CancelAppointment:    `UPDATE appointments SET status = 'cancelled', active_service = NULL, cancel_reason = $1, updated_at = $2 WHERE id = $3 AND status = 'booked'`,
	MoveAppointment:      `UPDATE appointments SET starts_at = $1, ends_at = $2, updated_at = $3 WHERE id = $4 AND status = 'booked'`,
	DayCount: `INSERT INTO appointment_person_days (account_id, branch_code, day, booked, max_per_day) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account_id, branch_code, day) DO UPDATE SET booked = appointment_person_days.booked + excluded.booked,
		max_per_day = excluded.max_per_day`,
	DayFree:                  `UPDATE appointment_person_days SET booked = booked - 1 WHERE account_id = $1 AND branch_code = $2 AND day = $3 AND booked > 0`,
	IdemLookup:               `SELECT appointment_id FROM appointment_idempotency WHERE account_id = $1 AND idem_key = $2`,
	IdemInsert:               `INSERT INTO appointment_idempotency (account_id, idem_key, appointment_id, created_at) VALUES ($1, $2, $3, $4)`,
	NoShowsSince:             `SELECT starts_at FROM appointments WHERE account_id = $1 AND status = 'no_show' AND starts_at >= $2 ORDER BY starts_at`,
	MarkNoShow:               `UPDATE appointments SET status = 'no_show', active_service = NULL, updated_at = $1 WHERE id = $2 AND starts_at = $3 AND status = 'booked' AND checked_in_at IS NULL`,
	BranchBookings:           `SELECT ` + appointmentCols + ` FROM appointments WHERE branch_code = $1 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, reference`,
	ByReference:              `SELECT ` + appointmentCols + ` FROM appointments WHERE reference = $1 AND branch_code = $2`,
	CheckIn:                  `UPDATE appointments SET status = 'checked_in', active_service = NULL, checked_in_at = $1, updated_at = $2 WHERE id = $3 AND status = 'booked'`,
	AppointmentByIDForUpdate: `SELECT account_id FROM appointments WHERE id = $1`,
	CheckViolation:           checkViolation,
	BookOne:                  bookOne,
}

// bookOne writes a booking in one statement, so one round trip and one
// commit: it takes a place of one bucket (creating the bucket or adding
// to it only while it has room), and only from that place the idempotency
// key, the person's day count, the booking and its job. A full bucket
// writes nothing at all and the store falls back to its transaction over
// every bucket. A reused key, a second active booking of the service and
// one booking too many that day fail the statement, so nothing of it
// stays. (Every data-modifying WITH runs to completion whether or not the
// final SELECT reads it.)
const bookOne = `WITH p AS (
	INSERT INTO appointment_slots (branch_code, service_code, starts_at, bucket, capacity, booked)
	VALUES ($1, $2, $3, $4, $5, 1)
	ON CONFLICT (branch_code, service_code, starts_at, bucket) DO UPDATE SET booked = appointment_slots.booked + 1
	WHERE appointment_slots.booked < appointment_slots.capacity
	RETURNING 1
), i AS (
	INSERT INTO appointment_idempotency (account_id, idem_key, appointment_id, created_at)
	SELECT $8, $15, $6, $11 FROM p WHERE $15 <> ''
	RETURNING 1
), d AS (
	INSERT INTO appointment_person_days (account_id, branch_code, day, booked, max_per_day)
	SELECT $8, $1, $13, 1, $14 FROM p WHERE $14 > 0
	ON CONFLICT (account_id, branch_code, day) DO UPDATE SET booked = appointment_person_days.booked + 1,
	max_per_day = excluded.max_per_day
	RETURNING 1
), a AS (
	INSERT INTO appointments (id, reference, account_id, branch_code, service_code, starts_at, ends_at, status,
	active_service, created_at, updated_at)
	SELECT $6, $7, $8, $1, $2, $3, $9, 'booked', $10, $11, $12 FROM p
	RETURNING 1
), j AS (
	INSERT INTO jobs (id, kind, dedupe_key, payload, status, max_attempts, run_at, created_at, updated_at)
	SELECT $16, $17, $18, $19, 'queued', $20, $21, $22, $22 FROM a
	ON CONFLICT (dedupe_key) DO NOTHING
	RETURNING 1
)
SELECT count(*) FROM a`

// checkViolation reports a broken CHECK constraint (SQLSTATE 23514).
func checkViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514"
}
