package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/identity"
	"github.com/oneaccount/oneaccount/internal/jobs"
	"github.com/oneaccount/oneaccount/internal/lang"
	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// move runs a transition that must succeed.
func move(t *testing.T, s *sqlstore.Store, id string, from queue.Status, ch queue.Change) queue.Ticket {
	t.Helper()
	tk, err := s.Transition(context.Background(), id, []queue.Status{from}, ch)
	if err != nil {
		t.Fatalf("%s → %s: %v", from, ch.Status, err)
	}
	return tk
}

func call(t *testing.T, s *sqlstore.Store, counter string, at time.Time) queue.Ticket {
	t.Helper()
	tk, _, err := s.CallNext(context.Background(), qBranch, counter, qDay, fifo, "", at)
	if err != nil {
		t.Fatalf("call at %s: %v", counter, err)
	}
	return tk
}

func testQueueTransitions(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 2)
	withPhone := kiosk("A", qDay, qStart, queue.Elderly)
	withPhone.Ticket.Phone = "+85366123456"
	a1 := issue(t, s, withPhone)
	a2 := issue(t, s, kiosk("A", qDay, qStart.Add(time.Minute), queue.Normal))
	at := qStart.Add(10 * time.Minute)

	// The called ticket comes whole: its holder's phone is who to tell.
	got := call(t, s, "C01", at)
	if got.ID != a1.ID || got.Status != queue.Called || got.Counter != "C01" || !got.CalledAt.Equal(at) ||
		got.Phone != a1.Phone || got.Number != a1.Number || got.Branch != qBranch || !got.IssuedAt.Equal(a1.IssuedAt) {
		t.Fatalf("called %+v, issued %+v", got, a1)
	}
	_, _, err := s.CallNext(ctx, qBranch, "C01", qDay, fifo, "", at)
	wantErr(t, "call with a ticket at the counter", err, queue.ErrBusy)
	_, err = s.SetCounter(ctx, qBranch, "C01", false, "", at)
	wantErr(t, "close with a ticket at the counter", err, queue.ErrBusy)
	_, err = s.Transition(ctx, a1.ID, []queue.Status{queue.Waiting}, queue.Change{Status: queue.Cancelled, At: at})
	wantErr(t, "cancel a called ticket", err, queue.ErrState)

	// Recall up to the bound; confirm the class.
	recall := queue.Change{Status: queue.Called, Recall: true, MaxRecalls: 2, At: at}
	move(t, s, a1.ID, queue.Called, recall)
	if r := move(t, s, a1.ID, queue.Called, recall); r.Recalls != 2 || !r.CalledAt.Equal(at) {
		t.Fatalf("after two recalls: %+v", r)
	}
	_, err = s.Transition(ctx, a1.ID, []queue.Status{queue.Called}, recall)
	wantErr(t, "third recall", err, queue.ErrState)
	if c := move(t, s, a1.ID, queue.Called, queue.Change{Class: queue.Elderly, Confirmed: true, At: at}); !c.ClassConfirmed || c.Status != queue.Called {
		t.Fatalf("confirm class: %+v", c)
	}

	// Park frees the counter, which calls the next; resume needs it free.
	if p := move(t, s, a1.ID, queue.Called, queue.Change{Status: queue.Parked, At: at}); p.Counter != "C01" {
		t.Fatalf("parked %+v", p)
	}
	if n := call(t, s, "C01", at); n.ID != a2.ID {
		t.Fatalf("after park called %s", n.Number)
	}
	_, err = s.Transition(ctx, a1.ID, []queue.Status{queue.Parked}, queue.Change{Status: queue.Called, Counter: "C01", At: at})
	wantErr(t, "resume at a busy counter", err, queue.ErrBusy)
	done := at.Add(7 * time.Minute)
	d := move(t, s, a2.ID, queue.Called, queue.Change{Status: queue.Done, Outcome: "served", At: done})
	if d.Outcome != "served" || !d.DoneAt.Equal(done) {
		t.Fatalf("done %+v", d)
	}
	move(t, s, a1.ID, queue.Parked, queue.Change{Status: queue.Called, Counter: "C01", At: done})
	_, _, err = s.CallNext(ctx, qBranch, "C01", qDay, fifo, "", at)
	wantErr(t, "call after resume", err, queue.ErrBusy)

	// No-show, reinstate at the original place, and the times of service.
	move(t, s, a1.ID, queue.Called, queue.Change{Status: queue.Missed, At: done})
	r := move(t, s, a1.ID, queue.Missed, queue.Change{Status: queue.Waiting, At: done})
	if !r.QueuedAt.Equal(qStart) || !r.DoneAt.IsZero() {
		t.Fatalf("reinstated %+v", r)
	}
	if again := call(t, s, "C02", done); again.ID != a1.ID {
		t.Fatalf("reinstated ticket not first: %s", again.Number)
	}
	move(t, s, a1.ID, queue.Called, queue.Change{Status: queue.Done, At: done.Add(3 * time.Minute)})
	times, err := s.ServiceTimes(ctx, qBranch, "A", 5)
	if err != nil || len(times) != 2 || times[0] != 3*time.Minute || times[1] != 7*time.Minute {
		t.Fatalf("service times %v, %v", times, err)
	}
	_, _, err = s.CallNext(ctx, qBranch, "C02", qDay, fifo, "", at)
	wantErr(t, "call with nobody waiting", err, queue.ErrEmpty)
}

