package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oneaccount/oneaccount/internal/queue"
	"github.com/oneaccount/oneaccount/internal/store/sqlstore"
)

// testQueueIssueRace issues 500 tickets at once: the numbers are 1 to
// 500, each once.
func testQueueIssueRace(t *testing.T, s *sqlstore.Store) {
	const n = 500
	seqs := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tk, _, err := s.IssueTicket(context.Background(), kiosk("A", qDay, qStart, queue.Normal))
			if err != nil {
				t.Errorf("issue %d: %v", i, err)
			}
			seqs[i] = tk.Seq
		})
	}
	wg.Wait()
	slices.Sort(seqs)
	for i, seq := range seqs {
		if seq != i+1 {
			t.Fatalf("numbers are not 1..%d: position %d holds %d", n, i, seq)
		}
	}
}

// testQueueCallOnce races two counters for one waiting ticket, many
// times: one calls it, the other finds nobody waiting.
func testQueueCallOnce(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 2)
	for round := range 20 {
		tk := issue(t, s, kiosk("A", qDay, qStart.Add(time.Duration(round)*time.Second), queue.Normal))
		var got [2]queue.Ticket
		var errs [2]error
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, c := range []string{"C01", "C02"} {
			wg.Go(func() {
				<-start
				got[i], _, errs[i] = s.CallNext(ctx, qBranch, c, qDay, fifo, "", qStart)
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for i := range errs {
			switch {
			case errs[i] == nil && got[i].ID == tk.ID:
				won = i
			case errors.Is(errs[i], queue.ErrEmpty):
			default:
				t.Fatalf("round %d counter %d: %v", round, i, errs[i])
			}
		}
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: both or neither called: %v, %v", round, errs[0], errs[1])
		}
		move(t, s, tk.ID, queue.Called, queue.Change{Status: queue.Done, At: qStart})
		if c, _ := s.Counters(ctx, qBranch); c[won].Current != "" {
			t.Fatalf("round %d: counter still busy: %+v", round, c[won])
		}
	}
}

// callRecord is one call of the race: where, which ticket, and when.
type callRecord struct {
	counter string
	ticket  queue.Ticket
	at      time.Time
}

// testQueueCallRace has 20 counters call and complete 1,000 tickets at
// once by the calling rule (queue.Next, priority:normal 1:2): every
// ticket is called exactly once, each counter calls each class first
// queued first, and while priority tickets wait they take a third of the
// calls.
func testQueueCallRace(t *testing.T, s *sqlstore.Store) {
	seedQueues(t, s, 20)
	issued := issueMany(t, s, qDay, 1000)
	rule := queue.Rule{MaxWait: 45 * time.Minute, Early: 15 * time.Minute, Late: 15 * time.Minute}
	calls := callAll(t, s, 20, qDay, func(now time.Time) queue.Pick {
		return func(c queue.CounterState, w []queue.Ticket) []queue.Candidate {
			return queue.Candidates(c, w, now, rule, func(string) time.Duration { return rule.MaxWait })
		}
	})
	checkCalledOnce(t, s, qDay, issued, calls)
	checkCounterOrder(t, calls, func(tk queue.Ticket) string { return fmt.Sprint(tk.Class.Priority()) })
	checkShare(t, calls, 600)
}

// issueMany issues n tickets of queue A, a second apart, one in four of
// an elderly person, eight at a time.
func issueMany(t *testing.T, s *sqlstore.Store, day string, n int) map[string]bool {
	t.Helper()
	base, _ := time.Parse(time.DateOnly, day)
	base = base.Add(time.Hour) // 09:00 in Macao
	ids := make([]string, n)
	next := atomic.Int32{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				class := queue.Normal
				if i%4 == 0 {
					class = queue.Elderly
				}
				tk, _, err := s.IssueTicket(context.Background(), kiosk("A", day, base.Add(time.Duration(i)*time.Second), class))
				if err != nil {
					t.Errorf("issue: %v", err)
					return
				}
				ids[i] = tk.ID
			}
		})
	}
	wg.Wait()
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	return set
}

