package sqlite

import (
	"errors"

	"modernc.org/sqlite"

	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

const appointmentCols = `id, reference, account_id, branch_code, service_code, starts_at, ends_at, status, cancel_reason, created_at, updated_at, checked_in_at`

var appointmentQueries = sqlstore.AppointmentQueries{
	Rules: `SELECT data FROM appointment_rules WHERE branch_code = ? AND service_code = ?`,
	SetRules: `INSERT INTO appointment_rules (branch_code, service_code, data, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (branch_code, service_code) DO UPDATE SET data = excluded.data, updated_by = excluded.updated_by,
		updated_at = excluded.updated_at`,
	SlotUses: `SELECT starts_at, sum(capacity), sum(booked) FROM appointment_slots WHERE branch_code = ? AND service_code = ?
		AND starts_at >= ? AND starts_at < ? GROUP BY starts_at`,
	CreatePlace: `INSERT INTO appointment_slots (branch_code, service_code, starts_at, bucket, capacity, booked)
		VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (branch_code, service_code, starts_at, bucket) DO NOTHING`,
	AddPlace: `UPDATE appointment_slots SET booked = booked + 1
		WHERE branch_code = ? AND service_code = ? AND starts_at = ? AND bucket = ? AND booked < capacity`,
	FreePlace: `UPDATE appointment_slots SET booked = booked - 1 WHERE branch_code = ?1 AND service_code = ?2 AND starts_at = ?3
		AND bucket = (SELECT bucket FROM appointment_slots WHERE branch_code = ?1 AND service_code = ?2 AND starts_at = ?3
		AND booked > 0 ORDER BY bucket LIMIT 1) AND booked > 0`,
	InsertAppointment: `INSERT INTO appointments (id, reference, account_id, branch_code, service_code, starts_at, ends_at, status,
		active_service, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	Appointment:          `SELECT ` + appointmentCols + ` FROM appointments WHERE id = ? AND account_id = ?`,
	AppointmentForUpdate: `SELECT ` + appointmentCols + ` FROM appointments WHERE id = ? AND account_id = ?`,
	AppointmentsOf:       `SELECT ` + appointmentCols + ` FROM appointments WHERE account_id = ? ORDER BY starts_at, id`,
	CancelAppointment:    `UPDATE appointments SET status = 'cancelled', active_service = NULL, cancel_reason = ?, updated_at = ? WHERE id = ? AND status = 'booked'`,
	MoveAppointment:      `UPDATE appointments SET starts_at = ?, ends_at = ?, updated_at = ? WHERE id = ? AND status = 'booked'`,
	DayCount: `INSERT INTO appointment_person_days (account_id, branch_code, day, booked, max_per_day) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (account_id, branch_code, day) DO UPDATE SET booked = appointment_person_days.booked + excluded.booked,
		max_per_day = excluded.max_per_day`,
	DayFree:                  `UPDATE appointment_person_days SET booked = booked - 1 WHERE account_id = ? AND branch_code = ? AND day = ? AND booked > 0`,
	IdemLookup:               `SELECT appointment_id FROM appointment_idempotency WHERE account_id = ? AND idem_key = ?`,
	IdemInsert:               `INSERT INTO appointment_idempotency (account_id, idem_key, appointment_id, created_at) VALUES (?, ?, ?, ?)`,
	NoShowsSince:             `SELECT starts_at FROM appointments WHERE account_id = ? AND status = 'no_show' AND starts_at >= ? ORDER BY starts_at`,
	MarkNoShow:               `UPDATE appointments SET status = 'no_show', active_service = NULL, updated_at = ? WHERE id = ? AND starts_at = ? AND status = 'booked' AND checked_in_at IS NULL`,
	BranchBookings:           `SELECT ` + appointmentCols + ` FROM appointments WHERE branch_code = ? AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, reference`,
	ByReference:              `SELECT ` + appointmentCols + ` FROM appointments WHERE reference = ? AND branch_code = ?`,
	CheckIn:                  `UPDATE appointments SET status = 'checked_in', active_service = NULL, checked_in_at = ?, updated_at = ? WHERE id = ? AND status = 'booked'`,
	AppointmentByIDForUpdate: `SELECT account_id FROM appointments WHERE id = ?`,
	CheckViolation:           checkViolation,
}

// checkViolation reports a broken CHECK constraint (SQLITE_CONSTRAINT_CHECK).
func checkViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == 275
}