func testQueueTransfer(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	cs := []queue.Counter{{Branch: qBranch, Code: "C01", Queues: []string{"A"}, NormalShare: 1},
		{Branch: qBranch, Code: "C02", Queues: []string{"B"}, NormalShare: 1}}
	qs, _ := s.Queues(ctx, qBranch)
	if err := s.SaveQueues(ctx, qBranch, qs, cs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCounter(ctx, qBranch, "C02", true, "staff-2", qStart); err != nil {
		t.Fatal(err)
	}
	a1 := issue(t, s, kiosk("A", qDay, qStart, queue.Normal))
	b1 := issue(t, s, kiosk("B", qDay, qStart.Add(time.Minute), queue.Normal))
	at := qStart.Add(5 * time.Minute)
	call(t, s, "C01", at)
	moved := move(t, s, a1.ID, queue.Called, queue.Change{Status: queue.Waiting, Queue: "B", At: at})
	if moved.Number != "A001" || moved.Queue != "B" || !moved.QueuedAt.Equal(qStart) {
		t.Fatalf("transferred %+v", moved)
	}
	// The counter is free; the ticket goes before B001, issued later.
	if c, _ := s.Counters(ctx, qBranch); c[0].Current != "" {
		t.Fatalf("counter after transfer: %+v", c[0])
	}
	if got := call(t, s, "C02", at); got.ID != a1.ID {
		t.Fatalf("C02 called %s, want A001", got.Number)
	}
	move(t, s, a1.ID, queue.Called, queue.Change{Status: queue.Done, At: at})
	if got := call(t, s, "C02", at); got.ID != b1.ID {
		t.Fatalf("C02 called %s, want B001", got.Number)
	}
	// B keeps its own numbering; A's continues at A002.
	if n := issue(t, s, kiosk("B", qDay, at, queue.Normal)); n.Number != "B002" {
		t.Fatalf("next B is %s", n.Number)
	}
	if n := issue(t, s, kiosk("A", qDay, at, queue.Normal)); n.Number != "A002" {
		t.Fatalf("next A is %s", n.Number)
	}
}

func testQueueCounterStates(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	_, err := s.SetCounter(ctx, qBranch, "C99", true, "x", qStart)
	if err == nil {
		t.Fatal("opened a counter that does not exist")
	}
	c, err := s.SetCounter(ctx, qBranch, "C01", false, "", qStart)
	if err != nil || c.Open || c.StaffID != "" {
		t.Fatalf("closed %+v, %v", c, err)
	}
	tk := issue(t, s, kiosk("A", qDay, qStart, queue.Normal))
	_, _, err = s.CallNext(ctx, qBranch, "C01", qDay, fifo, "", qStart)
	wantErr(t, "call at a closed counter", err, queue.ErrCounterClosed)
	_, err = s.Transition(ctx, tk.ID, []queue.Status{queue.Waiting}, queue.Change{Status: queue.Called, Counter: "C01", At: qStart})
	wantErr(t, "call a ticket to a closed counter", err, queue.ErrCounterClosed)

	// "Your turn is near" is marked, with its job, once.
	j, err := jobs.New("queue.near", "near:"+tk.ID, map[string]string{"ticket": tk.ID}, qStart)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		marked, err := s.MarkNear(ctx, tk.ID, []jobs.Job{j})
		if err != nil || marked != want {
			t.Fatalf("mark near %d: %v, %v", i, marked, err)
		}
	}
	if got, _ := s.Ticket(ctx, tk.ID); !got.NearSent {
		t.Fatal("near not recorded")
	}
}