// callAll has k counters call and complete tickets until none waits:
// the odd ones as staff press "next", completing the ticket at the
// counter in the call of the next one, the even ones completing it on
// its own first. Each call is stamped by a shared clock that ticks a
// millisecond per call, so the stamps order the calls.
func callAll(t *testing.T, s *sqlstore.Store, k int, day string, pick func(now time.Time) queue.Pick) []callRecord {
	t.Helper()
	base, _ := time.Parse(time.DateOnly, day)
	base = base.Add(time.Hour + 20*time.Minute) // 09:20, when the first ticket has waited 20 minutes
	var clock atomic.Int64
	var mu sync.Mutex
	var calls []callRecord
	var wg sync.WaitGroup
	for i := range k {
		code := fmt.Sprintf("C%02d", i+1)
		next := i%2 == 0
		wg.Go(func() {
			ctx := context.Background()
			var held queue.Ticket
			for {
				at := base.Add(time.Duration(clock.Add(1)) * time.Millisecond)
				finish := ""
				if next && held.ID != "" {
					finish = "served"
				}
				tk, done, err := s.CallNext(ctx, qBranch, code, day, pick(at), finish, at)
				if errors.Is(err, queue.ErrEmpty) {
					if held.ID != "" {
						_, err = s.Transition(ctx, held.ID, []queue.Status{queue.Called}, queue.Change{Status: queue.Done, At: at})
					}
					if err != nil && !errors.Is(err, queue.ErrEmpty) {
						t.Errorf("counter %s: complete the last: %v", code, err)
					}
					return
				}
				if err == nil && done.ID != held.ID {
					err = fmt.Errorf("completed %q, want the ticket at the counter %q", done.ID, held.ID)
				}
				if err == nil && next {
					held = tk
				} else if err == nil {
					_, err = s.Transition(ctx, tk.ID, []queue.Status{queue.Called}, queue.Change{Status: queue.Done, At: at})
				}
				if err != nil {
					t.Errorf("counter %s: %v", code, err)
					return
				}
				mu.Lock()
				calls = append(calls, callRecord{code, tk, at})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(calls, func(a, b callRecord) int { return a.at.Compare(b.at) })
	return calls
}

// checkCalledOnce: every issued ticket was called exactly once, and the
// database agrees.
func checkCalledOnce(t *testing.T, s *sqlstore.Store, day string, issued map[string]bool, calls []callRecord) {
	t.Helper()
	seen := map[string]string{}
	for _, c := range calls {
		if prev, ok := seen[c.ticket.ID]; ok {
			t.Fatalf("ticket %s called at %s and %s", c.ticket.Number, prev, c.counter)
		}
		if !issued[c.ticket.ID] {
			t.Fatalf("called %s, not issued this day", c.ticket.Number)
		}
		seen[c.ticket.ID] = c.counter
	}
	if len(seen) != len(issued) {
		t.Fatalf("%d of %d tickets called", len(seen), len(issued))
	}
	ts, err := s.Tickets(context.Background(), qBranch, day)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range ts {
		if tk.Status != queue.Done || tk.Counter != seen[tk.ID] {
			t.Fatalf("%s: %s at %q, called at %q", tk.Number, tk.Status, tk.Counter, seen[tk.ID])
		}
	}
}

// checkCounterOrder: each counter called the tickets of each class (as
// class names it) in the order they queued.
func checkCounterOrder(t *testing.T, calls []callRecord, class func(queue.Ticket) string) {
	t.Helper()
	last := map[string]queue.Ticket{}
	for _, c := range calls {
		key := c.counter + "/" + class(c.ticket)
		if prev, ok := last[key]; ok && !prev.QueuedAt.Before(c.ticket.QueuedAt) {
			t.Fatalf("counter %s called %s after %s, which queued later", c.counter, c.ticket.Number, prev.Number)
		}
		last[key] = c.ticket
	}
}

// checkShare: while priority tickets wait (the first m calls), about one
// call in three (the counters' 1:2 ratio) takes one, where FIFO would
// take one in four.
func checkShare(t *testing.T, calls []callRecord, m int) {
	t.Helper()
	priority := 0
	for _, c := range calls[:m] {
		if c.ticket.Class.Priority() {
			priority++
		}
	}
	if priority < m*3/10 || priority > m*37/100 {
		t.Fatalf("%d of the first %d calls took priority tickets; want about a third", priority, m)
	}
}

// testQueueNearDoesNotSkip holds the first waiting ticket's near mark in
// an open transaction (as MarkNear does while it enqueues its notice) and
// calls next: the counter must still call that ticket, not the one after.
func testQueueNearDoesNotSkip(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	seedQueues(t, s, 1)
	first := issue(t, s, kiosk("A", qDay, qStart, queue.Normal))
	issue(t, s, kiosk("A", qDay, qStart.Add(time.Second), queue.Normal))
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	mark := "INSERT INTO queue_ticket_near (ticket_id) VALUES ($1)"
	if s.Engine() == "sqlite" {
		// SQLite's one writer would make the call wait for this
		// transaction: there is no row lock to skip, so mark and commit.
		mark = "INSERT INTO queue_ticket_near (ticket_id) VALUES (?)"
	}
	if _, err := tx.ExecContext(ctx, mark, first.ID); err != nil {
		t.Fatal(err)
	}
	if s.Engine() == "sqlite" {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	} else {
		defer func() { _ = tx.Rollback() }()
	}
	got, _, err := s.CallNext(ctx, qBranch, "C01", qDay, fifo, "", qStart.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != first.ID {
		t.Fatalf("called %s, want the first in line %s: a near mark made the counter skip it", got.Number, first.Number)
	}
}
