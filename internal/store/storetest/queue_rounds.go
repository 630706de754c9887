package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// testQueueSameCounterTwice: two calls at one counter at once, neither
// with an outcome, call one ticket; the other finds the counter busy
// (calls of one counter never share a round).
func testQueueSameCounterTwice(t *testing.T, s *sqlstore.Store) {
	seedQueues(t, s, 1)
	for i := range 4 {
		issue(t, s, kiosk("A", qDay, qStart.Add(time.Duration(i)*time.Minute), queue.Normal))
	}
	at := qStart.Add(time.Hour)
	for round := range 10 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { _, _, errs[i] = s.CallNext(context.Background(), qBranch, "C01", qDay, fifo, "", at) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, queue.ErrBusy):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if want := map[bool]int{true: 1, false: 0}[round == 0]; ok != want {
			t.Fatalf("round %d: %d calls made, want %d (errors %v)", round, ok, want, errs)
		}
	}
	waiting := 0
	for _, tk := range tickets(t, s) {
		if tk.Status == queue.Waiting {
			waiting++
		}
	}
	if waiting != 3 {
		t.Fatalf("%d tickets still waiting, want 3", waiting)
	}
}

// testQueuePickPanics: a pick that panics fails its call (and the round
// it shared) with an error, and calls go on afterwards.
func testQueuePickPanics(t *testing.T, s *sqlstore.Store) {
	seedQueues(t, s, 2)
	a := issue(t, s, kiosk("A", qDay, qStart, queue.Normal))
	at := qStart.Add(time.Hour)
	bad := func(queue.CounterState, []queue.Ticket) []queue.Candidate { panic("rule broken") }
	if _, _, err := s.CallNext(context.Background(), qBranch, "C01", qDay, bad, "", at); err == nil {
		t.Fatal("a pick that panics: no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, _, err := s.CallNext(ctx, qBranch, "C02", qDay, fifo, "", at)
	if err != nil || got.ID != a.ID {
		t.Fatalf("call after a panic: %+v, %v", got, err)
	}
}

func tickets(t *testing.T, s *sqlstore.Store) []queue.Ticket {
	t.Helper()
	ts, err := s.Tickets(context.Background(), qBranch, qDay)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// testQueueServedQueues: each counter calls only from the queues it
// serves, and a counter serving none calls from every queue, first
// queued first across them.
func testQueueServedQueues(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 3)
	qs, err := s.Queues(ctx, qBranch)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.Counters(ctx, qBranch)
	if err != nil {
		t.Fatal(err)
	}
	profiles := make([]queue.Counter, len(cs))
	for i, c := range cs {
		profiles[i] = c.Counter
	}
	profiles[0].Queues, profiles[1].Queues, profiles[2].Queues = []string{"A"}, []string{"B"}, nil
	if err := s.SaveQueues(ctx, qBranch, qs, profiles); err != nil {
		t.Fatal(err)
	}
	b1 := issue(t, s, kiosk("B", qDay, qStart, queue.Normal))
	a1 := issue(t, s, kiosk("A", qDay, qStart.Add(time.Minute), queue.Normal))
	a2 := issue(t, s, kiosk("A", qDay, qStart.Add(2*time.Minute), queue.Normal))
	b2 := issue(t, s, kiosk("B", qDay, qStart.Add(3*time.Minute), queue.Normal))
	at := qStart.Add(time.Hour)
	for _, step := range []struct {
		counter string
		want    queue.Ticket
	}{{"C01", a1}, {"C03", b1}, {"C02", b2}} {
		if got := call(t, s, step.counter, at); got.ID != step.want.ID {
			t.Fatalf("%s called %s, want %s", step.counter, got.Number, step.want.Number)
		}
	}
	got, _, err := s.CallNext(ctx, qBranch, "C03", qDay, fifo, "served", at)
	if err != nil || got.ID != a2.ID {
		t.Fatalf("C03 (every queue) called %+v, %v; want %s", got, err, a2.Number)
	}
	_, _, err = s.CallNext(ctx, qBranch, "C02", qDay, fifo, "served", at)
	wantErr(t, "B with nobody waiting", err, queue.ErrEmpty)
}

// testQueueIssueRoundRefusal: tickets issued at once share rounds (on
// PostgreSQL); one refused among them (a second active ticket) gets its
// own answer and uses no number, and the others' numbers run on without
// a gap.
func testQueueIssueRoundRefusal(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	me := people(t, s, 1)[0]
	if tk := issue(t, s, remote(me, "A", qStart, 0)); tk.Seq != 1 {
		t.Fatalf("first ticket numbered %d", tk.Seq)
	}
	const n = 40
	seqs := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			nt := kiosk("A", qDay, qStart.Add(time.Minute), queue.Normal)
			if i == n/2 {
				nt = remote(me, "A", qStart.Add(time.Minute), 0)
			}
			tk, _, err := s.IssueTicket(ctx, nt)
			seqs[i], errs[i] = tk.Seq, err
		})
	}
	wg.Wait()
	got := map[int]bool{}
	for i, err := range errs {
		switch {
		case i == n/2:
			wantErr(t, "a second active ticket", err, queue.ErrActive)
		case err != nil:
			t.Fatalf("ticket %d: %v", i, err)
		default:
			got[seqs[i]] = true
		}
	}
	for seq := 2; seq <= n; seq++ {
		if !got[seq] {
			t.Fatalf("numbers %v: %d missing (want 2 to %d)", got, seq, n)
		}
	}
}

// testQueueLiveTickets: the live status's read returns the tickets in
// play and, of the done ones, the latest calls and each queue's latest,
// and nothing else, in QueuedAt order.
func testQueueLiveTickets(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	var all []queue.Ticket
	for i := range 12 {
		q := "A"
		if i == 1 { // B's only ticket, done long before the latest calls
			q = "B"
		}
		all = append(all, issue(t, s, kiosk(q, qDay, qStart.Add(time.Duration(i)*time.Minute), queue.Normal)))
	}
	at := qStart.Add(time.Hour)
	call(t, s, "C01", at)
	for i := 1; i <= 8; i++ { // eight more calls, each completing the one before
		if _, _, err := s.CallNext(ctx, qBranch, "C01", qDay, fifo, "served", at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	move(t, s, all[11].ID, queue.Waiting, queue.Change{Status: queue.Cancelled, At: at})
	got, err := s.LiveTickets(ctx, qBranch, qDay, 3)
	if err != nil {
		t.Fatal(err)
	}
	every := tickets(t, s)
	var done []queue.Ticket
	want := map[string]bool{}
	for _, tk := range every {
		switch tk.Status {
		case queue.Done:
			done = append(done, tk)
		case queue.Cancelled:
		default:
			want[tk.ID] = true
		}
	}
	slices.SortFunc(done, func(a, b queue.Ticket) int { return b.CalledAt.Compare(a.CalledAt) })
	latest := map[string]bool{}
	for i, tk := range done {
		if i < 3 || !latest[tk.Queue] {
			want[tk.ID] = true
		}
		latest[tk.Queue] = true
	}
	var ids []string
	for _, tk := range got {
		if !want[tk.ID] {
			t.Errorf("live tickets include %s (%s)", tk.Number, tk.Status)
		}
		ids = append(ids, tk.ID)
	}
	if len(got) != len(want) {
		t.Fatalf("%d live tickets, want %d", len(got), len(want))
	}
	if !slices.IsSortedFunc(got, func(a, b queue.Ticket) int { return a.QueuedAt.Compare(b.QueuedAt) }) {
		t.Fatalf("live tickets not in queue order: %v", ids)
	}
}
