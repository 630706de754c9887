package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/apperr"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// testQueue checks queue tickets against the database's guarantees:
// numbering, the quota, one active ticket per person and branch,
// idempotency, staff transitions, and (in queue_race.go) concurrent
// issuing and calling, and (in queue_rounds.go) calls sharing rounds.
func testQueue(t *testing.T, open Opener) {
	runEach(t, open, map[string]func(*testing.T, *sqlstore.Store){
		"Setup":         testQueueSetup,
		"Numbering":     testQueueNumbering,
		"Quota":         testQueueQuota,
		"OneActive":     testQueueOneActive,
		"Idempotency":   testQueueIdempotency,
		"TicketsOf":     testQueueTicketsOf,
		"Transitions":   testQueueTransitions,
		"CallFinishes":  testQueueCallFinishes,
		"Closed":        testQueueClosed,
		"Transfer":      testQueueTransfer,
		"CounterStates": testQueueCounterStates,
		"IssueRace":     testQueueIssueRace,
		"CallOnce":      testQueueCallOnce,
		"CallRace":      testQueueCallRace,
		"NearNoSkip":    testQueueNearDoesNotSkip,
		"SameCounter":   testQueueSameCounterTwice,
		"PickPanics":    testQueuePickPanics,
		"ServedQueues":  testQueueServedQueues,
		"IssueRefusal":  testQueueIssueRoundRefusal,
		"LiveTickets":   testQueueLiveTickets,
	})
}

const (
	qBranch = "DSI-HQ"
	qDay    = "2026-12-01"
)

var qStart = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC) // 09:00 in Macao

// seedQueues saves queues A and B and n counters C01… serving both,
// priority:normal 1:2, and opens them.
func seedQueues(t *testing.T, s *sqlstore.Store, n int) {
	t.Helper()
	ctx := context.Background()
	qs := []queue.Queue{
		{Branch: qBranch, Code: "A", Entity: "DSI", Name: lang.Text{ZhHant: "甲", Pt: "A", En: "A"},
			Services: []string{"DSI-BIR-RENEW"}, DailyQuota: 0, LastRemote: "16:45", MaxWait: 45 * time.Minute},
		{Branch: qBranch, Code: "B", Entity: "DSI", Name: lang.Text{ZhHant: "乙", Pt: "B", En: "B"}},
	}
	var cs []queue.Counter
	for i := range n {
		cs = append(cs, queue.Counter{Branch: qBranch, Code: fmt.Sprintf("C%02d", i+1), Entity: "DSI",
			Name: lang.Text{En: fmt.Sprintf("Counter %d", i+1)}, Queues: []string{"A", "B"}, PriorityShare: 1, NormalShare: 2})
	}
	if err := s.SaveQueues(ctx, qBranch, qs, cs); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if _, err := s.SetCounter(ctx, qBranch, c.Code, true, "staff-"+c.Code, qStart); err != nil {
			t.Fatal(err)
		}
	}
}

// kiosk is a kiosk ticket of queue q issued at.
func kiosk(q, day string, at time.Time, class queue.Class) queue.NewTicket {
	return queue.NewTicket{Ticket: queue.Ticket{ID: identity.NewID(), Branch: qBranch, Queue: q, Day: day,
		Source: queue.Kiosk, Class: class, IssuedAt: at}, Prefix: q}
}

// remote is a signed-in resident's ticket with the one-per-branch limit.
func remote(account, q string, at time.Time, quota int) queue.NewTicket {
	nt := kiosk(q, qDay, at, queue.Normal)
	nt.Ticket.Source, nt.Ticket.AccountID, nt.OnePerBranch, nt.Quota = queue.Remote, account, true, quota
	return nt
}

func issue(t *testing.T, s *sqlstore.Store, nt queue.NewTicket) queue.Ticket {
	t.Helper()
	tk, created, err := s.IssueTicket(context.Background(), nt)
	if err != nil || !created {
		t.Fatalf("issue %s: created %v, %v", nt.Ticket.Queue, created, err)
	}
	return tk
}

