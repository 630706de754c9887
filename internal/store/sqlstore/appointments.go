package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
)

// AppointmentQueries are the booking statements. Appointment columns: id,
// reference, account_id, branch_code, service_code, starts_at, ends_at,
// status, cancel_reason, created_at, updated_at, checked_in_at.
type AppointmentQueries struct {
	Rules, SetRules, SlotUses string
	// CreatePlace creates a bucket with one place taken (nothing if it
	// exists); AddPlace takes a place of an existing bucket with room.
	// Neither locks a bucket it does not change, so a booker holds at most
	// the one bucket it took and bookers cannot deadlock.
	CreatePlace, AddPlace, FreePlace               string
	InsertAppointment, Appointment, AppointmentsOf string
	// AppointmentForUpdate reads and locks an active booking where the
	// engine can (SQLite transactions already hold the write lock).
	AppointmentForUpdate               string
	CancelAppointment, MoveAppointment string
	DayCount, DayFree                  string
	IdemLookup, IdemInsert             string
	NoShowsSince, MarkNoShow           string
	// BranchBookings takes (branch, from, to); CheckIn (at, at, id);
	// ByReference (reference, branch); AppointmentByIDForUpdate (id).
	BranchBookings, CheckIn, ByReference, AppointmentByIDForUpdate string
	// CheckViolation reports whether err broke a CHECK constraint.
	CheckViolation func(error) bool
	// BookOne, where the engine can, writes a booking with one job in one
	// statement on one bucket (see bookOne); empty elsewhere.
	BookOne string
}

var _ appointments.Store = (*Store)(nil)

const dayLayout = "2006-01-02"

func scanAppointment(r scanner) (appointments.Appointment, error) {
	var a appointments.Appointment
	var status string
	var checked sql.NullTime
	err := r.Scan(&a.ID, &a.Reference, &a.AccountID, &a.Branch, &a.Service, &a.Start, &a.End, &status, &a.CancelNote,
		&a.CreatedAt, &a.UpdatedAt, &checked)
	a.Status, a.CheckedInAt = appointments.Status(status), checked.Time
	return a, err
}

// AppointmentRules returns a service's booking rules at a branch.
func (s *Store) AppointmentRules(ctx context.Context, branch, service string) (appointments.Rules, error) {
	var data string
	if err := s.db.QueryRowContext(ctx, s.q.Appointment.Rules, branch, service).Scan(&data); err != nil {
		return appointments.Rules{}, notFound(err, "booking rules", branch+"/"+service)
	}
	var r appointments.Rules
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return r, fmt.Errorf("decode rules: %w", err)
	}
	return r, nil
}

// SetAppointmentRules stores booking rules.
func (s *Store) SetAppointmentRules(ctx context.Context, r appointments.Rules, by string, at time.Time) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode rules: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, s.q.Appointment.SetRules, r.Branch, r.Service, string(data), by, at.UTC()); err != nil {
		return fmt.Errorf("set rules: %w", err)
	}
	return nil
}

// BookedPlaces returns the use of stored slots in [from, to).
func (s *Store) BookedPlaces(ctx context.Context, branch, service string, from, to time.Time) (map[time.Time]appointments.SlotUse, error) {
	rows, err := s.db.QueryContext(ctx, s.q.Appointment.SlotUses, branch, service, from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("slot use: %w", err)
	}
	defer rows.Close()
	out := map[time.Time]appointments.SlotUse{}
	for rows.Next() {
		var t time.Time
		var u appointments.SlotUse
		if err := rows.Scan(&t, &u.Capacity, &u.Booked); err != nil {
			return nil, fmt.Errorf("scan slot: %w", err)
		}
		out[t.UTC()] = u
	}
	return out, rows.Err()
}

// maxBuckets is how many rows a slot's places are striped across.
const maxBuckets = 8

// bucketCap is the places of bucket i of a slot with capacity places in
// k buckets: capacity/k each, the remainder to the first buckets.
func bucketCap(capacity, k, i int) int {
	c := capacity / k
	if i < capacity%k {
		c++
	}
	return c
}

// takePlace takes one place of a slot: it tries the slot's buckets,
// starting from one chosen by seed: create the bucket with one place
// taken, or add one where a place is left. Every bucket is CHECKed, so the slot can never hold more than its
// places; when no bucket has room it is ErrSlotFull.
func (s *Store) takePlace(ctx context.Context, tx *sql.Tx, branch, service string, start time.Time, capacity int, seed string) error {
	k := min(max(capacity, 1), maxBuckets)
	first := int(fnv32(seed) % uint32(k))
	for n := range k {
		b := (first + n) % k
		// Adding to an existing bucket is the common case: try it first.
		res, err := tx.ExecContext(ctx, s.q.Appointment.AddPlace, branch, service, start.UTC(), b)
		if err != nil {
			return fmt.Errorf("take place: %w", err)
		}
		if rows, _ := res.RowsAffected(); rows == 1 {
			return nil
		}
		res, err = tx.ExecContext(ctx, s.q.Appointment.CreatePlace, branch, service, start.UTC(), b, bucketCap(capacity, k, b))
		if err != nil {
			return fmt.Errorf("take place: %w", err)
		}
		if rows, _ := res.RowsAffected(); rows == 1 {
			return nil
		}
		// Created meanwhile by another booker: it may have room still.
		if res, err = tx.ExecContext(ctx, s.q.Appointment.AddPlace, branch, service, start.UTC(), b); err != nil {
			return fmt.Errorf("take place: %w", err)
		}
		if rows, _ := res.RowsAffected(); rows == 1 {
			return nil
		}
	}
	return appointments.ErrSlotFull
}

