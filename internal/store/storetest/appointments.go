package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/appointments"
	"github.com/oneaccount/oneaccount/internal/audit"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/identity/contact"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// testAppointments races bookings against the database's guarantees: no
// overbooking, the per-person limits, reschedule against cancel, and one
// booking per Idempotency-Key.
func testAppointments(t *testing.T, open Opener) {
	runEach(t, open, map[string]func(*testing.T, *sqlstore.Store){
		"LastPlaces":         testLastPlaces,
		"PersonLimitsRace":   testPersonLimitsRace,
		"RescheduleVsCancel": testRescheduleVsCancel,
		"IdempotencyKey":     testIdempotencyKey,
	})
}

var apptStart = time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC) // 09:30 in Macao

func people(t *testing.T, s *sqlstore.Store, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		a := identity.Account{ID: identity.NewID(), Kind: identity.Resident, NameLatin: "P",
			Email: contact.Email(fmt.Sprintf("p%d-%s@example.mo", i, identity.NewID()[:6])), PasswordHash: "x",
			Assurance: identity.Level1, Lang: lang.En, CreatedAt: apptStart, UpdatedAt: apptStart}
		a, err := s.CreateAccount(context.Background(), a, audit.Event{})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = a.ID
	}
	return ids
}

// booking is a booking with its one confirmation job, as the service
// writes it (on PostgreSQL that is the one-statement path).
func booking(account string, start time.Time, capacity int) appointments.NewBooking {
	id := identity.NewID()
	j, err := jobs.New(appointments.BookedJob, "booked:"+id, map[string]string{"id": id}, apptStart)
	if err != nil {
		panic(err)
	}
	return appointments.NewBooking{Appointment: appointments.Appointment{ID: id,
		Reference: appointments.NewReference(), AccountID: account, Branch: "DSI-HQ", Service: "DSI-BIR-RENEW",
		Start: start, End: start.Add(15 * time.Minute), CreatedAt: apptStart, UpdatedAt: apptStart},
		Capacity: capacity, OnePerService: true, MaxPerDay: 2, Day: "2026-12-01",
		Out: appointments.Outgoing{Jobs: []jobs.Job{j}}}
}

func testLastPlaces(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	ids := people(t, s, 200)
	var won, full atomic.Int32
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.Book(ctx, booking(id, apptStart, 5))
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, appointments.ErrSlotFull):
				full.Add(1)
			default:
				t.Errorf("book: %v", err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 5 || full.Load() != 195 {
		t.Fatalf("%d booked and %d refused; want 5 and 195", won.Load(), full.Load())
	}
	use, err := s.BookedPlaces(ctx, "DSI-HQ", "DSI-BIR-RENEW", apptStart, apptStart.Add(time.Minute))
	if err != nil || use[apptStart].Booked != 5 {
		t.Fatalf("slot use %v %v", use, err)
	}
}

func testPersonLimitsRace(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	id := people(t, s, 1)[0]
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Twenty different slots of one service: one active booking
			// per service allows one.
			_, _, err := s.Book(ctx, booking(id, apptStart.Add(time.Duration(i)*15*time.Minute), 10))
			if err == nil {
				won.Add(1)
			} else if !errors.Is(err, appointments.ErrLimitReached) {
				t.Errorf("book: %v", err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d active bookings of one service, want 1", won.Load())
	}
	// Per day: other services, a limit of two a day.
	var day atomic.Int32
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := booking(id, apptStart.Add(time.Duration(i)*15*time.Minute), 10)
			b.Appointment.Service, b.OnePerService = fmt.Sprint("SVC-", i), false
			if _, _, err := s.Book(ctx, b); err == nil {
				day.Add(1)
			} else if !errors.Is(err, appointments.ErrLimitReached) {
				t.Errorf("book: %v", err)
			}
		}()
	}
	wg.Wait()
	if day.Load() != 1 {
		t.Fatalf("%d more bookings that day, want 1 (two a day, one held already)", day.Load())
	}
}

func testRescheduleVsCancel(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	for round := range 10 {
		id := people(t, s, 1)[0]
		start := apptStart.Add(time.Duration(round) * 24 * time.Hour)
		a, _, err := s.Book(ctx, booking(id, start, 1))
		if err != nil {
			t.Fatal(err)
		}
		next := start.Add(30 * time.Minute)
		var wg sync.WaitGroup
		var moveErr, cancelErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, moveErr = s.Reschedule(ctx, appointments.Move{AccountID: id, ID: a.ID, Start: next, End: next.Add(15 * time.Minute),
				Capacity: 1, Day: "2026-12-01", At: start})
		}()
		go func() {
			defer wg.Done()
			_, cancelErr = s.Cancel(ctx, id, a.ID, "", start, appointments.Outgoing{})
		}()
		wg.Wait()
		if cancelErr != nil {
			t.Fatalf("cancel: %v", cancelErr)
		}
		got, _ := s.Appointment(ctx, id, a.ID)
		use, _ := s.BookedPlaces(ctx, "DSI-HQ", "DSI-BIR-RENEW", start, next.Add(time.Minute))
		held := use[start.UTC()].Booked + use[next.UTC()].Booked
		if got.Status != appointments.Cancelled || held != 0 {
			t.Fatalf("round %d: status %s, places still held %d (move err %v)", round, got.Status, held, moveErr)
		}
	}
}

func testIdempotencyKey(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	id := people(t, s, 1)[0]
	var wg sync.WaitGroup
	ids := make([]string, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := booking(id, apptStart, 10)
			b.IdempotencyKey = "retry-me"
			a, _, err := s.Book(ctx, b)
			if err != nil {
				t.Errorf("book %d: %v", i, err)
				return
			}
			ids[i] = a.ID
		}()
	}
	wg.Wait()
	for _, got := range ids {
		if got != ids[0] {
			t.Fatalf("retries gave different bookings: %s and %s", ids[0], got)
		}
	}
	mine, _ := s.AppointmentsOf(ctx, id)
	use, _ := s.BookedPlaces(ctx, "DSI-HQ", "DSI-BIR-RENEW", apptStart, apptStart.Add(time.Minute))
	if len(mine) != 1 || use[apptStart].Booked != 1 {
		t.Fatalf("%d bookings and %d places taken, want 1 and 1", len(mine), use[apptStart].Booked)
	}
}