// fifo calls the longest waiting ticket first.
func fifo(c queue.CounterState, w []queue.Ticket) []queue.Candidate {
	out := make([]queue.Candidate, len(w))
	for i := range w {
		out[i] = queue.Candidate{Index: i, Turn: c.Turn}
	}
	return out
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

func testQueueSetup(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 3)
	qs, err := s.Queues(ctx, qBranch)
	if err != nil || len(qs) != 2 || qs[0].Code != "A" || qs[0].MaxWait != 45*time.Minute ||
		!slices.Equal(qs[0].Services, []string{"DSI-BIR-RENEW"}) || qs[0].Name.ZhHant != "甲" || qs[0].LastRemote != "16:45" {
		t.Fatalf("queues %+v, %v", qs, err)
	}
	// Saving again without C03 keeps the others' live state.
	cs := []queue.Counter{{Branch: qBranch, Code: "C01", Entity: "DSI", Queues: []string{"B"}, PriorityShare: 2, NormalShare: 3},
		{Branch: qBranch, Code: "C02", Entity: "DSI", Queues: []string{"A"}, NormalShare: 1}}
	if err := s.SaveQueues(ctx, qBranch, qs[:1], cs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Counters(ctx, qBranch)
	if err != nil || len(got) != 2 {
		t.Fatalf("counters %+v, %v", got, err)
	}
	c := got[0]
	if c.Code != "C01" || !c.Open || c.StaffID != "staff-C01" || !slices.Equal(c.Queues, []string{"B"}) || c.PriorityShare != 2 || c.NormalShare != 3 {
		t.Fatalf("counter after resave: %+v", c)
	}
	if qs, _ := s.Queues(ctx, qBranch); len(qs) != 1 {
		t.Fatalf("queues after resave: %+v", qs)
	}
}

func testQueueNumbering(t *testing.T, s *sqlstore.Store) {
	var want []string
	for i := range 3 {
		tk := issue(t, s, kiosk("A", qDay, qStart.Add(time.Duration(i)*time.Minute), queue.Normal))
		want = append(want, tk.ID)
		if tk.Number != fmt.Sprintf("A%03d", i+1) || tk.Seq != i+1 || tk.Status != queue.Waiting {
			t.Fatalf("ticket %d: %+v", i, tk)
		}
	}
	if b := issue(t, s, kiosk("B", qDay, qStart, queue.Elderly)); b.Number != "B001" {
		t.Fatalf("first of B is %s", b.Number)
	}
	if next := issue(t, s, kiosk("A", "2026-12-02", qStart.Add(24*time.Hour), queue.Normal)); next.Number != "A001" {
		t.Fatalf("first of the next day is %s", next.Number)
	}
	ts, err := s.Tickets(context.Background(), qBranch, qDay)
	if err != nil || len(ts) != 4 {
		t.Fatalf("tickets %d, %v", len(ts), err)
	}
	// B001 was issued first (qStart, as A001): the list is in QueuedAt order.
	if ts[0].Number != "A001" || ts[1].Number != "B001" || ts[1].Class != queue.Elderly || ts[3].ID != want[2] {
		t.Fatalf("order %s %s %s %s", ts[0].Number, ts[1].Number, ts[2].Number, ts[3].Number)
	}
	got, err := s.Ticket(context.Background(), want[0])
	if err != nil || got.Number != "A001" || !got.QueuedAt.Equal(qStart) || !got.IssuedAt.Equal(qStart) || got.Source != queue.Kiosk {
		t.Fatalf("ticket %+v, %v", got, err)
	}
	if _, err := s.Ticket(context.Background(), "nope"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("missing ticket: %v", err)
	}
}

func testQueueQuota(t *testing.T, s *sqlstore.Store) {
	ids := people(t, s, 12)
	var ok, full int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range ids[:10] {
		wg.Go(func() {
			_, _, err := s.IssueTicket(context.Background(), remote(id, "A", qStart, 4))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, queue.ErrQuota):
				full++
			default:
				t.Errorf("issue: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 4 || full != 6 {
		t.Fatalf("%d issued, %d refused; want 4 and 6", ok, full)
	}
	// Kiosk tickets do not count, and the refused took no number.
	if k := issue(t, s, kiosk("A", qDay, qStart, queue.Normal)); k.Number != "A005" {
		t.Fatalf("kiosk ticket after the quota: %s", k.Number)
	}
	_, _, err := s.IssueTicket(context.Background(), remote(ids[10], "A", qStart, 4))
	wantErr(t, "remote over quota", err, queue.ErrQuota)
	if r := issue(t, s, remote(ids[11], "B", qStart, 4)); r.Number != "B001" {
		t.Fatalf("other queue: %s", r.Number)
	}
}

func testQueueOneActive(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	me := people(t, s, 1)[0]
	var ok int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			_, _, err := s.IssueTicket(ctx, remote(me, "A", qStart, 0))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else if !errors.Is(err, queue.ErrActive) {
				t.Errorf("issue: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d active tickets for one person", ok)
	}
	other := remote(me, "A", qStart, 0)
	other.Ticket.Branch = "DSAL-1"
	issue(t, s, other)
	_, _, err := s.IssueTicket(ctx, remote(me, "B", qStart, 0))
	wantErr(t, "second queue of the branch", err, queue.ErrActive)

	// Missed frees the place; reinstating while holding another is refused.
	first, _, err := s.CallNext(ctx, qBranch, "C01", qDay, fifo, "", qStart)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, first.ID, []queue.Status{queue.Called}, queue.Change{Status: queue.Missed, At: qStart}); err != nil {
		t.Fatal(err)
	}
	issue(t, s, remote(me, "B", qStart, 0))
	_, err = s.Transition(ctx, first.ID, []queue.Status{queue.Missed}, queue.Change{Status: queue.Waiting, At: qStart})
	wantErr(t, "reinstate while active elsewhere", err, queue.ErrActive)
}

// testQueueTicketsOf lists one resident's tickets of a day, at every
// branch and in every status, and never another's.
func testQueueTicketsOf(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	ps := people(t, s, 2)
	me, other := ps[0], ps[1]
	first := issue(t, s, remote(me, "A", qStart, 0))
	elsewhere := remote(me, "A", qStart.Add(time.Minute), 0)
	elsewhere.Ticket.Branch = "DSAL-1"
	second := issue(t, s, elsewhere)
	issue(t, s, remote(other, "A", qStart, 0))
	tomorrow := remote(me, "B", qStart.Add(24*time.Hour), 0)
	tomorrow.Ticket.Day, tomorrow.OnePerBranch = "2026-12-02", false
	issue(t, s, tomorrow)
	if _, err := s.Transition(ctx, first.ID, []queue.Status{queue.Waiting}, queue.Change{Status: queue.Cancelled, At: qStart}); err != nil {
		t.Fatal(err)
	}
	got, err := s.TicketsOf(ctx, me, qDay)
	if err != nil || len(got) != 2 || got[0].ID != first.ID || got[1].ID != second.ID ||
		got[0].Status != queue.Cancelled || got[1].Number != second.Number || got[1].AccountID != me {
		t.Fatalf("TicketsOf = %+v, %v; want %s then %s", got, err, first.ID, second.ID)
	}
	if got, err := s.TicketsOf(ctx, "nobody", qDay); err != nil || len(got) != 0 {
		t.Fatalf("TicketsOf(nobody) = %+v, %v", got, err)
	}
}

func testQueueIdempotency(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	me := people(t, s, 1)[0]
	ids := make([]string, 8)
	var created int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			nt := remote(me, "A", qStart, 0)
			nt.IdempotencyKey = "key-1"
			tk, c, err := s.IssueTicket(ctx, nt)
			if err != nil {
				t.Errorf("issue: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			ids[i] = tk.ID
			if c {
				created++
			}
		})
	}
	wg.Wait()
	if created != 1 || len(slices.Compact(slices.Clone(ids))) != 1 {
		t.Fatalf("created %d, ids %v", created, ids)
	}
	nt := remote(me, "A", qStart, 0)
	nt.IdempotencyKey = "key-1"
	again, c, err := s.IssueTicket(ctx, nt)
	if err != nil || c || again.ID != ids[0] || again.Number != "A001" {
		t.Fatalf("repeat: %+v %v %v", again, c, err)
	}
	if ts, _ := s.Tickets(ctx, qBranch, qDay); len(ts) != 1 {
		t.Fatalf("%d tickets for one key", len(ts))
	}
}