// freePlace gives one place of a slot back, from any bucket holding one:
// places are alike, so which bucket does not matter.
func (s *Store) freePlace(ctx context.Context, tx *sql.Tx, branch, service string, start time.Time) error {
	for range maxBuckets {
		res, err := tx.ExecContext(ctx, s.q.Appointment.FreePlace, branch, service, start.UTC())
		if err != nil {
			return fmt.Errorf("free place: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
	}
	return nil
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// countDay adds delta to the person's bookings that day, under max; the
// CHECK constraint refuses one too many.
func (s *Store) countDay(ctx context.Context, tx *sql.Tx, account, branch, day string, max, delta int) error {
	if max <= 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.q.Appointment.DayCount, account, branch, day, delta, max)
	if err != nil && s.q.Appointment.CheckViolation(err) {
		return appointments.ErrLimitReached
	}
	if err != nil {
		return fmt.Errorf("count day: %w", err)
	}
	return nil
}

func (s *Store) writeOutgoing(ctx context.Context, tx *sql.Tx, out appointments.Outgoing) error {
	for _, m := range out.Messages {
		if _, _, err := s.insertMessage(ctx, tx, m.Message, m.Jobs); err != nil {
			return err
		}
	}
	return s.insertJobs(ctx, tx, out.Jobs)
}

// Book writes a booking with its limits; see appointments.Store.
func (s *Store) Book(ctx context.Context, b appointments.NewBooking) (appointments.Appointment, bool, error) {
	a := b.Appointment
	if s.q.Appointment.BookOne != "" && len(b.Out.Messages) == 0 && len(b.Out.Jobs) == 1 {
		got, created, done, err := s.bookOne(ctx, b)
		if done || err != nil {
			return got, created, err
		}
	}
	var existing string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		existing = ""
		if b.IdempotencyKey != "" {
			err := tx.QueryRowContext(ctx, s.q.Appointment.IdemLookup, a.AccountID, b.IdempotencyKey).Scan(&existing)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("idempotency key: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q.Appointment.IdemInsert, a.AccountID, b.IdempotencyKey, a.ID, a.CreatedAt.UTC()); err != nil {
				if s.q.Identity.UniqueViolation != nil && s.q.Identity.UniqueViolation(err) != "" {
					return errIdemRace
				}
				return fmt.Errorf("idempotency key: %w", err)
			}
		}
		if err := s.countDay(ctx, tx, a.AccountID, a.Branch, b.Day, b.MaxPerDay, 1); err != nil {
			return err
		}
		var active any
		if b.OnePerService {
			active = a.Service
		}
		_, err := tx.ExecContext(ctx, s.q.Appointment.InsertAppointment, a.ID, a.Reference, a.AccountID, a.Branch, a.Service,
			a.Start.UTC(), a.End.UTC(), string(appointments.Booked), active, a.CreatedAt.UTC(), a.UpdatedAt.UTC())
		if err != nil {
			if s.q.Identity.UniqueViolation != nil && s.q.Identity.UniqueViolation(err) != "" {
				return appointments.ErrLimitReached
			}
			return fmt.Errorf("insert appointment: %w", err)
		}
		if err := s.writeOutgoing(ctx, tx, b.Out); err != nil {
			return err
		}
		// The place is taken last: the slot's row is the one every booker
		// of a busy slot waits for, so its lock is held only until commit.
		return s.takePlace(ctx, tx, a.Branch, a.Service, a.Start, b.Capacity, a.ID)
	})
	if errors.Is(err, errIdemRace) {
		// Another request with the same key committed first: answer with
		// its booking.
		first, lerr := s.idemBooking(ctx, a.AccountID, b.IdempotencyKey)
		return first, false, lerr
	}
	if err != nil {
		return a, false, err
	}
	if existing != "" {
		first, err := s.Appointment(ctx, a.AccountID, existing)
		return first, false, err
	}
	a.Status = appointments.Booked
	return a, true, nil
}