// testQueueCallFinishes checks a call that completes the ticket at the
// counter (Qmatic's "next"): one change completes it and calls the next;
// with nobody waiting nothing changes and the ticket stays at the counter.
func testQueueCallFinishes(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	a1 := issue(t, s, kiosk("A", qDay, qStart, queue.Normal))
	a2 := issue(t, s, kiosk("A", qDay, qStart.Add(time.Minute), queue.Normal))
	at := qStart.Add(10 * time.Minute)
	call(t, s, "C01", at)
	later := at.Add(4 * time.Minute)
	got, done, err := s.CallNext(ctx, qBranch, "C01", qDay, fifo, "served", later)
	if err != nil || got.ID != a2.ID || got.Status != queue.Called || done.ID != a1.ID {
		t.Fatalf("next = %+v, completed %+v, %v; want %s called and %s completed", got, done, err, a2.Number, a1.Number)
	}
	if done.Status != queue.Done || done.Outcome != "served" || !done.DoneAt.Equal(later) || done.Counter != "C01" {
		t.Fatalf("completed %+v", done)
	}
	for id, want := range map[string]queue.Status{a1.ID: queue.Done, a2.ID: queue.Called} {
		if tk, err := s.Ticket(ctx, id); err != nil || tk.Status != want {
			t.Fatalf("ticket %s: %+v, %v; want %s", id, tk, err, want)
		}
	}
	_, _, err = s.CallNext(ctx, qBranch, "C01", qDay, fifo, "served", later)
	wantErr(t, "next with nobody waiting", err, queue.ErrEmpty)
	if tk, err := s.Ticket(ctx, a2.ID); err != nil || tk.Status != queue.Called || tk.Counter != "C01" {
		t.Fatalf("after an empty next the ticket at the counter is %+v, %v", tk, err)
	}
	_, _, err = s.CallNext(ctx, qBranch, "C01", qDay, fifo, "", later)
	wantErr(t, "call without completing", err, queue.ErrBusy)
	if times, err := s.ServiceTimes(ctx, qBranch, "A", 5); err != nil || len(times) != 1 || times[0] != 4*time.Minute {
		t.Fatalf("service times %v, %v", times, err)
	}
}

// testQueueClosed: while a closure covers its time a ticket taken while
// open is refused, in one statement and in a transaction (with a key),
// and no number is used; a ticket not bound to the opening hours is not.
func testQueueClosed(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	if _, err := s.AddClosure(ctx, directory.Closure{Starts: qStart.Add(time.Hour), Ends: qStart.Add(2 * time.Hour),
		Reason: lang.Text{ZhHant: "颱風", Pt: "Tufão", En: "Typhoon"}}); err != nil {
		t.Fatal(err)
	}
	before := kiosk("A", qDay, qStart, queue.Normal)
	before.WhileOpen = true
	if tk := issue(t, s, before); tk.Seq != 1 {
		t.Fatalf("before the closure: number %d", tk.Seq)
	}
	during := kiosk("A", qDay, qStart.Add(90*time.Minute), queue.Normal)
	during.WhileOpen = true
	_, _, err := s.IssueTicket(ctx, during)
	wantErr(t, "during the closure", err, queue.ErrClosed)
	keyed := remote(people(t, s, 1)[0], "A", qStart.Add(90*time.Minute), 0)
	keyed.WhileOpen, keyed.IdempotencyKey = true, "k1"
	_, _, err = s.IssueTicket(ctx, keyed)
	wantErr(t, "during the closure, with a key", err, queue.ErrClosed)
	during.WhileOpen = false
	during.Ticket.ID = identity.NewID()
	if tk := issue(t, s, during); tk.Seq != 2 {
		t.Fatalf("a ticket not bound to the hours during the closure: number %d, want 2 (none used by the refusals)", tk.Seq)
	}
}
