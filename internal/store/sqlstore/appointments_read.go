package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
)

// An account's appointments and a branch's day: the reads and the
// counter's changes (check-in, no-shows, cancelling for a closure).

// Appointment returns one of the account's bookings.
func (s *Store) Appointment(ctx context.Context, accountID, id string) (appointments.Appointment, error) {
	a, err := scanAppointment(s.db.QueryRowContext(ctx, s.q.Appointment.Appointment, id, accountID))
	if err != nil {
		return a, notFound(err, "appointment", id)
	}
	return a, nil
}

// AppointmentsOf lists the account's bookings, soonest first.
func (s *Store) AppointmentsOf(ctx context.Context, accountID string) ([]appointments.Appointment, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Appointment.AppointmentsOf, accountID)
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (appointments.Appointment, error) { return scanAppointment(r) })
}

// MarkNoShow marks a booking missed if nobody checked in; the place
// stays taken (the time has passed) and the active-service hold ends.
func (s *Store) MarkNoShow(ctx context.Context, id string, start, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q.Appointment.MarkNoShow, at.UTC(), id, start.UTC())
	if err != nil {
		return false, fmt.Errorf("mark no-show: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// NoShowsSince lists the account's missed bookings since a moment.
func (s *Store) NoShowsSince(ctx context.Context, accountID string, since time.Time) ([]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Appointment.NoShowsSince, accountID, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("no-shows: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (time.Time, error) {
		var t time.Time
		err := r.Scan(&t)
		return t, err
	})
}

// macau is the zone bookings' days are counted in.
var macau = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Macau")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

var _ appointments.StaffStore = (*Store)(nil)

// BranchBookings lists a branch's bookings in [from, to) of services
// (every service when services is nil).
func (s *Store) BranchBookings(ctx context.Context, branch string, services []string, from, to time.Time) ([]appointments.Appointment, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Appointment.BranchBookings, branch, from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("branch bookings: %w", err)
	}
	all, err := collect(rows, func(r *sql.Rows) (appointments.Appointment, error) { return scanAppointment(r) })
	if err != nil || services == nil {
		return all, err
	}
	var out []appointments.Appointment
	for _, a := range all {
		if slices.Contains(services, a.Service) {
			out = append(out, a)
		}
	}
	return out, nil
}

// CheckIn marks a booked appointment checked in by its reference.
func (s *Store) CheckIn(ctx context.Context, branch, reference string, services []string, at time.Time) (appointments.Appointment, error) {
	a, err := scanAppointment(s.db.QueryRowContext(ctx, s.q.Appointment.ByReference, reference, branch))
	if err != nil || (services != nil && !slices.Contains(services, a.Service)) {
		return appointments.Appointment{}, notFound(sql.ErrNoRows, "booking", reference)
	}
	res, err := s.db.ExecContext(ctx, s.q.Appointment.CheckIn, at.UTC(), at.UTC(), a.ID)
	if err != nil {
		return a, fmt.Errorf("check in: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return a, appointments.ErrNotActive
	}
	a.Status, a.CheckedInAt = appointments.CheckedIn, at
	return a, nil
}

// CancelBooking cancels an active booking whoever holds it.
func (s *Store) CancelBooking(ctx context.Context, id, note string, at time.Time, out appointments.Outgoing) (appointments.Appointment, error) {
	var owner string
	if err := s.db.QueryRowContext(ctx, s.q.Appointment.AppointmentByIDForUpdate, id).Scan(&owner); err != nil {
		return appointments.Appointment{}, notFound(err, "appointment", id)
	}
	return s.Cancel(ctx, owner, id, note, at, out)
}