// bookOne tries the one-statement booking on the bucket the booking's ID
// picks. done is false when that bucket had no room and nothing was
// written: the caller then books over every bucket.
func (s *Store) bookOne(ctx context.Context, b appointments.NewBooking) (appointments.Appointment, bool, bool, error) {
	a, j := b.Appointment, b.Out.Jobs[0]
	k := min(max(b.Capacity, 1), maxBuckets)
	bucket := int(fnv32(a.ID) % uint32(k))
	var active any
	if b.OnePerService {
		active = a.Service
	}
	var n int
	err := s.db.QueryRowContext(ctx, s.q.Appointment.BookOne, a.Branch, a.Service, a.Start.UTC(), bucket,
		bucketCap(b.Capacity, k, bucket), a.ID, a.Reference, a.AccountID, a.End.UTC(), active, a.CreatedAt.UTC(),
		a.UpdatedAt.UTC(), b.Day, b.MaxPerDay, b.IdempotencyKey,
		j.ID, j.Kind, j.DedupeKey, string(j.Payload), j.MaxAttempts, j.RunAt.UTC(), j.CreatedAt.UTC()).Scan(&n)
	switch {
	case err == nil && n == 1:
		a.Status = appointments.Booked
		return a, true, true, nil
	case err == nil:
		return a, false, false, nil
	}
	limit := s.q.Appointment.CheckViolation(err)
	switch s.q.Identity.UniqueViolation(err) {
	case "appointment_idempotency_pkey":
		first, lerr := s.idemBooking(ctx, a.AccountID, b.IdempotencyKey)
		return first, false, true, lerr
	case "appointments_one_active":
		limit = true
	}
	if !limit {
		return a, false, true, fmt.Errorf("book: %w", err)
	}
	// The statement's parts run in no set order: a retry with the key of a
	// booking just committed may meet that booking's limits before its
	// key. The key decides.
	if b.IdempotencyKey != "" {
		if first, lerr := s.idemBooking(ctx, a.AccountID, b.IdempotencyKey); lerr == nil {
			return first, false, true, nil
		}
	}
	return a, false, true, appointments.ErrLimitReached
}

// errIdemRace marks a booking whose Idempotency-Key another request
// stored first.
var errIdemRace = errors.New("idempotency key taken concurrently")

func (s *Store) idemBooking(ctx context.Context, accountID, key string) (appointments.Appointment, error) {
	var id string
	if err := s.db.QueryRowContext(ctx, s.q.Appointment.IdemLookup, accountID, key).Scan(&id); err != nil {
		return appointments.Appointment{}, fmt.Errorf("idempotency key: %w", err)
	}
	return s.Appointment(ctx, accountID, id)
}

// lockActive reads an active booking of the account inside tx.
func (s *Store) lockActive(ctx context.Context, tx *sql.Tx, accountID, id string) (appointments.Appointment, error) {
	a, err := scanAppointment(tx.QueryRowContext(ctx, s.q.Appointment.AppointmentForUpdate, id, accountID))
	if err != nil {
		return a, notFound(err, "appointment", id)
	}
	if a.Status != appointments.Booked {
		return a, appointments.ErrNotActive
	}
	return a, nil
}

// Cancel ends an active booking and frees its place.
func (s *Store) Cancel(ctx context.Context, accountID, id, note string, at time.Time, out appointments.Outgoing) (appointments.Appointment, error) {
	var a appointments.Appointment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.lockActive(ctx, tx, accountID, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q.Appointment.CancelAppointment, note, at.UTC(), id)
		if err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return appointments.ErrNotActive
		}
		if err := s.freePlace(ctx, tx, a.Branch, a.Service, a.Start); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Appointment.DayFree, a.AccountID, a.Branch, a.Start.In(macau).Format(dayLayout)); err != nil {
			return fmt.Errorf("free day: %w", err)
		}
		a.Status, a.CancelNote, a.UpdatedAt = appointments.Cancelled, note, at
		return s.writeOutgoing(ctx, tx, out)
	})
	return a, err
}

// Reschedule takes the new place, then frees the old, in one transaction.
func (s *Store) Reschedule(ctx context.Context, m appointments.Move) (appointments.Appointment, error) {
	var a appointments.Appointment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.lockActive(ctx, tx, m.AccountID, m.ID); err != nil {
			return err
		}
		if a.Start.Equal(m.Start) {
			return nil
		}
		if err := s.takePlace(ctx, tx, a.Branch, a.Service, m.Start, m.Capacity, a.ID); err != nil {
			return err
		}
		oldDay := a.Start.In(macau).Format(dayLayout)
		if m.Day != oldDay {
			if err := s.countDay(ctx, tx, a.AccountID, a.Branch, m.Day, m.MaxPerDay, 1); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q.Appointment.DayFree, a.AccountID, a.Branch, oldDay); err != nil {
				return fmt.Errorf("free day: %w", err)
			}
		}
		if err := s.freePlace(ctx, tx, a.Branch, a.Service, a.Start); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Appointment.MoveAppointment, m.Start.UTC(), m.End.UTC(), m.At.UTC(), m.ID); err != nil {
			return fmt.Errorf("move: %w", err)
		}
		a.Start, a.End, a.UpdatedAt = m.Start, m.End, m.At
		return s.writeOutgoing(ctx, tx, m.Out)
	})
	return a, err
}
